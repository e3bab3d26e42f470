"""Two API processes on one PostgreSQL, each with its own empty data directory: a document one of them stores is
served by the other (blobs in the event database), and neither writes a key or a document to its disk."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import httpx

from tests.api.test_verify_api import a_pdf
from tests.conftest import PG
from tests.faults.auth import headers
from tests.faults.support import Api, dev_pki, process_env

BIRTH = "1.001193.000.00.00.H29"
CITIZEN = {"id_number": "079195000777", "name": "Đinh Thị Mai", "phone": "0901000777"}


def test_a_document_stored_through_one_api_process_is_served_by_the_other(fault_schema: str, tmp_path: Path) -> None:
    pki = {"MOTCUA_DEV_PKI_DIR": str(dev_pki(tmp_path / "shared"))}  # made beforehand, as a mounted secret would be
    one, two = (
        Api(process_env(PG, fault_schema, tmp_path / name, **pki), tmp_path / f"{name}.log") for name in ("one", "two")
    )
    counter = headers("reception_officer")
    pdf = a_pdf("TỜ KHAI ĐĂNG KÝ KHAI SINH")
    try:
        one.start().wait_healthy()
        two.start().wait_healthy()
        with httpx.Client(base_url=one.url, timeout=60) as a, httpx.Client(base_url=two.url, timeout=60) as b:
            body = {
                "procedure_code": BIRTH,
                "channel": "counter",
                "applicant": CITIZEN,
                "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
            }
            received = a.post("/dossiers", json=body, headers=counter)
            assert received.status_code == 201, received.text
            scan = {
                "dossier_code": received.json()["code"],
                "declared_pages": 1,
                "pdf": base64.b64encode(pdf).decode(),
                "metadata": {"type_code": "TK.KS", "name": "Tờ khai đăng ký khai sinh"},
            }
            vault = f"/vaults/citizen/{CITIZEN['id_number']}"
            stored = a.post(f"{vault}/digitize", json=scan, headers=counter)
            assert stored.status_code == 201, stored.text
            served = b.get(f"{vault}/documents/{stored.json()['document_id']}/file", headers=counter)
        assert served.status_code == 200, served.text
        # The stored scan (signed by the officer through process one), byte for byte as recorded in its event.
        assert hashlib.sha256(served.content).hexdigest() == stored.json()["sha256"]
        assert served.content.startswith(b"%PDF") and len(served.content) == stored.json()["size"]
    finally:
        one.stop()
        two.stop()
    for name in ("one", "two"):  # only the process logs: no blobs, PKI or secrets of their own
        data_dir = tmp_path / name
        assert not (data_dir.exists() and [p for p in data_dir.rglob("*") if p.is_file()])
