"""Signing keys: a development PKI built with `cryptography`, PKCS#12 and PKCS#11 loaders.

The development PKI is root CA → intermediate CA → end-entity certificates: the agency (its
organisation seal), one per staff account, issued on the account's first signature (`person_signer`), and
a sample officer certificate for tests. Never use it in production; there, point MOTCUA_SIGNING_P12 at the
agency's PKCS#12 file issued by a licensed CA (or use a hardware token through PKCS#11) and map each account to its
own key with MOTCUA_PERSONAL_KEYS (infrastructure/signing/personal.py).
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign.signers import Signer, SimpleSigner

from infrastructure.settings.areas import SigningSettings

P12_ENV = "MOTCUA_SIGNING_P12"
P12_PASSWORD_ENV = "MOTCUA_SIGNING_P12_PASSWORD"
PKCS11_MODULE_ENV = "MOTCUA_PKCS11_MODULE"
PKCS11_TOKEN_ENV = "MOTCUA_PKCS11_TOKEN_LABEL"
PKCS11_KEY_ENV = "MOTCUA_PKCS11_KEY_LABEL"
PKCS11_PIN_ENV = "MOTCUA_PKCS11_PIN"
DEV_PASSPHRASE = b"motcua-dev"
DEV_ORGANISATION = "Một Cửa 24/7 (phát triển)"

Issuer = tuple[x509.Certificate, rsa.RSAPrivateKey]


class SigningConfigurationError(RuntimeError):
    """Signing keys are missing or unusable; the message says what to set or install."""


@dataclass(frozen=True)
class DevPki:
    """Paths of a development PKI written by `ensure_dev_pki`."""

    directory: Path
    passphrase: bytes

    @property
    def root_certificate(self) -> Path:
        return self.directory / "root-ca.pem"

    @property
    def officer_p12(self) -> Path:
        return self.directory / "officer.p12"

    @property
    def agency_p12(self) -> Path:
        return self.directory / "agency.p12"

    def trust_roots(self) -> list[bytes]:
        """PEM bytes of the root certificate, to trust when verifying."""
        return [self.root_certificate.read_bytes()]

    def officer_signer(self) -> SimpleSigner:
        return load_p12_signer(self.officer_p12, self.passphrase)

    def agency_signer(self) -> SimpleSigner:
        return load_p12_signer(self.agency_p12, self.passphrase)

    def person_signer(self, account_id: str, name: str) -> SimpleSigner:
        """The account's own key, issued on first use with its name and account id in the subject."""
        # The file name is a hash: account ids are checked elsewhere, but a path must never come from one.
        path = self.directory / "people" / f"{hashlib.sha256(account_id.encode()).hexdigest()[:32]}.p12"
        with _ISSUING:
            if not path.is_file():
                _issue_person(self, path, account_id, name)
        return load_p12_signer(path, self.passphrase)


_ISSUING = threading.Lock()


def _issue_person(pki: DevPki, path: Path, account_id: str, name: str) -> None:
    cert_pem, key_pem = (pki.directory / f"intermediate-ca{s}.pem" for s in ("", ".key"))
    issuer = (x509.load_pem_x509_certificate(cert_pem.read_bytes()), _rsa_key(key_pem, pki.passphrase))
    subject = x509.Name([*_name(name, DEV_ORGANISATION), x509.NameAttribute(NameOID.USER_ID, account_id)])
    key = _new_key()
    cert = _issue(subject, key, issuer, ca=False, years=2)
    chain = [issuer[0], x509.load_pem_x509_certificate(pki.root_certificate.read_bytes())]
    path.parent.mkdir(mode=0o700, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(
        pkcs12.serialize_key_and_certificates(
            account_id.encode(), key, cert, chain, serialization.BestAvailableEncryption(pki.passphrase)
        )
    )
    partial.chmod(0o600)
    partial.replace(path)  # another process issuing at the same moment leaves one whole file, never half of one


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(
    subject: x509.Name, key: rsa.RSAPrivateKey, issuer: Issuer | None, *, ca: bool, years: int
) -> x509.Certificate:
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=(1 if issuer is None else 0) if ca else None), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_key_usage(ca), critical=True)
    )
    if issuer_cert:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
        builder = builder.add_extension(aki, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _key_usage(ca: bool) -> x509.KeyUsage:
    # Document signatures need nonRepudiation (contentCommitment): pyhanko requires it by default.
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _rsa_key(path: Path, passphrase: bytes) -> rsa.RSAPrivateKey:
    """The CA's private key stored at `path` (every key of the development PKI is RSA)."""
    key = serialization.load_pem_private_key(path.read_bytes(), passphrase)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path.name} holds a {type(key).__name__}, not the RSA key of a CA")
    return key


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ensure_ca(
    directory: Path, stem: str, subject: x509.Name, issuer: Issuer | None, passphrase: bytes, renew: bool
) -> tuple[Issuer, bool]:
    """Load the CA `stem` from disk, or create it when absent or when its issuer was just renewed."""
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key.pem"
    if cert_path.is_file() and key_path.is_file() and not renew:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        return (cert, _rsa_key(key_path, passphrase)), False
    key = _new_key()
    cert = _issue(subject, key, issuer, ca=True, years=10 if issuer is None else 5)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return (cert, key), True


def _ensure_end_entity(
    directory: Path,
    stem: str,
    subject: x509.Name,
    chain: list[x509.Certificate],
    issuer: Issuer,
    passphrase: bytes,
    renew: bool,
) -> None:
    p12_path = directory / f"{stem}.p12"
    if p12_path.is_file() and not renew:
        return
    key = _new_key()
    cert = _issue(subject, key, issuer, ca=False, years=2)
    encryption = serialization.BestAvailableEncryption(passphrase)
    p12_path.write_bytes(pkcs12.serialize_key_and_certificates(stem.encode(), key, cert, chain, encryption))
    p12_path.chmod(0o600)
    (directory / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure_dev_pki(
    directory: Path,
    *,
    officer_name: str = "Nguyễn Văn An",
    agency_name: str = "Ủy ban nhân dân Quận 6",
    passphrase: bytes = DEV_PASSPHRASE,
) -> DevPki:
    """Create a development root → intermediate → officer/agency PKI in `directory`.

    Files already there are reused (names included); a CA that had to be created again
    re-issues everything below it. Delete the directory to start over.
    """
    directory.mkdir(parents=True, exist_ok=True)
    root, renewed = _ensure_ca(
        directory, "root-ca", _name("Một Cửa Dev Root CA", DEV_ORGANISATION), None, passphrase, False
    )
    sub_ca, renewed = _ensure_ca(
        directory, "intermediate-ca", _name("Một Cửa Dev Issuing CA", DEV_ORGANISATION), root, passphrase, renewed
    )
    chain = [sub_ca[0], root[0]]
    _ensure_end_entity(directory, "officer", _name(officer_name, agency_name), chain, sub_ca, passphrase, renewed)
    _ensure_end_entity(directory, "agency", _name(agency_name, agency_name), chain, sub_ca, passphrase, renewed)
    return DevPki(directory=directory, passphrase=passphrase)


def load_p12_signer(path: Path | str, passphrase: bytes | None) -> SimpleSigner:
    """A pyhanko signer from a PKCS#12 file; its chain certificates are embedded in signatures."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SigningConfigurationError(f"cannot read PKCS#12 file {path}: {error.strerror}") from error
    try:
        return SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
    except ValueError as error:
        raise SigningConfigurationError(f"cannot open PKCS#12 file {path}: wrong passphrase or not PKCS#12") from error


def p12_signer(settings: SigningSettings) -> SimpleSigner:
    """Production signer from MOTCUA_SIGNING_P12 and MOTCUA_SIGNING_P12_PASSWORD."""
    if not settings.p12:
        raise SigningConfigurationError(f"set {P12_ENV} to the PKCS#12 file and {P12_PASSWORD_ENV} to its passphrase")
    password = settings.p12_password
    return load_p12_signer(settings.p12, password.encode() if password else None)


def pkcs11_signer(settings: SigningSettings, *, key_label: str | None = None) -> Signer:
    """Signer on a USB token or HSM via pyhanko's PKCS#11 support.

    Configuration: MOTCUA_PKCS11_MODULE (path of the vendor's .so), MOTCUA_PKCS11_TOKEN_LABEL,
    MOTCUA_PKCS11_KEY_LABEL (also used as the certificate label) and MOTCUA_PKCS11_PIN.
    The returned signer keeps a token session open for the life of the process. `key_label` names another
    key on the same token (a person's own key, from MOTCUA_PERSONAL_KEYS).
    """
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
    except ImportError as error:
        raise SigningConfigurationError(
            "PKCS#11 signing needs the python-pkcs11 package: pip install 'pyHanko[pkcs11]'"
        ) from error
    given = {
        PKCS11_MODULE_ENV: settings.pkcs11_module,
        PKCS11_TOKEN_ENV: settings.pkcs11_token_label,
        PKCS11_KEY_ENV: key_label or settings.pkcs11_key_label,
    }
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise SigningConfigurationError(f"PKCS#11 signing needs {', '.join(missing)}")
    session = pkcs11.open_pkcs11_session(
        settings.pkcs11_module,
        token_criteria=TokenCriteria(label=settings.pkcs11_token_label),
        user_pin=settings.pkcs11_pin or None,
    )
    return pkcs11.PKCS11Signer(session, key_label=key_label or settings.pkcs11_key_label)
