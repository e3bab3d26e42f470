"""What the working-day browser tests share: the real app on a clock the test can move (so results become overdue),
what other actors do (the kiosk device, a department), logging in from the keyboard, and reading the API as a role."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import uvicorn
from playwright.sync_api import Page, expect

from api.app import create_app
from application.kiosks import SUBMIT
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, PaymentMethod, Role
from infrastructure.bootstrap import System, build
from infrastructure.demo import seed
from infrastructure.settings import Settings
from tests.browser.conftest import DEMO_LOGINS, LiveApp
from tests.fakes import FakeClock
from tests.kiosk_support import Citizen

CERTIFIED_COPY = "2.000815.000.00.00.H29"  # chứng thực bản sao: Phòng Tư pháp (H29.06.TP), 2.000 đ, kiosk-enabled
CLERK = Actor(account_id="tuphap", role=Role.DEPARTMENT_OFFICER)
OFFICER = Actor(account_id="tiepnhan", role=Role.RECEPTION_OFFICER)
DEVICE = Actor(account_id="kiosk.q6-01", role=Role.KIOSK)
ADMIN = Actor(account_id="quantri", role=Role.ADMINISTRATOR)


def serve(tmp_dir, start: datetime | None = None) -> Iterator[tuple[LiveApp, FakeClock]]:
    """The app with demo data on 127.0.0.1, its business clock starting at `start` (default: now) and moved only by
    the test. The demo data is written at `start`, and an aggregate's events never go back in time (a command the
    test dates earlier is recorded at the demo's time), so a test that sets the clock to an hour of the day starts
    it before that hour."""
    clock = FakeClock(start or datetime.now(UTC))
    system = build(Settings(data_dir=tmp_dir, demo=True, notifications="external"), clock=clock)
    seed(system)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(system), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the API did not start; see the log above")
        threading.Event().wait(0.02)
    yield LiveApp(url=f"http://127.0.0.1:{sock.getsockname()[1]}", system=system), clock
    server.should_exit = True
    thread.join(timeout=20)
    sock.close()


def console_page(browser) -> Iterator[Page]:
    """A page of the console's size, in Vietnamese and Saigon time, closed afterwards (for a `page` fixture)."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page: Page, app: LiveApp, username: str, menu: str) -> None:
    """Log in from the keyboard, then open the page of the menu entry `menu`."""
    page.goto(f"{app.url}/console/#/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_LOGINS[username][0])
    page.get_by_label("Mật khẩu").press("Enter")
    expect(page.locator("#who")).to_contain_text(DEMO_LOGINS[username][1])
    page.locator("#nav").get_by_role("link", name=menu).click()


def api(app: LiveApp, username: str, password: str | None = None) -> httpx.Client:
    """An HTTP client logged in as `username`, to check through the API what the console did."""
    client = httpx.Client(base_url=app.url, timeout=30)
    login = client.post("/auth/login", json={"username": username, "password": password or DEMO_LOGINS[username][0]})
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return client


def kiosk_submission(system: System, citizen: Citizen, envelope: str, cash: int) -> str:
    """The kiosk device's work (not the console's): a citizen submits and pays cash into the machine."""
    proof = system.kiosks.proofs.issue(citizen.phone, SUBMIT, system.clock.now())
    code = system.kiosks.submit(
        "Q6-01",
        procedure_code=CERTIFIED_COPY,
        qr_payload=citizen.qr,
        phone=citizen.phone,
        phone_proof=proof,
        envelope=envelope,
        actor=DEVICE,
    ).dossier_code
    system.kiosks.pay("Q6-01", code, method=PaymentMethod.CASH, amount=cash, actor=DEVICE)
    return code


def processed(system: System, citizen: Citizen, *, channel: Channel = Channel.COUNTER) -> str:
    """A dossier received earlier and processed by the department (other roles' work): its result is issued."""
    procedure = system.catalogue.procedure(CERTIFIED_COPY)
    code, _ = system.dossiers.receive(
        procedure_code=CERTIFIED_COPY,
        channel=channel,
        actor=OFFICER,
        applicant=Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone),
        components=[Component(name=c.name, form=ComponentForm(c.form), count=c.count) for c in procedure.components],
    )
    issue_result(system, code)
    return code


def issue_result(system: System, code: str) -> None:
    """The department accepts, processes and records the result (the department officer's day, not this one)."""
    dossiers = system.dossiers
    if dossiers.get_dossier(code).status in ("received", "registered"):
        dossiers.accept(code, actor=CLERK)
    dossiers.route(code, department="H29.06.TP", actor=CLERK)
    dossiers.issue_result(code, summary="Bản sao đã chứng thực", actor=CLERK)
