"""What the page (and, in simulation, the device panel and the simulator) may post to `/api/input`."""

from __future__ import annotations

from typing import Annotated, Literal, Union

import msgspec

Short = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Digits = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,12}$")]


class Input(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="action"):
    """One touch on the screen or one reading of a device."""


class BeginInput(Input, tag="begin"):
    flow: Literal["submit", "pickup"]


class ProcedureInput(Input, tag="procedure"):
    code: Short


class PhoneInput(Input, tag="phone"):
    phone: Annotated[str, msgspec.Meta(max_length=20)]


class OtpInput(Input, tag="otp"):
    otp: Digits


class FaceInput(Input, tag="face"):
    """The citizen stands in front of the camera and presses 'Xác thực'."""


class EndPaymentInput(Input, tag="end_payment"):
    pass


class PickupInput(Input, tag="pickup"):
    by_otp: bool


class PickupReceiptInput(Input, tag="pickup_receipt"):
    id_number: Digits
    code: Short


class PickupCodeInput(Input, tag="pickup_code"):
    code: Short


class PickupOtpInput(Input, tag="pickup_otp"):
    otp: Digits


class PrintFormInput(Input, tag="print_form"):
    """'In tờ khai': print the procedure's form with the card's data filled in."""


class ResendInput(Input, tag="resend"):
    """'Gửi lại mã': a new code to the same phone."""


class TypeInsteadInput(Input, tag="type_instead"):
    """'Nhập bằng bàn phím' on the pickup scan screen."""


class KeepNoteInput(Input, tag="keep_note"):
    """The citizen pays with the note in escrow although it is more than owed."""


class ReturnNoteInput(Input, tag="return_note"):
    """The citizen takes the note in escrow back."""


class RateInput(Input, tag="rate"):
    """One of the four levels of Circular 01/2018/TT-VPCP (the screen), or 1-5 stars (older scripts)."""

    stars: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    level: Literal["very_satisfied", "satisfied", "acceptable", "dissatisfied"] | None = None

    def __post_init__(self) -> None:
        if (self.stars is None) == (self.level is None):
            raise ValueError("give exactly one of `stars` or `level`")


class FinishInput(Input, tag="finish"):
    pass


class CancelInput(Input, tag="cancel"):
    pass


class RetryInput(Input, tag="retry"):
    pass


# ----- device readings (simulation panel and simulator) ---------------------------------------
class CccdInput(Input, tag="scan_cccd"):
    payload: Annotated[str, msgspec.Meta(min_length=1, max_length=600)]


class ReceiptQrInput(Input, tag="scan_receipt"):
    """The camera read the QR printed on a receipt: the dossier code."""

    code: Short


class EnvelopeInput(Input, tag="insert_envelope"):
    barcode: Short


class CashInput(Input, tag="insert_cash"):
    denomination: int
    count: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1


class BankQrInput(Input, tag="bank_qr"):
    amount: Annotated[int, msgspec.Meta(gt=0, le=100_000_000)]
    reference: Short


class NextFaceInput(Input, tag="next_face"):
    """The next face shown to the camera matches the submitter's (or not)."""

    matched: bool


class CloseTrayInput(Input, tag="close_tray"):
    pass


AnyInput = Union[
    BeginInput, ProcedureInput, PhoneInput, OtpInput, FaceInput, EndPaymentInput, PickupInput, PickupReceiptInput,
    PickupCodeInput, PickupOtpInput, RateInput, FinishInput, CancelInput, RetryInput, ResendInput, PrintFormInput,
    TypeInsteadInput, KeepNoteInput, ReturnNoteInput, CccdInput, ReceiptQrInput, EnvelopeInput, CashInput, BankQrInput,
    NextFaceInput, CloseTrayInput,
]
decoder = msgspec.json.Decoder(AnyInput)
