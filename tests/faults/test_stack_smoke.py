"""`make stack` (scripts/stack.sh) against the real PostgreSQL and NATS: one dossier from kiosk submission to pickup."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from infrastructure.stack.compose import load
from infrastructure.stack.local import runs_locally
from tests.conftest import pg_connect
from tests.faults.auth import headers
from tests.faults.support import DATA_KEY, ROOT, SECRET, free_port, wait_until
from tests.kiosk_support import Citizen

COPY = "2.000635.000.00.00.H29"  # extract copy: 8,000 đồng
KIOSK, STAFF, CLERK = headers("kiosk"), headers("consultant"), headers("department_officer")
SCRAPER = "stack-smoke-scraper-token-0123456789abcdef"


class SmsGateway:
    """A stand-in SMS gateway on 127.0.0.1 that keeps every text it is asked to send (OTPs come from the API
    processes, pickup notices from the notification process)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                gateway.texts.append(str(body.get("text", "")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "smoke"}')

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Anything(dict):
    """An environment in which every variable is set (to fill compose.yaml's required ones)."""

    def get(self, key, default=None):
        return super().get(key, "set")


def declared_processes() -> Counter[str]:
    """`python -m <module>` processes compose.yaml declares, counted by module (replicas included)."""
    services = load(ROOT / "compose.yaml", Anything()).services.values()
    return Counter({s.command[2]: s.replicas for s in services if runs_locally(s)})


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[list[httpx.Client], Path, SmsGateway]]:
    tag, sms = uuid.uuid4().hex[:8], SmsGateway()
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "POSTGRES_SCHEMA": f"stack_{tag}",
        "MOTCUA_READ_SCHEMA": f"stack_{tag}_read",
        "STACK_DIR": str(tmp_path),
        "STACK_PORTS_API": " ".join(map(str, ports)),
        "STACK_PORTS_KIOSK": str(free_port()),
        "PYTHON": sys.executable,
        "MOTCUA_NATS_STREAM": f"KIOSK_EVENTS_S{tag.upper()}",
        "MOTCUA_NATS_PREFIX": f"s{tag}.kiosk",
        "MOTCUA_NATS_DURABLE": f"core-{tag}",
        "MOTCUA_SCHEDULER_POLL": "1",
        "MOTCUA_SECRET_KEY": SECRET,
        "MOTCUA_DATA_KEY": DATA_KEY,
        "MOTCUA_METRICS_TOKEN": SCRAPER,
        "MOTCUA_SMS_URL": sms.url,
    }
    log = tmp_path / "stack.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bash", "scripts/stack.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    try:
        # Nine processes start on two cores shared with other work: wait generously, and for the runner process too.
        wait_until(
            lambda: all(_answers(c, "/health/ready") for c in clients) or process.poll() is not None,
            300,
            "both API replicas",
        )
        assert process.poll() is None, log.read_text()[-3000:]
        wait_until(lambda: _caught_up(clients[1]) or process.poll() is not None, 300, "the read-model process")
        assert process.poll() is None, log.read_text()[-3000:]
        expected = declared_processes()
        wait_until(
            lambda: running(f"stack_{tag}") == expected or process.poll() is not None,
            120,
            "every process of compose.yaml",
        )
        assert running(f"stack_{tag}") == expected, log.read_text()[-3000:]
        yield clients, log, sms
    finally:
        for client in clients:
            client.close()
        sms.close()
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
    """The `python -m <module>` processes started with POSTGRES_SCHEMA=schema, counted by module (the launcher,
    `infrastructure.stack`, and its one-shot steps left out)."""
    found: Counter[str] = Counter()
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"-m" in argv[:-1] and f"POSTGRES_SCHEMA={schema}".encode() in environ:
            module = argv[argv.index(b"-m") + 1].decode()
            if module != "infrastructure.stack" and argv[-1] != b"keygen":
                found[module] += 1
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


def sent_code(sms: SmsGateway) -> str:
    """The newest OTP the API "sent" through the gateway."""
    wait_until(lambda: any(re.search(r"\b\d{6}\b", text) for text in sms.texts), 60, "the OTP SMS")
    return [found[0] for text in sms.texts if (found := re.findall(r"\b(\d{6})\b", text))][-1]


def metrics(client: httpx.Client) -> str:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER}"})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_one_dossier_goes_from_the_kiosk_to_pickup_through_the_stack(stack) -> None:
    (a, b), log, sms = stack
    before = metrics(a)
    citizen = Citizen(42)
    assert a.post("/kiosks/Q6-01/otp", json={"phone": citizen.phone}, headers=KIOSK).status_code == 201
    proof = a.post("/kiosks/Q6-01/otp/verify", json={"phone": citizen.phone, "code": sent_code(sms)}, headers=KIOSK)
    submitted = a.post(
        "/kiosks/Q6-01/submissions",
        headers=KIOSK,
        json={
            "procedure_code": COPY,
            "qr_payload": citizen.qr,
            "phone": citizen.phone,
            "phone_proof": proof.json()["proof"],
            "envelope": "Q6PB000042",
        },
    )
    assert submitted.status_code == 201, submitted.text
    code = submitted.json()["dossier_code"]
    paid = b.post(f"/kiosks/Q6-01/dossiers/{code}/payments", json={"method": "cash", "amount": 8000}, headers=KIOSK)
    assert paid.json()["shortfall"] == 0, paid.text
    collected = b.post("/kiosks/Q6-01/collections", json={"cash_counted": 8000}, headers=STAFF).json()
    assert collected["discrepancy"] == 0 and [e["dossier_code"] for e in collected["envelopes"]] == [code]
    department = collected["envelopes"][0]["department"]
    handed = a.post(
        "/kiosks/handovers", json={"codes": [code], "item": "Phong bì", "receiver": "hotich"}, headers=STAFF
    )
    assert handed.status_code == 201, handed.text
    for path, body in [
        ("accept", {}),
        ("route", {"department": department}),
        ("result", {"summary": "Bản sao trích lục"}),
        ("handovers", {"item": "Kết quả", "receiver": "tuvan"}),
    ]:
        answer = b.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK)
        assert answer.status_code == 201, (path, answer.text)
    loaded = a.post("/kiosks/Q6-01/loads", json={"codes": [code]}, headers=STAFF | {"X-Request-ID": "smoke-load-42"})
    assert loaded.headers["X-Request-ID"] == "smoke-load-42"
    slip = loaded.json()
    tray = slip["loaded"][0]["tray"]
    head, deadline = b.get("/health").json()["events"], time.monotonic() + 120  # the runner shares two busy cores
    while (
        waited := b.get("/views/trays/wait", params={"position": head, "timeout": 20}, headers=STAFF)
    ).status_code == 503:
        assert time.monotonic() < deadline, "the read-model process did not catch up"
    assert waited.status_code == 200, waited.text
    assert b.get("/views/kiosks/Q6-01/trays", headers=STAFF).json()[tray - 1]["dossier_code"] == code
    ticket = b.post("/kiosks/Q6-01/pickups/receipt", json={"id_number": citizen.id_number, "code": code}, headers=KIOSK)
    released = a.post(
        "/kiosks/Q6-01/pickups/release",
        headers=KIOSK,
        json={"code": code, "ticket": ticket.json()["token"], "method": "cccd_and_receipt"},
    )
    assert released.status_code == 201 and released.json()["tray"] == tray, released.text
    assert b.get(f"/dossiers/{code}", headers=CLERK).json()["status"] == "delivered"
    # The dispatcher process sends the pickup SMS of the load through the gateway; its log line names no phone,
    # the text (with the dossier code) reaches the demo page.
    wait_until(lambda: any(code in text for text in sms.texts), 60, "the pickup SMS from the notification process")
    assert re.search(r'\[notifications\] \{.*"message": "notification \S+ sent by sms', log.read_text()), "no SMS line"
    assert citizen.phone not in log.read_text() and citizen.id_number not in log.read_text()
    # The load's request id crossed the NATS command line into the kiosk process's log, and /metrics moved.
    assert re.search(
        r'\[kiosk\] \{.*"message": "command open_tray: ok".*"request_id": "smoke-load-42"', log.read_text()
    )
    after = metrics(a)
    submissions = 'motcua_commands_total{command="POST /kiosks/{key}/submissions",outcome="done"} 1.0'
    assert submissions in after and submissions not in before
    assert re.search(
        r'motcua_http_requests_total\{method="POST",route="/kiosks/\{key\}/loads",status="201"\} 1\.0', after
    )
    assert 'motcua_read_model_lag_events{model="trays"}' in after and "motcua_notifications_queued" in after
    # The kiosk process's heartbeats reach the fleet monitor process: the fleet view shows it online.
    wait_until(
        lambda: (
            [(k["kiosk"], k["online"]) for k in b.get("/views/kiosks/fleet", headers=STAFF).json()] == [("Q6-01", True)]
        ),
        60,
        "the kiosk online in the fleet view",
    )
    assert 'motcua_kiosk_heartbeat_outbox_backlog{kiosk="Q6-01"}' in metrics(b)
    assert code not in after
