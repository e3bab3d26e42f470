"""A citizen at the kiosk's 1080×1920 screen in headless Chromium: a submission found by search, with refusals on the
way, a note too large (no change is given), a VietQR the kiosk's own reader decodes; a pickup by scanning the card and
the receipt with a shortfall to pay; the police-card path with the masked phone, a new code and the lock-out; the
offline screen. Every screen is checked to fit 1920 px with the help footer in view (tests/browser/kiosk_screen.py).
The kiosk process runs in-process against the real app; device readings come from the simulator. Screenshots of every
screen go to var/screenshots/kiosk-*.png."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kiosk_edge.runtime import KioskProcess
from kiosk_edge.scenarios import CITIZEN_ID, CITIZEN_QR, DEPARTMENT, PHONE, PROCEDURE, submission
from kiosk_edge.session.screens import OTP_TRIES, RESEND_AFTER
from kiosk_edge.vietqr import parse
from tests.browser.kiosk_screen import keypad, keys, on, one_line, symbols_in, touch
from tests.kiosk_bus_support import private_settings
from tests.kiosk_edge.live import ConsumerThread, LiveCore, kiosk_process, kiosk_settings, simulator, wait_for

OTHER_PHONE = "0901000202"
PHONE_ORDER = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "✓"]


@pytest.fixture(scope="module")
def kiosk(live_core: LiveCore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskProcess]:
    """The kiosk process for Q6-01, with the core's device-event consumer on a private stream of the shared NATS."""
    bus = private_settings()
    outbox = tmp_path_factory.mktemp("kiosk") / "outbox.sqlite3"
    with ConsumerThread(live_core, bus), kiosk_process(kiosk_settings(live_core, bus, outbox)) as process:
        yield process


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_citizen_submits_then_picks_up_the_result_paying_the_shortfall(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    page.goto(kiosk.screen.url)
    on(page, "home", "01-home")
    touch(page, "NỘP HỒ SƠ")
    on(page, "procedures", "02-procedures")
    expect(page.locator(".chip.on")).to_have_text("Thường dùng")
    page.locator("#search").click()
    for letter in "CHUNG THUC":
        page.locator(f'.letters [data-key="{letter}"]').click()
    expect(page.locator("#list .choice").first).to_contain_text("Chứng thực")
    on(page, "procedures", "02b-procedure-search")
    page.locator(f'[data-code="{PROCEDURE}"]').click()
    on(page, "scan_cccd", "03-scan-cccd")
    sim.press({"action": "scan_cccd", "payload": "079195000101|Nguyễn Thị Hồng Nhung"})
    on(page, "bad_qr", "04-bad-qr")
    expect(page.get_by_text("Không đọc được mã QR")).to_be_visible()
    touch(page, "Thử lại")
    on(page, "scan_cccd")
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="phone")
    on(page, "phone")
    expect(page.get_by_text("Nguyễn Thị Hồng Nhung")).to_be_visible()
    expect(page.get_by_text("079******101")).to_be_visible()
    assert keys(page) == PHONE_ORDER
    keypad(page, "phone", PHONE)
    on(page, "phone", "05-phone")
    touch(page, "Gửi mã xác nhận")
    on(page, "otp", "06-otp")
    expect(page.locator("#masked-phone")).to_have_text("090****101")
    expect(page.locator("#resend")).to_be_disabled()
    real = live_core.sms.codes.pop(PHONE)
    keypad(page, "otp", wrong(real))
    touch(page, "Xác nhận")
    on(page, "wrong_otp", "07-wrong-otp")
    touch(page, "Thử lại")
    on(page, "otp")
    keypad(page, "otp", real)
    touch(page, "Xác nhận")
    on(page, "envelope", "08-envelope")
    sim.press({"action": "insert_envelope", "barcode": "NOTOURS01"})
    on(page, "unknown_envelope", "09-unknown-envelope")
    assert kiosk.devices.intake.returned == 1 and kiosk.devices.intake.bin == []
    touch(page, "Thử lại")
    on(page, "envelope")
    sim.press({"action": "insert_envelope", "barcode": "Q6PB000120"}, expect="payment")
    on(page, "payment", "10-payment")
    expect(page.locator("#no-change")).to_contain_text("Máy không trả lại tiền thừa")
    code = kiosk.flow.state.dossier_code
    (shown,) = symbols_in(page, "#vietqr")
    fields = parse(shown)  # checks the CRC
    assert (fields["amount"], fields["reference"], fields["guid"], fields["bin"]) == (
        "2000",
        code,
        "A000000727",
        "970415",
    )

    sim.press({"action": "insert_cash", "denomination": 50_000}, expect="cash_confirm")
    on(page, "cash_confirm", "11-no-change-warning")
    expect(page.locator("main")).to_contain_text("hoàn trả tại quầy Bộ phận Một cửa khi Ông/Bà nhận kết quả")
    touch(page, "Lấy lại tờ tiền")
    on(page, "payment")
    assert kiosk.devices.cash.given_back == 50_000
    sim.press({"action": "insert_cash", "denomination": 1_000}, expect="payment")
    expect(page.locator("#shortfall")).to_have_text("1.000 đồng")
    touch(page, "Kết thúc thanh toán và in biên nhận")
    on(page, "receipt", "12-receipt")
    one_line(page, "#dossier-code")
    assert page.locator("#dossier-code").inner_text() == code
    assert code.startswith("H29.06-") and "Còn thiếu: 1.000 đồng" in kiosk.devices.printer.printed[-1]
    touch(page, "Hoàn tất")
    on(page, "home")
    wait_for(lambda: live_core.paid(code) == 1_000, "the note to reach the core through NATS")

    page.goto(page.url)  # typing stays a fallback for a receipt that will not scan
    touch(page, "NHẬN KẾT QUẢ")
    on(page, "pickup_choice", "13-pickup-choice")
    touch(page, "Tôi có biên nhận")
    on(page, "pickup_receipt")
    touch(page, "Không quét được? Nhập bằng bàn phím")
    on(page, "pickup_typing")
    assert keys(page)[:4] == ["1", "2", "3", "H"]
    keypad(page, "id_number", CITIZEN_ID)
    keypad(page, "code", code)
    on(page, "pickup_typing", "14-pickup-typing")
    touch(page, "Tra cứu")
    on(page, "not_processed_yet", "15-not-processed-yet")
    touch(page, "Về trang chủ")
    on(page, "home")
    sim.return_result(code, DEPARTMENT)
    scan_to_pick_up(page, sim, code)
    on(page, "pickup_payment", "17-pickup-payment")
    (shown,) = symbols_in(page, "#vietqr")
    assert (parse(shown)["amount"], parse(shown)["reference"]) == ("1000", code)
    sim.press({"action": "insert_cash", "denomination": 1_000}, expect="tray_open")
    on(page, "tray_open", "18-tray-open")
    one_line(page, "#tray-code")
    tray = int(page.locator("#tray").inner_text())
    assert kiosk.devices.trays.is_open(tray)
    sim.press({"action": "close_tray"}, expect="rating")
    on(page, "rating", "19-rating")
    page.get_by_role("button", name="Rất hài lòng").click()
    on(page, "thanks", "20-thanks")
    touch(page, "Về trang chủ")
    on(page, "home")
    dossier = live_core.system.dossiers.get_dossier(code)
    assert (dossier.status, dossier.paid, dossier.shortfall) == ("rated", 2_000, 0)
    assert dossier.rating is not None and dossier.rating.level == "very_satisfied"  # a Circular 01 level


def scan_to_pick_up(page: Page, sim, code: str) -> None:
    page.goto(page.url)
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Tôi có biên nhận")
    on(page, "pickup_receipt")
    sim.press({"action": "scan_cccd", "payload": CITIZEN_QR}, expect="pickup_receipt")
    expect(page.locator(".step.done")).to_have_count(1)
    on(page, "pickup_receipt", "16-pickup-scan")
    sim.press({"action": "scan_receipt", "code": code})


def test_the_code_screen_shows_where_it_went_sends_a_new_one_and_locks_out_clearly(
    kiosk_page: Page, kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    # Another phone: a phone gets 3 codes in 15 minutes, whatever they are for, and the first test used this one's.
    steps = [
        {**step, "do": {**step["do"], "phone": OTHER_PHONE}} if step.get("do", {}).get("action") == "phone" else step
        for step in submission()
    ]
    sim.run(steps)
    code = sim.names["dossier"]
    sim.return_result(code, DEPARTMENT)
    page.goto(kiosk.screen.url)
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Nhận thẻ Căn cước")
    on(page, "pickup_code")
    keypad(page, "code", code)
    touch(page, "Gửi mã xác nhận")
    on(page, "pickup_otp", "21-pickup-code")
    expect(page.locator("#masked-phone")).to_have_text("090****202")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^[45]:[0-5][0-9]$"))
    expect(page.locator("#resend")).to_be_disabled()
    live_core.sms.codes.pop(OTHER_PHONE)
    kiosk.flow.otp_sent_at -= RESEND_AFTER  # a minute has gone by
    expect(page.locator("#resend")).to_be_enabled()
    touch(page, "Gửi lại mã")
    wait_for(lambda: OTHER_PHONE in live_core.sms.codes, "the new code's SMS")
    on(page, "pickup_otp", "22-resent")
    for attempt in range(1, OTP_TRIES + 1):
        keypad(page, "otp", wrong(live_core.sms.codes[OTHER_PHONE]))
        touch(page, "Xác nhận")
        if attempt < OTP_TRIES:
            on(page, "wrong_otp")
            touch(page, "Thử lại")
    on(page, "pickup_locked", "23-pickup-locked")
    expect(page.get_by_role("button", name="Thử lại")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("028.39695699")
    touch(page, "Về trang chủ")
    touch(page, "NHẬN KẾT QUẢ")
    touch(page, "Nhận thẻ Căn cước")
    keypad(page, "code", code)
    touch(page, "Gửi mã xác nhận")
    on(page, "pickup_locked")  # the core keeps the dossier locked: no new code, the same clear screen


def test_without_the_core_the_kiosk_shows_the_offline_screen(
    kiosk_page: Page, live_core: LiveCore, tmp_path: Path
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"  # nothing listens there once the socket closes
    settings = kiosk_settings(live_core, private_settings(), tmp_path / "outbox.sqlite3", core_url=dead)
    with kiosk_process(settings) as process:
        kiosk_page.goto(process.screen.url)
        touch(kiosk_page, "NỘP HỒ SƠ")
        on(kiosk_page, "offline", "24-offline")
        expect(kiosk_page.get_by_text("mất kết nối").first).to_be_visible()
        touch(kiosk_page, "Về trang chủ")
        on(kiosk_page, "home")
