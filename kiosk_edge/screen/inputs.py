"""What the page (and, in simulation, the device panel and the simulator) may post to `/api/input`."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Short = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Digits = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,12}$")]


class Input(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="action"):
    """One touch on the screen or one reading of a device."""


class BeginInput(Input, frozen=True, tag="begin"):
    flow: Literal["submit", "pickup", "card_return", "online", "supplement"]


class ProcedureInput(Input, frozen=True, tag="procedure"):
    code: Short


class PhoneInput(Input, frozen=True, tag="phone"):
    phone: Annotated[str, msgspec.Meta(max_length=20)]
    channel: Annotated[str, msgspec.Meta(pattern="^(?i:sms|zalo)$")] = "sms"  # how to be told of each step


class OtpInput(Input, frozen=True, tag="otp"):
    otp: Digits


class FaceInput(Input, frozen=True, tag="face"):
    """The citizen stands in front of the camera and presses 'Xác thực'."""


class EndPaymentInput(Input, frozen=True, tag="end_payment"):
    pass


class PickupInput(Input, frozen=True, tag="pickup"):
    by_otp: bool


class PickupReceiptInput(Input, frozen=True, tag="pickup_receipt"):
    id_number: Digits
    code: Short


class PickupCodeInput(Input, frozen=True, tag="pickup_code"):
    code: Short


class PickupOtpInput(Input, frozen=True, tag="pickup_otp"):
    otp: Digits


class PrintFormInput(Input, frozen=True, tag="print_form"):
    """'In tờ khai': print the procedure's form with the card's data filled in."""


class ResendInput(Input, frozen=True, tag="resend"):
    """'Gửi lại mã': a new code to the same phone."""


class TypeInsteadInput(Input, frozen=True, tag="type_instead"):
    """'Nhập bằng bàn phím' on the pickup scan screen."""


class KeepNoteInput(Input, frozen=True, tag="keep_note"):
    """The citizen pays with the note in escrow although it is more than owed."""


class ReturnNoteInput(Input, frozen=True, tag="return_note"):
    """The citizen takes the note in escrow back."""


class RateInput(Input, frozen=True, tag="rate"):
    """One of the four levels of Circular 01/2018/TT-VPCP (the screen), or 1-5 stars (older scripts)."""

    stars: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    level: Literal["very_satisfied", "satisfied", "acceptable", "dissatisfied"] | None = None

    def __post_init__(self) -> None:
        if (self.stars is None) == (self.level is None):
            raise ValueError("give exactly one of `stars` or `level`")


class FinishInput(Input, frozen=True, tag="finish"):
    pass


class CancelInput(Input, frozen=True, tag="cancel"):
    pass


class RetryInput(Input, frozen=True, tag="retry"):
    pass


# ----- issue [14]: a supplement at the kiosk, a rejected dossier given back, pickup by CMND ----------
class SupplementTypedInput(Input, frozen=True, tag="supplement_typed"):
    """The ID number and the receipt number typed instead of scanned."""

    id_number: Digits
    code: Short


class SupplementOtpInput(Input, frozen=True, tag="supplement_otp"):
    otp: Digits


class NoticeReadInput(Input, frozen=True, tag="notice_read"):
    """'Nhận lại hồ sơ' on the screen that says the dossier was rejected."""


class CmndInput(Input, frozen=True, tag="cmnd"):
    """'Tôi dùng CMND 9 số' (or 'Sửa số CMND')."""


class CmndNumberInput(Input, frozen=True, tag="cmnd_number"):
    cmnd: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{9}$")]


class CmndCodeInput(Input, frozen=True, tag="cmnd_code"):
    """The receipt's code typed after the CMND number."""

    code: Short


# ----- device readings (simulation panel and simulator) ---------------------------------------
class CccdInput(Input, frozen=True, tag="scan_cccd"):
    payload: Annotated[str, msgspec.Meta(min_length=1, max_length=600)]


class ReceiptQrInput(Input, frozen=True, tag="scan_receipt"):
    """The camera read the QR printed on a receipt: the dossier code."""

    code: Short


class EnvelopeInput(Input, frozen=True, tag="insert_envelope"):
    barcode: Short


class CashInput(Input, frozen=True, tag="insert_cash"):
    denomination: int
    count: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1


class BankQrInput(Input, frozen=True, tag="bank_qr"):
    amount: Annotated[int, msgspec.Meta(gt=0, le=100_000_000)]
    reference: Short


class NextFaceInput(Input, frozen=True, tag="next_face"):
    """The next face shown to the camera matches the submitter's (or not)."""

    matched: bool


class CloseTrayInput(Input, frozen=True, tag="close_tray"):
    pass


# ----- [14] kflows2: the ID-card return registration and the online corner ---------------------
class CardProcedureInput(Input, frozen=True, tag="card_procedure"):
    code: Short


class CardTypeInsteadInput(Input, frozen=True, tag="card_type_instead"):
    """'Không quét được thẻ? Nhập số Căn cước' on the card-return scan screen."""


class CardTypedInput(Input, frozen=True, tag="card_typed"):
    """The 12-digit Căn cước number, or the 9-digit CMND of a holder without a chip card, and the name."""

    id_number: Annotated[str, msgspec.Meta(pattern=r"^([0-9]{9}|[0-9]{12})$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ScanDoneInput(Input, frozen=True, tag="scan_done"):
    """'Đã quét xong' on the scanner screen."""


class PortalFormInput(Input, frozen=True, tag="portal_form"):
    """What the portal's form asks beyond the card: how the result comes back."""

    delivery: Literal["kiosk", "postal", "online"]


class PrintPortalCodeInput(Input, frozen=True, tag="print_portal_code"):
    """'In mã hồ sơ' on the last screen of the online corner."""


class ScanPageInput(Input, frozen=True, tag="scan_page"):
    """Device reading: the scanner took one page."""


AnyInput = (
    BeginInput
    | ProcedureInput
    | PhoneInput
    | OtpInput
    | FaceInput
    | EndPaymentInput
    | PickupInput
    | PickupReceiptInput
    | PickupCodeInput
    | PickupOtpInput
    | RateInput
    | FinishInput
    | CancelInput
    | RetryInput
    | ResendInput
    | PrintFormInput
    | TypeInsteadInput
    | KeepNoteInput
    | ReturnNoteInput
    | CccdInput
    | ReceiptQrInput
    | EnvelopeInput
    | CashInput
    | BankQrInput
    | NextFaceInput
    | CloseTrayInput
    | CardProcedureInput
    | CardTypeInsteadInput
    | CardTypedInput
    | ScanDoneInput
    | PortalFormInput
    | PrintPortalCodeInput
    | ScanPageInput
    | SupplementTypedInput
    | SupplementOtpInput
    | NoticeReadInput
    | CmndInput
    | CmndNumberInput
    | CmndCodeInput
)
decoder = msgspec.json.Decoder(AnyInput)
