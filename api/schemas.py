"""Request and response bodies of the API (msgspec Structs; unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.fees import Quantity
from domain.limits import LIST_MAX, Code, Name, Reference, Text
from domain.money import Amount, Fee
from domain.values import Applicant, Component, DeliveryChannel, PaymentMethod, Rating

Components = Annotated[list[Component], msgspec.Meta(max_length=LIST_MAX)]
MAX_COMMAND_BODY = 1024 * 1024
"""Request body limit of the JSON command routes: the largest (5,000 envelope barcodes, 100 components) is a few
hundred KB; Litestar's default of 10 MB let a 9 MB address be read and decoded before it was refused."""
Version = Annotated[int, msgspec.Meta(ge=1, description="Version you acted on; 409 if it changed meanwhile.")]
ContactChannel = Annotated[str, msgspec.Meta(pattern="^(sms|zalo|email)$")]
ContactChannels = Annotated[
    list[ContactChannel],
    msgspec.Meta(
        min_length=1,
        max_length=3,
        description="How the citizen wants to be told of each step, first choice first (sms, zalo, email); "
        "the others follow as fallbacks.",
    ),
]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of command bodies."""

    expected_version: Version | None = None


class ReceiveBody(msgspec.Struct, forbid_unknown_fields=True):
    """Receive a paper dossier (kiosk, counter, postal) — Tiếp nhận hồ sơ giấy."""

    procedure_code: Code
    channel: Annotated[str, msgspec.Meta(pattern="^(kiosk|counter|postal)$")]
    applicant: Applicant
    components: Components
    channels: ContactChannels | None = None


class RegisterBody(msgspec.Struct, forbid_unknown_fields=True):
    """Register a dossier online — Đăng ký hồ sơ trực tuyến."""

    procedure_code: Code
    applicant: Applicant
    components: Components
    channels: ContactChannels | None = None


class ChannelsBody(Body):
    """Change how the citizen is told of each step — Đổi kênh nhận thông báo."""

    channels: ContactChannels


class ReasonBody(Body):
    reason: Text


class SupplementRequestBody(Body):
    items: Annotated[list[Name], msgspec.Meta(min_length=1, max_length=LIST_MAX)]
    reason: Text


class SupplementBody(Body):
    components: Annotated[list[Component], msgspec.Meta(min_length=1, max_length=LIST_MAX)]


class FeeBody(Body):
    amount: Fee | None = None
    quantity: Quantity = 1


class PaymentBody(Body):
    method: PaymentMethod
    amount: Amount
    reference: Reference | None = None


class RouteBody(Body):
    department: Code


Username = Annotated[str, msgspec.Meta(min_length=2, max_length=64, description="Login name of an account")]


class HandoverBody(Body):
    """What is handed over and to whom: an account picked from GET .../handover-receivers. The giver is the caller."""

    item: Name
    receiver: Username


class ResultBody(Body):
    summary: Text
    document_number: Reference | None = None


class DeliveryBody(Body):
    channel: DeliveryChannel
    receiver_name: Name | None = None


class RatingBody(Body):
    rating: Rating


class ActionBody(Body):
    """A command without data."""


class CommandResult(msgspec.Struct):
    """What a command changed: the dossier code, its new version and the log position (for read-your-writes)."""

    code: str
    version: int
    position: int


class Health(msgspec.Struct):
    status: str
    store: str
    events: int
