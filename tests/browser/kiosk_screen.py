"""Helpers of the kiosk screen's browser tests: reach a screen (checking on the way that it fits 1080×1920 with the help
footer in view and speaks to citizens as they should be spoken to), touch, type on the on-screen keypad."""

from __future__ import annotations

import re

import cv2
import numpy as np
from playwright.sync_api import Page, expect

from kiosk_edge.readers import read_symbols
from tests.browser.conftest import screenshot

FITS = """() => {
  const main = document.querySelector("main"), footer = document.querySelector("footer");
  return {page: document.documentElement.scrollHeight, footer: footer.getBoundingClientRect().bottom,
          overflow: main.scrollHeight - main.clientHeight, help: footer.innerText};
}"""


def on(page: Page, screen: str, shot: str | None = None) -> None:
    """Wait for `screen`; assert it fits the screen at the default font size and its wording; maybe a screenshot."""
    expect(page.locator("body")).to_have_attribute("data-screen", screen)
    fits = page.evaluate(FITS)
    assert fits["page"] <= 1920 and fits["footer"] <= 1920 and fits["overflow"] <= 0, (screen, fits)
    assert "028.39695699" in fits["help"]
    text = page.locator("main").inner_text().lower()
    assert "đồng bộ" not in text and " bạn " not in f" {text} ", screen  # no technical words, the formal Ông/Bà
    if shot:
        screenshot(page, f"kiosk-{shot}")


def touch(page: Page, name: str) -> None:
    """Touch the button whose label holds `name` as written, capitals and all. Playwright's own name match ignores
    case, so it would take "ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC" on the home screen for "Nhận thẻ Căn cước" if the test got
    there before the next screen was drawn, and "Rất hài lòng" for "Hài lòng"."""
    page.get_by_role("button", name=re.compile(re.escape(name))).first.click()


def keypad(page: Page, field: str, text: str) -> None:
    """Type on the on-screen keypad, as a citizen would."""
    page.locator(f"#{field}").click()
    for key in text:
        page.locator(f'[data-key="{key}"]').first.click()


def keys(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".keypad > *").all_inner_texts()]


def one_line(page: Page, selector: str) -> None:
    """A dossier code shown on one line, never broken at its hyphens."""
    element = page.locator(selector)
    assert element.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    assert element.evaluate("e => e.getClientRects().length") == 1


def symbols_in(page: Page, selector: str) -> list[str]:
    """What the kiosk's own reader decodes from a screenshot of an element."""
    png = page.locator(selector).screenshot()
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return [symbol.payload for symbol in read_symbols(image)]
