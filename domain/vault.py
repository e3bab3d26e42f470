"""Vault aggregate (kho dữ liệu điện tử của tổ chức, cá nhân): one owner's documents, by hash and metadata."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate, event

from domain.clock import VIETNAM, aware
from domain.errors import InvalidValueError
from domain.limits import check_day, check_line, check_text
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor, PersonalData
from domain.vault_errors import (
    DocumentStateError,
    DuplicateDocumentError,
    NothingToReuseError,
    ResultStillValidError,
    UnknownDocumentError,
    check_count,
    check_page_count,
    check_sha256,
)

OWNER_ID = {"citizen": re.compile(r"\d{12}", re.ASCII), "organisation": re.compile(r"\d{10}|\d{13}", re.ASCII)}
NOTE_LABELS = {
    "summary": "trích yếu",
    "number": "số, ký hiệu",
    "issued_on": "ngày cấp",
    "issuer": "cơ quan cấp",
    "valid_until": "thời hạn hiệu lực",
    "scope": "phạm vi hiệu lực",
}


class OwnerKind(StrEnum):
    """A citizen (by 12-digit personal ID number) or an organisation (by 10- or 13-digit tax code)."""

    CITIZEN = "citizen"
    ORGANISATION = "organisation"


class VaultOwner(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whose vault it is (personal data)."""

    kind: OwnerKind
    id_number: str

    @classmethod
    def named(cls, kind: str, id_number: str) -> VaultOwner:
        """The owner named by text (a path, a key); InvalidValueError for an unknown kind or a malformed number."""
        if kind not in OWNER_ID:
            raise _unknown_kind()
        return cls(kind=OwnerKind(kind), id_number=id_number)

    def __post_init__(self) -> None:
        if self.kind not in OWNER_ID:
            raise _unknown_kind()
        if not isinstance(self.id_number, str) or not OWNER_ID[self.kind].fullmatch(self.id_number):
            raise InvalidValueError(
                "id_number",
                "a citizen needs the 12-digit personal ID number, an organisation its 10- or 13-digit tax code",
                "công dân cần số định danh 12 chữ số, tổ chức cần mã số thuế 10 hoặc 13 chữ số (không có dấu gạch)",
            )


def _unknown_kind() -> InvalidValueError:
    return InvalidValueError(
        "kind", "must be citizen or organisation", "loại chủ sở hữu phải là citizen hoặc organisation"
    )


class DocumentOrigin(StrEnum):
    """How a document came into the vault."""

    SCAN = "scan"  # a paper component digitized at receipt (bản số hóa)
    RESULT = "result"  # a result issued and signed by the agency (kết quả giải quyết TTHC)
    ELECTRONIC = "electronic"  # an electronic document stored as it was received


class DocumentMetadata(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Descriptive data of a document (dữ liệu đặc tả); personal data, as the summary may name people.

    `valid_until` None means no time limit is stated: the document stays valid and the note says so.
    """

    type_code: str
    name: str
    summary: str | None = None
    number: str | None = None  # số, ký hiệu
    issued_on: date | None = None
    issuer: str | None = None
    valid_until: date | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        for field in ("type_code", "name"):
            if not isinstance(getattr(self, field), str) or not getattr(self, field).strip():
                raise InvalidValueError(field, "must not be empty", "không được để trống")
        if self.issued_on and self.valid_until and self.valid_until < self.issued_on:
            raise InvalidValueError("valid_until", "ends before the issue date", "thời hạn hiệu lực trước ngày cấp")

    def note(self) -> str | None:
        """The note listing the fields left empty, in Vietnamese; None when all are given."""
        missing = [label for field, label in NOTE_LABELS.items() if getattr(self, field) in (None, "")]
        return f"Chưa có thông tin: {', '.join(missing)}." if missing else None


class Document(msgspec.Struct, frozen=True, kw_only=True):
    """One document of a vault as it stands: metadata, file fingerprint and signers, never the bytes."""

    document_id: UUID
    origin: DocumentOrigin
    metadata: DocumentMetadata
    note: str | None
    pages: int
    sha256: str
    size: int
    signed_by: list[str]
    dossier_code: str | None
    stored_at: datetime
    stored_by: Actor
    superseded_by: UUID | None = None
    expired_reason: str | None = None
    reused_for: tuple[str, ...] = ()

    def usable_on(self, day: date) -> bool:
        """Neither superseded nor expired, and within its validity on `day`."""
        in_time = self.metadata.valid_until is None or self.metadata.valid_until >= day
        return in_time and self.superseded_by is None and self.expired_reason is None


def vault_id(owner: VaultOwner) -> UUID:
    """The aggregate id of the owner's vault."""
    return uuid5(NAMESPACE_URL, f"/vaults/{owner.kind}/{owner.id_number}")


def business_day(at: datetime) -> date:
    """The calendar day in Vietnam of an aware moment."""
    return at.astimezone(VIETNAM).date()


class Vault(MonotonicTime, Aggregate):
    """An owner's electronic documents: stored, superseded, expired, and reused for later dossiers."""

    class Event(ActedEvent):
        """Every vault event: who acted, and when."""

    class Opened(Aggregate.Created, Event):
        """The vault was opened for its owner."""

        owner: VaultOwner

    class DocumentStored(Event):
        """A document was saved (lưu vào kho): metadata, page count, hash, size and who signed it."""

        document_id: UUID
        origin: DocumentOrigin
        metadata: DocumentMetadata
        note: str | None
        pages: int
        sha256: str
        size: int
        signed_by: list[str]
        dossier_code: str | None

    class DocumentSuperseded(Event):
        """A newer document of the same type replaces this one."""

        document_id: UUID
        by: UUID

    class DocumentExpired(Event):
        """The document lost its validity before (or without) a stated end date."""

        document_id: UUID
        reason: str

    class ReuseChecked(Event):
        """An officer opened and checked the document and attached it to a dossier by reference."""

        document_id: UUID
        dossier_code: str

    def __init__(self, *, owner: VaultOwner, actor: Actor, at: datetime) -> None:
        self.owner, self.opened_at = owner, at
        self.documents: dict[UUID, Document] = {}

    @classmethod
    def open(cls, *, owner: VaultOwner, actor: Actor, at: datetime) -> Vault:
        """A new, empty vault for `owner`."""
        return cls._create(cls.Opened, id=vault_id(owner), owner=owner, actor=actor, at=aware(at))

    # ----- queries ----------------------------------------------------------------------
    def document(self, document_id: UUID) -> Document:
        """The document, or UnknownDocumentError."""
        if document_id not in self.documents:
            raise UnknownDocumentError(str(document_id))
        return self.documents[document_id]

    def reusable(self, type_code: str, day: date) -> list[Document]:
        """Usable documents of the type on `day`: results first, then newest first."""
        found = [d for d in self.documents.values() if d.metadata.type_code == type_code and d.usable_on(day)]
        return sorted(found, key=lambda d: (d.origin is DocumentOrigin.RESULT, d.stored_at), reverse=True)

    def check_rescan(self, type_code: str, day: date) -> None:
        """Refuse to scan a type whose earlier result is still valid on `day`: it must be reused instead."""
        results = [d for d in self.reusable(type_code, day) if d.origin is DocumentOrigin.RESULT]
        if results:
            raise ResultStillValidError(results[0].document_id, type_code, results[0].metadata.valid_until)

    # ----- commands: check, then record ------------------------------------------------
    def store(
        self,
        *,
        origin: DocumentOrigin,
        metadata: DocumentMetadata,
        pages: int,
        sha256: str,
        size: int,
        signed_by: list[str],
        dossier_code: str | None,
        actor: Actor,
        at: datetime,
    ) -> UUID:
        """Save a result or an electronic document (scans go through `digitize`); returns its id."""
        if DocumentOrigin(origin) is DocumentOrigin.SCAN:
            raise InvalidValueError(
                "origin", "scans are saved by digitize", "bản quét phải được lưu qua chức năng số hóa"
            )
        return self._store(DocumentOrigin(origin), metadata, pages, sha256, size, signed_by, dossier_code, actor, at)

    def digitize(
        self,
        *,
        metadata: DocumentMetadata,
        declared_pages: int,
        pages: int,
        sha256: str,
        size: int,
        signed_by: list[str],
        dossier_code: str,
        actor: Actor,
        at: datetime,
    ) -> UUID:
        """Save a signed scan of a paper component, if the rules of digitization allow it."""
        self.check_rescan(metadata.type_code, business_day(aware(at)))
        check_page_count(declared_pages, pages)
        return self._store(DocumentOrigin.SCAN, metadata, pages, sha256, size, signed_by, dossier_code, actor, at)

    def _store(
        self,
        origin: DocumentOrigin,
        metadata: DocumentMetadata,
        pages: int,
        sha256: str,
        size: int,
        signed_by: list[str],
        dossier_code: str | None,
        actor: Actor,
        at: datetime,
    ) -> UUID:
        document_id = uuid5(NAMESPACE_URL, f"/vaults/{self.id}/documents/{check_sha256(sha256)}")
        if document_id in self.documents:
            raise DuplicateDocumentError(sha256)
        check_count("pages", pages)
        check_count("size", size)
        _check_metadata(metadata)
        self._document_stored(
            document_id=document_id,
            origin=origin,
            metadata=metadata,
            note=metadata.note(),
            pages=pages,
            sha256=sha256,
            size=size,
            signed_by=list(signed_by),
            dossier_code=dossier_code,
            actor=actor,
            at=aware(at),
        )
        return document_id

    def supersede(self, document_id: UUID, *, by: UUID, actor: Actor, at: datetime) -> None:
        """Mark a document as replaced by a newer one of the same type."""
        old, new = self._active(document_id), self._active(by)
        if old.document_id == new.document_id or old.metadata.type_code != new.metadata.type_code:
            raise DocumentStateError(
                str(document_id),
                "must be superseded by another document of the same type",
                "chỉ được thay thế bằng một giấy tờ khác cùng loại",
            )
        self._document_superseded(document_id=document_id, by=by, actor=actor, at=aware(at))

    def expire(self, document_id: UUID, *, reason: str, actor: Actor, at: datetime) -> None:
        """Record that a document is no longer valid."""
        self._active(document_id)
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidValueError("reason", "must not be empty", "không được để trống")
        self._document_expired(document_id=document_id, reason=reason.strip(), actor=actor, at=aware(at))

    def check_reuse(
        self, *, type_code: str, dossier_code: str, actor: Actor, at: datetime, document_id: UUID | None = None
    ) -> Document:
        """Attach a usable document (the one named, or the best of the type) to a dossier; returns it."""
        candidates = self.reusable(type_code, business_day(aware(at)))
        chosen = [d for d in candidates if document_id in (None, d.document_id)][:1]
        if not chosen:
            raise NothingToReuseError(type_code)
        if dossier_code in chosen[0].reused_for:
            raise DocumentStateError(
                str(chosen[0].document_id),
                f"already attached to {dossier_code}",
                f"đã được dùng lại cho hồ sơ {dossier_code}",
            )
        self._reuse_checked(document_id=chosen[0].document_id, dossier_code=dossier_code, actor=actor, at=at)
        return self.documents[chosen[0].document_id]

    def _active(self, document_id: UUID) -> Document:
        document = self.document(document_id)
        if document.superseded_by is not None or document.expired_reason is not None:
            raise DocumentStateError(
                str(document_id), "is already superseded or expired", "đã bị thay thế hoặc hết hiệu lực"
            )
        return document

    # ----- mutators: run on every replay, no checks, no clock ------------------------------
    @event(DocumentStored)
    def _document_stored(
        self,
        document_id: UUID,
        origin: DocumentOrigin,
        metadata: DocumentMetadata,
        note: str | None,
        pages: int,
        sha256: str,
        size: int,
        signed_by: list[str],
        dossier_code: str | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.documents[document_id] = Document(
            document_id=document_id,
            origin=origin,
            metadata=metadata,
            note=note,
            pages=pages,
            sha256=sha256,
            size=size,
            signed_by=list(signed_by),
            dossier_code=dossier_code,
            stored_at=at,
            stored_by=actor,
        )

    @event(DocumentSuperseded)
    def _document_superseded(self, document_id: UUID, by: UUID, actor: Actor, at: datetime) -> None:
        self.documents[document_id] = msgspec.structs.replace(self.documents[document_id], superseded_by=by)

    @event(DocumentExpired)
    def _document_expired(self, document_id: UUID, reason: str, actor: Actor, at: datetime) -> None:
        self.documents[document_id] = msgspec.structs.replace(self.documents[document_id], expired_reason=reason)

    @event(ReuseChecked)
    def _reuse_checked(self, document_id: UUID, dossier_code: str, actor: Actor, at: datetime) -> None:
        document = self.documents[document_id]
        self.documents[document_id] = msgspec.structs.replace(document, reused_for=(*document.reused_for, dossier_code))


def _check_metadata(metadata: DocumentMetadata) -> None:
    """Metadata is printed on pages and shown to officers: bounded and printable. Checked here, not by the struct,
    so that documents stored before these bounds still replay."""
    check_line("metadata.type_code", metadata.type_code, 60)
    check_line("metadata.name", metadata.name)
    check_line("metadata.number", metadata.number, 100)
    check_line("metadata.issuer", metadata.issuer)
    if metadata.summary is not None:
        check_text("metadata.summary", metadata.summary)
    check_day("metadata.issued_on", metadata.issued_on)
    check_day("metadata.valid_until", metadata.valid_until)
