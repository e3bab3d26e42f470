"""Production keys on a PKCS#11 token: the agency key lives on a SoftHSM token and signs through pyhanko."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from application.vault_values import Placement, SigningKey
from domain.values import Actor, Role
from infrastructure.pdf import VietnameseDocument
from infrastructure.settings import Settings
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from infrastructure.signing.verify import verify_pdf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "246810"


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A SoftHSM token holding the development agency key and certificate; the environment that names it."""
    pki = ensure_dev_pki(tmp_path / "pki", agency_name="Ủy ban nhân dân Quận 6")
    key, cert, _ = pkcs12.load_key_and_certificates(pki.agency_p12.read_bytes(), pki.passphrase)
    (tmp_path / "agency.key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (tmp_path / "agency.cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    run("softhsm2-util", "--init-token", "--free", "--label", "motcua", "--pin", PIN, "--so-pin", "13579135")
    run(
        "softhsm2-util",
        "--import",
        str(tmp_path / "agency.key.pem"),
        "--token",
        "motcua",
        "--label",
        "agency",
        "--id",
        "01",
        "--pin",
        PIN,
    )
    run(
        "pkcs11-tool",
        "--module",
        MODULE,
        "--token-label",
        "motcua",
        "--login",
        "--pin",
        PIN,
        "--write-object",
        str(tmp_path / "agency.cert.der"),
        "--type",
        "cert",
        "--label",
        "agency",
        "--id",
        "01",
    )
    keys = tmp_path / "personal-keys.toml"
    keys.write_text(f'[accounts.chutich]\np12 = "{pki.officer_p12}"\npassword_env = "CHUTICH_P12_PASSWORD"\n')
    return {
        "MOTCUA_PKCS11_MODULE": MODULE,
        "MOTCUA_PKCS11_TOKEN_LABEL": "motcua",
        "MOTCUA_PKCS11_KEY_LABEL": "agency",
        "MOTCUA_PKCS11_PIN": PIN,
        "MOTCUA_TRUST_ROOTS": str(pki.directory / "root-ca.pem"),
        "MOTCUA_PERSONAL_KEYS": str(keys),
        "CHUTICH_P12_PASSWORD": pki.passphrase.decode(),
    }


def test_the_agency_seal_is_applied_with_the_key_on_the_token(token: dict[str, str], tmp_path: Path) -> None:
    signer = PyhankoSigner.from_settings(Settings.from_env(token))
    document = VietnameseDocument()
    document.add_page()
    document.line_of_text("QUYẾT ĐỊNH — Ủy ban nhân dân Quận 6", size=14, bold=True)
    at = datetime(2026, 5, 21, 3, 0, tzinfo=UTC)
    person = signer.sign(
        document.to_bytes(),
        who=Actor(account_id="chutich", role=Role.SIGNER),
        key=SigningKey.PERSONAL,
        reason="Ký duyệt",
        placement=Placement.INVISIBLE,
        at=at,
        metadata={},
    )
    sealed = signer.sign(
        person.pdf,
        who=Actor(account_id="vanthu", role=Role.SIGNER),
        key=SigningKey.AGENCY,
        reason="Đóng dấu cơ quan",
        placement=Placement.INVISIBLE,
        at=at,
        metadata={},
    )
    report = verify_pdf(sealed.pdf, [Path(token["MOTCUA_TRUST_ROOTS"]).read_bytes()])
    assert [s.signer_common_name for s in report.signatures] == [person.signer, "Ủy ban nhân dân Quận 6"]
    assert all(s.intact and s.valid for s in report.signatures) and not report.altered
    (tmp_path / "sealed.pdf").write_bytes(sealed.pdf)
    pdfsig = subprocess.run(["pdfsig", str(tmp_path / "sealed.pdf")], capture_output=True, text=True, timeout=60).stdout
    assert pdfsig.count("Signature is Valid") == 2
