"""Vaults: owners' electronic documents (store, supersede, expire, reuse, read) and the one-commit plumbing they share
with the signing use cases (application/vault_signing.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.base import MAX_RETRIES, OneStop, Written
from application.dossiers import DOSSIER, Dossiers
from application.errors import NotFoundError, VersionConflictError
from application.ports import BlobStore, Clock, DocumentSigner, PdfTools
from application.privacy import subject_of
from application.vault_signing import VaultSigning
from application.vault_values import ReusedDocument, StoredDocument, stored_document
from domain.clock import aware
from domain.codes import parse_code
from domain.signatures import SignatureMark, SignatureRegister, SignedKind, register_id
from domain.values import Actor
from domain.vault import Document, DocumentMetadata, DocumentOrigin, Vault, VaultOwner, business_day, vault_id
from domain.vault_errors import NothingToReuseError

T = TypeVar("T")
Part = tuple[UUID, Callable[[], Aggregate]]  # an aggregate id and how to open it when it does not exist yet
Also = tuple[UUID, Callable[[Any], None]]  # an existing aggregate and its change, committed with a kept document
VAULT = ("vault", "kho dữ liệu điện tử")


class Vaults(VaultSigning):
    """Store, digitize, reuse, sign and verify documents. The application, the Dossiers service (receipt forms) and
    the adapters come from the composition root; the signing use cases are in application/vault_signing.py."""

    def __init__(
        self,
        app: OneStop,
        *,
        dossiers: Dossiers,
        blobs: BlobStore,
        signer: DocumentSigner,
        pdfs: PdfTools,
        clock: Clock,
    ) -> None:
        self.app, self.dossiers, self.clock = app, dossiers, clock
        self.blobs, self.signer, self.pdfs = blobs, signer, pdfs

    # ----- storing ----------------------------------------------------------------------
    def store_document(
        self,
        owner: VaultOwner,
        *,
        metadata: DocumentMetadata,
        pdf: bytes,
        actor: Actor,
        dossier_code: str | None = None,
        at: datetime | None = None,
    ) -> StoredDocument:
        """Save an electronic document as it was received; its signers are read from the file."""
        at, pages = self._at(at), self.pdfs.page_count(pdf)
        signed_by = [s.signer for s in self.signer.verify(pdf).signatures if s.intact]
        sha256 = self.blobs.put(pdf, self._subject(owner))
        document, written = self._transact(
            [self._vault_part(owner, actor, at)],
            lambda vault: vault.documents[
                vault.store(
                    origin=DocumentOrigin.ELECTRONIC,
                    metadata=metadata,
                    pages=pages,
                    sha256=sha256,
                    size=len(pdf),
                    signed_by=signed_by,
                    dossier_code=dossier_code,
                    actor=actor,
                    at=at,
                )
            ],
        )
        return stored_document(vault_id(owner), document, written.position)

    # ----- changing and reusing ------------------------------------------------------------
    def supersede(
        self, owner: VaultOwner, document_id: UUID, *, by: UUID, actor: Actor, at: datetime | None = None
    ) -> Written:
        """Mark a document as replaced by a newer one of the same type."""
        at = self._at(at)
        return self._act(owner, lambda vault: vault.supersede(document_id, by=by, actor=actor, at=at))

    def expire(
        self, owner: VaultOwner, document_id: UUID, *, reason: str, actor: Actor, at: datetime | None = None
    ) -> Written:
        """Record that a document is no longer valid."""
        at = self._at(at)
        return self._act(owner, lambda vault: vault.expire(document_id, reason=reason, actor=actor, at=at))

    def reuse_for_receipt(
        self,
        owner: VaultOwner,
        type_code: str,
        dossier_code: str,
        officer: Actor,
        at: datetime | None = None,
        *,
        document_id: UUID | None = None,
    ) -> ReusedDocument:
        """Attach a valid earlier document (by reference, not rescanned) to a dossier, recording the officer's check."""
        at = self._checked_code(dossier_code, at)
        if self._peek(owner) is None:
            raise NothingToReuseError(type_code)
        chosen: list[Document] = []
        written = self._act(
            owner,
            lambda vault: chosen.append(
                vault.check_reuse(
                    type_code=type_code, dossier_code=dossier_code, actor=officer, at=at, document_id=document_id
                )
            ),
        )
        return ReusedDocument(
            vault_id=vault_id(owner),
            document_id=chosen[0].document_id,
            sha256=chosen[0].sha256,
            dossier_code=dossier_code,
            signed_by=list(chosen[0].signed_by),
            position=written.position,
        )

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

    # ----- helpers ----------------------------------------------------------------------
    def _keep(
        self,
        owner: VaultOwner,
        pdf: bytes,
        marks: list[SignatureMark],
        metadata: DocumentMetadata,
        dossier_code: str,
        actor: Actor,
        at: datetime,
        origin: DocumentOrigin,
        declared_pages: int | None = None,
        also: Also | None = None,
    ) -> StoredDocument:
        """Put the signed file in the blob store, then record it in the vault and the dossier's register at once
        (and `also` change one more existing aggregate, e.g. deliver the dossier, in the same commit)."""
        sha256, pages, size = self.blobs.put(pdf, self._subject(owner)), self.pdfs.page_count(pdf), len(pdf)
        signed_by = [m.signer for m in marks]
        if origin is DocumentOrigin.SCAN and declared_pages is None:
            raise ValueError("a scanned document needs the number of pages the officer declared")

        def change(vault: Vault, register: SignatureRegister, *more: Aggregate) -> Document:
            if also is not None:
                also[1](more[0])
            register.record(
                sha256=sha256,
                kind=SignedKind(origin.value),
                type_code=metadata.type_code,
                pages=pages,
                size=size,
                signatures=marks,
                actor=actor,
                at=at,
            )
            if declared_pages is not None and origin is DocumentOrigin.SCAN:
                return vault.documents[
                    vault.digitize(
                        metadata=metadata,
                        declared_pages=declared_pages,
                        pages=pages,
                        sha256=sha256,
                        size=size,
                        signed_by=signed_by,
                        dossier_code=dossier_code,
                        actor=actor,
                        at=at,
                    )
                ]
            return vault.documents[
                vault.store(
                    origin=origin,
                    metadata=metadata,
                    pages=pages,
                    sha256=sha256,
                    size=size,
                    signed_by=signed_by,
                    dossier_code=dossier_code,
                    actor=actor,
                    at=at,
                )
            ]

        parts = [self._vault_part(owner, actor, at), self._register_part(dossier_code, actor, at)]
        if also is not None:
            parts.append((also[0], partial(self._missing, also[0])))
        document, written = self._transact(parts, change)
        return stored_document(vault_id(owner), document, written.position)

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
