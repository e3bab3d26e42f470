"""The flow driver with the simulated devices and a scripted core: refusals, the offline mode, what devices record."""

from __future__ import annotations

import sqlite3

import pytest

from domain.kiosk_wire import decode_device_event
from kiosk_edge.core_client import CoreRefusal, CoreUnreachableError
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.ports import DeviceFaultError, RefusedNoteError
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import KioskFlow
from kiosk_edge.outbox import Outbox
from kiosk_edge.screen.view import view_of
from kiosk_edge.session.inputs import Procedure
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.wording import EXCESS_REFUND

FEE = Procedure("2.000815.000.00.00.H29", "Chứng thực bản sao", 2_000, face_required=False)
FACE = Procedure("1.001193.000.00.00.H29", "Đăng ký khai sinh", 0, face_required=True)
CODE = "H29.06-260520-0001"


class ScriptedCore:
    """Answers like the core; `fail` maps a method name to the error it raises next."""

    def __init__(self) -> None:
        self.fail: dict[str, Exception] = {}
        self.calls: list[str] = []
        self.last: dict[str, dict] = {}  # the keyword arguments of each method's last call

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            self.calls.append(name)
            self.last[name] = kwargs
            if name in self.fail:
                raise self.fail.pop(name)
            return ANSWERS.get(name)

        return call


ANSWERS = {
    "read_identity": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "079195000101"},
    "verify_otp": "proof",
    "submit": {"dossier_code": CODE, "fee": 2_000, "due_on": "2026-05-21"},
    "pickup_by_receipt": {"dossier_code": CODE, "tray": 7, "shortfall": 0, "face_required": False, "token": "t"},
    "release": {"dossier_code": CODE, "tray": 7},
}


@pytest.fixture
def kiosk(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    devices = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90, faulty=frozenset({13}))
    core = ScriptedCore()
    yield KioskFlow("Q6-01", core, devices, [FEE, FACE], release_wait=0.0), core, devices, tmp_path / "outbox.sqlite3"
    outbox.close()


def stored_types(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [
            decode_device_event(bytes(p)).__struct_config__.tag
            for (p,) in db.execute("SELECT payload FROM outbox_events ORDER BY seq")
        ]


def to_envelope(flow: KioskFlow, procedure: Procedure = FEE) -> None:
    flow.begin("submit")
    flow.choose_procedure(procedure.code)
    flow.cccd_scanned("079195000101||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên|01072021")
    flow.enter_phone("0901000101")
    flow.enter_otp("123456")


def test_a_submission_prints_the_receipt_from_the_kiosks_own_count_and_records_each_device_event(kiosk) -> None:
    flow, core, devices, path = kiosk
    to_envelope(flow)
    flow.envelope_inserted("Q6PB000001")
    assert view_of(flow)["screen"] == "payment" and devices.intake.bin == ["Q6PB000001"]
    flow.cash_inserted(1_000, 3)  # more than owed: held in escrow until the citizen says so (no change is given)
    assert view_of(flow)["screen"] == "cash_confirm" and view_of(flow)["held"] == 3_000
    assert stored_types(path) == ["envelope_scanned", "envelope_accepted"]
    flow.keep_note()
    assert view_of(flow)["screen"] == "receipt" and view_of(flow)["excess"] == 1_000
    assert "Nộp thừa: 1.000 đồng" in devices.printer.printed[-1] and "21/05/2026" in devices.printer.printed[-1]
    assert EXCESS_REFUND in devices.printer.printed[-1].replace("\n", " ")
    assert stored_types(path) == ["envelope_scanned", "envelope_accepted", "cash_inserted", "receipt_printed"]
    flow.finish()
    assert view_of(flow)["name"] is None  # the citizen's data is gone with the session


@pytest.mark.parametrize(
    ("method", "code", "screen"),
    [("submit", "envelope_rejected", "unknown_envelope"), ("submit", "proof_invalid", "submission_refused")],
)
def test_a_refused_envelope_is_pushed_back_out_and_nothing_is_received(kiosk, method, code, screen) -> None:
    flow, core, devices, path = kiosk
    to_envelope(flow)
    core.fail[method] = CoreRefusal(422, code, "…")
    flow.envelope_inserted("Q6PB000001")
    assert view_of(flow)["screen"] == screen and devices.intake.bin == [] and devices.intake.returned == 1
    assert stored_types(path) == ["envelope_scanned", "envelope_ejected"]
    assert core.calls[-1:] == ["submit"] and "check_envelope" not in core.calls  # one round trip decides


def test_an_envelope_is_decided_by_one_request_to_the_core(kiosk) -> None:
    flow, core, devices, _ = kiosk
    to_envelope(flow)
    before = len(core.calls)
    flow.envelope_inserted("Q6PB000001")
    assert core.calls[before:] == ["submit"] and devices.intake.bin == ["Q6PB000001"]


def test_an_unreadable_barcode_is_ejected_without_asking_the_core(kiosk) -> None:
    flow, core, devices, path = kiosk
    to_envelope(flow)
    flow.envelope_inserted("not ours!")
    assert view_of(flow)["screen"] == "unknown_envelope" and "submit" not in core.calls
    assert stored_types(path) == ["envelope_ejected"]


def test_refusals_of_the_core_become_their_named_screens(kiosk) -> None:
    flow, core, devices, _ = kiosk
    flow.begin("submit")
    flow.choose_procedure(FACE.code)
    core.fail["read_identity"] = CoreRefusal(422, "invalid_cccd_qr", "…")
    flow.cccd_scanned("garbage")
    assert view_of(flow)["screen"] == "bad_qr"
    flow.retry()
    flow.cccd_scanned("079195000101||…")
    core.fail["send_otp"] = CoreRefusal(429, "otp_rate_limited", "…")
    flow.enter_phone("0901000101")
    assert view_of(flow)["screen"] == "otp_limit"
    flow.retry()
    flow.enter_phone("0901000101")
    core.fail["verify_otp"] = CoreRefusal(403, "otp_wrong", "…")
    flow.enter_otp("000000")
    assert view_of(flow)["screen"] == "wrong_otp"
    flow.retry()
    flow.enter_otp("123456")
    devices.camera.present(False)
    flow.face_presented()
    assert view_of(flow)["screen"] == "face_mismatch"
    assert stored_types(kiosk[3]) == ["face_verified"]


def test_without_the_core_the_session_goes_offline_but_cash_is_still_taken(kiosk) -> None:
    flow, core, devices, _ = kiosk
    to_envelope(flow)
    flow.envelope_inserted("Q6PB000001")
    core.fail["pay_by_qr"] = CoreUnreachableError("URLError")
    flow.qr_confirmed(2_000, "VCB-1")
    assert view_of(flow)["screen"] == "payment" and view_of(flow)["offline"]
    with pytest.raises(InputNotAllowedError):
        flow.qr_confirmed(2_000, "VCB-2")
    flow.cash_inserted(2_000)
    assert view_of(flow)["screen"] == "receipt"
    flow.finish()
    core.fail["health"] = CoreUnreachableError("URLError")
    flow.begin("pickup")
    assert view_of(flow)["screen"] == "offline" and "mất kết nối" in view_of(flow)["message"]


def test_a_pickup_waits_for_the_payment_and_a_jammed_door_is_a_refusal(kiosk) -> None:
    flow, core, devices, _ = kiosk
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    core.fail["release"] = CoreRefusal(409, "payment_outstanding", "…")
    flow.pickup_by_receipt("079195000101", CODE)
    assert view_of(flow)["screen"] == "payment_pending"
    flow.retry()
    assert view_of(flow)["screen"] == "tray_open" and devices.trays.is_open(7)
    flow.tray_closed()
    core.fail["rate"] = CoreUnreachableError("URLError")
    flow.rate(5)  # a rating the core cannot take is dropped, never blocks the citizen
    assert view_of(flow)["screen"] == "thanks"
    with pytest.raises(DeviceFaultError):
        devices.trays.open(13)


def test_the_cash_acceptor_refuses_what_is_not_a_banknote_and_records_nothing(kiosk) -> None:
    flow, _, devices, path = kiosk
    to_envelope(flow)
    flow.envelope_inserted("Q6PB000001")
    with pytest.raises(RefusedNoteError):
        flow.cash_inserted(3_000)
    assert view_of(flow)["paid"] == 0 and stored_types(path) == ["envelope_scanned", "envelope_accepted"]


def test_an_input_the_screen_does_not_take_touches_no_device(kiosk) -> None:
    flow, core, devices, path = kiosk
    with pytest.raises(InputNotAllowedError):
        flow.envelope_inserted("Q6PB000001")
    flow.begin("submit")
    with pytest.raises(ValueError, match="not offered"):
        flow.choose_procedure("9.999999.000.00.00.H29")
    assert view_of(flow)["screen"] == "procedures"
    assert stored_types(path) == [] and devices.intake.slot is None


def test_a_locked_pickup_shows_its_own_screen_not_a_wrong_entry(kiosk) -> None:
    flow, core, _, _ = kiosk
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    core.fail["pickup_by_receipt"] = CoreRefusal(429, "pickup_locked", "…")
    flow.pickup_by_receipt("079195000101", CODE)
    assert view_of(flow)["screen"] == "pickup_locked" and "tạm khóa" in view_of(flow)["message"]


def test_the_channel_chosen_on_the_phone_screen_goes_with_the_submission(kiosk) -> None:
    flow, core, _, _ = kiosk
    flow.begin("submit")
    flow.choose_procedure(FEE.code)
    flow.cccd_scanned("079195000101||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên|01072021")
    flow.enter_phone("0901000101", "zalo")
    flow.enter_otp("123456")
    flow.envelope_inserted("Q6PB000001")
    assert core.last["submit"]["channels"] == ["zalo"]  # without a choice the phone screen sends "sms"
