"""The filesystem blob store on a real directory, and the in-memory fake behaving the same."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from application.errors import NotFoundError
from domain.errors import InvalidValueError
from infrastructure.blobs import BlobCorruptedError, FilesystemBlobStore
from tests.fakes import InMemoryBlobStore

DATA = "Giấy khai sinh — bản số hóa".encode()
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["filesystem", "memory"])
def store(request, tmp_path):
    return FilesystemBlobStore(tmp_path / "blobs") if request.param == "filesystem" else InMemoryBlobStore()


def test_bytes_are_kept_under_their_sha256_and_read_back(store) -> None:
    assert store.put(DATA) == SHA and store.exists(SHA)
    assert store.get(SHA) == DATA and store.put(DATA) == SHA


def test_unknown_hashes_are_not_found_and_malformed_ones_are_refused(store) -> None:
    with pytest.raises(NotFoundError):
        store.get(hashlib.sha256(b"other").hexdigest())
    for bad in ("../../etc/passwd", SHA.upper(), SHA[:-1], ""):
        with pytest.raises(InvalidValueError):
            store.get(bad)


def test_files_are_sharded_read_only_and_leave_no_temporary_files(tmp_path) -> None:
    store = FilesystemBlobStore(tmp_path)
    store.put(DATA)
    path = tmp_path / SHA[:2] / SHA[2:4] / SHA
    assert path.read_bytes() == DATA
    assert oct(path.stat().st_mode & 0o777) == "0o400"  # read-only, and the service user's only
    assert [p.name for p in path.parent.iterdir()] == [SHA]


def test_a_file_changed_on_disk_is_detected_when_read(tmp_path) -> None:
    store = FilesystemBlobStore(tmp_path)
    store.put(DATA)
    path = store.path(SHA)
    path.chmod(0o644)
    path.write_bytes(DATA + b"!")
    with pytest.raises(BlobCorruptedError, match=SHA):
        store.get(SHA)


def test_concurrent_writers_of_the_same_bytes_leave_one_whole_file(tmp_path) -> None:
    store = FilesystemBlobStore(tmp_path)
    data = os.urandom(2 * 1024 * 1024)
    threads = [threading.Thread(target=store.put, args=(data,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sha256 = hashlib.sha256(data).hexdigest()
    assert store.get(sha256) == data and [p.name for p in store.path(sha256).parent.iterdir()] == [sha256]


def test_the_directory_comes_from_the_environment(tmp_path) -> None:
    assert FilesystemBlobStore.from_env({"MOTCUA_BLOB_DIR": str(tmp_path / "x")}).root == tmp_path / "x"
    assert str(FilesystemBlobStore.from_env({}).root) == "var/blobs"
