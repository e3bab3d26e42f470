"""The officer console and the kiosk staff screen in headless Chromium, against the real app and its demo data."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from domain.values import Actor, Applicant, Component, Role
from infrastructure.demo import KIOSK_KEY
from tests.browser.conftest import DEMO_LOGINS, LiveApp, screenshot

CERTIFIED_COPY = "2.000815.000.00.00.H29"  # chứng thực bản sao: Phòng Tư pháp (H29.06.TP), kiosk-enabled
PORTAL = Actor(account_id="portal", role=Role.CITIZEN)


def register_online(live_app: LiveApp) -> str:
    """A dossier submitted on the national portal (not the console's job): it waits in the 'new online' queue."""
    procedure = live_app.system.catalogue.procedure(CERTIFIED_COPY)
    code, _ = live_app.system.dossiers.register_online(
        procedure_code=procedure.code,
        components=[Component(name=c.name, form=c.form, count=c.count) for c in procedure.components],
        applicant=Applicant(id_number="079196000505", name="Võ Thị Mai", phone="0988000505"),
        actor=PORTAL,
    )
    return code


def log_in(page: Page, live_app: LiveApp, username: str, then: str = "") -> None:
    """Log in from the keyboard (Enter submits), then open the console page `then` (a hash like #/kiosks)."""
    page.goto(f"{live_app.url}/console/#/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_LOGINS[username][0])
    page.get_by_label("Mật khẩu").press("Enter")
    expect(page.locator("#who")).to_contain_text(DEMO_LOGINS[username][1])
    expect(page.locator("main h1")).not_to_have_text("Đăng nhập")  # the role's landing page
    if then:
        page.goto(f"{live_app.url}/console/{then}")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def act(page: Page, action: str, button: str, fields: dict[str, str] | None = None) -> None:
    section = page.locator(f'section[data-action="{action}"]')
    for name, value in (fields or {}).items():
        control = section.get_by_label(name, exact=True)
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value)  # waits for the option, e.g. a list the page loads from the API
        else:
            control.fill(value)
    section.get_by_role("button", name=button).click()


def test_an_online_dossier_goes_from_acceptance_to_a_kiosk_tray_and_the_tracking_book(
    office_page: Page, live_app: LiveApp
) -> None:
    page, system = office_page, live_app.system
    code = register_online(live_app)
    first_free = next(t.number for t in system.kiosks.get_kiosk(KIOSK_KEY).trays if t.status == "empty")

    log_in(page, live_app, "tiepnhan")
    page.get_by_role("link", name="Hàng đợi hồ sơ").click()
    page.locator('[data-queue="new_online"]').click()
    page.get_by_role("link", name=code).wait_for()
    screenshot(page, "console-queues")
    page.get_by_role("link", name=code).click()
    expect(page.locator("#status")).to_have_text("Mới đăng ký")
    act(page, "accept", "Tiếp nhận")
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận xử lý")
    expect(page.locator('section[data-action="route"]').get_by_label("Phòng xử lý", exact=True)).to_have_value(
        "H29.06.TP"
    )
    act(page, "route", "Chuyển xử lý")
    expect(page.locator("#status")).to_have_text("Đang xử lý")
    expect(page.locator("#notice")).to_have_text(f"Đã chuyển hồ sơ {code} đến phòng xử lý.")
    log_out(page)

    log_in(page, live_app, "tuphap", then=f"#/dossiers/{code}")
    act(
        page,
        "issue_result",
        "Ghi nhận kết quả",
        {"Nội dung kết quả": "Bản sao đã chứng thực", "Số, ký hiệu văn bản": "123/CT"},
    )
    expect(page.locator("#status")).to_have_text("Đã có kết quả")
    act(page, "hand_over", "Ghi sổ giao nhận", {"Người nhận": "tuvan"})
    expect(page.locator("#timeline li[data-event=HandedOver]")).to_contain_text(
        "Lê Thị Thu (Phòng Tư pháp) → Trần Minh Tuấn"
    )
    screenshot(page, "console-dossier")
    log_out(page)

    log_in(page, live_app, "tuvan", then=f"#/dossiers/{code}")
    act(page, "confirm_handover", "Tôi đã nhận")  # only the receiver sees it
    expect(page.locator("#timeline li[data-event=HandoverConfirmed]")).to_contain_text("lượt giao nhận số 1")
    page.goto(f"{live_app.url}/console/#/kiosk-staff/{KIOSK_KEY}")
    page.get_by_label("Quét mã vạch trên kết quả (mã hồ sơ)").fill(code)
    page.keyboard.press("Enter")
    warning = page.get_by_role("dialog")  # nobody signed this result: the crew is warned before it goes in a tray
    expect(warning).to_contain_text(f"Kết quả hồ sơ {code} chưa được ký số")
    warning.get_by_role("button", name="Vẫn nạp vào khay").click()
    expect(page.locator("#tray")).to_have_text(str(first_free))
    expect(page.locator("#slip")).to_contain_text(f"Khay {first_free:>2}: {code}")
    expect(page.locator("#scan")).to_be_focused()
    screenshot(page, "console-kiosk-staff")
    page.emulate_media(media="print")  # the printed loading slip: the slip only, no scanner form or navigation
    expect(page.locator("#slip")).to_be_visible()
    expect(page.locator("#scan")).to_be_hidden()
    expect(page.locator("#nav")).to_be_hidden()
    screenshot(page, "console-loading-slip-print")
    page.emulate_media(media="screen")
    tray = system.kiosks.get_kiosk(KIOSK_KEY).trays[first_free - 1]
    assert (tray.status, tray.dossier_code) == ("loaded", code)
    assert system.dossiers.get_dossier(code).status == "in_tray"

    page.get_by_role("link", name="Lưới khay kiosk").click()
    cell = page.locator(f'#trays [data-tray="{first_free}"]')
    expect(cell).to_have_class(re.compile(r"\btray-loaded\b"))
    expect(cell).to_contain_text(code)
    # the live app is shared by the session's browser files: count what they all loaded, not this test's share
    loaded = sum(t.status == "loaded" for t in system.kiosks.get_kiosk(KIOSK_KEY).trays)
    expect(page.locator(".legend")).to_contain_text(f"Có hồ sơ: {loaded}")
    screenshot(page, "console-trays")
    page.goto(f"{live_app.url}/console/#/books?book=tracking&kiosk={KIOSK_KEY}")
    expect(page.locator("#book")).to_contain_text(code)
    expect(page.locator("#book tr", has_text=code)).to_contain_text("Võ Thị Mai")
    screenshot(page, "console-tracking-book")
    page.goto(f"{live_app.url}/console/#/dossiers/{code}")
    expect(page.locator("#timeline li[data-event=LoadedIntoTray]")).to_contain_text(
        f"khay {first_free} của kiosk {KIOSK_KEY}"
    )
    events = page.locator("#timeline li").evaluate_all("items => items.map(li => li.dataset.event)")
    assert [e for e in events if e != "NotificationRequested"] == [
        "Registered",
        "Accepted",
        "Routed",
        "ResultIssued",
        "HandedOver",
        "HandoverConfirmed",
        "LoadedIntoTray",
    ]


def test_acting_on_a_dossier_that_changed_meanwhile_says_reload_and_changes_nothing(
    office_page: Page, live_app: LiveApp
) -> None:
    page, dossiers = office_page, live_app.system.dossiers
    code = register_online(live_app)
    log_in(page, live_app, "tiepnhan", then=f"#/dossiers/{code}")
    expect(page.locator("#status")).to_have_text("Mới đăng ký")
    dossiers.request_supplement(
        code, items=["Bản chính CCCD"], reason="Ảnh mờ", actor=Actor(account_id="x", role=Role.RECEPTION_OFFICER)
    )
    before = dossiers.get_dossier(code)
    act(page, "accept", "Tiếp nhận")
    expect(page.locator('section[data-action="accept"] [role=alert]')).to_contain_text("Hồ sơ đã thay đổi, tải lại")
    after = dossiers.get_dossier(code)
    assert (after.version, after.status) == (before.version, "supplement_requested")
    page.locator('section[data-action="accept"]').get_by_role("button", name="Tải lại").click()
    expect(page.locator("#status")).to_have_text("Chờ bổ sung")


def test_a_wrong_password_is_refused_with_a_clear_message(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    page.goto(f"{live_app.url}/")
    expect(page.locator("#demo-logins tr", has_text="tiepnhan")).to_contain_text("demo-tiepnhan")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    screenshot(page, "console-login")
    expect(page.locator("#nav")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('motcua.session')") is None


def test_reports_and_overdue_list_render_and_a_refused_load_says_why(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    log_in(page, live_app, "tiepnhan", then="#/reports?period=month")
    report = page.frame_locator("iframe.report")
    expect(report.get_by_role("heading", name="Chỉ tiêu Kiosk 24/7", exact=True)).to_be_visible()
    screenshot(page, "console-report")
    page.goto(f"{live_app.url}/console/#/overdue/{KIOSK_KEY}")
    expect(page.get_by_role("heading", name=f"Kết quả quá hạn — kiosk {KIOSK_KEY}")).to_be_visible()
    expect(page.locator("#overdue")).to_contain_text("Không có dữ liệu.")
    log_out(page)
    log_in(page, live_app, "tuvan", then=f"#/kiosk-staff/{KIOSK_KEY}")
    page.locator("#scan").fill("H29.01-260520-0001")  # another district's dossier
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Không có quyền")
    expect(page.locator("#tray")).to_have_text("—")


def test_a_rejected_token_asks_for_the_password_and_then_shows_the_same_page(
    office_page: Page, live_app: LiveApp
) -> None:
    page = office_page
    log_in(page, live_app, "tuvan")
    page.evaluate("""() => {
        const s = JSON.parse(localStorage.getItem('motcua.session'));
        localStorage.setItem('motcua.session', JSON.stringify({...s, token: s.token.slice(0, -4) + 'AAAA'}));
    }""")
    page.goto(f"{live_app.url}/console/#/kiosks/{KIOSK_KEY}")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Phiên đăng nhập đã hết hạn")
    dialog.get_by_label("Mật khẩu").fill(DEMO_LOGINS["tuvan"][0])
    dialog.get_by_label("Mật khẩu").press("Enter")
    expect(page.get_by_role("heading", name=f"Lưới khay kiosk {KIOSK_KEY}")).to_be_visible()
    expect(page).to_have_url(re.compile(f"#/kiosks/{KIOSK_KEY}$"))
