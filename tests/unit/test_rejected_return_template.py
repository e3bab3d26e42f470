"""The message telling a citizen their rejected dossier waits in a kiosk tray (template rejected_return.v1)."""

from __future__ import annotations

import pytest

from application.kiosk_views import rejected_sms
from infrastructure.notifications.templates import Templates

PARAMS = {
    "code": "H29.06-260520-0001",
    "tray": "7",
    "kiosk": "Kiosk 24/7 UBND Quận 6",
    "agency": "UBND Quận 6",
    "days": "5",
}


@pytest.mark.parametrize("channel", ["sms", "zalo", "email"])
def test_every_channel_names_the_code_the_kiosk_and_the_tray_and_no_reason(channel: str) -> None:
    message = Templates("UBND Q6").render(channel, "rejected_return", 1, PARAMS)
    assert PARAMS["code"] in message.text and "7" in message.text and "5" in message.text
    assert "giai quyet" in message.text.lower() if channel == "sms" else "giải quyết" in message.text
    if channel == "sms":
        assert message.text.isascii() and len(message.text) <= 320


def test_the_text_recorded_with_the_load_says_the_same_without_personal_data() -> None:
    text = rejected_sms("UBND Quận 6", PARAMS["code"], PARAMS["kiosk"], 5)
    assert PARAMS["code"] in text and "không được giải quyết" in text and "Lý do" not in text
