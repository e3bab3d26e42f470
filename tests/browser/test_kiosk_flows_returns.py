"""[14] item 4 part B at the kiosk's 1080×1920 screen in headless Chromium, against the real app: an ID card's return
registered at the kiosk, recorded by the police under their own code, loaded and picked up by code and OTP (and
counted in the report's ID-card figure), and one returned to a holder of only a CMND (picked up by CMND, slip and
code); the online corner from the scanner to the portal's code, paid by VietQR.
A high-legal-value result received at the counter reaches a tray only with a face enrolled at the counter.
Every screen is checked to fit 1920 px with the help footer in view; screenshots go to var/screenshots/kiosk-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from infrastructure.faces import CounterFaces
from kiosk_edge.auth import staff_auth
from kiosk_edge.core_client import CoreClient, CoreRefusal
from kiosk_edge.runtime import KioskProcess
from kiosk_edge.scenarios import CITIZEN_ID, CITIZEN_QR, DEPARTMENT, PHONE, PROCEDURE
from kiosk_edge.vietqr import parse
from tests.browser.kiosk_screen import keypad, on, one_line, symbols_in, touch
from tests.kiosk_bus_support import private_settings
from tests.kiosk_edge.live import ConsumerThread, LiveCore, kiosk_process, kiosk_settings, simulator, wait_for

CARD = "2.001195.000.00.00.H29"
POLICE_CODE = "CA-Q6/2026 000123"


@pytest.fixture(scope="module")
def kiosk(live_core: LiveCore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskProcess]:
    bus = private_settings()
    outbox = tmp_path_factory.mktemp("kiosk-flows") / "outbox.sqlite3"
    with ConsumerThread(live_core, bus), kiosk_process(kiosk_settings(live_core, bus, outbox)) as process:
        yield process


def staff(live_core: LiveCore, login: str) -> CoreClient:
    return CoreClient(live_core.url, "Q6-01", staff_auth(live_core.url, login, f"demo-{login}"))


def type_code(page: Page, code: str) -> None:
    """A police dossier code on the keypad: "CA" is one key."""
    page.locator("#code").click()
    for key in re.findall(r"CA|.", code):
        page.locator(f'[data-key="{key}"]').first.click()


def verify_phone(page: Page, live_core: LiveCore, phone: str = PHONE) -> None:
    keypad(page, "phone", phone)
    touch(page, "Gửi mã xác nhận")
    on(page, "otp")
    keypad(page, "otp", live_core.sms.codes.pop(phone))
    touch(page, "Xác nhận")


def cards_via_kiosk(analyst: CoreClient) -> int:
    return int(analyst.call("GET", "/views/reports/month")["totals"]["cccd_via_kiosk"])


def test_an_id_card_is_registered_at_the_kiosk_recorded_by_the_police_loaded_and_picked_up(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim, analyst = kiosk_page, simulator(live_core, kiosk), staff(live_core, "phantich")
    counted = cards_via_kiosk(analyst)
    page.goto(kiosk.screen.url)
    on(page, "home", "card-01-home")
    touch(page, "ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC")
    on(page, "card_procedures", "card-02-procedures")
    assert page.locator('[data-action="card_procedure"]').count() == 3
    page.locator(f'[data-code="{CARD}"]').click()
    on(page, "scan_cccd", "card-03-scan")
    expect(page.get_by_role("button", name="Không quét được thẻ? Nhập số Căn cước")).to_be_visible()
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="phone")
    on(page, "phone")
    verify_phone(page, live_core)
    on(page, "card_slip", "card-04-slip")
    code = kiosk.flow.state.dossier_code
    assert code and code.startswith("H29.06.CA-")
    one_line(page, "#card-code")
    assert f"Mã hồ sơ: {code}" in kiosk.devices.printer.printed[-1]
    touch(page, "Hoàn tất")
    on(page, "home")

    police, team = staff(live_core, "congan"), sim.staff["consultant"]
    refused = team.call("POST", "/kiosks/Q6-01/loads", {"codes": [code]})  # the card has not come yet
    assert refused["loaded"] == [] and code in refused["refused"]
    police.call("POST", f"/dossiers/{code}/police-card", {"police_code": POLICE_CODE})
    assert live_core.system.dossiers.get_dossier(code).status == "result_issued"
    assert team.call("POST", "/kiosks/Q6-01/loads", {"codes": [code]})["loaded"][0]["dossier_code"] == code

    page.goto(page.url)
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Nhận thẻ Căn cước")
    on(page, "pickup_code")
    type_code(page, code)
    on(page, "pickup_code", "card-05-code-typed")
    touch(page, "Gửi mã xác nhận")
    on(page, "pickup_otp")
    keypad(page, "otp", live_core.sms.codes.pop(PHONE))
    touch(page, "Xác nhận")
    on(page, "tray_open", "card-06-tray-open")
    sim.press({"action": "close_tray"}, expect="rating")
    touch(page, "Rất hài lòng")
    on(page, "thanks")
    assert live_core.system.dossiers.get_dossier(code).status in ("delivered", "rated")
    wait_for(lambda: cards_via_kiosk(analyst) == counted + 1, "the ID card returned via the kiosk in the report")


CMND, CMND_PHONE = "023456789", "0901000707"


def test_an_id_card_is_returned_to_a_holder_of_only_a_cmnd_by_the_cmnd_the_slip_and_a_code(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    page.goto(kiosk.screen.url)
    touch(page, "ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC")
    page.locator(f'[data-code="{CARD}"]').click()
    on(page, "scan_cccd")
    touch(page, "Không quét được thẻ? Nhập số Căn cước")
    on(page, "card_typing", "cmnd-card-01-typing")
    keypad(page, "id_number", CMND)
    page.locator("#name").fill("Trần Văn Sáu")
    touch(page, "Tiếp tục")
    on(page, "phone", "cmnd-card-02-phone")
    expect(page.locator("#identity-cmnd")).to_have_text("023****89")
    verify_phone(page, live_core, CMND_PHONE)
    on(page, "card_slip", "cmnd-card-03-slip")
    expect(page.locator("#slip-cmnd")).to_have_text("023****89")
    code = kiosk.flow.state.dossier_code
    assert code and "Tôi dùng CMND 9 số" in kiosk.devices.printer.printed[-1]
    applicant = live_core.system.dossiers.applicant_of(code)
    assert (applicant.id_number, applicant.old_id_number) == ("", CMND)
    touch(page, "Hoàn tất")
    on(page, "home")

    staff(live_core, "congan").call("POST", f"/dossiers/{code}/police-card", {"police_code": "CA-Q6/2026 000456"})
    assert sim.staff["consultant"].call("POST", "/kiosks/Q6-01/loads", {"codes": [code]})["loaded"]

    page.goto(page.url)
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Tôi dùng CMND 9 số")
    on(page, "pickup_cmnd")
    keypad(page, "cmnd", CMND)
    touch(page, "Tiếp tục")
    on(page, "pickup_cmnd_receipt", "cmnd-card-04-slip-scan")
    sim.press({"action": "scan_receipt", "code": code}, expect="pickup_otp")  # the slip's QR
    on(page, "pickup_otp", "cmnd-card-05-code")
    expect(page.locator("#masked-phone")).to_have_text("090****707")
    keypad(page, "otp", live_core.sms.codes.pop(CMND_PHONE))
    touch(page, "Xác nhận")
    on(page, "tray_open", "cmnd-card-06-tray-open")
    sim.press({"action": "close_tray"}, expect="rating")
    touch(page, "Hài lòng")
    on(page, "thanks")
    assert live_core.system.dossiers.get_dossier(code).status in ("delivered", "rated")


def test_the_online_corner_scans_fills_the_portal_form_pays_by_vietqr_and_keeps_the_portal_code(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    page.goto(kiosk.screen.url)
    touch(page, "NỘP TRỰC TUYẾN")
    on(page, "procedures", "online-01-procedures")
    page.locator("#search").click()
    for letter in "CHUNG THUC":
        page.locator(f'.letters [data-key="{letter}"]').click()
    page.locator(f'[data-code="{PROCEDURE}"]').click()
    on(page, "scan_cccd")
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="phone")
    verify_phone(page, live_core)
    on(page, "scan_docs", "online-02-scan")
    expect(page.get_by_role("button", name=re.compile("Đã quét xong"))).to_be_disabled()
    sim.press({"action": "scan_page"}, expect="scan_docs")
    sim.press({"action": "scan_page"}, expect="scan_docs")
    expect(page.locator("#pages")).to_have_text("2")
    touch(page, "Đã quét xong")
    on(page, "portal_form", "online-03-portal-form")
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Hồng Nhung")
    touch(page, "Nhận tại kiosk này")
    on(page, "online_payment", "online-04-payment")
    portal = kiosk.flow.state.portal_code
    code = kiosk.flow.state.dossier_code
    assert portal and re.fullmatch(r"000\.00\.13\.H29-\d{6}-\d{4}", portal)
    (shown,) = symbols_in(page, "#vietqr")
    assert (parse(shown)["amount"], parse(shown)["reference"]) == ("2000", code)
    sim.press({"action": "bank_qr", "amount": 2_000, "reference": "FT26000001"}, expect="online_done")
    on(page, "online_done", "online-05-done")
    one_line(page, "#portal-code")
    touch(page, "In mã hồ sơ")
    expect(page.locator("body")).to_have_attribute("data-screen", "online_done")
    wait_for(lambda: portal in kiosk.devices.printer.printed[-1], "the portal code on paper")
    dossier = live_core.system.dossiers.get_dossier(code)
    assert (dossier.channel, dossier.status, dossier.paid) == ("online", "registered", 2_000)
    touch(page, "Hoàn tất")
    on(page, "home")


FOREIGN_BIRTH = "2.000528.000.00.00.H29"  # khai sinh có yếu tố nước ngoài: high legal value, Phòng Tư pháp


def counter_dossier(reception: CoreClient) -> str:
    applicant = {"id_number": CITIZEN_ID, "name": "Nguyễn Thị Hồng Nhung", "phone": PHONE}
    body = {"procedure_code": FOREIGN_BIRTH, "channel": "counter", "applicant": applicant, "components": []}
    return str(reception.call("POST", "/dossiers", body)["code"])


def test_a_high_legal_value_counter_result_reaches_a_tray_only_with_a_face_enrolled_at_the_counter(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    reception, team = sim.staff["reception"], sim.staff["consultant"]
    without, with_face = counter_dossier(reception), counter_dossier(reception)
    # The demo core has no face model: the counter is told so; a stand-in embedder plays the insightface adapter.
    with pytest.raises(CoreRefusal) as no_model:
        reception.call("POST", f"/dossiers/{with_face}/face-template", {"image": "aGVsbG8="})
    assert no_model.value.code == "face_image_refused" and "mô hình" in no_model.value.message
    live_core.system.card_returns.faces = CounterFaces(lambda image: ([0.1] * 16, "demo-model"))
    reception.call("POST", f"/dossiers/{with_face}/face-template", {"image": "aGVsbG8="})
    sim.return_result(without, DEPARTMENT)
    sim.return_result(with_face, DEPARTMENT)
    refused = team.call("POST", "/kiosks/Q6-01/loads", {"codes": [without]})["refused"][without]
    assert refused.startswith("Hồ sơ chưa có mẫu khuôn mặt")
    assert live_core.system.dossiers.get_dossier(with_face).status == "in_tray"

    page.goto(kiosk.screen.url)
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Tôi có biên nhận")
    on(page, "pickup_receipt")  # the touch is handled before the scan (CI scanned while still on pickup_choice)
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="pickup_receipt")
    sim.press({"action": "scan_receipt", "code": with_face}, expect="pickup_face")
    on(page, "pickup_face", "face-01-pickup-face")
    touch(page, "Bắt đầu xác thực")
    on(page, "tray_open", "face-02-tray-open")
    sim.press({"action": "close_tray"}, expect="rating")
    assert live_core.system.dossiers.get_dossier(with_face).status == "delivered"
