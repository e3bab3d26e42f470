"""Signed documents of a dossier: the receipt form (phiếu tiếp nhận) and the result, signed and kept in the vault."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import COUNTER, SIGNERS, authorize, current_actor, current_principal, rules
from api.routing import post
from application.tokens import Principal
from application.vault_values import IssuedResult
from application.vaults import Vaults
from domain.values import Actor
from domain.vault import DocumentMetadata

MAX_JSON = 28 * 1024 * 1024


class ReceiptFormBody(msgspec.Struct, forbid_unknown_fields=True):
    """Nothing to send (`{}`): the officer who signs, and whose name is printed, is the caller's token."""


class ResultBody(msgspec.Struct, forbid_unknown_fields=True):
    """The result PDF (base64) for the caller to sign with their own key; the agency's seal follows. The signer is
    the caller's token, never a field."""

    pdf: bytes
    metadata: DocumentMetadata
    deliver_online: bool = False


class DocumentController(Controller):
    """Giấy tờ ký số của hồ sơ — signed documents of a dossier."""

    path = "/dossiers/{code:str}"
    tags = ["signed documents"]
    guards = [authorize]
    dependencies = {
        "actor": Provide(current_actor, sync_to_thread=False),
        "principal": Provide(current_principal, sync_to_thread=False),
    }

    @post(
        "/receipt-form",
        sync_to_thread=True,
        summary="Phiếu tiếp nhận và hẹn trả kết quả / Receipt form",
        media_type="application/pdf",
        status_code=201,
        opt=rules(COUNTER, "dossier"),
    )
    def receipt_form(
        self,
        code: FromPath[str],
        data: JSONBody[ReceiptFormBody],
        vaults: NamedDependency[Vaults],
        principal: NamedDependency[Principal],
    ) -> Response[bytes]:
        """The Vietnamese receipt form with a verification QR, signed with the calling officer's own key; their
        name (from the token) is printed under the signature (PDF)."""
        form = vaults.issue_receipt_form(code, officer_name=principal.name, officer=principal.actor)
        return Response(
            form.pdf,
            media_type="application/pdf",
            status_code=201,
            headers={
                "Content-Disposition": f'inline; filename="phieu-tiep-nhan_{code}.pdf"',
                "X-Document-Sha256": form.file.sha256,
            },
        )

    @post(
        "/result-document",
        sync_to_thread=True,
        request_max_body_size=MAX_JSON,
        summary="Ký số kết quả / Sign the result",
        opt=rules(SIGNERS, "dossier"),
    )
    def result(
        self,
        code: FromPath[str],
        data: JSONBody[ResultBody],
        vaults: NamedDependency[Vaults],
        actor: NamedDependency[Actor],
    ) -> IssuedResult:
        """Signed with the calling signer's own key once the result is recorded (409 before), then sealed with the
        agency's certificate; saved to the applicant's vault, and delivered online if asked (all in one commit)."""
        return vaults.issue_result_document(
            code, pdf=data.pdf, metadata=data.metadata, signer=actor, deliver_online=data.deliver_online
        )
