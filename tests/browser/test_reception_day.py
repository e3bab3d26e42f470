"""A reception officer's whole day at the counter, in headless Chromium through the console only (issue [12] items 2
and 5). Regression: before, the console could not receive a walk-in paper dossier, set a fee, take a payment, print
the receipt form, deliver at the counter, refund, reject with a notice, or search by name, ID number or phone."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from domain.access import access_log_id
from tests.browser.conftest import screenshot
from tests.browser.workday_support import CERTIFIED_COPY, api, issue_result, log_in, serve
from tests.kiosk_support import Citizen

WALK_IN, TYPED = Citizen(41), Citizen(42)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("reception-day"))


@pytest.fixture
def page(browser, day) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    first = context.new_page()
    context.on("page", lambda popup: popup.close())  # the receipt PDF's tab
    first.set_default_timeout(15_000)
    yield first
    context.close()


def desk_action(page: Page, name: str) -> object:
    return page.locator(f'section[data-action="{name}"]')


def receive_walk_in(page: Page, citizen: Citizen | None, typed: Citizen | None = None) -> str:
    """The counter's receive form: procedure found by an accent-free search, components ticked, the applicant from
    the CCCD QR the USB scanner types (payload then Enter) or typed by hand."""
    page.get_by_label("Tìm thủ tục (tên hoặc mã)").fill("chung thuc ban sao tu ban chinh")
    page.get_by_label("Thủ tục", exact=True).select_option(CERTIFIED_COPY)
    expect(page.locator("#procedure-fee")).to_contain_text("Lệ phí 2.000 đ")
    for box in page.locator("#components input[type=checkbox]").all():
        box.check()
    if citizen is not None:
        qr = page.get_by_label("Quét QR căn cước (CCCD)")
        qr.fill(citizen.qr)
        qr.press("Enter")  # what the scanner sends after the payload: it must not submit the form
        expect(page.get_by_label("Họ và tên")).to_have_value(citizen.name)
        expect(page.get_by_label("Số CCCD")).to_have_value(citizen.id_number)
        page.get_by_label("Số điện thoại").fill(citizen.phone)
    else:
        page.get_by_label("Số CCCD").fill(typed.id_number)
        page.get_by_label("Họ và tên").fill(typed.name)
        page.get_by_label("Số điện thoại").fill(typed.phone)
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    return re.search(r"#/counter/(.+)$", page.url)[1]


def take(page: Page, amount: int, paid: str) -> None:
    """Cash at the counter; returns once the page shows the new balance (`paid` as the console writes it)."""
    card = desk_action(page, "payment")
    card.get_by_label("Số tiền nhận (đồng)").fill(str(amount))
    card.get_by_role("button", name="Ghi nhận đã thu").click()
    expect(page.locator("#money")).to_contain_text(f"Đã nộp{paid}")


def test_a_reception_officer_receives_charges_prints_delivers_refunds_rejects_and_searches(page: Page, day) -> None:
    app, _clock = day
    log_in(page, app, "tiepnhan", "Quầy một cửa")
    expect(page.get_by_role("heading", name="Quầy tiếp nhận và trả kết quả")).to_be_visible()
    code = receive_walk_in(page, WALK_IN)
    screenshot(page, "reception-1-received")

    # Fee from the catalogue, a partial cash payment, the receipt form signed with the officer's key.
    desk_action(page, "fee").get_by_role("button", name="Ghi lệ phí").click()
    expect(page.locator("#money")).to_contain_text("Còn thiếu")
    take(page, 1000, "1.000 đ")
    expect(page.locator("#notice")).to_have_text(f"Đã thu 1.000 đ cho hồ sơ {code}.")
    desk_action(page, "receipt").get_by_role("button", name="Ký số và in phiếu tiếp nhận").click()
    expect(page.locator("#receipt-link")).to_be_visible()
    sha256 = page.locator("#receipt-result").get_attribute("data-sha256")
    screenshot(page, "reception-2-fee-payment-receipt")

    # A supplement asked for and brought back the same day.
    card = desk_action(page, "supplement-request")
    card.get_by_label("Giấy tờ cần bổ sung").fill("Bản sao CCCD")
    card.get_by_label("Lý do").fill("Bản sao bị mờ")
    card.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    expect(page.locator("#status")).to_have_text("Chờ bổ sung")
    desk_action(page, "supplement").get_by_role("button", name="Ghi nhận đã bổ sung").click()
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")

    # The department's work (another role), then delivery at the counter: the shortfall is paid first.
    issue_result(app.system, code)
    page.reload()
    expect(page.locator("#status")).to_have_text("Đã có kết quả")
    expect(desk_action(page, "delivery")).to_contain_text("Công dân còn thiếu 1.000 đ")
    take(page, 1000, "2.000 đ")
    expect(desk_action(page, "delivery")).not_to_contain_text("còn thiếu")  # the page shows the paid balance
    desk_action(page, "delivery").get_by_role("button", name="Trả kết quả").click()
    expect(page.locator("#status")).to_have_text("Đã trả kết quả")
    screenshot(page, "reception-3-delivered")

    # A second walk-in, typed by hand, overpays; the dossier is rejected after a confirmation, the notice printed
    # and the excess refunded.
    page.locator("#nav").get_by_role("link", name="Quầy một cửa").click()
    rejected = receive_walk_in(page, None, TYPED)
    desk_action(page, "fee").get_by_role("button", name="Ghi lệ phí").click()
    expect(page.locator("#money")).to_contain_text("Còn thiếu")
    take(page, 5000, "5.000 đ")
    expect(page.locator("#money")).to_contain_text("Nộp thừa")
    expect(desk_action(page, "payment")).to_have_count(0)
    card = desk_action(page, "reject")
    card.get_by_label("Lý do từ chối").fill("Giấy tờ không thuộc thẩm quyền chứng thực")
    card.get_by_role("button", name="Từ chối…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Hồ sơ sẽ kết thúc")
    dialog.get_by_role("button", name="Quay lại").click()  # one click never rejects
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    card.get_by_role("button", name="Từ chối…").click()
    page.get_by_role("dialog").get_by_role("button", name="Xác nhận từ chối").click()
    expect(page.locator("#status")).to_have_text("Từ chối")
    notice = page.locator("#rejection-notice")
    expect(notice).to_contain_text(f"Kính gửi: Ông/Bà {TYPED.name}")
    expect(notice).to_contain_text("Giấy tờ không thuộc thẩm quyền chứng thực")
    page.emulate_media(media="print")
    expect(page.locator("#nav")).to_be_hidden()
    screenshot(page, "reception-4-rejection-notice-print")
    page.emulate_media(media="screen")
    desk_action(page, "refund").get_by_role("button", name="Hoàn trả 3.000 đ").click()
    page.get_by_role("dialog").get_by_role("button", name="Đã trả tiền").click()
    expect(page.locator("#notice")).to_have_text(f"Đã hoàn trả 3.000 đ cho hồ sơ {rejected}.")
    page.get_by_role("link", name="Xem đầy đủ và lịch sử xử lý").click()
    expect(page.locator("#timeline li[data-event=ExcessRefunded]")).to_contain_text(
        "Hoàn trả 3.000 đ tiền nộp thừa tại quầy"
    )

    # A demo dossier opened by its code typed in lower case with spaces: the citizen withdraws it.
    withdrawn = next(d.code for d in app.system.views.queue("to_accept", today=app.system.clock.now().date()).items)
    page.locator("#nav").get_by_role("link", name="Quầy một cửa").click()
    page.get_by_label("Mã hồ sơ (quét hoặc gõ)").fill(f" {withdrawn.lower().replace('-', ' - ')} ")
    page.get_by_role("button", name="Mở hồ sơ").click()
    card = desk_action(page, "withdrawal-request")
    card.get_by_label("Lý do xin rút").fill("Công dân không còn nhu cầu")
    card.get_by_role("button", name="Ghi nhận xin rút").click()
    expect(page.locator("#status")).to_have_text("Xin rút hồ sơ")
    desk_action(page, "withdraw").get_by_role("button", name="Trả lại hồ sơ cho công dân").click()
    expect(page.locator("#status")).to_have_text("Đã rút")

    # Search by the name typed without accents; the purpose goes into the citizen's access log.
    page.locator("#nav").get_by_role("link", name="Tra cứu").click()
    page.get_by_label("Tra cứu theo").select_option("name")
    plain = "".join(
        c
        for c in unicodedata.normalize("NFD", WALK_IN.name.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(c)
    ).upper()
    page.get_by_label("Nội dung tra cứu").fill(plain)
    page.get_by_label("Mục đích tra cứu").fill("Công dân gọi hỏi kết quả")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("#found")).to_contain_text(code)
    screenshot(page, "reception-5-search")
    page.get_by_label("Tra cứu theo").select_option("phone")
    page.get_by_label("Nội dung tra cứu").fill(f"+84 {TYPED.phone[1:]}")
    page.get_by_label("Mục đích tra cứu").fill("Công dân quên mã hồ sơ")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("#found")).to_contain_text(rejected)

    # The effects, read through the API.
    client = api(app, "tiepnhan")
    delivered, refunded = client.get(f"/dossiers/{code}").json(), client.get(f"/dossiers/{rejected}").json()
    assert (delivered["status"], delivered["paid"], delivered["fee"], delivered["channel"]) == (
        "delivered",
        2000,
        2000,
        "counter",
    )
    assert (refunded["status"], refunded["paid"], refunded["excess"]) == ("rejected", 2000, 0)
    assert client.get(f"/dossiers/{withdrawn}").json()["status"] == "withdrawn"
    types = [e["type"] for e in client.get(f"/dossiers/{code}/history").json()]
    assert types[:2] == ["Received", "FeeAssessed"] and "SupplementProvided" in types and types[-1] == "ResultDelivered"
    assert client.get(f"/dossiers/{code}/history").json()[0]["actor"]["account_id"] == "tiepnhan"
    signed = client.get("/verify", params={"code": code}).json()["files"]
    assert [(f["sha256"], f["kind"]) for f in signed] == [(sha256, "receipt_form")]
    client.close()
    reads = list(app.system.app.events.get(access_log_id(app.system.access_logs.subject(WALK_IN.id_number))))
    assert any(getattr(e, "purpose", None) == "Công dân gọi hỏi kết quả" for e in reads)
