"""A citizen at the kiosk's 1080×1920 screen in headless Chromium: submission with refusals on the way, a pickup
that is not ready yet, then ready with a shortfall to pay, and the offline screen. The kiosk process runs
in-process against the real app; device readings (CCCD QR, envelope, notes, tray door) come from the simulator.
Screenshots of every screen go to var/screenshots/kiosk-*.png."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kiosk_edge.runtime import KioskProcess
from kiosk_edge.scenarios import CITIZEN_ID, CITIZEN_QR, DEPARTMENT, PHONE, PROCEDURE
from tests.browser.conftest import screenshot
from tests.kiosk_bus_support import private_settings
from tests.kiosk_edge.live import ConsumerThread, LiveCore, kiosk_process, kiosk_settings, simulator, wait_for


@pytest.fixture(scope="module")
def kiosk(live_core: LiveCore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskProcess]:
    """The kiosk process for Q6-01, with the core's device-event consumer on a private stream of the shared NATS."""
    bus = private_settings()
    outbox = tmp_path_factory.mktemp("kiosk") / "outbox.sqlite3"
    with ConsumerThread(live_core, bus), kiosk_process(kiosk_settings(live_core, bus, outbox)) as process:
        yield process


def on(page: Page, screen: str, shot: str | None = None) -> None:
    expect(page.locator("body")).to_have_attribute("data-screen", screen)
    if shot:
        screenshot(page, f"kiosk-{shot}")


def touch(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()


def keypad(page: Page, field: str, text: str) -> None:
    """Type on the on-screen keypad, as a citizen would."""
    page.locator(f"#{field}").click()
    for key in text:
        page.locator(f'[data-key="{key}"]').click()


def test_a_citizen_submits_then_picks_up_the_result_paying_the_shortfall(kiosk_page: Page, kiosk: KioskProcess,
                                                                         live_core: LiveCore) -> None:
    page, sim = kiosk_page, simulator(live_core, kiosk)
    page.goto(kiosk.screen.url)
    on(page, "home", "01-home")
    touch(page, "NỘP HỒ SƠ")
    on(page, "procedures", "02-procedures")
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
    keypad(page, "phone", PHONE)
    screenshot(page, "kiosk-05-phone")
    touch(page, "Gửi mã OTP")
    on(page, "otp")
    real = live_core.sms.codes.pop(PHONE)
    keypad(page, "otp", "000000" if real != "000000" else "111111")
    touch(page, "Xác nhận")
    on(page, "wrong_otp", "06-wrong-otp")
    touch(page, "Thử lại")
    on(page, "otp")
    keypad(page, "otp", real)
    screenshot(page, "kiosk-07-otp")
    touch(page, "Xác nhận")
    on(page, "envelope", "08-envelope")
    sim.press({"action": "insert_envelope", "barcode": "NOTOURS01"})
    on(page, "unknown_envelope", "09-unknown-envelope")
    assert kiosk.devices.intake.returned == 1 and kiosk.devices.intake.bin == []
    touch(page, "Thử lại")
    on(page, "envelope")
    sim.press({"action": "insert_envelope", "barcode": "Q6PB000120"}, expect="payment")
    on(page, "payment")
    sim.press({"action": "insert_cash", "denomination": 1_000}, expect="payment")
    expect(page.locator("#shortfall")).to_have_text("1.000 đồng")
    screenshot(page, "kiosk-10-payment")
    touch(page, "Kết thúc thanh toán và in biên nhận")
    on(page, "receipt", "11-receipt")
    code = page.locator("#dossier-code").inner_text()
    assert code.startswith("H29.06-") and "Còn thiếu: 1.000 đồng" in kiosk.devices.printer.printed[-1]
    touch(page, "Hoàn tất")
    on(page, "home")
    wait_for(lambda: live_core.paid(code) == 1_000, "the note to reach the core through NATS")

    pick_up(page, code)
    on(page, "not_processed_yet", "12-not-processed-yet")
    touch(page, "Về trang chủ")
    on(page, "home")
    sim.return_result(code, DEPARTMENT)
    pick_up(page, code)
    on(page, "pickup_payment", "13-pickup-payment")
    sim.press({"action": "insert_cash", "denomination": 1_000}, expect="tray_open")
    on(page, "tray_open", "14-tray-open")
    tray = int(page.locator("#tray").inner_text())
    assert kiosk.devices.trays.is_open(tray)
    sim.press({"action": "close_tray"}, expect="rating")
    on(page, "rating", "15-rating")
    page.get_by_role("button", name="Rất hài lòng").click()
    on(page, "thanks", "16-thanks")
    dossier = live_core.system.dossiers.get_dossier(code)
    assert (dossier.status, dossier.paid, dossier.shortfall) == ("rated", 2_000, 0)


def pick_up(page: Page, code: str) -> None:
    page.goto(page.url)
    touch(page, "NHẬN KẾT QUẢ")
    on(page, "pickup_choice")
    touch(page, "Số Căn cước + số biên nhận")
    on(page, "pickup_receipt")
    keypad(page, "id_number", CITIZEN_ID)
    keypad(page, "code", code)
    screenshot(page, "kiosk-pickup-receipt")
    touch(page, "Tra cứu")


def test_without_the_core_the_kiosk_shows_the_offline_screen(kiosk_page: Page, live_core: LiveCore,
                                                              tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"  # nothing listens there once the socket closes
    settings = kiosk_settings(live_core, private_settings(), tmp_path / "outbox.sqlite3", core_url=dead)
    with kiosk_process(settings) as process:
        kiosk_page.goto(process.screen.url)
        touch(kiosk_page, "NỘP HỒ SƠ")
        on(kiosk_page, "offline", "17-offline")
        expect(kiosk_page.get_by_text("mất kết nối").first).to_be_visible()
        touch(kiosk_page, "Về trang chủ")
        on(kiosk_page, "home")
