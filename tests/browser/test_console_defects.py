"""Regression tests for the defects officers met in the console (issue [12], first paragraph), in headless Chromium
against the real app; the effects are checked through the API's System."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from infrastructure.demo import KIOSK_KEY
from tests.browser.conftest import DEMO_LOGINS, LiveApp, screenshot
from tests.browser.test_console import act, log_in, log_out
from tests.browser.test_console_roles import in_processing, result_issued


def test_rejecting_asks_for_confirmation_with_the_reason_and_going_back_changes_nothing(
    office_page: Page, live_app: LiveApp
) -> None:
    page, dossiers = office_page, live_app.system.dossiers
    code = in_processing(live_app)
    log_in(page, live_app, "tiepnhan", then=f"#/dossiers/{code}")
    act(page, "reject", "Từ chối", {"Lý do từ chối": "Bản sao không rõ nét"})
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text('Lý do gửi cho người nộp: "Bản sao không rõ nét"')
    screenshot(page, "console-reject-confirmation")
    dialog.get_by_role("button", name="Quay lại").click()
    expect(dialog).to_have_count(0)
    assert dossiers.get_dossier(code).status == "in_processing"
    page.locator('section[data-action="reject"]').get_by_role("button", name="Từ chối").click()
    page.get_by_role("dialog").get_by_role("button", name="Xác nhận từ chối").click()
    expect(page.locator("#status")).to_have_text("Từ chối")
    rejected = dossiers.get_dossier(code)
    assert (rejected.status, rejected.reason) == ("rejected", "Bản sao không rõ nét")


def test_a_new_tab_shares_the_session_and_a_logout_ends_both(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    log_in(page, live_app, "tuvan")
    second = page.context.new_page()
    second.goto(f"{live_app.url}/console/#/kiosks/{KIOSK_KEY}")
    expect(second.get_by_role("heading", name=f"Lưới khay kiosk {KIOSK_KEY}")).to_be_visible()
    expect(second.locator("#who")).to_contain_text(DEMO_LOGINS["tuvan"][1])
    log_out(second)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()  # the first tab follows
    second.close()


def test_an_expired_session_keeps_the_typed_work_and_sends_it_after_the_password(
    office_page: Page, live_app: LiveApp
) -> None:
    page, dossiers = office_page, live_app.system.dossiers
    code = in_processing(live_app)
    log_in(page, live_app, "tiepnhan", then=f"#/dossiers/{code}")
    section = page.locator('section[data-action="request_supplement"]')
    section.get_by_label("Giấy tờ cần bổ sung", exact=True).fill("Bản chính CCCD\nGiấy ủy quyền")
    section.get_by_label("Lý do", exact=True).fill("Cần đối chiếu bản chính")
    # The token ends on the server (as when it expires or an administrator resets it), the page does not know yet.
    page.evaluate("""() => fetch('/auth/logout', {method: 'POST', body: '{}',
        headers: {'Content-Type': 'application/json',
                  Authorization: 'Bearer ' + JSON.parse(localStorage.getItem('motcua.session')).token}})""")
    section.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Phiên đăng nhập đã hết hạn")
    expect(section.get_by_label("Lý do", exact=True)).to_have_value("Cần đối chiếu bản chính")  # still on the page
    screenshot(page, "console-relogin-dialog")
    dialog.get_by_label("Mật khẩu").fill(DEMO_LOGINS["tiepnhan"][0])
    dialog.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#status")).to_have_text("Chờ bổ sung")
    after = dossiers.get_dossier(code)
    assert after.status == "supplement_requested" and after.supplement_items == ["Bản chính CCCD", "Giấy ủy quyền"]


def test_a_code_typed_in_lower_case_with_spaces_opens_and_a_bad_one_keeps_the_form(
    office_page: Page, live_app: LiveApp
) -> None:
    page = office_page
    code = in_processing(live_app)
    log_in(page, live_app, "tiepnhan", then="#/dossiers")
    page.get_by_label("Mã hồ sơ").fill("H29.06-260520")
    page.get_by_role("button", name="Mở").click()
    expect(page.get_by_role("alert")).to_contain_text("không phải mã hồ sơ")
    expect(page.get_by_role("heading", name="Mở hồ sơ")).to_be_visible()  # the page stays, the text too
    expect(page.get_by_label("Mã hồ sơ")).to_have_value("H29.06-260520")
    page.get_by_label("Mã hồ sơ").fill(f" {code.lower().replace('-', ' - ', 1)} ")
    page.get_by_role("button", name="Mở").click()
    expect(page.get_by_role("heading", name=re.compile(f"Hồ sơ {re.escape(code)}"))).to_be_visible()
    page.goto(f"{live_app.url}/console/#/dossiers/{code.lower()}")  # a link typed by hand
    expect(page.locator("#status")).to_have_text("Đang xử lý")
    expect(page).to_have_url(re.compile(f"#/dossiers/{re.escape(code)}$"))


def test_the_timeline_names_people_and_says_channels_in_vietnamese(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    code = in_processing(live_app)
    log_in(page, live_app, "tiepnhan", then=f"#/dossiers/{code}")
    accepted = page.locator("#timeline li[data-event=Accepted] .who")
    expect(accepted).to_have_text("Phạm Thị Lan · Cán bộ tiếp nhận")
    assert "tiepnhan" not in page.locator("#timeline").inner_text()


def test_handover_receivers_are_picked_from_the_staff_the_api_offers(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    code = result_issued(live_app)
    log_in(page, live_app, "tuphap", then=f"#/dossiers/{code}")
    receiver = page.locator('section[data-action="hand_over"]').get_by_label("Người nhận", exact=True)
    expect(receiver.locator("option[value=tuvan]")).to_have_count(1)
    assert receiver.evaluate("e => e.tagName") == "SELECT"
    offered = {o for o in receiver.locator("option").evaluate_all("os => os.map(o => o.value)") if o}
    assert "tuphap" not in offered and offered <= {username for username in DEMO_LOGINS}


def test_the_loading_slip_lists_every_result_scanned_in_the_session(office_page: Page, live_app: LiveApp) -> None:
    page, system = office_page, live_app.system
    codes = [result_issued(live_app), result_issued(live_app)]
    log_in(page, live_app, "tuvan", then=f"#/kiosk-staff/{KIOSK_KEY}")
    for code in codes:
        page.locator("#scan").fill(code.lower())  # a hand-typed code in lower case is loaded too
        page.keyboard.press("Enter")
        page.get_by_role("dialog").get_by_role("button", name="Vẫn nạp vào khay").click()
        expect(page.locator("#loaded")).to_contain_text(code)
    slip = page.locator("#slip")
    for code in codes:
        expect(slip).to_contain_text(code)
    expect(slip).to_contain_text("Tổng số đã nạp: 2")
    page.locator("#scan").fill(codes[0])  # already in a tray: refused in words, not internal names
    page.keyboard.press("Enter")
    page.get_by_role("dialog").get_by_role("button", name="Vẫn nạp vào khay").click()
    alert = page.locator(".page [role=alert]")
    expect(alert).to_contain_text("Không thể nạp kết quả vào khay")
    assert not re.search(r"load_into_tray|in_tray|result_issued", alert.inner_text())
    expect(slip).to_contain_text("Tổng số đã nạp: 2")
    screenshot(page, "console-loading-slip-session")
    assert all(system.dossiers.get_dossier(code).status == "in_tray" for code in codes)


def test_the_books_pdf_is_labelled_for_handwritten_signatures_because_it_is_unsigned(
    office_page: Page, live_app: LiveApp
) -> None:
    page = office_page
    log_in(page, live_app, "tuvan", then="#/books?book=cash")
    assert "có chữ ký" not in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải PDF để in và ký tay").click()
    verdict = live_app.system.vaults.verify(download.value.path().read_bytes())
    assert verdict.signed is False  # so the button must not promise a digital signature
