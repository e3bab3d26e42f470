"""The chain's arithmetic and its key file: every stored field is covered, and a bad key file is refused clearly."""

from __future__ import annotations

import stat
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.audit.keys import AuditKeyError, PublicKey, SigningKey, public_file
from infrastructure.audit.links import GENESIS, checkpoint_message, id_bytes, next_link, row_digest

ROWS = st.tuples(st.uuids(), st.integers(1, 2**40), st.text(max_size=40), st.binary(max_size=200))


@given(ROWS, ROWS)
def test_two_rows_share_a_digest_only_when_every_field_is_equal(first, second) -> None:
    digest = lambda row: row_digest(row[0].bytes, row[1], row[2], row[3])  # noqa: E731
    assert (digest(first) == digest(second)) == (first == second)


@given(st.uuids())
def test_an_originator_id_hashes_the_same_however_the_store_returns_it(value: uuid.UUID) -> None:
    assert id_bytes(value) == id_bytes(value.hex) == id_bytes(str(value)) == id_bytes(value.bytes) == value.bytes


def test_a_link_depends_on_the_previous_link_the_position_and_the_digest() -> None:
    digest = row_digest(uuid.uuid4().bytes, 1, "domain.dossier:Dossier.Received", b"{}")
    link = next_link(GENESIS, 1, digest)
    assert len({link, next_link(link, 1, digest), next_link(GENESIS, 2, digest), next_link(GENESIS, 1, bytes(32))}) == 4


def test_a_new_key_is_private_to_its_owner_and_its_public_half_verifies_its_signatures(tmp_path) -> None:
    key = SigningKey.generate(tmp_path / "audit" / "checkpoint-key.pem")
    assert stat.S_IMODE((tmp_path / "audit" / "checkpoint-key.pem").stat().st_mode) == 0o600
    published = PublicKey(public_file(tmp_path / "audit" / "checkpoint-key.pem").read_bytes())
    message = checkpoint_message(7, bytes(32), "2026-05-20T01:30:00+00:00", key.key_id)
    signature = key.sign(message)
    assert published.key_id == key.key_id and published.verifies(signature, message)
    assert not published.verifies(signature, message.replace(b"\n7\n", b"\n8\n"))
    assert SigningKey.load(tmp_path / "audit" / "checkpoint-key.pem").key_id == key.key_id


def test_a_missing_key_is_never_regenerated_and_an_existing_one_never_replaced(tmp_path) -> None:
    path = tmp_path / "audit" / "checkpoint-key.pem"
    with pytest.raises(AuditKeyError, match="keygen"):
        SigningKey.load(path)
    assert not path.exists() and not public_file(path).exists()
    SigningKey.generate(path)
    published = public_file(path).read_bytes()
    with pytest.raises(AuditKeyError, match="never replaced"):
        SigningKey.generate(path)
    assert public_file(path).read_bytes() == published


def test_a_public_file_that_is_not_the_keys_own_half_stops_the_signer(tmp_path) -> None:
    path = tmp_path / "checkpoint-key.pem"
    SigningKey.generate(path)
    public_file(path).write_bytes(SigningKey.generate(tmp_path / "other.pem").pem)
    with pytest.raises(AuditKeyError, match="differ"):
        SigningKey.load(path)


def test_a_key_file_that_is_not_ed25519_is_refused_with_its_name(tmp_path) -> None:
    path = tmp_path / "ec.pem"
    path.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(AuditKeyError, match="ec.pem must hold an Ed25519 key"):
        SigningKey.load(path)
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(AuditKeyError, match="junk.pem"):
        SigningKey.load(tmp_path / "junk.pem")
