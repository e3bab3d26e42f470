"""Request bodies of the kiosk endpoints (device and staff)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.fees import Quantity
from domain.limits import MULTI_LINE, Code, Name, Reference
from domain.money import Amount, CashCount
from domain.procedures import Catalogue
from domain.tray import PickupMethod
from domain.values import FaceCheck, PaymentMethod, Rating

Barcode = Annotated[str, msgspec.Meta(max_length=64)]
Barcodes = Annotated[list[Barcode], msgspec.Meta(min_length=1, max_length=5000)]  # one carton of envelopes
Codes = Annotated[list[Code], msgspec.Meta(min_length=1, max_length=500)]  # one batch of a kiosk's trays


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    """Unknown fields are refused."""


class IdentityBody(Strict):
    qr_payload: Annotated[str, msgspec.Meta(max_length=600)]


class PhoneBody(Strict):
    phone: Annotated[str, msgspec.Meta(max_length=20)]


class OtpBody(Strict):
    phone: Annotated[str, msgspec.Meta(max_length=20)]
    code: Annotated[str, msgspec.Meta(max_length=10)]


class ProofResult(msgspec.Struct):
    proof: str


class EnvelopeBody(Strict):
    barcode: Barcode


class SubmissionBody(Strict):
    procedure_code: Code
    qr_payload: Annotated[str, msgspec.Meta(max_length=600)]
    phone: Annotated[str, msgspec.Meta(max_length=20)]
    phone_proof: Annotated[str, msgspec.Meta(max_length=200)]
    envelope: Barcode
    face: FaceCheck | None = None
    quantity: Quantity = 1
    channels: (
        Annotated[list[Annotated[str, msgspec.Meta(pattern="^(sms|zalo)$")]], msgspec.Meta(max_length=2)] | None
    ) = None  # how the citizen wants to be told of each step (the kiosk knows the phone only), first choice first


class KioskPaymentBody(Strict):
    method: PaymentMethod
    amount: Amount
    reference: Reference | None = None


class ReceiptPickupBody(Strict):
    id_number: Annotated[str, msgspec.Meta(max_length=20)]
    code: Code


class CodeBody(Strict):
    code: Code


class OtpPickupBody(Strict):
    code: Code
    otp_code: Annotated[str, msgspec.Meta(max_length=10)]


class ReleaseBody(Strict):
    code: Code
    ticket: Annotated[str, msgspec.Meta(max_length=200)]
    method: PickupMethod
    face: FaceCheck | None = None


class KioskRatingBody(Strict):
    rating: Rating


class InstallBody(Strict):
    key: Annotated[str, msgspec.Meta(min_length=2, max_length=31)]
    name: Name
    agency: Code
    tray_count: Annotated[int, msgspec.Meta(ge=1, le=500)] = 90


class EnvelopeBatchBody(Strict):
    barcodes: Barcodes


class CollectionBody(Strict):
    """What the collector counted; the collector is the caller."""

    cash_counted: CashCount


class BatchHandoverBody(Strict):
    """Several dossiers to one receiver, an account picked from the receivers list; the giver is the caller."""

    codes: Codes
    item: Name
    receiver: Annotated[str, msgspec.Meta(min_length=2, max_length=64)]


class BatchConfirmBody(Strict):
    """The dossiers whose handovers to the caller they confirm holding."""

    codes: Codes


class LoadBody(Strict):
    """The results to load; the loading staff member is the caller."""

    codes: Codes


class PullBackBody(Strict):
    """Who receives pulled-back results: accounts picked by login name (the caller is the giver)."""

    one_stop: Annotated[str, msgspec.Meta(min_length=2, max_length=64)]
    police: Annotated[str, msgspec.Meta(min_length=2, max_length=64)]


class TrayServiceBody(Strict):
    in_service: bool
    reason: Annotated[str, msgspec.Meta(max_length=500, pattern=MULTI_LINE)] = ""


class Accepted(msgspec.Struct):
    ok: bool = True


class PickupOtpSent(msgspec.Struct):
    """The pickup code was sent; `masked_phone` (090****101) says where, for the kiosk's screen."""

    masked_phone: str
    ok: bool = True


class Versioned(msgspec.Struct):
    version: int
    position: int


class KioskProcedure(msgspec.Struct, frozen=True):
    """One procedure offered for submission at the kiosk (kiosk_submission in the catalogue)."""

    code: str
    name: str
    field: str
    fee: int
    fee_unit: str
    fee_text: str
    face_required: bool
    processing_days: int


def kiosk_procedures(catalogue: Catalogue) -> list[KioskProcedure]:
    """The catalogue's kiosk-submission procedures in catalogue order: ID-card and counter-only ones are not listed."""
    return [
        KioskProcedure(
            code=p.code,
            name=p.name,
            field=p.field,
            fee=p.fee,
            fee_unit=p.fee_unit.value,
            fee_text=p.fee_text,
            face_required=p.high_legal_value,
            processing_days=p.processing_days,
        )
        for p in catalogue.procedures
        if p.kiosk_submission
    ]


# ----- supplements at the kiosk and pickup by CMND (issue [14]) ----------------------------------------
class SupplementOtpBody(Strict):
    """The card's ID number (read from its QR by the kiosk) and the receipt's dossier code."""

    id_number: Annotated[str, msgspec.Meta(max_length=20)]
    code: Code


class SupplementEnvelopeBody(Strict):
    """The proof the code check gave, and the supplement envelope's barcode."""

    proof: Annotated[str, msgspec.Meta(max_length=200)]
    envelope: Barcode


class CmndPickupBody(Strict):
    """The 9-digit CMND number typed and the receipt's dossier code."""

    cmnd: Annotated[str, msgspec.Meta(max_length=32)]
    code: Code
