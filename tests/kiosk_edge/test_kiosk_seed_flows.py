"""The seed flows issue [14] adds to the kiosk, in the session machine and in the flow driver: a supplement handed in
at the kiosk, a rejected dossier given back with its notice, pickup by CMND, and the wait on every lock-out screen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from application.throttling import PICKUP_DOSSIER
from domain.otp import PHONE_LIMIT
from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import KioskFlow
from kiosk_edge.outbox import Outbox
from kiosk_edge.screen.view import view_of
from kiosk_edge.session.inputs import (
    Begin,
    CardRead,
    CmndChosen,
    CmndEntered,
    NoticeRead,
    PickupChosen,
    PickupOtpSent,
    ReceiptRead,
    Refused,
    Retry,
    SupplementOtpSent,
    SupplementShown,
    SupplementTaken,
    TicketIssued,
    TrayClosed,
    TrayOpened,
    TypeInstead,
)
from kiosk_edge.session.machine import InputNotAllowedError, advance, allowed
from kiosk_edge.session.screens import LOCKOUT_SECONDS, OTP_TRIES, OTP_WINDOW_SECONDS, Flow
from kiosk_edge.session.screens import Screen as S
from tests.kiosk_edge.test_flow_and_devices import ANSWERS, FEE, ScriptedCore
from tests.kiosk_edge.test_session_machine import CODE, SessionMachine, walk

ASKED = ("Bản sao sổ hộ khẩu", "Tờ khai có chữ ký")
DAY = date(2026, 5, 21)
SUPPLEMENT_SCREENS = {
    S.SUPPLEMENT_SCAN,
    S.SUPPLEMENT_TYPING,
    S.SUPPLEMENT_OTP,
    S.SUPPLEMENT_ITEMS,
    S.SUPPLEMENT_RECEIPT,
}
MORE = [
    Begin(Flow.SUPPLEMENT),
    CardRead(),
    ReceiptRead(CODE),
    TypeInstead(),
    SupplementOtpSent(CODE, "090****101"),
    SupplementShown(ASKED, "Thiếu giấy tờ", DAY, DAY + timedelta(days=5)),
    SupplementTaken(DAY + timedelta(days=5)),
    *(Refused(screen) for screen in (S.SUPPLEMENT_NOT_AWAITED, S.SUPPLEMENT_REFUSED, S.CMND_MISMATCH, S.WRONG_OTP)),
    TicketIssued(CODE, 7, 0, False, rejected=True, reason="Sai thủ tục"),
    TicketIssued(CODE, 7, 0, True, rejected=True, reason="Sai thủ tục"),
    NoticeRead(),
    CmndChosen(),
    CmndEntered(),
    PickupOtpSent(CODE, "090****101"),
    TrayOpened(7),
    TrayClosed(),
]


class SeedFlowsMachine(SessionMachine):
    """The session machine's random walk, with the inputs of the new flows mixed in."""

    @rule(event=st.sampled_from(MORE))
    def feed_a_seed_flow_input(self, event) -> None:
        self.feed(event)

    @rule(data=st.data())
    def step_a_seed_flow_forward(self, data) -> None:
        forward = [e for e in MORE if allowed(self.state, e) and not isinstance(e, Refused)]
        if forward:
            self.feed(data.draw(st.sampled_from(forward)))

    @invariant()
    def the_seed_flows_screens_know_what_they_show(self) -> None:
        s = self.state
        if s.screen in SUPPLEMENT_SCREENS:
            assert s.flow is Flow.SUPPLEMENT
        if s.screen in (S.SUPPLEMENT_ITEMS, S.SUPPLEMENT_RECEIPT):
            assert s.asked == ASKED and s.due_on is not None and s.dossier_code == CODE
        if s.screen is S.REJECTED_NOTICE:
            assert s.rejected and s.reason and s.tray is not None and s.owed == 0
        if s.screen is S.PICKUP_CMND_RECEIPT:
            assert s.cmnd_entered and s.flow is Flow.PICKUP
        if s.screen is S.RATING:
            assert not s.rejected  # a rejected dossier given back is not rated


TestSeedFlowsMachine = SeedFlowsMachine.TestCase
TestSeedFlowsMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


def test_a_supplement_walks_from_the_card_and_receipt_to_its_receipt() -> None:
    state = walk(Begin(Flow.SUPPLEMENT), CardRead(), ReceiptRead(CODE), SupplementOtpSent(CODE, "090****101"))
    assert (state.screen, state.masked_phone, state.dossier_code) == (S.SUPPLEMENT_OTP, "090****101", CODE)
    state = walk(SupplementShown(ASKED, "Thiếu", DAY, DAY + timedelta(days=5)), start=state)
    assert (state.screen, state.asked, state.requested_on) == (S.SUPPLEMENT_ITEMS, ASKED, DAY)
    state = walk(SupplementTaken(DAY + timedelta(days=6)), start=state)
    assert (state.screen, state.due_on) == (S.SUPPLEMENT_RECEIPT, DAY + timedelta(days=6))
    typing = walk(Begin(Flow.SUPPLEMENT), TypeInstead())
    assert (
        typing.screen is S.SUPPLEMENT_TYPING
        and walk(Retry(), start=walk(Refused(S.SUPPLEMENT_REFUSED), start=typing)).screen is S.SUPPLEMENT_TYPING
    )


def test_a_supplement_refused_or_locked_says_so_and_the_lock_offers_no_retry() -> None:
    scan = walk(Begin(Flow.SUPPLEMENT))
    assert walk(Refused(S.SUPPLEMENT_NOT_AWAITED), start=scan).message.startswith("Hồ sơ này hiện không")
    state = walk(CardRead(), ReceiptRead(CODE), SupplementOtpSent(CODE), start=scan)
    for _ in range(OTP_TRIES - 1):
        state = walk(Refused(S.WRONG_OTP), Retry(), start=state)
    locked = walk(Refused(S.WRONG_OTP), start=state)
    assert locked.screen is S.SUPPLEMENT_LOCKED and not allowed(locked, Retry())


def test_a_rejected_dossier_says_why_before_its_tray_opens_and_is_not_rated() -> None:
    ticket = TicketIssued(CODE, 7, 0, False, rejected=True, reason="Bản sao không có bản chính để đối chiếu")
    state = walk(Begin(Flow.PICKUP), PickupChosen(by_otp=False), ticket)
    assert (state.screen, state.reason, state.tray) == (S.REJECTED_NOTICE, ticket.reason, 7)
    assert walk(NoticeRead(), TrayOpened(7), TrayClosed(), start=state).screen is S.THANKS
    with_face = walk(Begin(Flow.PICKUP), PickupChosen(by_otp=False), TicketIssued(CODE, 7, 0, True, True, "Sai"))
    assert walk(NoticeRead(), start=with_face).screen is S.PICKUP_FACE


def test_a_cmnd_holder_types_nine_digits_then_gives_the_receipt_then_the_code() -> None:
    state = walk(Begin(Flow.PICKUP), CmndChosen())
    assert state.screen is S.PICKUP_CMND
    with pytest.raises(InputNotAllowedError):
        advance(state, ReceiptRead(CODE))  # the CMND number comes first
    state = walk(CmndEntered(), start=state)
    assert (state.screen, state.cmnd_entered) == (S.PICKUP_CMND_RECEIPT, True)
    mismatch = walk(Refused(S.CMND_MISMATCH), start=state)
    assert walk(Retry(), CmndChosen(), start=mismatch).screen is S.PICKUP_CMND  # 'Sửa số CMND'
    assert walk(PickupOtpSent(CODE, "090****101"), start=state).screen is S.PICKUP_OTP


def test_the_kiosks_lock_out_constants_are_the_cores() -> None:
    assert PICKUP_DOSSIER.lockout.total_seconds() == LOCKOUT_SECONDS
    assert PHONE_LIMIT[1].total_seconds() == OTP_WINDOW_SECONDS


# ----- the flow driver against a scripted core -----------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kiosk(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    devices, core, clock = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90), ScriptedCore(), Clock()
    yield KioskFlow("Q6-01", core, devices, [FEE], release_wait=0.0, clock=clock), core, devices, clock
    outbox.close()


@pytest.fixture
def answers():
    extra = {
        "request_supplement_otp": {"masked_phone": "090****101"},
        "check_supplement_otp": {
            "items": list(ASKED),
            "reason": "Thiếu",
            "requested_on": "2026-05-20",
            "due_on": "2026-05-27",
            "proof": "p",
        },
        "supplement": {"due_on": "2026-05-27", "text": "BIÊN NHẬN HỒ SƠ BỔ SUNG\nMã hồ sơ: " + CODE},
        "request_pickup_otp_by_cmnd": {"masked_phone": "090****101"},
        "pickup_by_cmnd": {"dossier_code": CODE, "tray": 7, "shortfall": 0, "face_required": False, "token": "t"},
    }
    ANSWERS.update(extra)
    yield
    for name in extra:
        ANSWERS.pop(name)


def test_the_driver_takes_a_supplement_envelope_and_prints_its_receipt(kiosk, answers) -> None:
    flow, core, devices, _ = kiosk
    flow.begin("supplement")
    flow.card_scanned("079195000101||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên|01072021")
    flow.receipt_scanned(CODE.lower())
    assert view_of(flow)["screen"] == "supplement_otp" and view_of(flow)["masked_phone"] == "090****101"
    flow.supplement_otp("123456")
    shown = view_of(flow)
    assert (shown["screen"], shown["asked"], shown["requested_on"], shown["due_on"]) == (
        "supplement_items",
        list(ASKED),
        "20/05/2026",
        "27/05/2026",
    )
    core.fail["supplement"] = CoreRefusal(422, "envelope_rejected", "…")
    flow.envelope_inserted("Q6PB000009")
    assert view_of(flow)["screen"] == "unknown_envelope" and devices.intake.returned == 1
    flow.retry()
    flow.envelope_inserted("Q6PB000010")
    assert view_of(flow)["screen"] == "supplement_receipt" and devices.intake.bin == ["Q6PB000010"]
    assert "BIÊN NHẬN HỒ SƠ BỔ SUNG" in devices.printer.printed[-1]
    assert core.calls[-1] == "supplement"


def test_the_driver_maps_the_cores_supplement_refusals_to_their_screens(kiosk, answers) -> None:
    flow, core, _, _ = kiosk
    for code, screen in [
        ("supplement_not_requested", "supplement_not_awaited"),
        ("supplement_refused", "supplement_refused"),
        ("supplement_locked", "supplement_locked"),
    ]:
        flow.begin("supplement")
        flow.type_instead()
        core.fail["request_supplement_otp"] = CoreRefusal(409, code, "…", retry_after=300 if "locked" in code else None)
        flow.supplement_typed("079195000101", CODE)
        assert view_of(flow)["screen"] == screen
        flow.cancel()


def test_a_cmnd_pickup_asks_the_core_with_the_cmnd_and_the_code_then_opens_the_tray(kiosk, answers) -> None:
    flow, core, devices, _ = kiosk
    flow.begin("pickup")
    flow.choose_cmnd()
    with pytest.raises(ValueError):
        flow.enter_cmnd("12345678")
    flow.enter_cmnd("023456789")
    assert view_of(flow)["cmnd_masked"] == "023****89"
    core.fail["request_pickup_otp_by_cmnd"] = CoreRefusal(409, "pickup_refused", "…")
    flow.cmnd_code(CODE)
    assert view_of(flow)["screen"] == "cmnd_mismatch"
    flow.retry()
    flow.receipt_scanned(CODE)
    assert view_of(flow)["screen"] == "pickup_otp"
    flow.enter_pickup_otp("123456")
    assert view_of(flow)["screen"] == "tray_open" and devices.trays.is_open(7)
    assert core.calls[-2:] == ["pickup_by_cmnd", "release"]
    assert flow.citizen.method == "cmnd_and_receipt"


def test_a_rejected_dossier_shows_its_reason_and_opens_on_the_citizens_word(kiosk, answers) -> None:
    flow, core, devices, _ = kiosk
    ANSWERS["pickup_by_receipt"] = ANSWERS["pickup_by_receipt"] | {"rejected": True, "reason": "Sai thủ tục"}
    try:
        flow.begin("pickup")
        flow.choose_pickup(False)
        flow.pickup_by_receipt("079195000101", CODE)
        shown = view_of(flow)
        assert (shown["screen"], shown["reason"], shown["rejected"]) == ("rejected_notice", "Sai thủ tục", True)
        assert "release" not in core.calls and not devices.trays.is_open(7)
        flow.notice_read()
        assert view_of(flow)["screen"] == "tray_open" and devices.trays.is_open(7)
        flow.tray_closed()
        assert view_of(flow)["screen"] == "thanks"
    finally:
        ANSWERS["pickup_by_receipt"] = {
            k: v for k, v in ANSWERS["pickup_by_receipt"].items() if k not in ("rejected", "reason")
        }


def test_a_lock_out_says_how_long_to_wait_and_counts_down(kiosk, answers) -> None:
    flow, core, _, clock = kiosk
    flow.begin("pickup")
    flow.choose_pickup(True)
    core.fail["send_pickup_otp"] = CoreRefusal(429, "pickup_locked", "…", retry_after=1800)
    flow.request_pickup_otp(CODE)
    assert view_of(flow)["screen"] == "pickup_locked" and view_of(flow)["wait_left"] == 1800
    clock.now += 61
    assert view_of(flow)["wait_left"] == 1739
    flow.cancel()
    assert view_of(flow)["wait_left"] == 0

    flow.begin("pickup")  # the fifth wrong code locks the dossier for the core's first lockout
    flow.choose_pickup(True)
    flow.request_pickup_otp(CODE)
    for _ in range(OTP_TRIES):
        core.fail["pickup_by_otp"] = CoreRefusal(409, "otp_wrong", "…")
        flow.enter_pickup_otp("000000")
        if view_of(flow)["screen"] == "wrong_otp":
            flow.retry()
    assert view_of(flow)["screen"] == "pickup_locked" and view_of(flow)["wait_left"] == LOCKOUT_SECONDS


def test_a_locked_submission_code_with_no_new_code_left_waits_for_the_phones_window(kiosk) -> None:
    flow, core, _, clock = kiosk
    flow.begin("submit")
    flow.choose_procedure(FEE.code)
    flow.cccd_scanned("079195000101||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên|01072021")
    flow.enter_phone("0901000101")
    for _ in range(2):  # the other two codes of the window
        clock.now += 60
        for _ in range(OTP_TRIES):
            core.fail["verify_otp"] = CoreRefusal(409, "otp_wrong", "…")
            flow.enter_otp("000000")
            if view_of(flow)["screen"] == "wrong_otp":
                flow.retry()
        assert view_of(flow)["screen"] == "otp_locked" and view_of(flow)["wait_left"] == 0  # a new code at once
        flow.resend_otp()
    clock.now += 60
    for _ in range(OTP_TRIES):
        core.fail["verify_otp"] = CoreRefusal(409, "otp_wrong", "…")
        flow.enter_otp("000000")
        if view_of(flow)["screen"] == "wrong_otp":
            flow.retry()
    assert view_of(flow)["screen"] == "otp_locked" and view_of(flow)["resends_left"] == 0
    assert view_of(flow)["wait_left"] == OTP_WINDOW_SECONDS - 180  # 15 minutes from the first code
