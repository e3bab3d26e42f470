"""`make run`'s process (`python -m api`, MOTCUA_DEMO=1) on the embedded default, NATS unreachable: the demo kiosk
Q6-01 runs inside it, a citizen pays cash at its screen, the core records each note exactly once, and SIGTERM
stops everything with status 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from kiosk_edge.scenarios import CITIZEN_ID, CITIZEN_QR, FEE, PHONE, PROCEDURE
from kiosk_edge.simulator import Simulator, SmsSink
from tests.kiosk_bus_support import free_port
from tests.kiosk_edge.live import wait_for

ROOT = Path(__file__).resolve().parents[2]
BARCODE = "Q6PB000150"  # registered by the demo data
CITIZEN_NAME = "Nguyễn Thị Hồng Nhung"


def get(url: str, token: str | None = None) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
        return json.loads(response.read())


def answers(url: str) -> bool:
    try:
        get(url)
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def login(api: str) -> str:
    body = json.dumps({"username": "tiepnhan", "password": "demo-tiepnhan"}).encode()
    request = urllib.request.Request(
        f"{api}/auth/login", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return str(json.loads(response.read())["token"])


def test_make_run_serves_the_demo_kiosk_whose_cash_reaches_the_core_once_and_stops_on_sigterm(tmp_path: Path) -> None:
    api_port, screen_port, sms = free_port(), free_port(), SmsSink()
    api, screen = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{screen_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "MOTCUA_DEMO": "1",
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "MOTCUA_API_PORT": str(api_port),
        "MOTCUA_KIOSK_SCREEN_PORT": str(screen_port),
        "MOTCUA_SMS_URL": sms.url,
        "PYTHONUNBUFFERED": "1",
        "MOTCUA_NATS_URL": f"nats://127.0.0.1:{free_port()}",
    }  # nothing listens: the embedded default needs no NATS
    log = tmp_path / "api.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:

        def up() -> bool:
            assert process.poll() is None, f"python -m api exited:\n{log.read_text()[-3000:]}"
            return answers(f"{api}/health") and answers(f"{screen}/api/state")

        wait_for(up, "the API and the kiosk screen", deadline=120)
        sim = Simulator(screen, api, kiosk="Q6-01", sms=sms)
        sim.run(
            [
                {"do": {"action": "begin", "flow": "submit"}, "expect": "procedures"},
                {"do": {"action": "procedure", "code": PROCEDURE}, "expect": "scan_cccd"},
                {"do": {"action": "scan_cccd", "payload": CITIZEN_QR}, "expect": "phone"},
                {"do": {"action": "phone", "phone": PHONE}, "expect": "otp"},
                {"do": {"action": "otp", "otp": "$otp"}, "expect": "envelope"},
                {"do": {"action": "insert_envelope", "barcode": BARCODE}, "expect": "payment"},
                {"do": {"action": "insert_cash", "denomination": 1_000}, "expect": "payment"},
                {"do": {"action": "insert_cash", "denomination": 1_000}, "expect": "receipt"},
                {"do": {"action": "finish"}, "expect": "home"},
            ]
        )
        code, token = sim.names["dossier"], login(api)
        wait_for(lambda: get(f"{screen}/api/state")["backlog"] == 0, "the kiosk's outbox to drain into the core")
        dossier = get(f"{api}/dossiers/{code}", token)
        payments = [e["data"] for e in get(f"{api}/dossiers/{code}/history", token) if e["type"] == "PaymentReceived"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
            sms.close()
    output = log.read_text()
    assert status == 0, output[-3000:]
    assert (dossier["fee"], dossier["paid"], dossier["shortfall"], dossier["excess"]) == (FEE, FEE, 0, 0)
    assert [(p["method"], p["amount"]) for p in payments] == [("cash", 1_000), ("cash", 1_000)]
    assert f"{api}/console/" in output and f"citizen screen of kiosk Q6-01 {screen}" in output
    assert [secret for secret in (CITIZEN_ID, PHONE, CITIZEN_NAME) if secret in output] == []  # no personal data
