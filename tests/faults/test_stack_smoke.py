"""`make stack` (scripts/stack.sh) against the real PostgreSQL and NATS: one dossier from kiosk submission to pickup."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import pg_connect
from tests.faults.auth import headers
from tests.faults.support import DATA_KEY, ROOT, SECRET, free_port, wait_until
from tests.kiosk_support import Citizen

COPY = "2.000635.000.00.00.H29"  # extract copy: 8,000 đồng
KIOSK, STAFF, CLERK = headers("kiosk"), headers("consultant"), headers("department_officer")
EVERY_PROCESS = Counter({"api": 2, "projections": 1, "infrastructure.notifications": 1, "infrastructure.scheduler": 1,
                         "infrastructure.device_consumer": 1, "infrastructure.audit": 1})  # audit: the chainer


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[list[httpx.Client], Path]]:
    tag = uuid.uuid4().hex[:8]
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "POSTGRES_SCHEMA": f"stack_{tag}", "MOTCUA_READ_SCHEMA": f"stack_{tag}_read", "MOTCUA_DATA_DIR": str(tmp_path),
        "STACK_API_PORTS": " ".join(map(str, ports)), "MOTCUA_NATS_STREAM": f"KIOSK_EVENTS_S{tag.upper()}",
        "MOTCUA_NATS_PREFIX": f"s{tag}.kiosk", "MOTCUA_NATS_DURABLE": f"core-{tag}", "MOTCUA_SCHEDULER_POLL": "1",
        "MOTCUA_SECRET_KEY": SECRET, "MOTCUA_DATA_KEY": DATA_KEY}
    log = tmp_path / "stack.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "scripts/stack.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    try:
        # Six processes start on two cores shared with other work: wait generously, and for the runner process too.
        wait_until(lambda: all(_answers(c, "/health") for c in clients) or process.poll() is not None, 300, "both API replicas")
        assert process.poll() is None, log.read_text()[-3000:]
        wait_until(lambda: _caught_up(clients[1]) or process.poll() is not None, 300, "the read-model process")
        assert process.poll() is None, log.read_text()[-3000:]
        assert running(f"stack_{tag}") == EVERY_PROCESS, log.read_text()[-3000:]
        yield clients, log
    finally:
        for client in clients:
            client.close()
        stop(process)
        with pg_connect() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS stack_{tag} CASCADE")
            conn.execute(f"DROP SCHEMA IF EXISTS stack_{tag}_read CASCADE")
            conn.execute(f"DROP SCHEMA IF EXISTS stack_{tag}_read_private CASCADE")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole process group (stack.sh stops its children), SIGKILL if that takes over a minute."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)
    except ProcessLookupError:  # stack.sh has ended already; its group is gone with it
        pass
    except subprocess.TimeoutExpired:  # never leave processes behind, whatever went wrong
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def running(schema: str) -> Counter[str]:
    """The `python -m <module>` processes started with POSTGRES_SCHEMA=schema, counted by module."""
    found: Counter[str] = Counter()
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"-m" in argv[:-1] and f"POSTGRES_SCHEMA={schema}".encode() in environ:
            found[argv[argv.index(b"-m") + 1].decode()] += 1
    return found


def _answers(client: httpx.Client, path: str) -> bool:
    try:
        return client.get(path, headers=STAFF, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _caught_up(client: httpx.Client) -> bool:
    """Every read model has processed the demo data the first replica wrote (so the runner process is working)."""
    if not _answers(client, "/views/lag"):
        return False
    lags = client.get("/views/lag", headers=STAFF).json()
    return bool(lags) and all(lag["head"] > 0 and lag["events_behind"] == 0 for lag in lags)


def sent_code(client: httpx.Client) -> str:
    """The OTP as the console SMS gateway kept it for the demo page of the first replica (never in the log)."""
    wait_until(lambda: re.search(r"Ma OTP cua ban la \d{6}", client.get("/demo/messages").text) is not None, 60, "the OTP SMS")
    return re.findall(r"Ma OTP cua ban la (\d{6})", client.get("/demo/messages").text)[0]  # newest first


def test_one_dossier_goes_from_the_kiosk_to_pickup_through_the_stack(stack) -> None:
    (a, b), log = stack
    citizen = Citizen(42)
    assert a.post("/kiosks/Q6-01/otp", json={"phone": citizen.phone}, headers=KIOSK).status_code == 201
    proof = a.post("/kiosks/Q6-01/otp/verify", json={"phone": citizen.phone, "code": sent_code(a)}, headers=KIOSK)
    submitted = a.post("/kiosks/Q6-01/submissions", headers=KIOSK, json={
        "procedure_code": COPY, "qr_payload": citizen.qr, "phone": citizen.phone, "phone_proof": proof.json()["proof"],
        "envelope": "Q6PB000042"})
    assert submitted.status_code == 201, submitted.text
    code = submitted.json()["dossier_code"]
    paid = b.post(f"/kiosks/Q6-01/dossiers/{code}/payments", json={"method": "cash", "amount": 8000}, headers=KIOSK)
    assert paid.json()["shortfall"] == 0, paid.text
    collected = b.post("/kiosks/Q6-01/collections", json={"cash_counted": 8000}, headers=STAFF).json()
    assert collected["discrepancy"] == 0 and [e["dossier_code"] for e in collected["envelopes"]] == [code]
    department = collected["envelopes"][0]["department"]
    handed = a.post("/kiosks/handovers", json={"codes": [code], "item": "Phong bì", "receiver": "hotich"},
                    headers=STAFF)
    assert handed.status_code == 201, handed.text
    for path, body in [("accept", {}), ("route", {"department": department}), ("result", {"summary": "Bản sao trích lục"}),
                       ("handovers", {"item": "Kết quả", "receiver": "tuvan"})]:
        answer = b.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK)
        assert answer.status_code == 201, (path, answer.text)
    slip = a.post("/kiosks/Q6-01/loads", json={"codes": [code]}, headers=STAFF).json()
    tray = slip["loaded"][0]["tray"]
    head, deadline = b.get("/health").json()["events"], time.monotonic() + 120  # the runner shares two busy cores
    while (waited := b.get("/views/trays/wait", params={"position": head, "timeout": 20}, headers=STAFF)).status_code == 503:
        assert time.monotonic() < deadline, "the read-model process did not catch up"
    assert waited.status_code == 200, waited.text
    assert b.get("/views/kiosks/Q6-01/trays", headers=STAFF).json()[tray - 1]["dossier_code"] == code
    ticket = b.post("/kiosks/Q6-01/pickups/receipt", json={"id_number": citizen.id_number, "code": code}, headers=KIOSK)
    released = a.post("/kiosks/Q6-01/pickups/release", headers=KIOSK,
                      json={"code": code, "ticket": ticket.json()["token"], "method": "cccd_and_receipt"})
    assert released.status_code == 201 and released.json()["tray"] == tray, released.text
    assert b.get(f"/dossiers/{code}", headers=CLERK).json()["status"] == "delivered"
    # The dispatcher process sends the pickup SMS of the load: the log names the template and the masked phone only,
    # the text (with the dossier code) reaches the demo page.
    wait_until(lambda: code in a.get("/demo/messages").text, 60, "the pickup SMS from the notification process")
    assert re.search(r"\[notifications\] .*console sms: \S+ to \S*\*", log.read_text()), "no console SMS line in the log"
    assert citizen.phone not in log.read_text() and citizen.id_number not in log.read_text()
