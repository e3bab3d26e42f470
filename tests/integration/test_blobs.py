"""The filesystem blob store on a real directory with a real key ring, and the in-memory fake behaving the same."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_of
from hypothesis import strategies as st

from application.errors import NotFoundError
from application.privacy import DocumentErasedError
from domain.errors import InvalidValueError
from infrastructure.blobs import BlobCorruptedError, FilesystemBlobStore
from infrastructure.privacy.keyring import KeyRing
from infrastructure.privacy.master import MasterKey
from infrastructure.privacy.store import KeyStore
from infrastructure.settings import Settings
from tests.fakes import InMemoryBlobStore

DATA = "Giấy khai sinh — bản số hóa của Nguyễn Thị Hoa".encode()
SHA = hashlib.sha256(DATA).hexdigest()
PERSON = "id:079195000101"


@pytest.fixture
def keys(tmp_path):
    ring = KeyRing(
        KeyStore.from_env(
            {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "keys.sqlite3")}
        ),
        MasterKey(bytes(range(32))),
    )
    yield ring
    ring.close()


@pytest.fixture(params=["filesystem", "memory"])
def store(request, tmp_path, keys):
    return FilesystemBlobStore(tmp_path / "blobs", keys) if request.param == "filesystem" else InMemoryBlobStore()


def every_file(store: FilesystemBlobStore) -> list:
    return [path for path in store.root.rglob("*") if path.is_file()]


def test_bytes_are_kept_under_their_sha256_and_read_back(store) -> None:
    assert store.put(DATA, PERSON) == SHA and store.exists(SHA)
    assert store.get(SHA) == DATA and store.put(DATA, PERSON) == SHA


def test_unknown_hashes_are_not_found_and_malformed_ones_are_refused(store) -> None:
    with pytest.raises(NotFoundError):
        store.get(hashlib.sha256(b"other").hexdigest())
    for bad in ("../../etc/passwd", SHA.upper(), SHA[:-1], ""):
        with pytest.raises(InvalidValueError):
            store.get(bad)


def test_files_are_sealed_named_by_a_keyed_hash_read_only_and_leave_no_temporary_files(tmp_path, keys) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs", keys)
    store.put(DATA, PERSON)
    [path] = every_file(store)
    assert path == store.path(SHA) and SHA not in str(path)  # the name does not reveal which file it is
    assert DATA not in path.read_bytes() and b"Nguy" not in path.read_bytes()
    assert oct(path.stat().st_mode & 0o777) == "0o400"  # read-only, and the service user's only
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@settings_of(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=8, max_size=4096))
def test_any_bytes_read_back_and_never_appear_in_the_stored_file(tmp_path, keys, data) -> None:
    store = FilesystemBlobStore(tmp_path / "prop", keys)
    sha256 = store.put(data, PERSON)
    assert store.get(sha256) == data and data not in store.path(sha256).read_bytes()


def test_a_file_changed_on_disk_is_detected_when_read(tmp_path, keys) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs", keys)
    store.put(DATA, PERSON)
    path = store.path(SHA)
    path.chmod(0o644)
    stored = bytearray(path.read_bytes())
    stored[-1] ^= 1
    path.write_bytes(bytes(stored))
    with pytest.raises(BlobCorruptedError, match=SHA):
        store.get(SHA)
    path.write_bytes(b"%PDF-1.7 not sealed at all")
    with pytest.raises(BlobCorruptedError, match="not a sealed blob"):
        store.get(SHA)


def test_destroying_the_persons_key_makes_their_files_erased_and_leaves_others_readable(tmp_path, keys) -> None:
    store, other = FilesystemBlobStore(tmp_path / "blobs", keys), b"%PDF of another person"
    store.put(DATA, PERSON)
    store.put(other, "id:079195000202")
    keys.destroy([PERSON])
    with pytest.raises(DocumentErasedError) as erased:
        store.get(SHA)
    assert erased.value.message_vi == "Tài liệu đã bị xóa theo yêu cầu xóa dữ liệu cá nhân."
    assert store.exists(SHA) and store.get(hashlib.sha256(other).hexdigest()) == other
    assert store.put(DATA, PERSON) == SHA and store.get(SHA) == DATA  # given again later: sealed under a new key


def test_a_file_stored_in_clear_before_sealing_is_still_read_and_sealed_when_stored_again(tmp_path, keys) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs", keys)
    clear = store.root / SHA[:2] / SHA[2:4] / SHA
    clear.parent.mkdir(parents=True)
    clear.write_bytes(DATA)
    assert store.exists(SHA) and store.get(SHA) == DATA
    store.put(DATA, PERSON)
    assert not clear.exists() and every_file(store) == [store.path(SHA)] and store.get(SHA) == DATA


def test_concurrent_writers_of_the_same_bytes_leave_one_whole_file(tmp_path, keys) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs", keys)
    data = os.urandom(2 * 1024 * 1024)
    threads = [threading.Thread(target=store.put, args=(data, PERSON)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sha256 = hashlib.sha256(data).hexdigest()
    assert store.get(sha256) == data and every_file(store) == [store.path(sha256)]


def test_the_directory_comes_from_the_environment(tmp_path, keys) -> None:
    assert (
        FilesystemBlobStore.from_settings(keys, Settings.from_env({"MOTCUA_BLOB_DIR": str(tmp_path / "x")})).root
        == tmp_path / "x"
    )
    assert str(FilesystemBlobStore.from_settings(keys, Settings.from_env({})).root) == "var/blobs"
