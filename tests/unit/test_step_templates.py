"""The step messages: every template has its three channels; an SMS with typical values is unaccented and fits in
one message (160 characters); Zalo and e-mail speak to "Ông/Bà"; values are folded for SMS only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.citizen_steps import ITEMS_MAX, REASON_MAX, TEMPLATES, shorten
from domain.notification import split_template
from domain.procedures import Agency
from infrastructure.catalogue import load_catalogue
from infrastructure.notifications.step_templates import STEP_TEMPLATES
from infrastructure.notifications.templates import Templates

LONGEST_BRANDNAME = "UBNDQUAN6XX"  # 11 characters, the most a brandname may have
TYPICAL = {
    "code": "H29.06-260520-0001",
    "agency": "Ủy ban nhân dân Phường 14, Quận 6",
    "due_on": "27/05/2026",
    "items": shorten("Bản sao giấy khai sinh của con; Tờ khai đăng ký khai sinh theo mẫu; Giấy chứng sinh", ITEMS_MAX),
    "by": "03/06/2026",
    "reason": shorten(
        "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân Quận 6, đề nghị nộp tại Sở", REASON_MAX
    ),
    "kiosk": "Kiosk 24/7 UBND Quận 6",
    "tray": "90",
    "days": "5",
    "deadline": "27/05/2026",
    "place": "Bộ phận Một cửa Ủy ban nhân dân Quận 6",
}
STEPS = sorted({*(split_template(t) for t in TEMPLATES.values()), ("pickup_ready", 2)})


@pytest.mark.parametrize(("name", "version"), STEPS)
def test_every_step_sms_is_unaccented_and_fits_one_message(name: str, version: int) -> None:
    message = Templates("MOTCUA").render("sms", name, version, TYPICAL, sender=LONGEST_BRANDNAME)
    assert message.text.isascii() and len(message.text) <= 160, (len(message.text), message.text)
    assert message.text.startswith(f"{LONGEST_BRANDNAME}: ") and message.sender == LONGEST_BRANDNAME
    assert TYPICAL["code"] in message.text


@pytest.mark.parametrize(("name", "version"), STEPS)
def test_zalo_and_email_keep_the_diacritics_and_say_ong_ba(name: str, version: int) -> None:
    for channel in ("zalo", "email"):
        message = Templates("MOTCUA").render(channel, name, version, TYPICAL)
        assert "Ông/Bà" in message.text and TYPICAL["code"] in message.text
    assert Templates("MOTCUA").render("email", name, version, TYPICAL).subject
    assert set(STEP_TEMPLATES[(name, version)]) == {"sms", "zalo", "email"}


def test_the_district_and_its_wards_and_police_send_as_ubndquan6() -> None:
    catalogue = load_catalogue()
    assert {catalogue.sms_brandname(c) for c in ("H29.06", "H29.06.1", "H29.06.14", "H29.06.CA")} == {"UBNDQUAN6"}
    assert catalogue.sms_brandname("H29.01") is None


def test_a_brandname_longer_than_11_characters_is_refused() -> None:
    import msgspec

    raw = {"code": "H29.06", "name": "UBND", "sms_brandname": "UBNDQUAN6XXXX"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(raw, Agency)


@given(st.text(max_size=300), st.integers(min_value=10, max_value=100))
def test_shorten_never_exceeds_its_limit_and_keeps_a_prefix(text: str, limit: int) -> None:
    short = shorten(text, limit)
    words = " ".join(text.split())
    assert len(short) <= limit
    assert short == words or (short.endswith("...") and words.startswith(short[:-3]))
