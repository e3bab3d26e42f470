"""Replicas on one PostgreSQL share documents and keys: blobs in the event database, secrets from mounted files, and a
production start that refuses to make keys of its own."""

from __future__ import annotations

import base64
import hashlib

import psycopg
import pytest

from application.errors import NotFoundError
from application.privacy import DocumentErasedError
from infrastructure.blob_table import PostgresBlobStore, blob_store
from infrastructure.blobs import FilesystemBlobStore
from infrastructure.bootstrap import build
from infrastructure.settings import Settings, SettingsError
from infrastructure.signing.pki import SigningConfigurationError, ensure_dev_pki
from tests.application.test_vaults import OFFICER, OWNER, PERMIT, result_pdf
from tests.conftest import PG
from tests.fakes import MemoryKeys

pytestmark = pytest.mark.postgres
KEY = base64.b64encode(bytes([5]) * 32).decode()


def production_env(schema: str, data_dir, **extra: str) -> dict[str, str]:
    return {
        "MOTCUA_STORE": "postgres",
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_SCHEMA": schema,
        "MOTCUA_READ_SCHEMA": schema,
        "MOTCUA_DATA_DIR": str(data_dir),
        "MOTCUA_PROJECTIONS": "external",
        "MOTCUA_NOTIFICATIONS": "external",
    } | extra


@pytest.fixture
def secrets_dir(tmp_path):
    """What compose mounts under /run/secrets: one file per secret, and a development PKI made beforehand."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "secret-key").write_text("s" * 40 + "\n")
    (folder / "data-key").write_text(KEY + "\n")
    ensure_dev_pki(folder / "pki")
    return folder


def file_env(folder) -> dict[str, str]:
    return {
        "MOTCUA_SECRET_KEY_FILE": str(folder / "secret-key"),
        "MOTCUA_DATA_KEY_FILE": str(folder / "data-key"),
        "MOTCUA_DEV_PKI_DIR": str(folder / "pki"),
    }


def test_two_api_processes_on_one_postgres_share_a_document_and_write_no_files(
    pg_schema, tmp_path, secrets_dir
) -> None:
    first = build(Settings.from_env(production_env(pg_schema, tmp_path / "one", **file_env(secrets_dir))))
    second = build(Settings.from_env(production_env(pg_schema, tmp_path / "two", **file_env(secrets_dir))))
    try:
        pdf = result_pdf("GIẤY PHÉP XÂY DỰNG")
        stored = first.vaults.store_document(OWNER, metadata=PERMIT, pdf=pdf, actor=OFFICER)
        assert second.vaults.open_document(OWNER, stored.document_id) == pdf
        assert isinstance(second.vaults.blobs, PostgresBlobStore)
    finally:
        second.close()
        first.close()
    for data_dir in (tmp_path / "one", tmp_path / "two"):  # no blobs, PKI or secrets of their own
        assert not [p for p in data_dir.rglob("*") if p.is_file()] if data_dir.exists() else True
    with psycopg.connect(**PG) as conn:
        sealed = conn.execute(f"SELECT sealed FROM {pg_schema}.onestop_blobs").fetchall()
    assert len(sealed) == 1 and b"%PDF" not in sealed[0][0]  # sealed under the citizen's key


def test_the_blob_table_keeps_sealing_per_person_and_erasure(pg_schema) -> None:
    keys = MemoryKeys()
    store = PostgresBlobStore(psycopg.conninfo.make_conninfo(**PG), pg_schema, keys)
    other = PostgresBlobStore(psycopg.conninfo.make_conninfo(**PG), pg_schema, keys)  # another replica
    try:
        data = "Giấy khai sinh của Trần Văn Bình".encode()
        sha = store.put(data, "id:079195000202")
        assert other.exists(sha) and other.get(sha) == data and store.put(data, "id:079195000202") == sha
        with pytest.raises(NotFoundError):
            other.get(hashlib.sha256(b"absent").hexdigest())
        keys.destroy(["id:079195000202"])
        with pytest.raises(DocumentErasedError):
            other.get(sha)
    finally:
        store.close()
        other.close()


def test_the_store_picks_the_database_with_postgres_and_files_otherwise(pg_schema, tmp_path) -> None:
    keys = MemoryKeys()
    chosen = blob_store(keys, Settings.from_env(production_env(pg_schema, tmp_path)))
    assert isinstance(chosen, PostgresBlobStore)
    chosen.close()
    kept = production_env(pg_schema, tmp_path, MOTCUA_BLOB_STORE="files")
    assert isinstance(blob_store(keys, Settings.from_env(kept)), FilesystemBlobStore)
    assert isinstance(blob_store(keys, Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path)})), FilesystemBlobStore)


def test_a_production_start_without_a_signing_key_refuses_naming_the_setting_and_writes_nothing(
    pg_schema, tmp_path, secrets_dir
) -> None:
    env = production_env(pg_schema, tmp_path / "var", **file_env(secrets_dir))
    del env["MOTCUA_DEV_PKI_DIR"]
    with pytest.raises(SigningConfigurationError, match="MOTCUA_SIGNING_P12"):
        build(Settings.from_env(env))
    empty = tmp_path / "no-pki"
    with pytest.raises(SigningConfigurationError, match="MOTCUA_DEV_PKI_DIR"):
        build(Settings.from_env(env | {"MOTCUA_DEV_PKI_DIR": str(empty)}))
    assert not empty.exists() and not (tmp_path / "var" / "pki").exists()


def test_a_missing_secret_file_stops_the_start_naming_its_variable(tmp_path) -> None:
    with pytest.raises(SettingsError, match="MOTCUA_DATA_KEY_FILE"):
        Settings.from_env({"MOTCUA_DATA_KEY_FILE": str(tmp_path / "absent")})
    (tmp_path / "key").write_text("k" * 40 + "\n")
    assert Settings.from_env({"MOTCUA_SECRET_KEY_FILE": str(tmp_path / "key")}).secret == "k" * 40
    given = {"MOTCUA_SECRET_KEY_FILE": str(tmp_path / "key"), "MOTCUA_SECRET_KEY": "v" * 40}
    assert Settings.from_env(given).secret == "v" * 40  # the variable itself wins
