"""Browser tests: the real app under uvicorn on a free port (SQLite in a temp dir, demo data and demo accounts) and
Debian's headless Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api.app import create_app
from infrastructure.bootstrap import System, build
from infrastructure.demo import ACCOUNTS, KIOSK_KEY, seed
from infrastructure.settings import Settings

CHROMIUM = "/usr/bin/chromium"
# A login hashes the password with Argon2 and the suite runs in two processes: on a busy 2-core machine an answer can
# take longer than Playwright's 5 s default. Waiting longer changes no verdict, only how long a failure takes to show.
expect.set_options(timeout=15_000)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
OFFICE_SCREEN = {"width": 1366, "height": 768}
# The demo logins `make run` writes (infrastructure/demo.py): username -> (password, name).
DEMO_LOGINS = {username: (f"demo-{username}", name) for username, name, _role, _department in ACCOUNTS}
KIOSK_SECRET = f"demo-kiosk-{KIOSK_KEY}"


@dataclass(frozen=True)
class LiveApp:
    """The running app: its base URL and the System behind it (to check the API state a test expects)."""

    url: str
    system: System


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """`python -m api` with demo data and logins, on 127.0.0.1 and a port the OS picked; stopped (and closed) at the
    end."""
    system = build(Settings(data_dir=tmp_path_factory.mktemp("live"), demo=True, notifications="external"))
    seed(system)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(system)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the API did not start; see the log above")
        threading.Event().wait(0.02)
    yield LiveApp(url=f"http://127.0.0.1:{sock.getsockname()[1]}", system=system)
    server.should_exit = True  # the app's shutdown hook closes the system
    thread.join(timeout=20)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, shared by a module's tests. Not session-wide: Playwright's sync API keeps an
    event loop running in the main thread while it is open, and later tests that call asyncio.run() would fail."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def office_page(browser: Browser) -> Iterator[Page]:
    """A fresh tab on a 1366×768 office screen, Vietnamese locale and time zone."""
    context = browser.new_context(viewport=OFFICE_SCREEN, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a PNG under var/screenshots (git-ignored) for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("scrollTo(0, 0)")
    page.screenshot(path=str(path))
    return path


KIOSK_SCREEN = {"width": 1080, "height": 1920}  # the kiosk's portrait touch screen


@pytest.fixture(scope="module")
def live_core(tmp_path_factory: pytest.TempPathFactory):
    """The real app with demo data for the kiosk's screen tests; its OTP SMS go to a sink the test reads."""
    from tests.kiosk_edge.live import live_core as start_core

    with start_core(tmp_path_factory.mktemp("kiosk-core")) as core:
        yield core


@pytest.fixture
def kiosk_page(browser: Browser) -> Iterator[Page]:
    """A fresh tab on the kiosk's 1080×1920 portrait screen, Vietnamese locale and time zone."""
    context = browser.new_context(viewport=KIOSK_SCREEN, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
