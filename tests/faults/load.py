"""A write load over HTTP that remembers every acknowledged command, and checks the store against it.

Each client thread loops: receive a paper dossier (a new citizen), hand its last two dossiers over in one batch
(two events, one commit), record a payment. Every request has a unique key (the new dossier's code, the handover
item, the payment reference) so the stored events can be counted per request afterwards.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from tests.faults.auth import headers
from tests.kiosk_support import Citizen

COPY = "2.000635.000.00.00.H29"  # extract copy: 8,000 đồng
# Received is keyed by the dossier code the answer gives (the applicant is personal data, encrypted at rest).
KEY_OF = {"Received": ("code",), "HandedOver": ("item",), "PaymentReceived": ("reference",)}
EVENTS_PER_REQUEST = {"Received": 1, "HandedOver": 2, "PaymentReceived": 1}


RECEIVER = {
    "username": "hotich",
    "password": "fault-test-receiver-2026",
    "name": "Đỗ Văn Hải",
    "role": "department_officer",
    "agency": "H29.06",
    "department": "H29.06.1.TPHT",
}


def enrol_receiver(url: str) -> None:
    """The account the load hands dossiers over to: a handover's receiver is a real account, never a typed name."""
    answer = httpx.post(f"{url}/accounts", json=RECEIVER, headers=headers("administrator"), timeout=60)
    assert answer.status_code in (201, 409), answer.text  # 409: a restarted API's store already has it


class WriteLoad:
    """`threads` clients writing to `url` (which may change, e.g. after a restart) until stopped."""

    def __init__(self, url: str, threads: int = 4) -> None:
        self.url, self.threads = url, threads
        self.acked: dict[str, set[str]] = {kind: set() for kind in KEY_OF}
        self.answers: Counter[str] = Counter()  # HTTP status or exception name
        self.refusals: list[tuple[int, dict[str, Any], dict[str, str]]] = []  # non-2xx answers: status, body, headers
        self._stop, self._lock, self._workers = threading.Event(), threading.Lock(), []

    def start(self) -> WriteLoad:
        enrol_receiver(self.url)
        self._workers = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(60)

    def acks(self) -> int:
        with self._lock:
            return sum(len(keys) for keys in self.acked.values())

    def wait_for_acks(self, more: int, seconds: float = 120) -> None:
        target, deadline = self.acks() + more, time.monotonic() + seconds
        while self.acks() < target:
            with self._lock:
                refused = [r for r in self.refusals if 400 <= r[0] < 500]
            assert not refused, f"the API refused the load's commands: {refused[:3]}"
            assert time.monotonic() < deadline, f"only {self.acks()} of {target} commands acknowledged: {self.answers}"
            time.sleep(0.05)

    def _client(self, thread: int) -> None:
        codes: list[str] = []
        with httpx.Client(timeout=60) as client:  # a command waits up to ~12 s per batch for a dead database
            for n in range(thread * 100_000, (thread + 1) * 100_000):
                if self._stop.is_set():
                    return
                citizen, base = Citizen(n), self.url
                staff = headers("reception_officer")
                body = {
                    "procedure_code": COPY,
                    "channel": "counter",
                    "components": [],
                    "applicant": {"id_number": citizen.id_number, "name": citizen.name},
                }
                answer = self._send(client, "Received", lambda answer: answer["code"], f"{base}/dossiers", body, staff)
                if answer is not None:
                    codes.append(answer["code"])
                if len(codes) >= 2:
                    item = f"Phong bì lô {n}"
                    self._send(
                        client,
                        "HandedOver",
                        lambda _, item=item: item,
                        f"{base}/kiosks/handovers",
                        {"codes": codes[-2:], "item": item, "receiver": "hotich"},
                        headers("consultant"),
                    )
                if codes:
                    reference = f"FT{n}"
                    self._send(
                        client,
                        "PaymentReceived",
                        lambda _, reference=reference: reference,
                        f"{base}/dossiers/{codes[-1]}/payments",
                        {"method": "bank_qr", "amount": 1000, "reference": reference},
                        staff,
                    )

    def _send(
        self, client: httpx.Client, kind: str, key: Callable[[dict], str], url: str, body: dict, auth: dict
    ) -> dict | None:
        try:
            response = client.post(url, json=body, headers=auth)
        except httpx.HTTPError as error:  # the server died mid-request or is not listening: not acknowledged
            self._count(type(error).__name__)
            time.sleep(0.05)
            return None
        self._count(str(response.status_code))
        if response.status_code != 201:
            with self._lock:
                self.refusals.append((response.status_code, response.json(), dict(response.headers)))
            time.sleep(0.05)
            return None
        with self._lock:
            self.acked[kind].add(key(response.json()))
        return response.json()

    def _count(self, answer: str) -> None:
        with self._lock:
            self.answers[answer] += 1


def count_by_request(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Counter[str]]:
    """How many stored events each request key produced, per event kind."""
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KEY_OF}
    for topic, state in events:
        kind = topic.rsplit(".", 1)[-1]
        if kind in KEY_OF:
            value: Any = state
            for field in KEY_OF[kind]:
                value = value.get(field) if isinstance(value, dict) else None
            if value is not None:
                counts[kind][value] += 1
    return counts


def check_exactly_once(load: WriteLoad, events: list[tuple[str, dict[str, Any]]]) -> None:
    """Every acknowledged command is stored whole exactly once; an unacknowledged one whole once or not at all."""
    counts = count_by_request(events)
    for kind, per_request in EVENTS_PER_REQUEST.items():
        missing = [key for key in load.acked[kind] if counts[kind][key] != per_request]
        assert not missing, (
            f"{kind}: acknowledged but stored {[counts[kind][k] for k in missing[:5]]} times: {missing[:5]}"
        )
        partial = {key: n for key, n in counts[kind].items() if n != per_request}
        assert not partial, f"{kind}: stored partially or twice: {partial}"
