"""Vaults: owners' electronic documents, digitization at receipt, signed receipt forms and results, verification."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from copy import deepcopy
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.base import MAX_RETRIES, OneStop, Written
from application.dossiers import DOSSIER
from application.errors import NotFoundError, VersionConflictError
from application.ports import BlobStore, Clock, DocumentSigner, PdfTools
from application.privacy import subject_of
from application.vault_values import (
    DossierSignatures, IssuedFile, IssuedResult, Placement, ReusedDocument, SignedPdf, SigningKey, StoredDocument,
    Verification, signed_file_view, stored_document, verdict_vi,
)
from application.views import DossierDetails
from domain.clock import aware
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier
from domain.errors import ActionNotAllowedError, DomainError, InvalidValueError
from domain.signatures import SignatureMark, SignatureRegister, SignedKind, register_id
from domain.vault import (
    Document, DocumentMetadata, DocumentOrigin, OwnerKind, Vault, VaultOwner, business_day, vault_id,
)
from domain.vault_errors import NotASignerError, NothingToReuseError, check_page_count
from domain.values import Actor, DeliveryChannel, Role

T = TypeVar("T")
Part = tuple[UUID, Callable[[], Aggregate]]  # an aggregate id and how to open it when it does not exist yet
Also = tuple[UUID, Callable[[Any], None]]  # an existing aggregate and its change, committed with a kept document
VAULT = ("vault", "kho dữ liệu điện tử")
REGISTER = ("signed files of dossier", "tài liệu ký số của hồ sơ")
DOSSIER_KEY = "MotCuaDossier"  # document-information entry naming the dossier inside the signed revision
SCAN_REASON = "Số hóa thành phần hồ sơ"
RECEIPT_REASON = "Ký phiếu tiếp nhận và hẹn trả kết quả"
RESULT_REASON = "Ký duyệt kết quả giải quyết thủ tục hành chính"
SEAL_REASON = "Ký số của cơ quan ban hành kết quả"


class Vaults:
    """Store, digitize, reuse, sign and verify documents. The application and adapters come from the composition root."""

    def __init__(self, app: OneStop, *, blobs: BlobStore, signer: DocumentSigner, pdfs: PdfTools, clock: Clock) -> None:
        self.app, self.blobs, self.signer, self.pdfs, self.clock = app, blobs, signer, pdfs, clock

    # ----- storing ----------------------------------------------------------------------
    def store_document(self, owner: VaultOwner, *, metadata: DocumentMetadata, pdf: bytes, actor: Actor,
                       dossier_code: str | None = None, at: datetime | None = None) -> StoredDocument:
        """Save an electronic document as it was received; its signers are read from the file."""
        at, pages = self._at(at), self.pdfs.page_count(pdf)
        signed_by = [s.signer for s in self.signer.verify(pdf).signatures if s.intact]
        sha256 = self.blobs.put(pdf, self._subject(owner))
        document, written = self._transact([self._vault_part(owner, actor, at)], lambda vault: vault.documents[vault.store(
            origin=DocumentOrigin.ELECTRONIC, metadata=metadata, pages=pages, sha256=sha256, size=len(pdf),
            signed_by=signed_by, dossier_code=dossier_code, actor=actor, at=at)])
        return stored_document(vault_id(owner), document, written.position)

    def digitize(self, owner: VaultOwner, *, dossier_code: str, metadata: DocumentMetadata, declared_pages: int,
                 actor: Actor, pdf: bytes | None = None, images: Sequence[bytes] = (), at: datetime | None = None) -> StoredDocument:
        """Scan a paper component: same page count as the paper, signed top-left by the scanning officer, saved."""
        at = self._checked_code(dossier_code, at)
        vault = self._peek(owner)
        if vault is not None:
            vault.check_rescan(metadata.type_code, business_day(at))  # before any scanning work
        scan = pdf if pdf is not None else self.pdfs.images_to_pdf(images)
        check_page_count(declared_pages, self.pdfs.page_count(scan))
        signed = self._sign(scan, actor, SigningKey.PERSONAL, SCAN_REASON, Placement.TOP_LEFT, at, dossier_code)
        return self._keep(owner, signed.pdf, [SignatureMark(signed.signer, at, SCAN_REASON)], metadata, dossier_code,
                          actor, at, DocumentOrigin.SCAN, declared_pages)

    def sign_result(self, owner: VaultOwner, *, dossier_code: str, pdf: bytes, metadata: DocumentMetadata,
                    signer: Actor, at: datetime | None = None) -> StoredDocument:
        """Sign a result with the competent person's own key (`signer`, who must act as a signer), then seal it with
        the agency's certificate; save it for reuse."""
        at = self._checked_code(dossier_code, at)
        signed = self._signed_result(pdf, metadata, signer, at, dossier_code)
        return self._keep(owner, *signed, dossier_code, signer, at, DocumentOrigin.RESULT)

    def issue_result_document(self, dossier_code: str, *, pdf: bytes, metadata: DocumentMetadata, signer: Actor,
                              deliver_online: bool = False, at: datetime | None = None) -> IssuedResult:
        """Sign a recorded result (ActionNotAllowedError before), keep it in the applicant's vault and, if asked,
        record its online delivery: one commit, so a signed result is never stored without the delivery asked for."""
        at = self._checked_code(dossier_code, at)
        dossier: Dossier = self.app.load(dossier_id(dossier_code), DOSSIER, dossier_code, fresh=True)
        if dossier.result is None:
            raise ActionNotAllowedError("sign_result", dossier.status, dossier.allowed_actions())
        deliver = partial(Dossier.deliver_result, channel=DeliveryChannel.ONLINE, receiver_name=dossier.applicant.name,
                          actor=signer, at=at)
        if deliver_online:
            deliver(deepcopy(dossier))  # a refused delivery costs no signing and leaves no file behind
        owner = VaultOwner(kind=OwnerKind.CITIZEN, id_number=dossier.applicant.id_number)
        also = (dossier.id, deliver) if deliver_online else None
        stored = self._keep(owner, *self._signed_result(pdf, metadata, signer, at, dossier_code), dossier_code, signer,
                            at, DocumentOrigin.RESULT, also=also)
        return IssuedResult(document=stored, delivered=deliver_online)

    def issue_receipt_form(self, dossier: DossierDetails, *, procedure_name: str, officer_name: str, officer: Actor,
                           at: datetime | None = None) -> IssuedFile:
        """Draw the receipt form with its verification QR, sign it as the receiving officer and keep it."""
        at = self._at(at)
        if dossier.due_on is None:
            raise InvalidValueError("due_on", "the receipt form needs the appointment date", "phiếu tiếp nhận cần ngày hẹn trả kết quả")
        pdf = self.pdfs.render_receipt(dossier, procedure_name=procedure_name, officer_name=officer_name,
                                          verification_path=f"/verify?code={dossier.code}")
        signed = self._sign(pdf, officer, SigningKey.PERSONAL, RECEIPT_REASON, Placement.BOTTOM_RIGHT, at, dossier.code)
        sha256 = self.blobs.put(signed.pdf, subject_of(dossier.applicant, dossier_id(dossier.code)))
        pages, size = self.pdfs.page_count(signed.pdf), len(signed.pdf)
        _, written = self._transact([self._register_part(dossier.code, officer, at)], lambda register: register.record(
            sha256=sha256, kind=SignedKind.RECEIPT_FORM, type_code=None, pages=pages, size=size,
            signatures=[SignatureMark(signed.signer, at, RECEIPT_REASON)], actor=officer, at=at))
        return IssuedFile(dossier_code=dossier.code, sha256=sha256, pages=pages, size=size, signed_by=[signed.signer],
                          position=written.position)

    # ----- changing and reusing ------------------------------------------------------------
    def supersede(self, owner: VaultOwner, document_id: UUID, *, by: UUID, actor: Actor, at: datetime | None = None) -> Written:
        """Mark a document as replaced by a newer one of the same type."""
        at = self._at(at)
        return self._act(owner, lambda vault: vault.supersede(document_id, by=by, actor=actor, at=at))

    def expire(self, owner: VaultOwner, document_id: UUID, *, reason: str, actor: Actor, at: datetime | None = None) -> Written:
        """Record that a document is no longer valid."""
        at = self._at(at)
        return self._act(owner, lambda vault: vault.expire(document_id, reason=reason, actor=actor, at=at))

    def reuse_for_receipt(self, owner: VaultOwner, type_code: str, dossier_code: str, officer: Actor,
                          at: datetime | None = None, *, document_id: UUID | None = None) -> ReusedDocument:
        """Attach a valid earlier document (by reference, not rescanned) to a dossier, recording the officer's check."""
        at = self._checked_code(dossier_code, at)
        if self._peek(owner) is None:
            raise NothingToReuseError(type_code)
        chosen: list[Document] = []
        written = self._act(owner, lambda vault: chosen.append(vault.check_reuse(
            type_code=type_code, dossier_code=dossier_code, actor=officer, at=at, document_id=document_id)))
        return ReusedDocument(vault_id=vault_id(owner), document_id=chosen[0].document_id, sha256=chosen[0].sha256,
                              dossier_code=dossier_code, signed_by=list(chosen[0].signed_by), position=written.position)

    # ----- queries ----------------------------------------------------------------------
    def list_documents(self, owner: VaultOwner) -> list[Document]:
        """Every document of the owner's vault, oldest first (none if the vault was never opened)."""
        vault = self._peek(owner)
        return list(vault.documents.values()) if vault else []

    def dossier_codes(self, owner: VaultOwner) -> set[str]:
        """The dossiers the owner's documents were stored, scanned or reused for: what ties a vault to an agency."""
        vault = self._peek(owner)
        documents = vault.documents.values() if vault else ()
        return {code for d in documents for code in (d.dossier_code, *d.reused_for) if code}

    def find_reusable(self, owner: VaultOwner, type_code: str, on: date | None = None) -> list[Document]:
        """Documents of the type valid on `on` (default today), neither superseded nor expired; best first."""
        vault, day = self._peek(owner), on or business_day(self._at(None))
        return list(vault.reusable(type_code, day)) if vault else []

    def open_document(self, owner: VaultOwner, document_id: UUID) -> bytes:
        """The file of a vault document, for the officer who opens and checks it."""
        vault = self.app.load(vault_id(owner), VAULT, str(vault_id(owner)))
        return self.blobs.get(vault.document(document_id).sha256)

    def open_file(self, sha256: str) -> bytes:
        """The bytes of a stored file, checked against their hash."""
        return self.blobs.get(sha256)

    def verify(self, pdf: bytes) -> Verification:
        """Who signed, when, intact or altered, which dossier; nothing else from inside the file."""
        check, sha256 = self.signer.verify(pdf), hashlib.sha256(pdf).hexdigest()
        sigs = check.signatures
        return Verification(
            sha256=sha256, size=len(pdf), dossier_code=check.dossier_code, signed=bool(sigs),
            intact=bool(sigs) and not check.altered and all(s.intact for s in sigs),
            trusted=bool(sigs) and all(s.trusted for s in sigs), altered=check.altered,
            issued_by_system=self._issued(check.dossier_code, sha256), verdict_vi=verdict_vi(check), signatures=sigs)

    def get_signatures(self, dossier_code: str) -> DossierSignatures:
        """The signed files the system issued for a dossier: hashes, signers, times."""
        parse_code(dossier_code)
        register: SignatureRegister = self.app.load(register_id(dossier_code), REGISTER, dossier_code)
        return DossierSignatures(dossier_code=dossier_code, files=[signed_file_view(f) for f in register.files])

    # ----- helpers ----------------------------------------------------------------------
    def _keep(self, owner: VaultOwner, pdf: bytes, marks: list[SignatureMark], metadata: DocumentMetadata,
              dossier_code: str, actor: Actor, at: datetime, origin: DocumentOrigin,
              declared_pages: int | None = None, also: Also | None = None) -> StoredDocument:
        """Put the signed file in the blob store, then record it in the vault and the dossier's register at once
        (and `also` change one more existing aggregate, e.g. deliver the dossier, in the same commit)."""
        sha256, pages, size = self.blobs.put(pdf, self._subject(owner)), self.pdfs.page_count(pdf), len(pdf)
        fields = dict(metadata=metadata, pages=pages, sha256=sha256, size=size, signed_by=[m.signer for m in marks],
                      dossier_code=dossier_code, actor=actor, at=at)

        def change(vault: Vault, register: SignatureRegister, *more: Aggregate) -> Document:
            if also is not None:
                also[1](more[0])
            register.record(sha256=sha256, kind=SignedKind(origin.value), type_code=metadata.type_code, pages=pages,
                            size=size, signatures=marks, actor=actor, at=at)
            if origin is DocumentOrigin.SCAN:
                return vault.documents[vault.digitize(declared_pages=declared_pages, **fields)]
            return vault.documents[vault.store(origin=origin, **fields)]
        parts = [self._vault_part(owner, actor, at), self._register_part(dossier_code, actor, at)]
        if also is not None:
            parts.append((also[0], partial(self._missing, also[0])))
        document, written = self._transact(parts, change)
        return stored_document(vault_id(owner), document, written.position)

    def _signed_result(self, pdf: bytes, metadata: DocumentMetadata, signer: Actor, at: datetime,
                       dossier_code: str) -> tuple[bytes, list[SignatureMark], DocumentMetadata]:
        """The signer's own signature, then the agency's seal; the metadata completed from the seal."""
        if signer.role is not Role.SIGNER:
            raise NotASignerError(signer.role.value)
        person = self._sign(pdf, signer, SigningKey.PERSONAL, RESULT_REASON, Placement.INVISIBLE, at, dossier_code)
        agency = self._sign(person.pdf, signer, SigningKey.AGENCY, SEAL_REASON, Placement.INVISIBLE, at, dossier_code)
        marks = [SignatureMark(person.signer, at, RESULT_REASON), SignatureMark(agency.signer, at, SEAL_REASON)]
        metadata = msgspec.structs.replace(metadata, issued_on=metadata.issued_on or business_day(at),
                                           issuer=metadata.issuer or agency.signer)
        return agency.pdf, marks, metadata

    def _sign(self, pdf: bytes, who: Actor, key: SigningKey, reason: str, placement: Placement, at: datetime,
              dossier_code: str) -> SignedPdf:
        return self.signer.sign(pdf, who=who, key=key, reason=reason, placement=placement, at=at,
                                   metadata={DOSSIER_KEY: dossier_code})

    def _issued(self, dossier_code: str | None, sha256: str) -> bool:
        try:
            parse_code(dossier_code or "")  # the code comes from an untrusted file
            return self.app.repository.get(register_id(dossier_code)).knows(sha256)
        except (DomainError, AggregateNotFoundError):
            return False

    def _peek(self, owner: VaultOwner) -> Vault | None:
        try:
            return self.app.repository.get(vault_id(owner))
        except AggregateNotFoundError:
            return None

    def _act(self, owner: VaultOwner, command: Callable[[Vault], Any]) -> Written:
        # The key in a not-found message is the vault id: the owner's ID number is personal data.
        return self.app.update(vault_id(owner), VAULT, str(vault_id(owner)), None, command)

    @staticmethod
    def _subject(owner: VaultOwner) -> str:
        # The key that seals the owner in the vault's events seals their files too: one erasure covers both.
        return subject_of(owner, vault_id(owner))

    @staticmethod
    def _vault_part(owner: VaultOwner, actor: Actor, at: datetime) -> Part:
        return vault_id(owner), lambda: Vault.open(owner=owner, actor=actor, at=at)

    @staticmethod
    def _register_part(code: str, actor: Actor, at: datetime) -> Part:
        return register_id(code), lambda: SignatureRegister.open(dossier_code=code, actor=actor, at=at)

    def _transact(self, parts: Sequence[Part], change: Callable[..., T]) -> tuple[T, Written]:
        """Load (or open) the aggregates, change them, save them in one transaction; retry a lost race."""
        for _ in range(MAX_RETRIES):
            aggregates = [self._get_or_open(aggregate_id, opener) for aggregate_id, opener in parts]
            try:
                value = change(*aggregates)
                return value, self.app.commit(*aggregates)
            except IntegrityError:
                self._evict_all(parts)
            except BaseException:
                self._evict_all(parts)  # a refused change may have left a cached aggregate half-changed
                raise
        raise VersionConflictError(str(parts[0][0]), None, None)

    def _get_or_open(self, aggregate_id: UUID, opener: Callable[[], Aggregate]) -> Aggregate:
        try:
            return self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return opener()

    @staticmethod
    def _missing(aggregate_id: UUID) -> Aggregate:
        raise NotFoundError(*DOSSIER, str(aggregate_id))  # only a dossier is changed this way, and it was just read

    def _evict_all(self, parts: Sequence[Part]) -> None:
        for aggregate_id, _ in parts:
            self.app.evict(aggregate_id)

    def _checked_code(self, dossier_code: str, at: datetime | None) -> datetime:
        parse_code(dossier_code)
        return self._at(at)

    def _at(self, at: datetime | None) -> datetime:
        if at is None:
            at = self.clock.now()
        return aware(at)
