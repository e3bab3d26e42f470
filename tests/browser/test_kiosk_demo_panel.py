"""The demo device panel (MOTCUA_DEMO=1): a newcomer walks a whole submission in the browser, playing the camera,
the intake slot and the cash acceptor from the panel only (the phone and the code are typed on the screen's keypad,
the code read from the SMS as `/demo/messages` shows it). Without the demo setting there is no panel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from kiosk_edge.runtime import KioskProcess
from kiosk_edge.scenarios import PHONE, PROCEDURE
from tests.browser.conftest import screenshot
from tests.browser.kiosk_screen import keypad, on, touch
from tests.kiosk_bus_support import private_settings
from tests.kiosk_edge.live import ConsumerThread, LiveCore, kiosk_process, kiosk_settings, wait_for


@pytest.fixture(scope="module")
def demo_kiosk(live_core: LiveCore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskProcess]:
    bus = private_settings()
    outbox = tmp_path_factory.mktemp("kiosk") / "outbox.sqlite3"
    with (
        ConsumerThread(live_core, bus),
        kiosk_process(replace(kiosk_settings(live_core, bus, outbox), demo=True)) as process,
    ):
        yield process


def panel(page: Page, label: str) -> None:
    """Open the drawer, press one device button, close it again (it lies over the right of the screen)."""
    page.locator("#demo .toggle").click()
    page.locator("#demo .tools button", has_text=label).first.click()
    page.locator("#demo .toggle").click()
    expect(page.locator("#demo .tools")).to_be_hidden()


def test_the_demo_panel_drives_a_full_submission(
    kiosk_page: Page, demo_kiosk: KioskProcess, live_core: LiveCore
) -> None:
    page = kiosk_page
    page.goto(demo_kiosk.screen.url)
    on(page, "home")
    page.locator("#demo .toggle").click()
    expect(page.locator("#demo .tools")).to_be_visible()
    screenshot(page, "kiosk-demo-00-panel")
    page.locator("#demo .toggle").click()
    touch(page, "NỘP HỒ SƠ")
    on(page, "procedures")
    page.locator(".chip", has_text="Chứng thực giấy tờ").click()
    page.locator(f'[data-code="{PROCEDURE}"]').click()
    on(page, "scan_cccd", "demo-01-scan-cccd")
    panel(page, "Quét thẻ Căn cước mẫu")
    on(page, "phone")
    keypad(page, "phone", PHONE)
    touch(page, "Gửi mã xác nhận")
    on(page, "otp")
    keypad(page, "otp", live_core.sms.codes.pop(PHONE))
    touch(page, "Xác nhận")
    on(page, "envelope", "demo-02-envelope")
    panel(page, "Đưa túi hồ sơ")
    on(page, "payment", "demo-03-payment")
    panel(page, "2.000 đ")
    on(page, "receipt", "demo-04-receipt")
    code = page.locator("#dossier-code").inner_text()
    wait_for(lambda: live_core.paid(code) == 2_000, "the notes to reach the core")
    assert live_core.system.dossiers.get_dossier(code).status == "received"
    page.locator("#demo .toggle").click()
    expect(page.locator("#demo .tools button", has_text="Quét biên nhận vừa in")).to_be_enabled()


def test_without_the_demo_setting_there_is_no_panel(kiosk_page: Page, live_core: LiveCore, tmp_path) -> None:
    settings = kiosk_settings(live_core, private_settings(), tmp_path / "outbox.sqlite3")
    with kiosk_process(settings) as process:
        kiosk_page.goto(process.screen.url)
        on(kiosk_page, "home")
        expect(kiosk_page.locator("#demo")).to_be_hidden()
