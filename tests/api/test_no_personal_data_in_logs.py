"""Personal data never reaches the logs: not from requests, not from errors, not from the kiosk readers."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.api.test_kiosk_api import KIOSK, STAFF, submit
from tests.auth_support import bearer
from tests.kiosk_support import Citizen


@pytest.fixture
def client(system):
    with TestClient(create_app(system)) as client:
        client.headers.update(bearer("reception_officer", "officer-1"))
        client.post("/kiosks", json={"key": "Q6-01", "name": "Kiosk", "agency": "H29.06"}, headers=STAFF)
        client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB000001"]}, headers=STAFF)
        yield client


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_kiosk_submission_and_its_refusals_log_no_name_id_or_phone(
    client: TestClient, otp, system, monkeypatch
) -> None:
    citizen = Citizen(21)
    captured, root = Captured(), logging.getLogger()
    root.addHandler(captured)  # after the app started: Litestar's logging set-up replaces the root handlers
    root.setLevel(logging.DEBUG)
    assert submit(client, otp, citizen).status_code == 201
    client.post("/kiosks/Q6-01/identity", json={"qr_payload": citizen.qr.replace("|", ";")}, headers=KIOSK)
    client.post(
        "/kiosks/Q6-01/pickups/receipt",
        json={"id_number": citizen.id_number, "code": "H29.06-260520-0077"},
        headers=KIOSK,
    )
    # A vault store that fails: the request ends in a 500, whose log line must not echo the path.
    monkeypatch.setattr(system.vaults, "dossier_codes", lambda owner: 1 / 0)
    assert (
        client.get(
            f"/vaults/citizen/{citizen.id_number}/documents", headers=bearer("reception_officer", "officer-1")
        ).status_code
        == 500
    )
    root.removeHandler(captured)
    ours = [r for r in captured.records if not r.name.startswith("httpx")]  # httpx is the test's own client
    logged = "\n".join(record.getMessage() for record in ours)
    assert "internal error" in logged and "on GET /vaults/{owner_kind}/{owner_id}/documents" in logged
    for secret in (citizen.id_number, citizen.name, citizen.phone, citizen.name.split()[-1] + " "):
        assert secret not in logged


def test_a_non_utf8_qr_is_reported_without_its_bytes(caplog) -> None:
    from kiosk_edge.readers.symbols import decode_qr_bytes  # noqa: PLC0415 - the function under test

    caplog.set_level(logging.DEBUG)
    text = decode_qr_bytes(b"079195000101|\xff\xfe|Nguy\xe1n", raw=True)
    assert text.startswith("079195000101")
    assert "079195000101" not in caplog.text and "bytes is not UTF-8" in caplog.text
