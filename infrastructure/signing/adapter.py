"""The DocumentSigner port over pyhanko, with keys from the development PKI or from PKCS#12 files.

Production: MOTCUA_SIGNING_P12 (+ _PASSWORD) is the agency's certificate, MOTCUA_PERSONAL_KEYS a TOML file
mapping each staff account to its own key (infrastructure/signing/personal.py), MOTCUA_TRUST_ROOTS a PEM file of
trusted roots, MOTCUA_SIGNING_LOCATION the place printed in signatures. Without MOTCUA_SIGNING_P12 a development
PKI is used (MOTCUA_DEV_PKI_DIR, default var/pki), issuing one certificate per account: never in production.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import Signer

from application.vault_values import PdfCheck, PdfSignature, Placement, SignedPdf, SigningKey
from domain.values import Actor
from domain.vault_errors import UnreadableDocumentError
from infrastructure.settings import Settings
from infrastructure.signing.personal import DevPersonalKeys, Names, personal_keys
from infrastructure.signing.pki import (
    DevPki,
    SigningConfigurationError,
    ensure_dev_pki,
    p12_signer,
    pkcs11_signer,
)
from infrastructure.signing.signer import STAMP_SIZE, TOP_LEFT, Box, sign_pdf
from infrastructure.signing.verify import SignatureReport, UnreadablePdfError, VerificationReport, verify_pdf

TRUST_ROOTS_ENV = "MOTCUA_TRUST_ROOTS"
DEFAULT_LOCATION = "Bộ phận Một cửa"
DOSSIER_KEY = "MotCuaDossier"
MARGIN = 18.0
FIELD_PREFIX = {SigningKey.PERSONAL: "CaNhan", SigningKey.AGENCY: "CoQuan"}

log = logging.getLogger("motcua.signing")


def common_name(signer: Signer) -> str:
    """The name on the signer's certificate."""
    if signer.signing_cert is None:
        raise ValueError("the signer has no certificate to name it")
    return signer.signing_cert.subject.native["common_name"]


class PersonalKeys(Protocol):
    """Where each account's own signing key comes from."""

    def signer_for(self, account_id: str) -> Signer: ...


class PyhankoSigner:
    """Signs with the acting person's own key or the agency's key; verifies with the trusted roots."""

    def __init__(
        self, *, agency: Signer, personal: PersonalKeys, trust_roots: Sequence[bytes], location: str = DEFAULT_LOCATION
    ) -> None:
        self.agency, self.personal = agency, personal
        self.trust_roots, self.location = list(trust_roots), location

    @classmethod
    def from_dev_pki(
        cls, pki: DevPki, *, names: Names | None = None, location: str = DEFAULT_LOCATION
    ) -> PyhankoSigner:
        """The agency key and per-account keys of a development PKI, trusting its root."""
        return cls(
            agency=pki.agency_signer(),
            personal=DevPersonalKeys(pki, names),
            trust_roots=pki.trust_roots(),
            location=location,
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, names: Names | None = None) -> PyhankoSigner:
        """The agency key on a PKCS#11 token (MOTCUA_PKCS11_MODULE) or in a PKCS#12 file (MOTCUA_SIGNING_P12) with
        the accounts' keys of MOTCUA_PERSONAL_KEYS, or the development PKI when neither is named. `names` gives an
        account's display name, for the certificates the development PKI issues."""
        signing = settings.signing
        location = signing.location or DEFAULT_LOCATION
        if not signing.p12 and not signing.pkcs11_module and settings.production:
            return cls.from_dev_pki(existing_dev_pki(settings), names=names, location=location)
        if not signing.p12 and not signing.pkcs11_module:
            log.warning("no MOTCUA_SIGNING_P12: signing with the development PKI (not for production)")
            return cls.from_dev_pki(ensure_dev_pki(settings.dev_pki_dir), names=names, location=location)
        roots_path = signing.trust_roots
        if not roots_path or not Path(roots_path).is_file():
            raise SigningConfigurationError(f"set {TRUST_ROOTS_ENV} to a PEM file of the trusted root certificates")
        agency = pkcs11_signer(signing) if signing.pkcs11_module else p12_signer(signing)
        return cls(
            agency=agency,
            personal=personal_keys(signing),
            trust_roots=[Path(roots_path).read_bytes()],
            location=location,
        )

    def sign(
        self,
        pdf: bytes,
        *,
        who: Actor,
        key: SigningKey,
        reason: str,
        placement: Placement,
        at: datetime,
        metadata: Mapping[str, str],
    ) -> SignedPdf:
        """Append one signature as an incremental update."""
        signer = self._key(who, key)
        reader = _reader(pdf)
        field = f"{FIELD_PREFIX[key]}{len(reader.embedded_signatures) + 1}"
        signed = sign_pdf(
            pdf,
            signer,
            field_name=field,
            reason=reason,
            location=self.location,
            visible_box=_box(reader, placement),
            signer_display_name=common_name(signer),
            signed_at=at,
            metadata=metadata,
        )
        return SignedPdf(pdf=signed, signer=common_name(signer))

    def verify(self, pdf: bytes) -> PdfCheck:
        """Every signature, whether the file changed after signing, and the dossier named in a signed revision."""
        try:
            report = verify_pdf(pdf, self.trust_roots)
        except UnreadablePdfError as error:
            raise UnreadableDocumentError(str(error)) from None
        return PdfCheck(
            signatures=[_signature(s) for s in report.signatures],
            altered=report.altered,
            dossier_code=_signed_dossier(report),
        )

    def _key(self, who: Actor, key: SigningKey) -> Signer:
        return self.agency if key is SigningKey.AGENCY else self.personal.signer_for(who.account_id)


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf))
    except (PdfError, ValueError) as error:
        raise UnreadableDocumentError(str(error)) from None


def _box(reader: PdfFileReader, placement: Placement) -> Box | Literal["top-left"] | None:
    if placement is Placement.TOP_LEFT:
        return TOP_LEFT
    if placement is Placement.INVISIBLE:
        return None
    node = reader.find_page_for_modification(0)[0].get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # the box may be inherited from the page tree
        node = node["/Parent"]
    x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
    right, bottom = max(x1, x2) - MARGIN, min(y1, y2) + MARGIN
    return (right - STAMP_SIZE[0], bottom, right, bottom + STAMP_SIZE[1])


def _signature(s: SignatureReport) -> PdfSignature:
    return PdfSignature(
        signer=s.signer_common_name,
        organisation=s.signer_organisation,
        signed_at=s.signing_time,
        reason=s.reason,
        intact=s.intact and s.valid,
        trusted=s.trusted,
        problem=s.problem,
    )


def _signed_dossier(report: VerificationReport) -> str | None:
    # Taken from a signed revision: the document as it is now may carry an unsigned, forged entry.
    return next((s.metadata[DOSSIER_KEY] for s in reversed(report.signatures) if DOSSIER_KEY in s.metadata), None)


def existing_dev_pki(settings: Settings) -> DevPki:
    """In production mode a development PKI is used only when given explicitly and already made (by the stack or a
    test); a process never creates one: without a signing key the start stops naming the settings."""
    directory = settings.signing.dev_pki_dir
    if directory is None or not (directory / "root-ca.pem").is_file():
        raise SigningConfigurationError(
            "production mode (MOTCUA_STORE=postgres without MOTCUA_DEMO) creates no signing keys at start-up: set "
            "MOTCUA_SIGNING_P12 (mounted secret) with MOTCUA_TRUST_ROOTS, or MOTCUA_PKCS11_MODULE, or "
            "MOTCUA_DEV_PKI_DIR to a development PKI made beforehand"
        )
    log.warning("production mode on the development PKI of MOTCUA_DEV_PKI_DIR (tests and `make stack` only)")
    return ensure_dev_pki(directory)  # all its files exist: reused, nothing written
