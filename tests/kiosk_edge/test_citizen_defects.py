"""Regression tests of the defects issue [14] found at the kiosk (its first paragraph), at the level of the flow
driver with the simulated devices and a scripted core; the browser tests walk the same at 1080×1920."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import cv2
import msgspec
import numpy as np
import pytest

from domain import otp
from domain.clock import VIETNAM
from kiosk_edge.catalogue import Usage, kiosk_procedures
from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import KioskFlow
from kiosk_edge.outbox import Outbox
from kiosk_edge.readers import read_symbols
from kiosk_edge.receipt import receipt_text
from kiosk_edge.screen import inputs
from kiosk_edge.screen.server import dispatch
from kiosk_edge.screen.view import view_of
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.session.screens import OTP_SENDS, OTP_TRIES, OTP_VALID_SECONDS, REFUSAL_MESSAGES, RESEND_AFTER
from kiosk_edge.vietqr import parse
from kiosk_edge.wording import EXCESS_REFUND, LOCAL_TIME, NO_CHANGE
from tests.kiosk_edge.test_flow_and_devices import ANSWERS, CODE, FACE, FEE, ScriptedCore, stored_types, to_envelope

VN = VIETNAM
QR = "079195000101||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên|01072021"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kiosk(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    devices = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90)
    core, clock = ScriptedCore(), Clock()
    flow = KioskFlow("Q6-01", core, devices, [FEE, FACE], release_wait=0.0, clock=clock)
    yield flow, core, devices, clock, tmp_path / "outbox.sqlite3"
    outbox.close()


def to_pickup_otp(flow: KioskFlow, core: ScriptedCore) -> None:
    flow.begin("pickup")
    flow.choose_pickup(by_otp=True)
    ANSWERS["send_pickup_otp"] = {"ok": True, "masked_phone": "090****101"}
    flow.request_pickup_otp(CODE)


def test_the_kiosk_keeps_the_cores_business_time() -> None:
    at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert at.astimezone(LOCAL_TIME).utcoffset() == at.astimezone(VIETNAM).utcoffset()


def test_the_kiosk_knows_the_cores_code_rules() -> None:
    assert OTP_TRIES == otp.MAX_FAILURES and otp.EXPIRY.total_seconds() == OTP_VALID_SECONDS
    assert otp.PHONE_LIMIT[0] == OTP_SENDS


def test_a_locked_out_pickup_code_is_its_own_screen_and_thu_lai_no_longer_loops(kiosk) -> None:
    flow, core, *_ = kiosk
    to_pickup_otp(flow, core)
    for attempt in range(1, OTP_TRIES + 1):
        core.fail["pickup_by_otp"] = CoreRefusal(403, "otp_wrong", "…")
        flow.enter_pickup_otp("000000")
        if attempt < OTP_TRIES:
            assert view_of(flow)["screen"] == "wrong_otp"
            flow.retry()
    state = view_of(flow)
    assert state["screen"] == "pickup_locked" and "không đúng" not in state["message"]
    with pytest.raises(InputNotAllowedError):
        flow.retry()  # the old "Thử lại" went back to the code screen forever
    flow.cancel()
    assert view_of(flow)["screen"] == "home"


def test_the_code_screen_says_where_the_code_went_counts_down_and_offers_a_new_code(kiosk) -> None:
    flow, core, _, clock, _ = kiosk
    to_pickup_otp(flow, core)
    state = view_of(flow)
    assert (state["screen"], state["masked_phone"], state["otp_left"]) == (
        "pickup_otp",
        "090****101",
        OTP_VALID_SECONDS,
    )
    assert state["resend_in"] == RESEND_AFTER and state["resends_left"] == OTP_SENDS - 1
    with pytest.raises(InputNotAllowedError):
        flow.resend_otp()  # too early: the first code may still be on its way
    clock.now += RESEND_AFTER
    assert view_of(flow)["otp_left"] == OTP_VALID_SECONDS - RESEND_AFTER and view_of(flow)["resend_in"] == 0
    flow.resend_otp()
    assert core.calls.count("send_pickup_otp") == 2 and view_of(flow)["otp_left"] == OTP_VALID_SECONDS
    clock.now += RESEND_AFTER
    core.fail["send_pickup_otp"] = CoreRefusal(429, "otp_rate_limited", "…")
    flow.resend_otp()
    assert view_of(flow)["screen"] == "otp_limit"


def test_a_submission_code_names_the_masked_phone_the_citizen_typed(kiosk) -> None:
    flow, *_ = kiosk
    flow.begin("submit")
    flow.choose_procedure(FEE.code)
    flow.cccd_scanned(QR)
    flow.enter_phone("0901000101")
    assert view_of(flow)["masked_phone"] == "090****101"


def test_pickup_by_scanning_the_card_and_the_receipt_needs_no_typing(kiosk) -> None:
    flow, core, devices, *_ = kiosk
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    flow.card_scanned(QR)
    assert view_of(flow)["card_read"] and "pickup_by_receipt" not in core.calls
    flow.receipt_scanned(CODE)
    assert core.calls[-2:] == ["pickup_by_receipt", "release"] and view_of(flow)["screen"] == "tray_open"
    assert devices.trays.is_open(7)


def test_an_unreadable_card_at_pickup_is_a_refusal_and_typing_stays_a_fallback(kiosk) -> None:
    flow, core, *_ = kiosk
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    core.fail["read_identity"] = CoreRefusal(422, "invalid_cccd_qr", "…")
    flow.card_scanned("garbage")
    assert view_of(flow)["screen"] == "bad_qr"
    flow.retry()
    flow.type_instead()
    flow.pickup_by_receipt("079195000101", CODE)
    assert view_of(flow)["screen"] == "tray_open"


def test_the_pickup_payment_shows_a_real_vietqr_with_the_dossier_code(kiosk) -> None:
    flow, core, *_ = kiosk
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    ANSWERS["pickup_by_receipt"] = dict(ANSWERS["pickup_by_receipt"], shortfall=2_000)
    try:
        flow.pickup_by_receipt("079195000101", CODE)
    finally:
        ANSWERS["pickup_by_receipt"] = dict(ANSWERS["pickup_by_receipt"], shortfall=0)
    qr = view_of(flow)["vietqr"]
    assert view_of(flow)["screen"] == "pickup_payment" and qr["svg"].startswith("<svg")
    assert (qr["amount"], qr["reference"]) == (2_000, CODE)


def test_fifty_thousand_for_a_two_thousand_fee_is_held_with_a_no_change_warning_and_can_be_taken_back(kiosk) -> None:
    flow, core, devices, _, path = kiosk
    to_envelope(flow)
    flow.envelope_inserted("Q6PB000001")
    flow.cash_inserted(50_000)
    state = view_of(flow)
    assert (state["screen"], state["held"], state["paid"]) == ("cash_confirm", 50_000, 0)
    assert state["texts"] == {
        "no_change": NO_CHANGE,
        "excess_refund": EXCESS_REFUND,
        "shortfall_later": state["texts"]["shortfall_later"],
    }
    flow.return_note()
    assert view_of(flow)["screen"] == "payment" and devices.cash.given_back == 50_000
    assert "cash_inserted" not in stored_types(path)


def test_the_excess_is_worded_the_same_on_the_screen_and_on_the_receipt(kiosk) -> None:
    flow, *_ = kiosk
    text = receipt_text(
        kiosk="Q6-01",
        dossier_code=CODE,
        procedure="Chứng thực",
        applicant="A",
        due_on=datetime(2026, 5, 21),
        fee=2_000,
        paid=50_000,
    ).replace("\n", " ")
    assert EXCESS_REFUND in text and "khi tiếp nhận hồ sơ" not in text
    assert view_of(flow)["texts"]["excess_refund"] == EXCESS_REFUND


def test_the_receipt_carries_the_dossier_code_qr_and_the_vietqr_of_a_shortfall(kiosk) -> None:
    flow, core, devices, *_ = kiosk
    to_envelope(flow)
    flow.envelope_inserted("Q6PB000001")
    flow.cash_inserted(1_000)
    flow.end_payment()
    text = devices.printer.printed[-1]
    assert "Còn thiếu: 1.000 đồng" in text and all(len(line) <= 42 for line in text.splitlines())
    assert any(line.endswith(CODE) or CODE in line.split() for line in text.splitlines())
    pictures = devices.printer.pictures[-1]
    assert set(pictures) == {"dossier", "vietqr"}
    assert [s.payload for s in read_symbols(picture(pictures["dossier"]))] == [CODE]
    (printed,) = read_symbols(picture(pictures["vietqr"]))
    fields = parse(printed.payload)  # the CRC is checked too
    assert (fields["amount"], fields["reference"], fields["guid"], fields["currency"]) == (
        "1000",
        CODE,
        "A000000727",
        "704",
    )


def picture(png: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize(
    ("at", "counter"),
    [
        (datetime(2026, 5, 20, 9, 0, tzinfo=VN), True),
        (datetime(2026, 5, 20, 22, 30, tzinfo=VN), False),
        (datetime(2026, 5, 23, 9, 0, tzinfo=VN), False),  # a Saturday
    ],
)
def test_the_footer_gives_the_hotline_and_sends_no_one_to_a_closed_counter(kiosk, at, counter) -> None:
    flow, *_ = kiosk
    help_text = view_of(flow, now=at)["help"]
    assert "028.39695699" in help_text and ("quầy" in help_text) is counter


def test_no_citizen_text_uses_bạn_or_technical_words() -> None:
    for message in REFUSAL_MESSAGES.values():
        assert "bạn" not in message.lower().split() and "OTP" not in message and "đồng bộ" not in message


def test_a_locked_submission_code_offers_a_new_code_at_once(kiosk) -> None:
    flow, core, *_ = kiosk
    flow.begin("submit")
    flow.choose_procedure(FEE.code)
    flow.cccd_scanned(QR)
    flow.enter_phone("0901000101")
    for _ in range(OTP_TRIES):
        core.fail["verify_otp"] = CoreRefusal(403, "otp_wrong", "…")
        flow.enter_otp("000000")
        if view_of(flow)["screen"] == "wrong_otp":
            flow.retry()
    assert view_of(flow)["screen"] == "otp_locked"
    flow.resend_otp()  # no minute to wait: the locked code is useless
    assert view_of(flow)["screen"] == "otp" and core.calls.count("send_otp") == 2
    flow.enter_otp("123456")
    assert view_of(flow)["screen"] == "envelope"


def test_the_most_used_procedures_come_first_and_the_count_survives_a_restart(tmp_path) -> None:
    path = tmp_path / "usage-Q6-01.json"
    usage = Usage(path)
    for code in (FACE.code, FACE.code, FEE.code):
        usage.add(code)
    assert [p.code for p in Usage(path).ordered([FEE, FACE])] == [FACE.code, FEE.code]
    path.write_text("not json", encoding="utf-8")
    assert Usage(path).ordered([FEE, FACE]) == [FEE, FACE]  # a damaged file loses the order, never the kiosk


def test_every_kiosk_procedure_has_a_life_event_group_and_its_department() -> None:
    procedures = kiosk_procedures()
    assert all(p.department for p in procedures)
    assert {p.group for p in procedures} >= {"Sinh, kết hôn, giám hộ, khai tử", "Chứng thực giấy tờ", "Kinh doanh"}
    assert sum(p.group == "Thủ tục khác" for p in procedures) <= 2


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        (b'{"action": "rate", "level": "satisfied"}', {"level": "satisfied"}),
        (b'{"action": "rate", "stars": 5}', {"stars": 5}),
    ],
)
def test_a_kiosk_rating_is_a_circular_01_level_or_stars(kiosk, body: bytes, sent: dict) -> None:
    flow, core, devices, *_ = kiosk
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    flow.pickup_by_receipt("079195000101", CODE)
    flow.tray_closed()
    ratings = []
    core.rate = lambda code, rating: ratings.append((code, rating))
    assert dispatch_body(flow, devices, body) == "thanks" and ratings == [(CODE, sent)]


@pytest.mark.parametrize(
    "body",
    [
        b'{"action": "rate"}',
        b'{"action": "rate", "stars": 5, "level": "satisfied"}',
        b'{"action": "rate", "level": "great"}',
    ],
)
def test_a_rating_must_be_exactly_one_known_choice(kiosk, body: bytes) -> None:
    flow, _, devices, *_ = kiosk
    with pytest.raises((msgspec.ValidationError, msgspec.DecodeError)):
        inputs.decoder.decode(body)


def dispatch_body(flow: KioskFlow, devices: SimulatedKiosk, body: bytes) -> str:
    dispatch(flow, devices, inputs.decoder.decode(body))
    return view_of(flow)["screen"]


def test_the_form_of_the_procedure_is_printed_filled_in_from_the_card_at_most_twice(kiosk) -> None:
    flow, core, devices, *_ = kiosk
    form = replace(FEE, form="Tờ khai (theo mẫu)")
    flow.procedures[FEE.code] = form
    ANSWERS["read_identity"] = dict(ANSWERS["read_identity"], date_of_birth="1995-01-01", address="12 Bình Tiên")
    try:
        to_envelope(flow, form)
    finally:
        ANSWERS["read_identity"] = {k: v for k, v in ANSWERS["read_identity"].items() if k in ("name", "id_number")}
    flow.print_form()
    printed = devices.printer.printed[-1]
    assert "TỜ KHAI (THEO MẪU)" in printed and "01/01/1995" in printed and "12 Bình Tiên" in printed
    flow.print_form()
    with pytest.raises(InputNotAllowedError):
        flow.print_form()
    assert len(devices.printer.printed) == 2 and view_of(flow)["forms_printed"] == 2
