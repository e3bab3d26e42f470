"""The PdfTools port: page counts and scans to PDF (pyhanko, fpdf2) and the receipt form (infrastructure.pdf)."""

from __future__ import annotations

from collections.abc import Sequence

from pyhanko.pdf_utils.misc import PdfError

from application.views import DossierDetails
from domain.procedures import ComponentForm
from domain.vault_errors import UnreadableDocumentError
from infrastructure.pdf import ReceiptComponent, ReceiptForm, render_receipt
from infrastructure.settings.areas import FilesSettings
from infrastructure.signing.signer import images_to_pdf, page_count

FORM_VI = {ComponentForm.ORIGINAL: "Bản chính", ComponentForm.COPY: "Bản sao"}


class LocalPdfTools:
    """PDF work done in-process; `public_url` prefixes the verification link printed as a QR code."""

    def __init__(self, public_url: str = "") -> None:
        self.public_url = public_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: FilesSettings) -> LocalPdfTools:
        """Tools whose QR links start with MOTCUA_PUBLIC_URL (e.g. https://motcua.quan6.gov.vn)."""
        return cls(settings.public_url)

    def page_count(self, pdf: bytes) -> int:
        """Pages of a PDF; UnreadableDocumentError for anything else."""
        if not isinstance(pdf, bytes | bytearray) or b"%PDF-" not in pdf[:1024]:
            raise UnreadableDocumentError("no PDF header")
        try:
            return page_count(bytes(pdf))
        except (PdfError, ValueError, KeyError, TypeError) as error:
            raise UnreadableDocumentError(f"{type(error).__name__}: {error}") from None

    def images_to_pdf(self, images: Sequence[bytes]) -> bytes:
        """One page per PNG or JPEG image."""
        try:
            return images_to_pdf(list(images)).pdf
        except ValueError as error:
            raise UnreadableDocumentError(str(error)) from None

    def render_receipt(
        self, dossier: DossierDetails, *, procedure_name: str, officer_name: str, verification_path: str
    ) -> bytes:
        """The receipt form (phiếu tiếp nhận và hẹn trả kết quả) of a received dossier."""
        assert dossier.due_on is not None, "a receipt form needs the appointment date"
        return render_receipt(
            ReceiptForm(
                dossier_code=dossier.code,
                procedure_name=procedure_name,
                applicant_name=dossier.applicant.name,
                components=[ReceiptComponent(c.name, FORM_VI[c.form], c.count) for c in dossier.components],
                received_at=dossier.received_at,
                appointment_date=dossier.due_on,
                fee=dossier.fee,
                paid=dossier.paid,
                receiving_officer=officer_name,
                verification_url=f"{self.public_url}{verification_path}",
            )
        )
