"""The kiosk crew's (tổ tư vấn) whole day in headless Chromium through the console only (issue [12] item 4).
Regression: before, the consultants could not collect envelopes and cash (the machine's money was never recorded as
collected), register envelope batches, take a tray out of service or pull back overdue results from the console."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from domain.clock import VIETNAM
from tests.browser.conftest import screenshot
from tests.browser.workday_support import ADMIN, api, console_page, kiosk_submission, log_in, processed, serve
from tests.kiosk_support import Citizen


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("kiosk-staff-day"))


@pytest.fixture
def page(browser, day) -> Iterator[Page]:
    yield from console_page(browser)


def test_the_kiosk_crew_collects_hands_over_prints_envelopes_services_trays_and_pulls_back_overdue(
    page: Page, day
) -> None:
    app, clock = day
    system = app.system
    # Overnight at the kiosk (the device's work): two citizens submitted and paid 5.000 đ and 2.000 đ in cash.
    submitted = [
        kiosk_submission(system, Citizen(51), "Q6PB000101", 5000),
        kiosk_submission(system, Citizen(52), "Q6PB000102", 2000),
    ]
    unused_before = system.kiosks.get_kiosk("Q6-01").unused_envelopes

    log_in(page, app, "tuvan", "Việc hằng ngày tại kiosk")
    page.get_by_label("Mã kiosk").fill("Q6-01")
    page.get_by_role("button", name="Mở").click()
    expect(page.locator("#cash-expected")).to_have_text("7.000 đ")

    # 08:00: count the banknotes; the shortfall against the machine shows before confirming.
    page.get_by_label("5.000 đ", exact=True).fill("1")
    page.get_by_label("1.000 đ", exact=True).fill("1")
    expect(page.locator("#cash-total")).to_have_text("6.000 đ")
    expect(page.locator("#cash-gap")).to_have_text("Thiếu 1.000 đ so với số máy ghi nhận")
    screenshot(page, "kiosk-staff-1-count")
    page.get_by_role("button", name="Xác nhận thu").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Chênh lệch thiếu 1.000 đ")
    dialog.get_by_role("button", name="Xác nhận thu").click()
    expect(page.locator("#notice")).to_contain_text("Đã thu 2 phong bì và 6.000 đ")
    expect(page.locator("#collection-report")).to_contain_text("máy ghi nhận 7.000 đ, đếm được 6.000 đ")

    # The collected envelopes go to the department: the receiver is picked from real staff.
    handover = page.get_by_role("form", name="Giao hồ sơ vừa thu")
    handover.get_by_label("Người nhận").select_option("tuphap")
    handover.get_by_role("button", name="Ghi sổ giao nhận").click()
    expect(page.locator("#notice")).to_have_text("Đã ghi sổ giao nhận 2 hồ sơ.")
    screenshot(page, "kiosk-staff-2-collected-handed-over")

    # Envelope stock: a sheet of 12 Code 128 labels, printed, then the batch registered.
    stock = page.get_by_role("form", name="In nhãn phong bì")
    stock.get_by_label("Số bắt đầu").fill("501")
    stock.get_by_label("Số lượng").fill("12")
    stock.get_by_role("button", name="Xem tờ nhãn").click()
    expect(page.locator("#label-sheet figure")).to_have_count(12)
    expect(page.locator("#label-sheet")).to_contain_text("Q601PB000512")
    page.emulate_media(media="print")
    page.evaluate(
        "document.body.classList.add('print-one'); document.querySelector('.sheet').classList.add('print-target')"
    )
    screenshot(page, "kiosk-staff-3-label-sheet-print")
    page.evaluate("document.body.classList.remove('print-one')")
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Đăng ký lô phong bì đã dán nhãn").click()
    expect(page.locator("#unused-envelopes")).to_have_text(str(unused_before + 12))

    # A tray whose door jams goes out of service.
    trays = page.get_by_role("form", name="Ngừng sử dụng khay")
    trays.get_by_label("Khay").select_option("90")
    trays.get_by_label("Lý do").fill("Cửa khay bị kẹt")
    trays.get_by_role("button", name="Ngừng sử dụng khay").click()
    expect(page.locator("#out-of-service")).to_have_text("Đang ngừng sử dụng: khay 90.")

    # 16:00 at the small kiosk of a ward (installed by the administrator): three results loaded fill every tray.
    system.kiosks.install_kiosk("Q6-09", name="Kiosk 24/7 Phường 9", agency="H29.06", tray_count=3, actor=ADMIN)
    results = [processed(system, Citizen(n)) for n in (61, 62, 63)]
    page.goto(f"{app.url}/console/#/kiosk-staff/Q6-09")
    for code in results:
        page.locator("#scan").fill(code)
        page.keyboard.press("Enter")
        warning = page.get_by_role("dialog")  # unsigned results: the crew confirms loading them anyway
        expect(warning).to_contain_text(f"Kết quả hồ sơ {code} chưa được ký số")
        warning.get_by_role("button", name="Vẫn nạp vào khay").click()
        expect(page.locator("#loaded")).to_contain_text(code)

    # Three weeks later nobody has come: the kiosk is full, so the results are pulled back.
    clock.advance(days=21)
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, app, "tuvan", "Việc hằng ngày tại kiosk")
    page.goto(f"{app.url}/console/#/routines/Q6-09")
    expect(page.locator("#overdue")).to_contain_text(results[0])
    expect(page.get_by_text("Kiosk đã hết khay trống: cần thu hồi.")).to_be_visible()
    contact = page.locator(f'[data-contact="{results[0]}"]')
    contact.get_by_role("button", name="Xem số để gọi").click()
    expect(contact).to_contain_text(Citizen(61).phone)
    contact.get_by_label("Kết quả liên hệ", exact=True).select_option("no_answer")
    contact.get_by_role("button", name="Ghi kết quả").click()
    expect(contact).to_contain_text("Đã ghi: Không liên lạc được")
    screenshot(page, "kiosk-staff-4-overdue")
    pull = page.get_by_role("form", name="Thu hồi kết quả quá hạn")
    pull.get_by_label("Cán bộ Một cửa nhận kết quả của huyện").select_option("tiepnhan")
    pull.get_by_label("Cán bộ Công an nhận thẻ CCCD").select_option("congan")
    pull.get_by_role("button", name="Thu hồi kết quả quá hạn").click()
    expect(page.locator("#notice")).to_have_text("Đã thu hồi 3 kết quả và ghi sổ giao nhận.")

    # The effects, read through the API.
    client = api(app, "tuvan")
    kiosk = client.get("/kiosks/Q6-01").json()
    assert (kiosk["cash_expected"], kiosk["bin"], kiosk["unused_envelopes"]) == (0, [], unused_before + 12)
    assert next(t for t in kiosk["trays"] if t["number"] == 90)["status"] == "out_of_service"
    today = clock.now().astimezone(VIETNAM).date()
    book = client.get(
        "/views/books/cash", params={"from": str(today - timedelta(days=30)), "to": str(today), "kiosk": "Q6-01"}
    ).json()
    assert [(c["cash_expected"], c["cash_counted"], c["discrepancy"]) for c in book["collections"]] == [
        (7000, 6000, -1000)
    ]
    for code in submitted:
        holder = client.get(f"/dossiers/{code}").json()["holder"]
        assert holder["account_id"] == "tuphap"
    assert all(t["status"] == "empty" for t in client.get("/kiosks/Q6-09").json()["trays"])
    history = [e["type"] for e in client.get(f"/dossiers/{results[0]}/history").json()]
    assert "ContactRecorded" in history and history[-1] in ("HandedOver", "PulledBackFromTray")
    client.close()


def test_a_printed_envelope_label_reads_back_as_its_barcode(browser, day) -> None:
    """The kiosk's envelope reader must read what the sheet prints: the label rendered by Chromium decodes (zbar)."""
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    app, _clock = day
    client = api(app, "tuvan")
    label = client.post("/kiosks/Q6-01/envelope-labels", json={"barcodes": ["Q6PB009001"]}).json()[0]
    client.close()
    context = browser.new_context(device_scale_factor=3)
    sheet = context.new_page()
    sheet.set_content(f'<img style="width:300px" alt="" src="data:image/svg+xml;base64,{label["svg_base64"]}">')
    png = sheet.screenshot()
    context.close()
    assert [found.data for found in pyzbar.decode(Image.open(io.BytesIO(png)))] == [b"Q6PB009001"]
