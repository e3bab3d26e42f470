"""The dossier page tells the officer what the citizen was told: each message's step, channel and status in
Vietnamese, and the channels the citizen chose, which the officer changes at the citizen's request."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveApp, screenshot
from tests.browser.test_console import log_in, register_online
from tests.browser.test_console_roles import RECEPTION


def test_the_dossier_page_lists_the_messages_and_changes_the_channels(office_page: Page, live_app: LiveApp) -> None:
    page, system = office_page, live_app.system
    code = register_online(live_app)
    written = system.dossiers.accept(code, actor=RECEPTION)
    now = system.clock.now()
    system.notifications.follow_requests(now)
    system.notifications.dispatch_due(now)
    system.read_side.wait_for(system.app.recorder.max_notification_id() or written.position, None, 10)
    log_in(page, live_app, "tiepnhan", f"#/dossiers/{code}")
    notices = page.locator("#notices-table")
    expect(notices).to_contain_text("Tiếp nhận hồ sơ trực tuyến")
    expect(notices).to_contain_text("tin nhắn SMS")
    expect(notices).to_contain_text("Đã gửi")
    expect(page.locator("#contact-channels")).to_contain_text("chưa chọn (ưu tiên tin nhắn SMS)")
    page.get_by_label("Ưu tiên gửi qua").select_option("zalo,sms,email")
    page.get_by_role("button", name="Đổi kênh nhận thông báo").click()
    expect(page.locator("#contact-channels")).to_contain_text("Zalo → tin nhắn SMS → thư điện tử")
    screenshot(page, "dossier-notices")
    assert system.dossiers.get_dossier(code).contact_channels == ["zalo", "sms", "email"]
