"""The Notification aggregate, the templates and the console gateway, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import ActionNotAllowedError, InvalidValueError
from domain.notification import (
    DeliveryError,
    ErrorKind,
    Notification,
    NotificationStatus,
    Recipient,
    backoff,
    notification_id,
    split_template,
)
from domain.values import Actor, Role
from infrastructure.notifications.gateways import ConsoleGateway, mask_address
from infrastructure.notifications.templates import TEMPLATES, Templates, fold

T0 = datetime(2026, 5, 20, 1, 30, tzinfo=UTC)
SYSTEM = Actor(account_id="test", role=Role.SYSTEM)


def requested(recipient: Recipient, channels=("sms", "zalo", "email")) -> Notification:
    return Notification.request(
        id=notification_id("H29.06-260520-0001", 7),
        channels=list(channels),
        template="pickup_ready.v1",
        dossier_code="H29.06-260520-0001",
        params={},
        recipient=recipient,
        actor=SYSTEM,
        at=T0,
    )


def test_the_id_is_derived_from_the_requesting_event():
    assert notification_id("H29.06-260520-0001", 7) == notification_id("H29.06-260520-0001", 7)
    assert notification_id("H29.06-260520-0001", 7) != notification_id("H29.06-260520-0001", 8)


def test_backoff_doubles_from_one_minute():
    assert [backoff(n) for n in range(1, 5)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


def test_channels_without_an_address_are_left_out():
    assert requested(Recipient(phone="0901234101")).channels == ["sms", "zalo"]
    assert requested(Recipient(email="an@example.vn")).channels == ["email"]


def test_a_recipient_without_any_address_gives_up_at_once():
    notification = requested(Recipient())
    assert notification.status is NotificationStatus.GAVE_UP
    assert [type(e) for e in notification.collect_events()] == [Notification.Requested, Notification.GaveUp]


def test_a_rejection_falls_back_without_waiting_and_a_sent_message_is_final():
    notification = requested(Recipient(phone="0901234101"))
    notification.record_failure(kind=ErrorKind.REJECTED, at=T0)
    assert notification.channel == "zalo" and notification.is_due(T0)
    notification.record_sent(provider_id="z-1", at=T0)
    assert notification.status is NotificationStatus.SENT and not notification.is_due(T0 + timedelta(days=1))
    with pytest.raises(ActionNotAllowedError):
        notification.record_failure(kind=ErrorKind.TRANSIENT, at=T0)


def test_templates_are_named_with_a_version():
    assert split_template("pickup_ready.v1") == ("pickup_ready", 1)
    with pytest.raises(InvalidValueError):
        split_template("pickup_ready")


def test_every_template_has_the_three_channels_and_unknown_ones_are_refused():
    assert all(set(variants) == {"sms", "zalo", "email"} for variants in TEMPLATES.values())
    with pytest.raises(DeliveryError) as unknown:
        Templates("UBND Q6").render("sms", "pickup_ready", 2, {})
    with pytest.raises(DeliveryError) as missing:
        Templates("UBND Q6").render("sms", "pickup_ready", 1, {"code": "X"})
    assert unknown.value.kind is missing.value.kind is ErrorKind.REJECTED


def test_sms_values_are_folded_to_ascii():
    assert fold("Đặng Thị Hương, Phường 1") == "Dang Thi Huong, Phuong 1"


def test_the_console_logs_the_masked_address_and_the_template_only(caplog):
    caplog.set_level("INFO")
    ConsoleGateway("sms").deliver(
        "0901234101", Templates("UBND Q6").render("sms", "otp", 1, {"code": "913", "minutes": "5"})
    )
    assert "otp.v1 to 090****101" in caplog.text and "0901234101" not in caplog.text and "913" not in caplog.text
    assert mask_address("an.nguyen@example.vn") == "a***@example.vn"
