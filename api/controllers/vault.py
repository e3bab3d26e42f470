"""Vault endpoints for officers, and verification of signed PDFs for anyone, without login.

Both controllers need the `vaults` dependency (a Vaults application) registered with Provide.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import anyio
import msgspec
from litestar import Controller, Request, Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from api.access import read_purpose
from api.auth import PUBLIC, VAULT, VAULT_WRITERS, authorize, check_vault, current_actor, current_principal, rules
from api.errors import ErrorBody, domain_error
from api.routing import get, post
from application.base import Written
from application.personal_reads import PersonalReads
from application.vault_values import DossierSignatures, ReusedDocument, StoredDocument, Verification
from application.vaults import Vaults
from domain.errors import DomainError
from domain.limits import Text, check_day
from domain.values import Actor
from domain.vault import Document, DocumentMetadata, VaultOwner
from domain.vault_errors import (
    DocumentStateError,
    DuplicateDocumentError,
    NothingToReuseError,
    PageCountMismatchError,
    ResultStillValidError,
    UnknownDocumentError,
    UnreadableDocumentError,
)

MB = 1024 * 1024
MAX_PDF = 20 * MB
MAX_JSON = 28 * MB  # a 20 MB file grows by a third in base64
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
STATUS: dict[type[DomainError], int] = {
    UnknownDocumentError: 404,
    NothingToReuseError: 404,
    DuplicateDocumentError: 409,
    DocumentStateError: 409,
    ResultStillValidError: 409,
    PageCountMismatchError: 422,
    UnreadableDocumentError: 400,
}


def vault_error(request: Request, error: DomainError) -> Response[ErrorBody]:
    """Like every domain error, with the vault's own statuses."""
    response = domain_error(request, error)
    response.status_code = STATUS.get(type(error), response.status_code)
    return response


def owner_from_path(owner_kind: FromPath[str], owner_id: FromPath[str]) -> VaultOwner:
    """The vault owner named in the path: citizen/<12 digits> or organisation/<tax code>."""
    return VaultOwner.named(owner_kind, owner_id)


class StoreBody(msgspec.Struct, forbid_unknown_fields=True):
    """An electronic document to save as it is (Lưu vào kho dữ liệu điện tử); `pdf` in base64."""

    metadata: DocumentMetadata
    pdf: bytes
    dossier_code: Code | None = None


class DigitizeBody(msgspec.Struct, forbid_unknown_fields=True):
    """A scanned component (Số hóa): a PDF or page images (PNG/JPEG) in base64, and the paper's page count."""

    dossier_code: Code
    metadata: DocumentMetadata
    declared_pages: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    pdf: bytes | None = None
    images: Annotated[list[bytes], msgspec.Meta(max_length=1000)] = []  # one image per page, as declared_pages


class ReuseBody(msgspec.Struct, forbid_unknown_fields=True):
    """Take a document from the vault for a dossier (Lấy giấy tờ từ kho dữ liệu điện tử)."""

    type_code: Code
    dossier_code: Code
    document_id: UUID | None = None


class SupersedeBody(msgspec.Struct, forbid_unknown_fields=True):
    by: UUID


class ExpireBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Text


class VaultChange(msgspec.Struct):
    """The vault's new version and the log position to wait for."""

    vault_id: UUID
    version: int
    position: int


def change(written: Written) -> VaultChange:
    return VaultChange(vault_id=written.id, version=written.version, position=written.position)


class VerifyController(Controller):
    """Xác thực tài liệu — anyone may check a signed PDF or a dossier code; no login, no personal data."""

    path = "/verify"
    tags = ["verify"]
    exception_handlers = {DomainError: vault_error}

    @post(
        "/",
        status_code=200,
        request_max_body_size=MAX_PDF,
        opt=PUBLIC,
        summary="Xác thực tệp PDF đã ký số / Verify a signed PDF",
    )
    async def verify(self, request: Request, vaults: NamedDependency[Vaults]) -> Verification:
        """Send the raw PDF as the body (at most 20 MB): who signed, when, intact or altered, which dossier."""
        pdf = await request.body()  # over the limit, reading stops with 413
        if b"%PDF-" not in pdf[:1024]:
            raise UnreadableDocumentError("no PDF header")
        return await anyio.to_thread.run_sync(vaults.verify, pdf)

    @get("/", sync_to_thread=True, opt=PUBLIC, summary="Tra cứu tài liệu ký số của hồ sơ / Signed files of a dossier")
    def signatures(self, code: FromQuery[str], vaults: NamedDependency[Vaults]) -> DossierSignatures:
        """The hashes, signers and signing times of the files the system signed for the dossier."""
        return vaults.get_signatures(code)


class VaultController(Controller):
    """Kho dữ liệu điện tử — an owner's vault, for officers."""

    path = "/vaults/{owner_kind:str}/{owner_id:str}"
    tags = ["vaults"]
    guards = [authorize]
    dependencies = {
        "actor": Provide(current_actor, sync_to_thread=False),
        "owner": Provide(owner_from_path, sync_to_thread=False),
        "purpose": Provide(read_purpose, sync_to_thread=False),
    }
    exception_handlers = {DomainError: vault_error}

    @get("/documents", sync_to_thread=True, summary="Giấy tờ trong kho / List documents", opt=rules(VAULT, "vault"))
    def list_documents(
        self,
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        reads: NamedDependency[PersonalReads],
        purpose: NamedDependency[str | None],
    ) -> list[Document]:
        """Every document of the vault with its metadata, state and the dossiers it was reused for (read recorded)."""
        return reads.vault_documents(owner, actor=actor, purpose=purpose)

    @get(
        "/reusable",
        sync_to_thread=True,
        summary="Giấy tờ dùng lại được / Reusable documents",
        opt=rules(VAULT, "vault"),
    )
    def reusable(
        self,
        type_code: FromQuery[str],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        vaults: NamedDependency[Vaults],
        on: FromQuery[date | None] = None,
    ) -> list[Document]:
        """Documents of the type valid on `on` (default today), neither superseded nor expired; best first."""
        return vaults.find_reusable(owner, type_code, check_day("on", on))

    @get(
        "/documents/{document_id:uuid}/file",
        sync_to_thread=True,
        media_type="application/pdf",
        summary="Mở tệp giấy tờ / Open a document's file",
        opt=rules(VAULT, "vault"),
    )
    def open_document(
        self,
        document_id: FromPath[UUID],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        reads: NamedDependency[PersonalReads],
        purpose: NamedDependency[str | None],
    ) -> bytes:
        """The PDF, for the officer who opens and checks it before reuse (the read is recorded)."""
        return reads.vault_file(owner, document_id, actor=actor, purpose=purpose)

    @post(
        "/documents",
        sync_to_thread=True,
        request_max_body_size=MAX_JSON,
        summary="Lưu giấy tờ / Store a document",
        opt=rules(VAULT_WRITERS, "vault_dossier"),
    )
    def store(
        self,
        data: JSONBody[StoreBody],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        vaults: NamedDependency[Vaults],
        request: Request,
    ) -> StoredDocument:
        """Save an electronic document as received, with its metadata; missing fields are listed in the note."""
        check_vault(request, current_principal(request), data.dossier_code)
        return vaults.store_document(
            owner, metadata=data.metadata, pdf=data.pdf, dossier_code=data.dossier_code, actor=actor
        )

    @post(
        "/digitize",
        sync_to_thread=True,
        request_max_body_size=MAX_JSON,
        summary="Số hóa thành phần / Digitize",
        opt=rules(VAULT_WRITERS, "vault_dossier"),
    )
    def digitize(
        self,
        data: JSONBody[DigitizeBody],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        vaults: NamedDependency[Vaults],
        request: Request,
    ) -> StoredDocument:
        """Scan a paper component; refused (409) when a still-valid earlier result must be reused instead."""
        check_vault(request, current_principal(request), data.dossier_code)
        return vaults.digitize(
            owner,
            dossier_code=data.dossier_code,
            metadata=data.metadata,
            declared_pages=data.declared_pages,
            pdf=data.pdf,
            images=data.images,
            actor=actor,
        )

    @post(
        "/reuse",
        sync_to_thread=True,
        summary="Dùng lại giấy tờ trong kho / Reuse for a dossier",
        opt=rules(VAULT_WRITERS, "vault_dossier"),
    )
    def reuse(
        self,
        data: JSONBody[ReuseBody],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        vaults: NamedDependency[Vaults],
        request: Request,
    ) -> ReusedDocument:
        """Attach a valid document to the dossier by reference, recording that this officer checked it."""
        check_vault(request, current_principal(request), data.dossier_code)
        return vaults.reuse_for_receipt(owner, data.type_code, data.dossier_code, actor, document_id=data.document_id)

    @post(
        "/documents/{document_id:uuid}/supersede",
        sync_to_thread=True,
        summary="Thay thế / Supersede",
        opt=rules(VAULT_WRITERS, "vault"),
    )
    def supersede(
        self,
        document_id: FromPath[UUID],
        data: JSONBody[SupersedeBody],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        vaults: NamedDependency[Vaults],
    ) -> VaultChange:
        """Mark the document as replaced by a newer one of the same type."""
        return change(vaults.supersede(owner, document_id, by=data.by, actor=actor))

    @post(
        "/documents/{document_id:uuid}/expire",
        sync_to_thread=True,
        summary="Hết hiệu lực / Expire",
        opt=rules(VAULT_WRITERS, "vault"),
    )
    def expire(
        self,
        document_id: FromPath[UUID],
        data: JSONBody[ExpireBody],
        owner: NamedDependency[VaultOwner],
        actor: NamedDependency[Actor],
        vaults: NamedDependency[Vaults],
    ) -> VaultChange:
        """Record that the document is no longer valid, with the reason."""
        return change(vaults.expire(owner, document_id, reason=data.reason, actor=actor))
