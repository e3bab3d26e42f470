"""Request and response bodies of the API (msgspec Structs; unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.values import Applicant, Component, DeliveryChannel, PaymentMethod, Rating

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Version = Annotated[int, msgspec.Meta(ge=1, description="Version you acted on; 409 if it changed meanwhile.")]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of command bodies."""

    expected_version: Version | None = None


class ReceiveBody(msgspec.Struct, forbid_unknown_fields=True):
    """Receive a paper dossier (kiosk, counter, postal) — Tiếp nhận hồ sơ giấy."""

    procedure_code: Text
    channel: Annotated[str, msgspec.Meta(pattern="^(kiosk|counter|postal)$")]
    applicant: Applicant
    components: list[Component]


class RegisterBody(msgspec.Struct, forbid_unknown_fields=True):
    """Register a dossier online — Đăng ký hồ sơ trực tuyến."""

    procedure_code: Text
    applicant: Applicant
    components: list[Component]


class ReasonBody(Body):
    reason: Text


class SupplementRequestBody(Body):
    items: Annotated[list[Text], msgspec.Meta(min_length=1)]
    reason: Text


class SupplementBody(Body):
    components: Annotated[list[Component], msgspec.Meta(min_length=1)]


class FeeBody(Body):
    amount: Annotated[int, msgspec.Meta(ge=0)] | None = None


class PaymentBody(Body):
    method: PaymentMethod
    amount: Annotated[int, msgspec.Meta(gt=0, le=1_000_000_000)]
    reference: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class RouteBody(Body):
    department: Text


Username = Annotated[str, msgspec.Meta(min_length=2, max_length=64, description="Login name of an account")]


class HandoverBody(Body):
    """What is handed over and to whom: an account picked from GET .../handover-receivers. The giver is the caller."""

    item: Text
    receiver: Username


class ResultBody(Body):
    summary: Text
    document_number: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class DeliveryBody(Body):
    channel: DeliveryChannel
    receiver_name: Annotated[str, msgspec.Meta(max_length=200)] | None = None


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
