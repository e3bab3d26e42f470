"""The DocumentSigner adapter: keys from the environment, placements, and what a verifier is told."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from application.vault_values import Placement, SigningKey
from domain.values import Actor, Role
from domain.vault_errors import NoSigningKeyError, UnreadableDocumentError
from infrastructure.pdf import VietnameseDocument
from infrastructure.settings import Settings
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import SigningConfigurationError, ensure_dev_pki

AT = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
WHO = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"), officer_name="Trần Thị Bích", agency_name="UBND Phường 1")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    document = VietnameseDocument()
    document.add_page()
    document.line_of_text("Quyết định")
    return document.to_bytes()


@pytest.fixture(scope="module")
def production_env(pki) -> dict[str, str]:
    """Agency key, trust roots and the accounts' keys (only officer-1 has one) as a deployment names them."""
    keys = pki.directory / "personal-keys.toml"
    keys.write_text(f'[accounts."officer-1"]\np12 = "{pki.officer_p12}"\npassword_env = "OFFICER_1_P12_PASSWORD"\n')
    password = pki.passphrase.decode()
    return {
        "MOTCUA_SIGNING_P12": str(pki.agency_p12),
        "MOTCUA_SIGNING_P12_PASSWORD": password,
        "MOTCUA_PERSONAL_KEYS": str(keys),
        "OFFICER_1_P12_PASSWORD": password,
        "MOTCUA_TRUST_ROOTS": str(pki.root_certificate),
        "MOTCUA_SIGNING_LOCATION": "Phường 1",
    }


def test_keys_and_trust_roots_come_from_the_pkcs12_files_named_in_the_environment(production_env, pdf) -> None:
    signer = PyhankoSigner.from_settings(Settings.from_env(production_env))
    person = signer.sign(
        pdf,
        who=WHO,
        key=SigningKey.PERSONAL,
        reason="Ký duyệt",
        placement=Placement.INVISIBLE,
        at=AT,
        metadata={"MotCuaDossier": "H29.06-260520-0001"},
    )
    sealed = signer.sign(
        person.pdf,
        who=WHO,
        key=SigningKey.AGENCY,
        reason="Ký số cơ quan",
        placement=Placement.INVISIBLE,
        at=AT,
        metadata={},
    )
    check = signer.verify(sealed.pdf)
    assert (person.signer, sealed.signer) == ("Trần Thị Bích", "UBND Phường 1")
    assert [s.signer for s in check.signatures] == ["Trần Thị Bích", "UBND Phường 1"]
    assert all(s.intact and s.trusted for s in check.signatures) and not check.altered
    assert check.dossier_code == "H29.06-260520-0001"
    fields = [ref.get_object()["/T"] for ref in PdfFileReader(io.BytesIO(sealed.pdf)).root["/AcroForm"]["/Fields"]]
    assert fields == ["CaNhan1", "CoQuan2"]


def test_missing_trust_roots_or_personal_keys_are_named(production_env) -> None:
    for missing in ("MOTCUA_TRUST_ROOTS", "MOTCUA_PERSONAL_KEYS"):
        with pytest.raises(SigningConfigurationError, match=missing):
            PyhankoSigner.from_settings(Settings.from_env({k: v for k, v in production_env.items() if k != missing}))


def test_an_account_without_its_own_key_never_signs_with_another_key(production_env, pdf) -> None:
    signer = PyhankoSigner.from_settings(Settings.from_env(production_env))
    with pytest.raises(NoSigningKeyError) as refused:
        signer.sign(
            pdf,
            who=Actor(account_id="officer-2", role=Role.RECEPTION_OFFICER),
            key=SigningKey.PERSONAL,
            reason="r",
            placement=Placement.INVISIBLE,
            at=AT,
            metadata={},
        )
    assert refused.value.code == "no_signing_key" and "officer-2" in refused.value.message_vi


def test_the_development_pki_issues_each_account_its_own_certificate(pki, pdf) -> None:
    signer = PyhankoSigner.from_dev_pki(pki, names={"officer-1": "Trần Thị Bích", "officer-2": "Lý Văn Cường"}.get)
    certificates = []
    for account in ("officer-1", "officer-2", "officer-1"):
        signed = signer.sign(
            pdf,
            who=Actor(account_id=account, role=Role.RECEPTION_OFFICER),
            key=SigningKey.PERSONAL,
            reason="r",
            placement=Placement.INVISIBLE,
            at=AT,
            metadata={},
        )
        [signature] = PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures
        certificates.append(signature.signer_cert)
        assert signer.verify(signed.pdf).signatures[0].trusted
    subjects = [(c.subject.native["common_name"], c.subject.native["user_id"]) for c in certificates]
    assert subjects == [("Trần Thị Bích", "officer-1"), ("Lý Văn Cường", "officer-2"), ("Trần Thị Bích", "officer-1")]
    assert certificates[0].public_key != certificates[1].public_key and certificates[0].dump() == certificates[2].dump()


def test_without_a_pkcs12_the_development_pki_is_created_and_trusted(tmp_path, pdf) -> None:
    signer = PyhankoSigner.from_settings(Settings.from_env({"MOTCUA_DEV_PKI_DIR": str(tmp_path / "pki")}))
    signed = signer.sign(
        pdf, who=WHO, key=SigningKey.AGENCY, reason="r", placement=Placement.INVISIBLE, at=AT, metadata={}
    )
    assert (tmp_path / "pki" / "root-ca.pem").is_file() and signer.verify(signed.pdf).signatures[0].trusted


def test_a_bottom_right_signature_sits_in_the_bottom_right_corner_of_page_one(pki, pdf) -> None:
    signed = PyhankoSigner.from_dev_pki(pki).sign(
        pdf, who=WHO, key=SigningKey.PERSONAL, reason="r", placement=Placement.BOTTOM_RIGHT, at=AT, metadata={}
    )
    [field] = [ref.get_object() for ref in PdfFileReader(io.BytesIO(signed.pdf)).root["/AcroForm"]["/Fields"]]
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    assert (
        x1 > 595.28 / 2 and 595.28 - x2 == pytest.approx(18, abs=0.01) and y1 == pytest.approx(18) and y2 < 841.89 / 4
    )


def test_a_file_that_is_not_a_pdf_is_unreadable(pki) -> None:
    with pytest.raises(UnreadableDocumentError):
        PyhankoSigner.from_dev_pki(pki).verify(b"%PDF-1.7\nnot really")
