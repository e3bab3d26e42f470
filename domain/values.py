"""Value objects shared by the aggregates: actors, channels, applicants, components, money."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec

from domain.errors import InvalidValueError
from domain.limits import ADDRESS_MAX, check_count, check_day, check_line
from domain.money import MAX_AMOUNT, format_dong
from domain.procedures import ComponentForm

MOBILE = frozenset({"03", "05", "07", "08", "09"})
ERASED = "[đã xóa]"
"""What an erased person's name (and any other erased text) reads as once their data key is destroyed."""

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Role(StrEnum):
    """Who acts: officers, kiosk staff, auditors, analysts, citizens, devices and the system itself."""

    RECEPTION_OFFICER = "reception_officer"
    DEPARTMENT_OFFICER = "department_officer"
    CONSULTANT = "consultant"
    POLICE_OFFICER = "police_officer"
    SIGNER = "signer"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    CITIZEN = "citizen"
    KIOSK = "kiosk"
    SYSTEM = "system"


class Channel(StrEnum):
    """How a dossier arrived."""

    KIOSK = "kiosk"
    COUNTER = "counter"
    ONLINE = "online"
    POSTAL = "postal"


class DeliveryChannel(StrEnum):
    """How a result went back to the applicant."""

    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"
    KIOSK = "kiosk"


class PaymentMethod(StrEnum):
    """Cash into the kiosk or at the counter, or a bank-app QR transfer."""

    CASH = "cash"
    BANK_QR = "bank_qr"


class SatisfactionLevel(StrEnum):
    """The four rating levels of Circular 01/2018/TT-VPCP."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    ACCEPTABLE = "acceptable"
    DISSATISFIED = "dissatisfied"


class Actor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The account that caused an event, with the role it acted in."""

    account_id: Text
    role: Role


class Party(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One side of a handover: an officer, a team or a unit (not citizen personal data)."""

    account_id: Text
    name: Text
    role: Role
    unit: Text


class PersonalData(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every struct that holds a citizen's personal data (encrypted per person at rest)."""


class Applicant(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The applicant's identity and contact (personal data)."""

    id_number: str
    name: Text
    phone: str | None = None
    address: str | None = None
    email: str | None = None
    date_of_birth: date | None = None
    organisation: str | None = None
    # The old 9-digit ID card (CMND) a citizen without a chip card shows; UNSET (never stored) when none was given,
    # so dossiers stored before it keep their exact shape.
    old_id_number: str | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        # A holder of only a CMND (no chip card yet) may be known by it alone: an ID-card return (application/
        # card_returns.py), where the 12-digit number is on the very card being returned.
        cmnd_only = self.id_number == "" and self.old_id_number is not msgspec.UNSET
        if not (cmnd_only or (len(self.id_number) == 12 and self.id_number.isascii() and self.id_number.isdigit())):
            raise InvalidValueError(
                "id_number", "must be the 12-digit personal ID number", "số định danh phải gồm 12 chữ số"
            )
        old = self.old_id_number
        if old is not msgspec.UNSET and not (len(old) == 9 and old.isascii() and old.isdigit()):
            raise InvalidValueError("old_id_number", "a CMND number is exactly 9 digits", "số CMND phải gồm 9 chữ số")
        if self.phone is not None:
            check_phone(self.phone)

    @property
    def known_by(self) -> str:
        """The number the person is known by: the 12-digit ID number, else (a CMND holder) the 9-digit CMND."""
        return self.id_number or (self.old_id_number or "")


class FaceTemplate(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A face embedding enrolled at the counter (personal data: sealed under the person's key, never logged)."""

    id_number: str  # whose face: the key that seals it, destroyed with the person's data on erasure
    embedding: Annotated[list[float], msgspec.Meta(min_length=16, max_length=2048)]
    model_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]

    def __repr__(self) -> str:
        return f"FaceTemplate(model_id={self.model_id!r})"


class Component(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A component handed in with the dossier (thành phần hồ sơ)."""

    name: Text
    form: ComponentForm
    count: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1


class FaceCheck(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The outcome of a 1:1 face comparison at the kiosk: only the score, the decision and the model, never an image."""

    score: Annotated[float, msgspec.Meta(ge=-1.0, le=1.0)]
    matched: bool
    model_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Rating(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A satisfaction rating: 1–5 stars or one of the four Circular 01 levels."""

    stars: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    level: SatisfactionLevel | None = None

    def __post_init__(self) -> None:
        if (self.stars is None) == (self.level is None):
            raise InvalidValueError("rating", "give exactly one of stars or level", "chọn đúng một mức đánh giá")


def check_intake(applicant: Applicant, components: list[Component]) -> None:
    """Raise unless what a new dossier records is bounded and printable: its texts are printed on receipts.

    Checked by the commands, not by the structs, so that events stored before these bounds still replay."""
    check_line("applicant.name", applicant.name)
    check_line("applicant.organisation", applicant.organisation)
    check_line("applicant.email", applicant.email)
    check_line("applicant.address", applicant.address, ADDRESS_MAX)
    check_day("applicant.date_of_birth", applicant.date_of_birth)
    check_components(components)


def check_components(components: list[Component]) -> None:
    """Raise unless the list is of bounded length and every component's name is one printable line."""
    check_count("components", components)
    for component in components:
        check_line("components.name", component.name)


def check_phone(phone: str) -> str:
    """Return the phone if it is a Vietnamese mobile number (10 digits, 03/05/07/08/09)."""
    if not (
        isinstance(phone, str) and len(phone) == 10 and phone.isascii() and phone.isdigit() and phone[:2] in MOBILE
    ):
        raise InvalidValueError(
            "phone",
            "must be 10 digits starting 03, 05, 07, 08 or 09",
            "số điện thoại phải gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09",
        )
    return phone


def check_amount(field: str, amount: int, *, minimum: int = 1, ceiling: int = MAX_AMOUNT) -> int:
    """Return a whole number of đồng between minimum and ceiling, or raise."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not minimum <= amount <= ceiling:
        raise InvalidValueError(
            field,
            f"must be a whole number of đồng from {minimum} to {format_dong(ceiling)}",
            f"phải là số đồng nguyên từ {minimum} đến {format_dong(ceiling)}",
        )
    return amount


def mask_name(name: str) -> str:
    """Family name and given name kept, middle names cut to initials: 'Nguyễn T. H. Nhung'."""
    if name == ERASED:
        return name
    parts = name.split()
    if len(parts) <= 2:
        return " ".join(parts[:1] + [p[0] + "." for p in parts[1:]])
    return " ".join([parts[0], *(p[0] + "." for p in parts[1:-1]), parts[-1]])


def mask_phone(phone: str | None) -> str:
    """Only the first three and last three digits: '090****101'."""
    return f"{phone[:3]}****{phone[-3:]}" if phone else ""
