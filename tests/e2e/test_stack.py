"""`make stack`'s processes against the real PostgreSQL and NATS: one dossier from kiosk submission to pickup."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import pg_connect
from tests.kiosk_support import Citizen

ROOT = Path(__file__).resolve().parents[2]
KIOSK = {"X-Account-Id": "kiosk-Q6-09", "X-Role": "kiosk"}
STAFF = {"X-Account-Id": "tuvan.tuan", "X-Role": "consultant"}
CLERK = {"X-Account-Id": "officer.tp", "X-Role": "department_officer"}
TEAM = {"account_id": "tuvan.tuan", "name": "Trần Minh Tuấn", "role": "consultant", "unit": "Tổ tư vấn"}
DEPT = {"account_id": "officer.tp", "name": "Lê Thị Thu", "role": "department_officer", "unit": "Phòng Tư pháp"}
COPY = "2.000635.000.00.00.H29"  # extract copy: 8,000 đồng


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stack(tmp_path: Path):
    tag = uuid.uuid4().hex[:8]
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "POSTGRES_SCHEMA": f"stack_{tag}", "MOTCUA_READ_SCHEMA": f"stack_{tag}_read", "MOTCUA_DATA_DIR": str(tmp_path),
        "STACK_API_PORTS": " ".join(map(str, ports)), "MOTCUA_NATS_STREAM": f"KIOSK_EVENTS_S{tag.upper()}",
        "MOTCUA_NATS_PREFIX": f"s{tag}.kiosk", "MOTCUA_NATS_DURABLE": f"core-{tag}", "MOTCUA_SCHEDULER_POLL": "1"}
    log = tmp_path / "stack.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "scripts/stack.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 240  # six processes start on two cores
        while not all(_healthy(url) for url in urls):
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)
        yield urls, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:  # never leave processes behind, whatever went wrong
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        with pg_connect() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS stack_{tag} CASCADE")
            conn.execute(f"DROP SCHEMA IF EXISTS stack_{tag}_read CASCADE")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def sent_code(log: Path, deadline: float = 20) -> str:
    """The OTP as the console SMS gateway printed it (the citizen's phone, in this stack)."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        found = re.findall(r"Ma OTP cua ban la (\d{6})", log.read_text())
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError("no OTP was sent")


def test_one_dossier_goes_from_the_kiosk_to_pickup_through_the_stack(stack) -> None:
    (one, two), log = stack
    a, b = httpx.Client(base_url=one, timeout=30), httpx.Client(base_url=two, timeout=30)
    citizen = Citizen(42)
    assert a.post("/kiosks", json={"key": "Q6-09", "name": "Kiosk thử", "agency": "H29.06", "tray_count": 4},
                  headers=STAFF).status_code == 201
    assert a.post("/kiosks/Q6-09/envelope-batches", json={"barcodes": ["Q6PB424242"]}, headers=STAFF).status_code == 201
    assert a.post("/kiosks/Q6-09/otp", json={"phone": citizen.phone}, headers=KIOSK).status_code == 201
    proof = a.post("/kiosks/Q6-09/otp/verify", json={"phone": citizen.phone, "code": sent_code(log)}, headers=KIOSK)
    submitted = a.post("/kiosks/Q6-09/submissions", headers=KIOSK, json={
        "procedure_code": COPY, "qr_payload": citizen.qr, "phone": citizen.phone, "phone_proof": proof.json()["proof"],
        "envelope": "Q6PB424242"}).json()
    code = submitted["dossier_code"]
    assert b.post(f"/kiosks/Q6-09/dossiers/{code}/payments", json={"method": "cash", "amount": 8000},
                  headers=KIOSK).json()["shortfall"] == 0
    collected = b.post("/kiosks/Q6-09/collections", json={"cash_counted": 8000, "collector": TEAM}, headers=STAFF).json()
    assert collected["discrepancy"] == 0 and [e["dossier_code"] for e in collected["envelopes"]] == [code]
    department = collected["envelopes"][0]["department"]
    a.post("/kiosks/handovers", json={"codes": [code], "item": "Phong bì", "giver": TEAM, "receiver": DEPT}, headers=STAFF)
    for path, body in [("accept", {}), ("route", {"department": department}), ("result", {"summary": "Bản sao trích lục"}),
                       ("handovers", {"item": "Kết quả", "giver": DEPT, "receiver": TEAM})]:
        assert b.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK).status_code == 201, path
    slip = a.post("/kiosks/Q6-09/loads", json={"codes": [code], "staff": TEAM}, headers=STAFF).json()
    tray = slip["loaded"][0]["tray"]
    grid = b.get("/views/kiosks/Q6-09/trays", params={"after": submitted["position"]}).json()
    assert len(grid) == 4
    head, deadline = b.get("/health").json()["events"], time.monotonic() + 120  # the runner shares two busy cores
    while (waited := b.get("/views/trays/wait", params={"position": head, "timeout": 20})).status_code == 503:
        assert time.monotonic() < deadline, "the read-model process did not catch up"
    assert waited.status_code == 200
    assert b.get("/views/kiosks/Q6-09/trays").json()[tray - 1]["dossier_code"] == code  # the runner process caught up
    ticket = b.post("/kiosks/Q6-09/pickups/receipt", json={"id_number": citizen.id_number, "code": code}, headers=KIOSK).json()
    released = a.post("/kiosks/Q6-09/pickups/release", headers=KIOSK,
                      json={"code": code, "ticket": ticket["token"], "method": "cccd_and_receipt"})
    assert released.status_code == 201 and released.json()["tray"] == tray
    assert b.get(f"/dossiers/{code}").json()["status"] == "delivered"
    deadline = time.monotonic() + 30  # the dispatcher process sends the pickup SMS of the load
    while code not in log.read_text().split("[notifications]")[-1] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert re.search(rf"\[notifications\] \[SMS [^\]]*\].*{re.escape(code)}", log.read_text())
