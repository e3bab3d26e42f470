"""The `touch` helper of the kiosk screen tests takes the button a citizen would: the one whose label holds the words
as written, never another that holds them in other capitals. CI once failed when a test, faster than the screen,
looked for "Nhận thẻ Căn cước" (on the pickup choice) while the home screen still showed "ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC",
and Playwright's case-blind substring match touched that one."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.kiosk_screen import touch

HOME = """<main><button data-flow="pickup">NHẬN KẾT QUẢ<small>Nhận kết quả hồ sơ, thẻ Căn cước</small></button>
<button data-flow="card_return">ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC<small>Nhận thẻ tại kiosk này</small></button></main>"""
CHOICE = """<button data-flow="pickup_otp">Nhận thẻ Căn cước<small>Dùng mã hồ sơ trong tin nhắn</small></button>"""
TOUCHED = "document.querySelectorAll('button').forEach(b => b.onclick = () => { window.touched = b.dataset.flow; })"


def test_touch_waits_for_the_button_with_the_words_as_written_instead_of_one_in_capitals(
    kiosk_page: Page,
) -> None:
    page = kiosk_page
    page.set_content(HOME)
    page.evaluate(TOUCHED)
    # The next screen is drawn a moment later, as the kiosk's answer to the last touch would draw it.
    page.evaluate(f"setTimeout(() => {{ document.querySelector('main').innerHTML = `{CHOICE}`; ({TOUCHED}); }}, 300)")
    touch(page, "Nhận thẻ Căn cước")
    assert page.evaluate("window.touched") == "pickup_otp"


def test_touch_tells_apart_a_label_and_a_longer_one_ending_with_it_in_small_letters(kiosk_page: Page) -> None:
    page = kiosk_page
    page.set_content('<button data-flow="very">Rất hài lòng</button><button data-flow="fair">Hài lòng</button>')
    page.evaluate(TOUCHED)
    touch(page, "Hài lòng")
    assert page.evaluate("window.touched") == "fair"
