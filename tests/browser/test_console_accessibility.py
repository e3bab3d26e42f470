"""Every console page, as each role reaches it from its menu, checked with axe-core injected by Playwright: no
serious or critical violation. axe-core comes from the npm registry, pinned in tests/browser/axe/package.json
(`make install-dev` runs `npm ci` there; node_modules is not committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from infrastructure.demo import KIOSK_KEY
from tests.browser.conftest import OFFICE_SCREEN, LiveApp
from tests.browser.test_console import log_in
from tests.browser.test_console_roles import result_issued

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ROLES = ["tiepnhan", "tuphap", "tuvan", "kyso", "kiemtra", "phantich", "quantri"]

pytestmark = pytest.mark.skipif(
    not AXE.exists(), reason="axe-core not installed: make install-dev (npm ci in tests/browser/axe)"
)


@pytest.fixture
def office_page(browser: Browser) -> Iterator[Page]:
    """As conftest's office tab, but the page's CSP (scripts from our origin only) lets the test inject axe-core."""
    context = browser.new_context(
        viewport=OFFICE_SCREEN, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    """Serious and critical axe violations of the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    return [f"{page.url.split('#')[-1]}: {line}" for line in found]


def settled(page: Page) -> None:
    expect(page.locator("#main > .page:not([data-seen])")).to_have_count(1)  # the new page has replaced the last one
    page.locator("#main > .page").evaluate("view => { view.dataset.seen = '1'; }")


def test_the_login_page_has_no_serious_accessibility_issue_and_the_check_would_see_one(
    office_page: Page, live_app: LiveApp
) -> None:
    office_page.goto(f"{live_app.url}/console/#/login")
    expect(office_page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert violations(office_page) == []
    office_page.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('img'), {src: 'x.png'}))"
    )
    assert any("image-alt" in line for line in violations(office_page))


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_a_roles_menu_has_no_serious_accessibility_issue(
    office_page: Page, live_app: LiveApp, username: str
) -> None:
    page = office_page
    code = result_issued(live_app)
    log_in(page, live_app, username)
    settled(page)
    found = violations(page)
    hashes = page.locator("#nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hashes, "every role has a menu"
    extra = [f"#/dossiers/{code}", f"#/kiosks/{KIOSK_KEY}", f"#/audit/dossier/{code}"]
    for target in hashes + [x for x in extra if x.split("/")[1] in {h.split("/")[1].split("?")[0] for h in hashes}]:
        if page.evaluate("location.hash") == target:
            continue  # the landing page, checked above
        page.evaluate("target => { location.hash = target; }", target)
        settled(page)
        if target.startswith("#/reports"):
            expect(page.frame_locator("iframe.report").locator("h1, h2").first).to_be_visible()
        found += violations(page)
    assert found == []
