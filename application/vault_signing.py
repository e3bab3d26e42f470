"""Signing use cases of the vaults: digitization at receipt, signed results and receipt forms, verification.

A mixin of `Vaults` (application/vaults.py), whose loaders and one-commit `_keep`/`_transact` it uses: every signed
file is put in the blob store, then recorded in the owner's vault and the dossier's signature register in one commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from copy import deepcopy
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec
from eventsourcing.application import AggregateNotFoundError

from application.dossiers import DOSSIER
from application.privacy import subject_of
from application.vault_values import (
    DossierSignatures,
    IssuedFile,
    IssuedResult,
    Placement,
    ReceiptForm,
    SignedPdf,
    SigningKey,
    StoredDocument,
    Verification,
    signed_file_view,
    verdict_vi,
)
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier
from domain.errors import ActionNotAllowedError, DomainError, InvalidValueError
from domain.signatures import SignatureMark, SignatureRegister, SignedKind, register_id
from domain.values import Actor, DeliveryChannel, Role
from domain.vault import DocumentMetadata, DocumentOrigin, OwnerKind, VaultOwner, business_day
from domain.vault_errors import NotASignerError, check_page_count

if TYPE_CHECKING:
    from application.base import OneStop
    from application.dossiers import Dossiers
    from application.ports import BlobStore, DocumentSigner, PdfTools

REGISTER = ("signed files of dossier", "tài liệu ký số của hồ sơ")
DOSSIER_KEY = "MotCuaDossier"  # document-information entry naming the dossier inside the signed revision
SCAN_REASON = "Số hóa thành phần hồ sơ"
RECEIPT_REASON = "Ký phiếu tiếp nhận và hẹn trả kết quả"
RESULT_REASON = "Ký duyệt kết quả giải quyết thủ tục hành chính"
SEAL_REASON = "Ký số của cơ quan ban hành kết quả"


class VaultSigning:
    """Mixin of Vaults with the use cases that sign or verify a PDF."""

    app: OneStop
    dossiers: Dossiers
    blobs: BlobStore
    signer: DocumentSigner
    pdfs: PdfTools
    _keep: Any
    _transact: Any
    _register_part: Any
    _checked_code: Any
    _peek: Any

    def digitize(
        self,
        owner: VaultOwner,
        *,
        dossier_code: str,
        metadata: DocumentMetadata,
        declared_pages: int,
        actor: Actor,
        pdf: bytes | None = None,
        images: Sequence[bytes] = (),
        at: datetime | None = None,
    ) -> StoredDocument:
        """Scan a paper component: same page count as the paper, signed top-left by the scanning officer, saved."""
        at = self._checked_code(dossier_code, at)
        vault = self._peek(owner)
        if vault is not None:
            vault.check_rescan(metadata.type_code, business_day(at))  # before any scanning work
        scan = pdf if pdf is not None else self.pdfs.images_to_pdf(images)
        check_page_count(declared_pages, self.pdfs.page_count(scan))
        signed = self._sign(scan, actor, SigningKey.PERSONAL, SCAN_REASON, Placement.TOP_LEFT, at, dossier_code)
        return self._keep(
            owner,
            signed.pdf,
            [SignatureMark(signed.signer, at, SCAN_REASON)],
            metadata,
            dossier_code,
            actor,
            at,
            DocumentOrigin.SCAN,
            declared_pages,
        )

    def sign_result(
        self,
        owner: VaultOwner,
        *,
        dossier_code: str,
        pdf: bytes,
        metadata: DocumentMetadata,
        signer: Actor,
        at: datetime | None = None,
    ) -> StoredDocument:
        """Sign a result with the competent person's own key (`signer`, who must act as a signer), then seal it with
        the agency's certificate; save it for reuse."""
        at = self._checked_code(dossier_code, at)
        signed = self._signed_result(pdf, metadata, signer, at, dossier_code)
        return self._keep(owner, *signed, dossier_code, signer, at, DocumentOrigin.RESULT)

    def issue_result_document(
        self,
        dossier_code: str,
        *,
        pdf: bytes,
        metadata: DocumentMetadata,
        signer: Actor,
        deliver_online: bool = False,
        at: datetime | None = None,
    ) -> IssuedResult:
        """Sign a recorded result (ActionNotAllowedError before), keep it in the applicant's vault and, if asked,
        record its online delivery: one commit, so a signed result is never stored without the delivery asked for."""
        at = self._checked_code(dossier_code, at)
        dossier: Dossier = self.app.load(dossier_id(dossier_code), DOSSIER, dossier_code, fresh=True)
        if dossier.result is None:
            raise ActionNotAllowedError("sign_result", dossier.status, dossier.allowed_actions())
        deliver = partial(
            Dossier.deliver_result,
            channel=DeliveryChannel.ONLINE,
            receiver_name=dossier.applicant.name,
            actor=signer,
            at=at,
        )
        if deliver_online:
            deliver(deepcopy(dossier))  # a refused delivery costs no signing and leaves no file behind
        owner = VaultOwner(kind=OwnerKind.CITIZEN, id_number=dossier.applicant.id_number)
        also = (dossier.id, deliver) if deliver_online else None
        stored = self._keep(
            owner,
            *self._signed_result(pdf, metadata, signer, at, dossier_code),
            dossier_code,
            signer,
            at,
            DocumentOrigin.RESULT,
            also=also,
        )
        return IssuedResult(document=stored, delivered=deliver_online)

    def issue_receipt_form(
        self, dossier_code: str, *, officer_name: str, officer: Actor, at: datetime | None = None
    ) -> ReceiptForm:
        """Draw the dossier's receipt form with its verification QR, sign it as the receiving officer (`officer_name`
        printed under the signature), keep it in the dossier's signature register; the file and its record."""
        at = self._checked_code(dossier_code, at)
        dossier = self.dossiers.get_dossier(dossier_code)
        procedure_name = self.dossiers.procedure(dossier.procedure_code).name
        if dossier.due_on is None:
            raise InvalidValueError(
                "due_on", "the receipt form needs the appointment date", "phiếu tiếp nhận cần ngày hẹn trả kết quả"
            )
        pdf = self.pdfs.render_receipt(
            dossier,
            procedure_name=procedure_name,
            officer_name=officer_name,
            verification_path=f"/verify?code={dossier.code}",
        )
        signed = self._sign(pdf, officer, SigningKey.PERSONAL, RECEIPT_REASON, Placement.BOTTOM_RIGHT, at, dossier.code)
        sha256 = self.blobs.put(signed.pdf, subject_of(dossier.applicant, dossier_id(dossier.code)))
        pages, size = self.pdfs.page_count(signed.pdf), len(signed.pdf)
        _, written = self._transact(
            [self._register_part(dossier.code, officer, at)],
            lambda register: register.record(
                sha256=sha256,
                kind=SignedKind.RECEIPT_FORM,
                type_code=None,
                pages=pages,
                size=size,
                signatures=[SignatureMark(signed.signer, at, RECEIPT_REASON)],
                actor=officer,
                at=at,
            ),
        )
        issued = IssuedFile(
            dossier_code=dossier.code,
            sha256=sha256,
            pages=pages,
            size=size,
            signed_by=[signed.signer],
            position=written.position,
        )
        return ReceiptForm(file=issued, pdf=signed.pdf)

    def verify(self, pdf: bytes) -> Verification:
        """Who signed, when, intact or altered, which dossier; nothing else from inside the file."""
        check, sha256 = self.signer.verify(pdf), hashlib.sha256(pdf).hexdigest()
        sigs = check.signatures
        return Verification(
            sha256=sha256,
            size=len(pdf),
            dossier_code=check.dossier_code,
            signed=bool(sigs),
            intact=bool(sigs) and not check.altered and all(s.intact for s in sigs),
            trusted=bool(sigs) and all(s.trusted for s in sigs),
            altered=check.altered,
            issued_by_system=self._issued(check.dossier_code, sha256),
            verdict_vi=verdict_vi(check),
            signatures=sigs,
        )

    def get_signatures(self, dossier_code: str) -> DossierSignatures:
        """The signed files the system issued for a dossier: hashes, signers, times."""
        parse_code(dossier_code)
        register: SignatureRegister = self.app.load(register_id(dossier_code), REGISTER, dossier_code)
        return DossierSignatures(dossier_code=dossier_code, files=[signed_file_view(f) for f in register.files])

    # ----- helpers ----------------------------------------------------------------------
    def _signed_result(
        self, pdf: bytes, metadata: DocumentMetadata, signer: Actor, at: datetime, dossier_code: str
    ) -> tuple[bytes, list[SignatureMark], DocumentMetadata]:
        """The signer's own signature, then the agency's seal; the metadata completed from the seal."""
        if signer.role is not Role.SIGNER:
            raise NotASignerError(signer.role.value)
        person = self._sign(pdf, signer, SigningKey.PERSONAL, RESULT_REASON, Placement.INVISIBLE, at, dossier_code)
        agency = self._sign(person.pdf, signer, SigningKey.AGENCY, SEAL_REASON, Placement.INVISIBLE, at, dossier_code)
        marks = [SignatureMark(person.signer, at, RESULT_REASON), SignatureMark(agency.signer, at, SEAL_REASON)]
        metadata = msgspec.structs.replace(
            metadata, issued_on=metadata.issued_on or business_day(at), issuer=metadata.issuer or agency.signer
        )
        return agency.pdf, marks, metadata

    def _sign(
        self,
        pdf: bytes,
        who: Actor,
        key: SigningKey,
        reason: str,
        placement: Placement,
        at: datetime,
        dossier_code: str,
    ) -> SignedPdf:
        return self.signer.sign(
            pdf, who=who, key=key, reason=reason, placement=placement, at=at, metadata={DOSSIER_KEY: dossier_code}
        )

    def _issued(self, dossier_code: str | None, sha256: str) -> bool:
        try:
            code = dossier_code or ""
            parse_code(code)  # the code comes from an untrusted file
            return self.app.repository.get(register_id(code)).knows(sha256)
        except (DomainError, AggregateNotFoundError):
            return False
