"""Plain values the Vaults application exchanges with its adapters and returns to callers (never aggregates)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.signatures import SignatureMark, SignedFile
from domain.vault import Document


class SigningKey(StrEnum):
    """Which certificate signs."""

    PERSONAL = "personal"  # the acting person's own certificate (chữ ký số cá nhân)
    AGENCY = "agency"  # the agency's certificate (chữ ký số của cơ quan)


class Placement(StrEnum):
    """Where a visible signature goes on page 1."""

    TOP_LEFT = "top-left"  # scans: who scanned and when, at the top left of page 1
    BOTTOM_RIGHT = "bottom-right"  # receipt forms, in the bottom margin
    INVISIBLE = "invisible"


class SignedPdf(msgspec.Struct, frozen=True):
    """A PDF with one more signature, and the name on the certificate that made it."""

    pdf: bytes
    signer: str


class PdfSignature(msgspec.Struct, frozen=True):
    """One signature as a verifier sees it."""

    signer: str
    organisation: str | None
    signed_at: datetime | None
    reason: str | None
    intact: bool  # the signed bytes are unchanged and the signature verifies
    trusted: bool  # the certificate chains to a trusted root
    problem: str | None


class PdfCheck(msgspec.Struct, frozen=True):
    """Every signature of a PDF, the verdict on the whole and the dossier named inside the signed revision."""

    signatures: list[PdfSignature]
    altered: bool
    dossier_code: str | None


class StoredDocument(msgspec.Struct, frozen=True):
    """A document just saved in a vault, with the log position to wait for."""

    vault_id: UUID
    document_id: UUID
    sha256: str
    pages: int
    size: int
    signed_by: list[str]
    note: str | None
    position: int


class IssuedResult(msgspec.Struct, frozen=True):
    """A signed result kept in the applicant's vault, and whether its online delivery was recorded with it."""

    document: StoredDocument
    delivered: bool


class ReusedDocument(msgspec.Struct, frozen=True):
    """A vault document attached to a dossier by reference (not scanned again)."""

    vault_id: UUID
    document_id: UUID
    sha256: str
    dossier_code: str
    signed_by: list[str]
    position: int


class IssuedFile(msgspec.Struct, frozen=True):
    """A file the system signed for a dossier (e.g. the receipt form); fetch its bytes by hash."""

    dossier_code: str
    sha256: str
    pages: int
    size: int
    signed_by: list[str]
    position: int


class ReceiptForm(msgspec.Struct, frozen=True):
    """A signed receipt form (phiếu tiếp nhận) just issued: its record and the PDF to hand over."""

    file: IssuedFile
    pdf: bytes


class Verification(msgspec.Struct, frozen=True):
    """What anyone may learn about a signed PDF: who signed, when, intact or altered, which dossier."""

    sha256: str
    size: int
    dossier_code: str | None
    signed: bool
    intact: bool  # signed, nothing changed after the last signature, every signature holds
    trusted: bool  # every signer's certificate chains to a trusted root
    altered: bool
    issued_by_system: bool  # this exact file is in the dossier's signature register
    verdict_vi: str
    signatures: list[PdfSignature]


class SignedFileView(msgspec.Struct, frozen=True):
    """One signed file of a dossier, without personal data."""

    sha256: str
    kind: str
    type_code: str | None
    pages: int
    size: int
    signatures: list[SignatureMark]
    recorded_at: datetime


class DossierSignatures(msgspec.Struct, frozen=True):
    """What the system knows of a dossier's signed files (GET /verify?code=)."""

    dossier_code: str
    files: list[SignedFileView]


def stored_document(vault_id: UUID, d: Document, position: int) -> StoredDocument:
    """The receipt of a document just saved."""
    return StoredDocument(
        vault_id=vault_id,
        document_id=d.document_id,
        sha256=d.sha256,
        pages=d.pages,
        size=d.size,
        signed_by=list(d.signed_by),
        note=d.note,
        position=position,
    )


def signed_file_view(f: SignedFile) -> SignedFileView:
    """Copy a register entry into its view."""
    return SignedFileView(
        sha256=f.sha256,
        kind=f.kind.value,
        type_code=f.type_code,
        pages=f.pages,
        size=f.size,
        signatures=list(f.signatures),
        recorded_at=f.recorded_at,
    )


def verdict_vi(check: PdfCheck) -> str:
    """One Vietnamese sentence for a citizen who verifies a file."""
    if not check.signatures:
        return "Tài liệu không có chữ ký số."
    if check.altered or not all(s.intact for s in check.signatures):
        return "Tài liệu đã bị thay đổi sau khi ký số: không còn giá trị."
    if not all(s.trusted for s in check.signatures):
        return "Chữ ký số còn nguyên vẹn nhưng chứng thư số không thuộc tổ chức chứng thực được tin cậy."
    return "Tài liệu còn nguyên vẹn; các chữ ký số hợp lệ."
