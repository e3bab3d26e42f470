"""Signature register of a dossier: which signed files the system issued for it (what /verify?code= answers).

It holds hashes, signer names (officers and agencies, from their certificates) and times; never citizen data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate, event

from domain.clock import aware
from domain.codes import parse_code
from domain.errors import InvalidValueError
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor, Text
from domain.vault_errors import DuplicateDocumentError, check_sha256


class SignedKind(StrEnum):
    """What a signed file is."""

    RECEIPT_FORM = "receipt_form"  # phiếu tiếp nhận và hẹn trả kết quả
    SCAN = "scan"  # a digitized component
    RESULT = "result"  # the result, signed by the competent person and the agency


class SignatureMark(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One signature on a file: the certificate's name, when and why."""

    signer: Text
    signed_at: datetime
    reason: str


class SignedFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file of the register as it stands."""

    sha256: str
    kind: SignedKind
    type_code: str | None
    pages: int
    size: int
    signatures: list[SignatureMark]
    recorded_at: datetime


def register_id(dossier_code: str) -> UUID:
    """The aggregate id of a dossier's signature register."""
    return uuid5(NAMESPACE_URL, f"/signatures/{dossier_code}")


class SignatureRegister(MonotonicTime, Aggregate):
    """The signed files issued for one dossier, oldest first."""

    class Event(ActedEvent):
        """Every register event: who acted, and when."""

    class Opened(Aggregate.Created, Event):
        """The register was opened with the dossier's first signed file."""

        dossier_code: str

    class FileSigned(Event):
        """The system signed a file for the dossier and kept it under its hash."""

        sha256: str
        kind: SignedKind
        type_code: str | None
        pages: int
        size: int
        signatures: list[SignatureMark]

    def __init__(self, *, dossier_code: str, actor: Actor, at: datetime) -> None:
        self.dossier_code = dossier_code
        self.files: list[SignedFile] = []

    @classmethod
    def open(cls, *, dossier_code: str, actor: Actor, at: datetime) -> SignatureRegister:
        """An empty register for the dossier code (checked for format)."""
        parse_code(dossier_code)
        return cls._create(
            cls.Opened, id=register_id(dossier_code), dossier_code=dossier_code, actor=actor, at=aware(at)
        )

    def knows(self, sha256: str) -> bool:
        """Whether the system issued exactly this file for the dossier."""
        return any(f.sha256 == sha256 for f in self.files)

    def record(
        self,
        *,
        sha256: str,
        kind: SignedKind,
        type_code: str | None,
        pages: int,
        size: int,
        signatures: list[SignatureMark],
        actor: Actor,
        at: datetime,
    ) -> None:
        """Add a signed file; the same file twice is refused."""
        check_sha256(sha256)
        if not signatures:
            raise InvalidValueError(
                "signatures", "a signed file has at least one signature", "tệp đã ký phải có ít nhất một chữ ký"
            )
        if self.knows(sha256):
            raise DuplicateDocumentError(sha256)
        self._file_signed(
            sha256=sha256,
            kind=SignedKind(kind),
            type_code=type_code,
            pages=pages,
            size=size,
            signatures=list(signatures),
            actor=actor,
            at=aware(at),
        )

    @event(FileSigned)
    def _file_signed(
        self,
        sha256: str,
        kind: SignedKind,
        type_code: str | None,
        pages: int,
        size: int,
        signatures: list[SignatureMark],
        actor: Actor,
        at: datetime,
    ) -> None:
        self.files.append(
            SignedFile(
                sha256=sha256,
                kind=kind,
                type_code=type_code,
                pages=pages,
                size=size,
                signatures=list(signatures),
                recorded_at=at,
            )
        )
