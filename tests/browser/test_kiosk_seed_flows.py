"""The seed flows issue [14] adds to the kiosk, played by a citizen at the 1080×1920 screen in headless Chromium against
the real app: a supplement handed in for a dossier that waits for one (and refused for one that does not, or for
someone else's card), a rejected dossier given back with its notice, a result picked up by a CMND holder, and a
lock-out that says how long to wait. Every screen is checked to fit 1920 px (tests/browser/kiosk_screen.py);
screenshots go to var/screenshots/kiosk-seed-*.png."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from kiosk_edge.runtime import KioskProcess
from kiosk_edge.scenarios import CITIZEN_ID, CITIZEN_QR, DEPARTMENT, PROCEDURE, submission
from kiosk_edge.session.screens import LOCKOUT_SECONDS, OTP_TRIES
from tests.browser.kiosk_screen import keypad, on, touch
from tests.kiosk_bus_support import private_settings
from tests.kiosk_edge.live import ConsumerThread, LiveCore, kiosk_process, kiosk_settings, simulator
from tests.kiosk_support import Citizen

CMND, CMND_PHONE = "023456789", "0901000303"
ITEMS = ["Bản sao sổ hộ khẩu có chứng thực", "Tờ khai có chữ ký của người yêu cầu"]


@pytest.fixture(scope="module")
def kiosk(live_core: LiveCore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskProcess]:
    """The kiosk process for Q6-01, with the core's device-event consumer on a private stream of the shared NATS."""
    bus = private_settings()
    outbox = tmp_path_factory.mktemp("kiosk") / "outbox.sqlite3"
    with ConsumerThread(live_core, bus), kiosk_process(kiosk_settings(live_core, bus, outbox)) as process:
        yield process


def submitted(sim, phone: str) -> str:
    """A kiosk submission by the demo citizen with `phone` (each phone gets 3 codes in 15 minutes); its code."""
    steps = [
        {**step, "do": {**step["do"], "phone": phone}} if step.get("do", {}).get("action") == "phone" else step
        for step in submission()
    ]
    sim.run(steps)
    return sim.names["dossier"]


def start(page: Page, kiosk: KioskProcess, button: str) -> None:
    """From wherever the last citizen left the screen, back home (as they would), then `button`."""
    page.goto(kiosk.screen.url)
    expect(page.locator("body")).to_have_attribute("data-screen", kiosk.flow.state.screen.value)
    if kiosk.flow.state.screen.value != "home":
        touch(page, "Về trang chủ")
    on(page, "home")
    touch(page, button)


def test_a_supplement_is_handed_in_at_the_kiosk_and_refused_when_none_is_asked(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    code = submitted(sim, "0901000404")
    start(page, kiosk, "NỘP BỔ SUNG HỒ SƠ")
    on(page, "supplement_scan", "seed-01-supplement-scan")
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="supplement_scan")
    sim.press({"action": "scan_receipt", "code": code}, expect="supplement_not_awaited")
    on(page, "supplement_not_awaited", "seed-02-supplement-not-awaited")

    sim.staff["reception"].call(
        "POST", f"/dossiers/{code}/supplement-request", {"items": ITEMS, "reason": "Thiếu giấy tờ theo quy định"}
    )
    start(page, kiosk, "NỘP BỔ SUNG HỒ SƠ")
    sim.press({"action": "scan_cccd", "payload": Citizen(7).qr}, expect="supplement_scan")  # someone else's card
    sim.press({"action": "scan_receipt", "code": code}, expect="supplement_refused")
    on(page, "supplement_refused", "seed-03-supplement-refused")
    expect(page.locator("main")).to_contain_text("chưa khớp")

    start(page, kiosk, "NỘP BỔ SUNG HỒ SƠ")
    touch(page, "Không quét được? Nhập bằng bàn phím")
    on(page, "supplement_typing")
    keypad(page, "id_number", CITIZEN_ID)
    keypad(page, "code", code)
    on(page, "supplement_typing", "seed-04-supplement-typing")
    touch(page, "Tra cứu")
    on(page, "supplement_otp", "seed-05-supplement-code")
    expect(page.locator("#masked-phone")).to_have_text("090****404")
    keypad(page, "otp", live_core.sms.codes.pop("0901000404"))
    touch(page, "Xác nhận")
    on(page, "supplement_items", "seed-06-supplement-items")
    for item in ITEMS:
        expect(page.locator("#asked")).to_contain_text(item)
    due = page.locator("#new-due").inner_text()

    envelope = f"SUP{secrets.token_hex(4).upper()}"
    sim.run([{"staff": "register_envelopes", "barcodes": [envelope]}])
    sim.press({"action": "insert_envelope", "barcode": envelope}, expect="supplement_receipt")
    on(page, "supplement_receipt", "seed-07-supplement-receipt")
    assert "BIÊN NHẬN HỒ SƠ BỔ SUNG" in kiosk.devices.printer.printed[-1]
    assert envelope in kiosk.devices.intake.bin
    dossier = live_core.system.dossiers.get_dossier(code)
    assert dossier.status == "received" and f"{dossier.due_on:%d/%m/%Y}" == due
    touch(page, "Hoàn tất")
    on(page, "home")


def test_a_rejected_dossier_is_given_back_with_its_notice(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    code = submitted(sim, "0901000505")
    reason = "Bản sao giấy tờ không có bản chính để đối chiếu"
    sim.staff["reception"].call("POST", f"/dossiers/{code}/reject", {"reason": reason})
    slip = sim.staff["consultant"].call("POST", f"/kiosks/{kiosk.settings.kiosk}/loads", {"codes": [code]})
    assert [line["dossier_code"] for line in slip["loaded"]] == [code]
    assert "THÔNG BÁO TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in slip["text"] and reason in slip["text"]

    start(page, kiosk, "NHẬN KẾT QUẢ")
    touch(page, "Tôi có biên nhận")
    on(page, "pickup_receipt")
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="pickup_receipt")
    sim.press({"action": "scan_receipt", "code": code}, expect="rejected_notice")
    on(page, "rejected_notice", "seed-08-rejected-notice")
    expect(page.locator("#rejection-reason")).to_contain_text(reason)
    touch(page, "Nhận lại hồ sơ")
    on(page, "tray_open", "seed-09-rejected-tray-open")
    expect(page.locator("main")).to_contain_text("lấy lại hồ sơ gốc và thông báo từ chối")
    sim.press({"action": "close_tray"}, expect="thanks")
    on(page, "thanks")
    touch(page, "Về trang chủ")
    on(page, "home")
    dossier = live_core.system.dossiers.get_dossier(code)
    trays = live_core.system.kiosks.get_kiosk(kiosk.settings.kiosk).trays
    assert dossier.status == "rejected" and all(tray.dossier_code != code for tray in trays)


def test_a_cmnd_holder_picks_up_the_result_with_the_cmnd_the_receipt_and_a_code(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    holder = Citizen(11)
    applicant = {"id_number": holder.id_number, "name": holder.name, "phone": CMND_PHONE, "old_id_number": CMND}
    received = sim.staff["reception"].call(  # at the counter the officer notes the CMND the citizen shows
        "POST",
        "/dossiers",
        {"procedure_code": PROCEDURE, "channel": "counter", "applicant": applicant, "components": []},
    )
    code = received["code"]
    sim.return_result(code, DEPARTMENT)

    start(page, kiosk, "NHẬN KẾT QUẢ")
    on(page, "pickup_choice", "seed-10-pickup-choice")
    touch(page, "Tôi dùng CMND 9 số")
    on(page, "pickup_cmnd")
    keypad(page, "cmnd", "023456780")
    on(page, "pickup_cmnd", "seed-11-cmnd-keypad")
    touch(page, "Tiếp tục")
    on(page, "pickup_cmnd_receipt", "seed-12-cmnd-receipt")
    expect(page.locator("#cmnd-masked")).to_have_text("023****80")
    sim.press({"action": "scan_receipt", "code": code}, expect="cmnd_mismatch")
    on(page, "cmnd_mismatch", "seed-13-cmnd-mismatch")
    touch(page, "Thử lại")
    touch(page, "Sửa số CMND")
    keypad(page, "cmnd", CMND)
    touch(page, "Tiếp tục")
    keypad(page, "code", code)
    touch(page, "Gửi mã xác nhận")
    on(page, "pickup_otp", "seed-14-cmnd-code")
    expect(page.locator("#masked-phone")).to_have_text("090****303")
    keypad(page, "otp", live_core.sms.codes.pop(CMND_PHONE))
    touch(page, "Xác nhận")
    on(page, "tray_open", "seed-15-cmnd-tray-open")
    sim.press({"action": "close_tray"}, expect="rating")
    page.locator('[data-level="satisfied"]').click()
    on(page, "thanks")
    touch(page, "Về trang chủ")
    on(page, "home")
    assert live_core.system.dossiers.get_dossier(code).status == "rated"


def test_a_locked_out_citizen_is_told_how_long_to_wait_and_it_counts_down(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    code = submitted(sim, "0901000606")
    sim.return_result(code, DEPARTMENT)
    start(page, kiosk, "NHẬN KẾT QUẢ")
    touch(page, "Nhận thẻ Căn cước")
    keypad(page, "code", code)
    touch(page, "Gửi mã xác nhận")
    on(page, "pickup_otp")
    real = live_core.sms.codes.pop("0901000606")
    for attempt in range(1, OTP_TRIES + 1):
        keypad(page, "otp", "000000" if real != "000000" else "111111")
        touch(page, "Xác nhận")
        if attempt < OTP_TRIES:
            on(page, "wrong_otp")
            touch(page, "Thử lại")
    on(page, "pickup_locked", "seed-16-locked-wait")
    minutes = LOCKOUT_SECONDS // 60
    expect(page.locator("#wait")).to_contain_text(f"Vui lòng thử lại sau {minutes} phút")
    kiosk.flow.wait_until -= 120  # two minutes go by
    expect(page.locator("#wait-minutes")).to_have_text(f"{minutes - 2} phút")
    kiosk.flow.wait_until -= LOCKOUT_SECONDS
    expect(page.locator("#wait")).to_have_text("Ông/Bà có thể thử lại ngay bây giờ.")
    touch(page, "Về trang chủ")
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Nhận thẻ Căn cước")
    keypad(page, "code", code)
    touch(page, "Gửi mã xác nhận")
    on(page, "pickup_locked")  # the core still holds the lock: its own Retry-After is shown
    expect(page.locator("#wait")).to_contain_text("Vui lòng thử lại sau")
