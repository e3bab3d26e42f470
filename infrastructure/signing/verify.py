"""Verify every signature of a PDF with pyhanko and say whether the document was altered."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import TypeAlias

import msgspec
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

TrustRoot: TypeAlias = "bytes | x509.Certificate | asn1_x509.Certificate"
STANDARD_INFO_KEYS = {
    "/Title",
    "/Author",
    "/Subject",
    "/Keywords",
    "/Creator",
    "/Producer",
    "/CreationDate",
    "/ModDate",
    "/Trapped",
}
# Changes after a signature that leave it standing: none, validation data, further signatures.
PERMITTED_CHANGES = {"none", "lta_updates", "form_filling"}


# What pyhanko raises on a malformed file besides its own PdfError: it indexes dictionaries and arrays and calls
# methods on the objects it finds without checking their type.
MALFORMED = (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError)


class UnreadablePdfError(ValueError):
    """The bytes are not a PDF that can be parsed."""


class SignatureReport(msgspec.Struct, frozen=True):
    """What one signature says and whether it holds."""

    field_name: str
    signer_common_name: str
    signer_organisation: str | None
    signing_time: datetime | None
    reason: str | None
    location: str | None
    intact: bool  # the signed byte ranges still hash to the signed digest
    valid: bool  # the signature over that digest verifies with the certificate's key
    trusted: bool  # the certificate chains to one of the trust roots
    covers_whole_document: bool  # no byte was appended after this signature
    changes_after_signing: str  # none | lta_updates | form_filling | annotations | other | unknown
    metadata: dict[str, str]  # custom document-info entries inside the signed revision
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.changes_after_signing in PERMITTED_CHANGES


class VerificationReport(msgspec.Struct, frozen=True):
    """Every signature of a document, in signing order, and the verdict on the whole."""

    signatures: list[SignatureReport]
    altered: bool  # some signed bytes changed, or bytes were added after the last signature
    metadata: dict[str, str]  # custom document-info entries of the document as it is now

    @property
    def dossier_code(self) -> str | None:
        return self.metadata.get("MotCuaDossier")

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and not self.altered and all(s.ok for s in self.signatures)


def load_trust_roots(roots: Iterable[TrustRoot]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM/DER bytes (a PEM may hold several) or certificate objects."""
    loaded: list[asn1_x509.Certificate] = []
    for root in roots:
        if isinstance(root, asn1_x509.Certificate):
            loaded.append(root)
        elif isinstance(root, x509.Certificate):
            loaded.append(asn1_x509.Certificate.load(root.public_bytes(Encoding.DER)))
        elif pem.detect(root):
            loaded.extend(asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(root, multiple=True))
        else:
            loaded.append(asn1_x509.Certificate.load(root))
    return loaded


def _custom_info(trailer: generic.DictionaryObject) -> dict[str, str]:
    if "/Info" not in trailer:
        return {}
    info = trailer["/Info"]
    return {key[1:]: str(info[key]) for key in info if key not in STANDARD_INFO_KEYS}


def _text(sig_object: generic.DictionaryObject, key: str) -> str | None:
    value = sig_object.get(key)
    return None if value is None else str(value)


def _subject(embedded: EmbeddedPdfSignature, field: str) -> str | None:
    return embedded.signer_cert.subject.native.get(field)


def _report(embedded: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate]) -> SignatureReport:
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    common = dict(
        field_name=embedded.field_name,
        signer_common_name=_subject(embedded, "common_name") or "",
        signer_organisation=_subject(embedded, "organization_name"),
        reason=_text(embedded.sig_object, "/Reason"),
        location=_text(embedded.sig_object, "/Location"),
        metadata={},
    )
    try:
        common["metadata"] = _custom_info(
            embedded.reader.get_historical_resolver(embedded.signed_revision).trailer_view
        )
        status: PdfSignatureStatus = validate_pdf_signature(embedded, context)
    except (SignatureValidationError, *MALFORMED) as error:
        # A byte changed inside the signed range can break the structure pyhanko walks (a dictionary, a page
        # tree): the signed revision no longer reads, so it is not intact, whatever the exception.
        return SignatureReport(
            **common,
            signing_time=embedded.self_reported_timestamp,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_document=False,
            changes_after_signing="unknown",
            problem=f"{type(error).__name__}: {error}"[:300],
        )
    level = status.modification_level
    return SignatureReport(
        **common,
        signing_time=status.signer_reported_dt or embedded.self_reported_timestamp,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        changes_after_signing=level.name.lower() if level is not None else "unknown",
        problem=_problem(status),
    )


def _problem(status: PdfSignatureStatus) -> str | None:
    if not status.intact:
        return "signed bytes were changed (digest mismatch)"
    if not status.valid:
        return "the signature does not verify with the signer's key"
    if not status.trusted:
        indication = status.trust_problem_indic
        if indication is None:
            return "no trusted chain"
        return f"no trusted chain ({indication.name if isinstance(indication, Enum) else indication})"
    return None


def verify_pdf(pdf: bytes, trust_roots: Iterable[TrustRoot]) -> VerificationReport:
    """Validate each signature against `trust_roots` (no network fetching of revocation data)."""
    roots = load_trust_roots(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        embedded = reader.embedded_regular_signatures  # skips document timestamps
        signatures = [_report(signature, roots) for signature in embedded]
        metadata = _custom_info(reader.trailer_view)
    except MALFORMED as error:
        raise UnreadablePdfError(f"not a readable PDF: {type(error).__name__}") from error
    altered = bool(signatures) and (
        not signatures[-1].covers_whole_document
        or any(not (s.intact and s.valid) or s.changes_after_signing not in PERMITTED_CHANGES for s in signatures)
    )
    return VerificationReport(signatures=signatures, altered=altered, metadata=metadata)
