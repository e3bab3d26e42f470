"""Money pages in headless Chromium: a reception officer imports the bank's CSV statement and sees the bank-QR payment
matched and a line without a dossier code left unmatched (the same file again changes nothing), and refunds a rejected
dossier's fee by bank transfer at the counter desk."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from domain.clock import VIETNAM
from domain.values import PaymentMethod
from tests.browser.conftest import LiveApp, screenshot
from tests.browser.test_console import log_in, register_online
from tests.browser.test_console_roles import RECEPTION


def test_a_reception_officer_imports_a_statement_and_sees_matched_and_unmatched_lines(
    office_page: Page, live_app: LiveApp
) -> None:
    page, dossiers = office_page, live_app.system.dossiers
    code = register_online(live_app)
    dossiers.assess_fee(code, amount=8000, actor=RECEPTION)
    written = dossiers.record_payment(code, method=PaymentMethod.BANK_QR, amount=8000, reference=None, actor=RECEPTION)
    live_app.system.read_side.wait_for(written.position, None, 10)
    day = live_app.system.clock.now().astimezone(VIETNAM)
    csv = (
        "\ufeffNgân hàng TMCP - Sao kê tài khoản\n"
        "Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung\n"
        f"{day:%d/%m/%Y};FT900001;;8.000;CK {code.replace('-', ' ').lower()} nop le phi\n"
        f"{day:%d/%m/%Y};FT900002;;50.000;chuyen tien\n"
    ).encode()
    log_in(page, live_app, "tiepnhan", "#/reconciliation")
    expect(page.get_by_role("heading", name="Đối soát sao kê ngân hàng")).to_be_visible()
    file = {"name": "saoke.csv", "mimeType": "text/csv", "buffer": csv}
    page.get_by_label("Tệp sao kê").set_input_files(file)
    page.get_by_role("button", name="Nhập sao kê").click()
    expect(page.locator("#notice")).to_contain_text("1 dòng khớp, 1 dòng không khớp, 0 dòng chênh lệch")
    expect(page.locator("#reconciliation-matched")).to_contain_text(code)
    expect(page.locator("#reconciliation-unmatched")).to_contain_text("FT900002")
    screenshot(page, "reconciliation-1-imported")
    page.get_by_label("Tệp sao kê").set_input_files(file)
    page.get_by_role("button", name="Nhập sao kê").click()
    expect(page.locator("#notice")).to_contain_text("đã được nhập trước đây")


def test_a_rejected_dossiers_fee_is_refunded_at_the_counter_by_bank_transfer(
    office_page: Page, live_app: LiveApp
) -> None:
    page, dossiers = office_page, live_app.system.dossiers
    code = register_online(live_app)
    dossiers.assess_fee(code, amount=8000, actor=RECEPTION)
    dossiers.record_payment(code, method=PaymentMethod.CASH, amount=8000, reference=None, actor=RECEPTION)
    written = dossiers.reject(code, reason="Không thuộc thẩm quyền", actor=RECEPTION)
    live_app.system.read_side.wait_for(written.position, None, 10)
    log_in(page, live_app, "tiepnhan", f"#/counter/{code}")
    card = page.locator('section[data-action="fee-refund"]')
    expect(card).to_contain_text("hoàn trả toàn bộ 8.000 đ")
    card.get_by_label("Hình thức hoàn trả").select_option("bank_transfer")
    card.get_by_label("Số tham chiếu chuyển khoản").fill("FT26999")
    card.get_by_role("button", name="Hoàn trả 8.000 đ").click()
    page.get_by_role("dialog").get_by_role("button", name="Đã hoàn trả").click()
    expect(page.locator("#notice")).to_have_text(f"Đã hoàn trả 8.000 đ cho hồ sơ {code}.")
    expect(page.locator('section[data-action="fee-refund"]')).to_have_count(0)
    refunded = [e for e in dossiers.list_history(code) if e.type == "Refunded"]
    assert len(refunded) == 1 and dossiers.get_dossier(code).paid == 0


def test_the_counter_desk_issues_the_fee_receipt_of_a_payment_once(office_page: Page, live_app: LiveApp) -> None:
    page, dossiers = office_page, live_app.system.dossiers
    code = register_online(live_app)
    dossiers.assess_fee(code, amount=8000, actor=RECEPTION)
    written = dossiers.record_payment(code, method=PaymentMethod.CASH, amount=8000, reference=None, actor=RECEPTION)
    live_app.system.read_side.wait_for(written.position, None, 10)
    log_in(page, live_app, "tiepnhan", f"#/counter/{code}")
    card = page.locator('section[data-action="fee-receipts"]')
    expect(card).to_contain_text("Chưa lập biên lai")
    card.get_by_role("button", name="Lập biên lai cho các khoản đã nộp").click()
    expect(page.locator("#notice")).to_have_text("Đã lập 1 biên lai.")
    expect(page.locator("#fee-receipts")).to_contain_text("số 0000001: 8.000 đ")
    page.locator('section[data-action="fee-receipts"]').get_by_role(
        "button", name="Lập biên lai cho các khoản đã nộp"
    ).click()
    expect(page.locator("#notice")).to_have_text("Mọi khoản nộp đều đã có biên lai.")
    expect(page.locator("#fee-receipts li")).to_have_count(1)
