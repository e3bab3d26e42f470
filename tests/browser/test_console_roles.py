"""One officer per role in headless Chromium: where the console lands them, which menus and actions it offers (exactly
what the API's rules let their role call), and, for the signer, a whole signing round. Other actors' work (the
portal, the department) goes through the application; the effects are checked through the API's System."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from domain.values import Actor, Role
from infrastructure.pdf import VietnameseDocument
from tests.browser.conftest import LiveApp, screenshot
from tests.browser.test_console import act, log_in, register_online

DEPARTMENT = Actor(account_id="tuphap", role=Role.DEPARTMENT_OFFICER)
RECEPTION = Actor(account_id="tiepnhan", role=Role.RECEPTION_OFFICER)


def menu(page: Page) -> list[str]:
    return page.locator("#nav a").all_inner_texts()


def in_processing(live_app: LiveApp) -> str:
    """An online dossier accepted and routed to the justice section (Phòng Tư pháp)."""
    dossiers = live_app.system.dossiers
    code = register_online(live_app)
    dossiers.accept(code, actor=RECEPTION)
    written = dossiers.route(code, department="H29.06.TP", actor=RECEPTION)
    live_app.system.read_side.wait_for(written.position, "dossiers", 10)
    return code


def result_issued(live_app: LiveApp) -> str:
    """A dossier whose result the department recorded: it waits for the signer."""
    code = in_processing(live_app)
    written = live_app.system.dossiers.issue_result(
        code, summary="Bản sao đã chứng thực", document_number="45/CT", actor=DEPARTMENT
    )
    live_app.system.read_side.wait_for(written.position, "dossiers", 10)
    return code


def result_pdf(tmp_path) -> str:
    document = VietnameseDocument()
    document.add_page()
    document.line_of_text("BẢN SAO ĐƯỢC CHỨNG THỰC TỪ BẢN CHÍNH — số 45/CT", size=14, bold=True)
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(document.to_bytes())
    return str(path)


def test_the_signer_signs_a_result_from_the_queue_and_the_agency_seal_follows(
    office_page: Page, live_app: LiveApp, tmp_path
) -> None:
    page, system = office_page, live_app.system
    code = result_issued(live_app)
    log_in(page, live_app, "kyso")
    expect(page).to_have_url(re.compile("#/sign$"))
    expect(page.get_by_role("heading", name="Kết quả chờ ký", exact=True)).to_be_visible()
    assert "Kết quả chờ ký" in menu(page) and "Nạp khay (màn hình sau kiosk)" not in menu(page)
    screenshot(page, "console-signer-queue")
    page.locator("#to-sign").get_by_role("link", name=code).click()
    expect(page.locator("#signature-state")).to_have_text("Chờ ký số")
    section = page.locator('section[data-action="sign_result"]')
    assert page.locator('section[data-action="issue_result"]').count() == 0  # the result is recorded already
    section.get_by_label("Tệp kết quả (PDF)").set_input_files(result_pdf(tmp_path))
    expect(section.locator("iframe.pdf-preview")).to_have_attribute("src", re.compile("^blob:"))
    expect(section.get_by_label("Số, ký hiệu")).to_have_value("45/CT")
    screenshot(page, "console-signer-preview")
    expect(section.get_by_role("button", name="Ký số và đóng dấu")).to_be_visible()
    # From the keyboard: a mouse click can race Chromium's PDF viewer taking the focus as it opens in headless runs.
    section.get_by_role("button", name="Ký số và đóng dấu").press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("chữ ký số cá nhân của Nguyễn Văn An")
    dialog.get_by_role("button", name="Ký số", exact=True).click()
    expect(page.locator("#signature-state")).to_have_text("Đã ký số và đóng dấu (2 chữ ký)")
    expect(page.locator("#signatures")).to_contain_text("Nguyễn Văn An")
    page.get_by_role("button", name="Xem bản đã ký").click()
    expect(page.locator("#signatures iframe.pdf-preview")).to_have_attribute("src", re.compile("^blob:"))
    screenshot(page, "console-signer-signed")
    result = next(f for f in system.vaults.get_signatures(code).files if f.kind == "result")
    assert [m.signer for m in result.signatures][0] == "Nguyễn Văn An" and len(result.signatures) == 2
    page.get_by_role("link", name="Kết quả chờ ký").click()
    expect(page.locator("#signed")).to_contain_text(code)
    expect(page.locator("#to-sign")).not_to_contain_text(code)


def test_reception_lands_on_counter_work_and_is_never_offered_a_result_to_record(
    office_page: Page, live_app: LiveApp
) -> None:
    page = office_page
    code = in_processing(live_app)
    log_in(page, live_app, "tiepnhan")
    expect(page).to_have_url(re.compile("#/counter$"))
    assert "Hàng đợi hồ sơ" in menu(page)
    assert not {"Kết quả chờ ký", "Nạp khay (màn hình sau kiosk)"} & set(menu(page))
    page.goto(f"{live_app.url}/console/#/dossiers/{code}")
    expect(page.locator("#status")).to_have_text("Đang xử lý")
    expect(page.locator('section[data-action="reject"]')).to_be_visible()  # reception may reject an open dossier
    assert page.locator('section[data-action="issue_result"]').count() == 0
    assert page.locator('section[data-action="load_into_tray"]').count() == 0
    screenshot(page, "console-reception-dossier")


def test_a_department_officer_lands_on_their_in_processing_queue(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    code = in_processing(live_app)
    log_in(page, live_app, "tuphap")
    expect(page).to_have_url(re.compile(r"#/queues\?queue=in_processing$"))
    expect(page.locator('[data-queue="in_processing"]')).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name=code).click()
    act(page, "issue_result", "Ghi nhận kết quả", {"Nội dung kết quả": "Bản sao đã chứng thực"})
    expect(page.locator("#status")).to_have_text("Đã có kết quả")
    assert live_app.system.dossiers.get_dossier(code).status == "result_issued"
    assert page.locator('section[data-action="sign_result"]').count() == 0  # signing is the signer's
    screenshot(page, "console-department-queue")


def test_the_auditor_lands_on_the_audit_search_and_reads_words_not_codes(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    code = in_processing(live_app)
    log_in(page, live_app, "kiemtra")
    expect(page).to_have_url(re.compile("#/audit$"))
    expect(page.get_by_role("heading", name="Kiểm tra lịch sử")).to_be_visible()
    page.get_by_label("Mã", exact=True).fill(f"  {code.lower()} ")
    page.get_by_role("button", name="Xem lịch sử").click()
    expect(page.get_by_role("heading", name=f"Kiểm tra: Hồ sơ {code}")).to_be_visible()
    history = page.locator("#audit-history")
    expect(history).to_contain_text("Chuyển xử lý")
    page.locator("#audit-history button", has_text="Trạng thái lúc này").last.click()
    expect(page.locator("#audit-state")).to_contain_text("Đang xử lý")
    shown = page.locator("main").text_content()  # folded parts included: the raw state once hid there
    for word in ("null", "undefined", "in_processing", "reception_officer", "sms"):
        assert word not in shown, word
    screenshot(page, "console-auditor")


def test_the_analyst_lands_on_reports_and_sees_no_other_menu(office_page: Page, live_app: LiveApp) -> None:
    page = office_page
    log_in(page, live_app, "phantich")
    expect(page).to_have_url(re.compile("#/reports$"))
    expect(
        page.frame_locator("iframe.report").get_by_role("heading", name="Chỉ tiêu Kiosk 24/7", exact=True)
    ).to_be_visible()
    assert menu(page) == ["Báo cáo"]
    page.goto(f"{live_app.url}/console/#/queues")
    expect(page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)  # a page it may not open is explained, not an API error
    screenshot(page, "console-analyst")


def test_the_administrator_lands_on_accounts_and_gets_kiosk_pages_but_no_dossiers(
    office_page: Page, live_app: LiveApp
) -> None:
    page = office_page
    log_in(page, live_app, "quantri")
    expect(page).to_have_url(re.compile("#/accounts$"))
    expect(page.locator("main h1")).to_have_text(re.compile("Tài khoản|Trang đang được xây dựng"))
    assert "Lưới khay kiosk" in menu(page)
    assert not {"Hàng đợi hồ sơ", "Mở hồ sơ", "Sổ sách"} & set(menu(page))
    screenshot(page, "console-administrator")
