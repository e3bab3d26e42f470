"""An administrator's whole day in headless Chromium through the console only (issue [12] item 6). Regression: before,
the administrator's accounts page did not exist (the administrator landed on an error page)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.workday_support import api, console_page, log_in, serve

PASSWORD, NEW_PASSWORD = "mat-khau-ban-dau-2026", "mat-khau-dat-lai-2026"


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("admin-day"))


@pytest.fixture
def page(browser, day) -> Iterator[Page]:
    yield from console_page(browser)


def answer(page: Page, field: str, value: str) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(field).fill(value)
    dialog.get_by_role("button", name="Đồng ý").click()


def test_an_administrator_creates_resets_disables_accounts_and_installs_and_rekeys_kiosks(page: Page, day) -> None:
    app, _clock = day
    log_in(page, app, "quantri", "Tài khoản và kiosk")
    expect(page.get_by_role("heading", name="Tài khoản và kiosk", level=1)).to_be_visible()

    create = page.get_by_role("form", name="Tạo tài khoản cán bộ")
    create.get_by_label("Tên đăng nhập").fill("nv.moi")
    create.get_by_label("Họ và tên").fill("Lý Thị Mới")
    create.get_by_label("Vai trò").select_option("department_officer")
    create.get_by_label("Mật khẩu ban đầu").fill(PASSWORD)
    create.get_by_role("button", name="Tạo tài khoản").click()
    expect(create.get_by_role("alert")).to_contain_text("cần chọn phòng ban")  # refused before anything is sent
    create.get_by_label("Phòng ban").select_option("H29.06.TP")
    create.get_by_role("button", name="Tạo tài khoản").click()
    row = page.locator("#accounts tr", has_text="nv.moi")
    expect(row).to_contain_text("Cán bộ phòng chuyên môn")
    expect(row).to_contain_text("Phòng Tư pháp")
    screenshot(page, "admin-1-accounts")

    row.get_by_role("button", name="Đổi vai trò").click()
    move = page.get_by_role("dialog")
    move.get_by_label("Vai trò", exact=True).select_option("reception_officer")
    move.get_by_label("Phòng ban").select_option("")
    move.get_by_role("button", name="Lưu").click()
    expect(page.locator("#notice")).to_have_text("Đã đổi nv.moi sang Cán bộ tiếp nhận.")
    row = page.locator("#accounts tr", has_text="nv.moi")
    expect(row).to_contain_text("Cán bộ tiếp nhận")
    row.get_by_role("button", name="Đặt lại mật khẩu").click()
    answer(page, "Mật khẩu mới", NEW_PASSWORD)
    expect(page.locator("#notice")).to_contain_text("Đã đặt lại mật khẩu cho nv.moi")
    row.get_by_role("button", name="Khóa").click()
    answer(page, "Lý do khóa", "Chuyển công tác")
    page.get_by_role("dialog").get_by_role("button", name="Khóa tài khoản").click()
    expect(page.locator("#accounts tr", has_text="nv.moi")).to_contain_text("Đã khóa")
    page.locator("#accounts tr", has_text="nv.moi").get_by_role("button", name="Lịch sử").click()
    history = page.locator("#account-history")
    for label in ("Tạo tài khoản", "Đổi vai trò, đơn vị", "Đặt lại mật khẩu", "Khóa tài khoản", "Chuyển công tác"):
        expect(history).to_contain_text(label)
    expect(history).not_to_contain_text("argon2")
    screenshot(page, "admin-2-account-history")

    install = page.get_by_role("form", name="Lắp đặt kiosk mới")
    install.get_by_label("Mã kiosk").fill("Q6-05")
    install.get_by_label("Tên kiosk").fill("Kiosk 24/7 Phường 5")
    install.get_by_label("Số khay").fill("4")
    install.get_by_role("button", name="Lắp đặt và tạo tài khoản thiết bị").click()
    new_secret = page.locator("#new-secret").inner_text()
    page.locator('[data-kiosk="Q6-01"]').get_by_role("button", name="Cấp lại khóa thiết bị").click()
    page.get_by_role("dialog").get_by_role("button", name="Cấp khóa mới").click()
    expect(page.locator("#notice")).to_have_text("Đã cấp lại khóa thiết bị kiosk Q6-01.")
    rekeyed = page.locator("#secret code").inner_text()
    screenshot(page, "admin-3-kiosks")

    # The effects, read through the API.
    with httpx.Client(base_url=app.url, timeout=30) as anyone:
        assert anyone.post("/auth/login", json={"username": "nv.moi", "password": NEW_PASSWORD}).status_code in (
            401,
            403,
        )
        assert anyone.post("/auth/device", json={"kiosk": "Q6-05", "secret": new_secret}).status_code == 200
        assert anyone.post("/auth/device", json={"kiosk": "Q6-01", "secret": "demo-kiosk-Q6-01"}).status_code == 401
        assert anyone.post("/auth/device", json={"kiosk": "Q6-01", "secret": rekeyed}).status_code == 200
    crew = api(app, "tuvan")
    assert len(crew.get("/kiosks/Q6-05").json()["trays"]) == 4
    crew.close()
    admin = api(app, "quantri")
    account = next(a for a in admin.get("/accounts").json() if a["username"] == "nv.moi")
    assert (account["role"], account["department"], account["enabled"]) == ("reception_officer", None, False)
    kinds = [e["type"] for e in admin.get("/accounts/kiosk.q6-01/history").json()["entries"]]
    assert kinds == ["Account.Created", "Account.PasswordChanged"]
    admin.close()
