"""[14] The flow driver of the ID-card return registration and the online corner, against a scripted core and the
simulated devices: what is sent to the core, printed, and dropped at the end of the session."""

from __future__ import annotations

import pytest

from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import KioskFlow
from kiosk_edge.outbox import Outbox
from kiosk_edge.screen.view import view_of
from kiosk_edge.session.machine import InputNotAllowedError
from tests.kiosk_edge.test_flow_and_devices import ANSWERS, FEE, ScriptedCore

QR = "079195000101||Nguyễn Thị Hồng Nhung|01011995|Nữ|12 Bình Tiên|01072021"
CARD = "2.001195.000.00.00.H29"
SLIP = "H29.06.CA-260520-0001"
PORTAL = "000.00.13.H29-260520-0001"


class CornerCore(ScriptedCore):
    """The scripted core with the answers of the [14] routes; records the bodies sent."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: dict[str, dict] = {}

    def card_procedures(self):
        return [{"code": CARD, "name": "Cấp đổi thẻ căn cước (thực hiện tại cấp tỉnh)"}]

    def register_card_return(self, **body):
        self.bodies["register"] = body
        if "register" in self.fail:
            raise self.fail.pop("register")
        return {"dossier_code": SLIP, "text": f"PHIẾU ĐĂNG KÝ\nMã hồ sơ: {SLIP}", "masked_phone": "090****101"}

    def submit_online(self, **body):
        self.bodies["online"] = body
        if "online" in self.fail:
            raise self.fail.pop("online")
        return {"portal_code": PORTAL, "dossier_code": "H29.06.1-260520-0009", "fee": 2_000}

    def pay_by_qr(self, code, amount, reference):
        self.bodies["paid"] = {"code": code, "amount": amount}
        return {"dossier_code": code}


@pytest.fixture
def kiosk(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    devices = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90)
    core = CornerCore()
    yield KioskFlow("Q6-01", core, devices, [FEE], release_wait=0.0), core, devices
    outbox.close()


def test_a_card_return_is_registered_with_the_scanned_card_and_its_slip_printed_with_the_code_as_qr(kiosk) -> None:
    flow, core, devices = kiosk
    flow.begin("card_return")
    assert [p["code"] for p in view_of(flow)["card_procedures"]] == [CARD]
    with pytest.raises(ValueError):
        flow.choose_card("2.000815.000.00.00.H29")  # a district procedure is no card return
    flow.choose_card(CARD)
    flow.cccd_scanned(QR)
    flow.enter_phone("0901000101")
    flow.enter_otp("123456")
    assert view_of(flow)["screen"] == "card_slip" and view_of(flow)["dossier_code"] == SLIP
    assert core.bodies["register"] == {
        "procedure_code": CARD,
        "phone": "0901000101",
        "phone_proof": ANSWERS["verify_otp"],
        "qr_payload": QR,
        "id_number": None,
        "cmnd": None,
        "name": None,
    }
    assert devices.printer.printed[-1].startswith("PHIẾU ĐĂNG KÝ") and flow.last_receipt == SLIP
    flow.finish()
    assert flow.citizen.qr_payload == "" and view_of(flow)["screen"] == "home"


def test_a_card_holder_who_cannot_scan_registers_with_the_typed_number_and_name(kiosk) -> None:
    flow, core, _ = kiosk
    flow.begin("card_return")
    flow.choose_card(CARD)
    flow.type_card_instead()
    with pytest.raises(ValueError):
        flow.card_typed("07919500010", "Nhung")  # eleven digits
    flow.card_typed("079195000101", "Nguyễn Thị Hồng Nhung")
    flow.enter_phone("0901000101")
    core.fail["register"] = CoreRefusal(422, "invalid_value", "Số định danh không hợp lệ")
    flow.enter_otp("123456")
    assert view_of(flow)["screen"] == "card_return_refused" and "Căn cước" in view_of(flow)["message"]
    assert core.bodies["register"]["id_number"] == "079195000101" and core.bodies["register"]["qr_payload"] is None
    assert core.bodies["register"]["cmnd"] is None


def test_a_holder_of_only_a_cmnd_registers_with_the_nine_digits_and_is_shown_them_masked(kiosk) -> None:
    flow, core, _ = kiosk
    flow.begin("card_return")
    flow.choose_card(CARD)
    flow.type_card_instead()
    for wrong in ("02345678", "0234567890", "023456789"):  # eight, ten digits; nine without a name
        with pytest.raises(ValueError):
            flow.card_typed(wrong, "" if wrong == "023456789" else "Trần Văn Sáu")
    flow.card_typed("023456789", "Trần Văn Sáu")
    assert view_of(flow)["cmnd_masked"] == "023****89" and view_of(flow)["id_masked"] is None
    flow.enter_phone("0901000101")
    flow.enter_otp("123456")
    body = core.bodies["register"]
    assert (body["cmnd"], body["id_number"], body["qr_payload"], body["name"]) == (
        "023456789",
        None,
        None,
        "Trần Văn Sáu",
    )
    assert view_of(flow)["screen"] == "card_slip" and view_of(flow)["cmnd_masked"] == "023****89"
    flow.finish()
    assert flow.citizen.cmnd == "" and view_of(flow)["cmnd_masked"] is None


def test_the_online_corner_sends_the_scans_and_the_form_pays_by_vietqr_and_prints_the_portal_code(kiosk) -> None:
    flow, core, devices = kiosk
    flow.begin("online")
    flow.choose_procedure(FEE.code)
    flow.cccd_scanned(QR)
    flow.enter_phone("0901000101")
    flow.enter_otp("123456")
    with pytest.raises(InputNotAllowedError):
        flow.scan_done()  # nothing scanned yet
    flow.page_scanned()
    flow.page_scanned()
    flow.scan_done()
    core.fail["online"] = CoreRefusal(409, "portal_unavailable", "Cổng chưa phản hồi")
    flow.send_to_portal({"delivery": " kiosk ", "other": "x"})
    assert view_of(flow)["screen"] == "portal_refused" and view_of(flow)["pages"] == 2
    flow.retry()
    flow.send_to_portal({"delivery": "kiosk"})
    assert core.bodies["online"]["pages"] == 2 and core.bodies["online"]["form"] == {"delivery": "kiosk"}
    assert devices.scanner.pages == []  # sent: the scans leave the kiosk's memory
    state = view_of(flow)
    assert (state["screen"], state["portal_code"], state["shortfall"]) == ("online_payment", PORTAL, 2_000)
    assert state["vietqr"]["reference"] == "H29.06.1-260520-0009"
    flow.paid_online(2_000, "FT123")
    assert view_of(flow)["screen"] == "online_done" and core.bodies["paid"]["amount"] == 2_000
    flow.print_portal_code()
    assert PORTAL in devices.printer.printed[-1]


def test_scanned_pages_are_dropped_when_the_citizen_walks_away(kiosk) -> None:
    flow, _, devices = kiosk
    flow.begin("online")
    flow.choose_procedure(FEE.code)
    flow.cccd_scanned(QR)
    flow.enter_phone("0901000101")
    flow.enter_otp("123456")
    flow.page_scanned()
    assert len(devices.scanner.pages) == 1
    flow.cancel()
    assert devices.scanner.pages == [] and devices.scanner.scanned == 1
