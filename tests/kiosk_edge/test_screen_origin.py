"""The citizen screen answers only its own host and its own page: a cross-origin POST or a foreign Host is a 403."""

from __future__ import annotations

import httpx
import pytest

from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import KioskFlow
from kiosk_edge.outbox import Outbox
from kiosk_edge.screen.server import ScreenServer
from tests.kiosk_edge.test_flow_and_devices import FEE, ScriptedCore

BEGIN = b'{"action": "begin", "flow": "submit"}'


@pytest.fixture
def screen(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    devices = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90)
    server = ScreenServer(
        KioskFlow("Q6-01", ScriptedCore(), devices, [FEE], release_wait=0.0),
        simulated=devices,
        port=0,
        allowed_hosts=["kiosk-q6-01.local"],
    )
    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield server, client
    server.stop()
    outbox.close()


def test_the_screen_listens_on_loopback_by_default(screen) -> None:
    assert screen[0].httpd.server_address[0] == "127.0.0.1"


def test_a_post_from_another_origin_is_refused_and_changes_nothing(screen) -> None:
    server, client = screen
    answer = client.post("/api/input", content=BEGIN, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403 and answer.json()["code"] == "cross_origin"
    assert client.get("/api/state").json()["screen"] == "home"


def test_a_cross_site_post_without_origin_is_refused(screen) -> None:
    answer = screen[1].post("/api/input", content=BEGIN, headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403


def test_the_screens_own_page_may_post(screen) -> None:
    server, client = screen
    answer = client.post("/api/input", content=BEGIN, headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 200, answer.text


def test_a_host_name_not_configured_is_refused_as_in_dns_rebinding(screen) -> None:
    server, client = screen
    port = server.httpd.server_address[1]
    assert client.get("/api/state", headers={"Host": f"attacker.example:{port}"}).status_code == 403
    assert client.get("/api/state", headers={"Host": f"kiosk-q6-01.local:{port}"}).status_code == 200


def test_every_answer_carries_the_security_headers(screen) -> None:
    for answer in (screen[1].get("/"), screen[1].get("/api/state"), screen[1].post("/api/input", content=b"{")):
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
