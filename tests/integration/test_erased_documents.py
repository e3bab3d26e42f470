"""Files that name a person are erased with them: receipt form, scan and result sealed under their key
(docs/PRIVACY.md)."""

from __future__ import annotations

import base64
from pathlib import Path

import psycopg
import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.errors import DomainError
from domain.values import Actor, Role
from domain.vault import DocumentMetadata, OwnerKind, VaultOwner
from infrastructure.bootstrap import build
from infrastructure.settings import Settings
from tests.api.test_verify_api import a_pdf
from tests.auth_support import bearer
from tests.fakes import FakeClock
from tests.integration import test_privacy
from tests.integration.test_privacy import leaks
from tests.kiosk_support import Citizen

settings = test_privacy.settings  # the SQLite and PostgreSQL settings fixture, for pytest to find here
BIRTH = "1.001193.000.00.00.H29"
DEPARTMENT = "H29.06.1.TPHT"
ERASED_ONE, KEPT_ONE = Citizen(311), Citizen(312)
ERASED_ONE.name, KEPT_ONE.name = "Tôn Nữ Bích Thủy", "Khổng Văn Trọng"  # names nobody else in the test has
GONE = "Tài liệu đã bị xóa theo yêu cầu xóa dữ liệu cá nhân."


def blob_files(settings: Settings) -> dict[Path, bytes]:
    """Every stored blob: the files, or with PostgreSQL the rows of the event database's `onestop_blobs`."""
    if settings.store == "postgres":
        with psycopg.connect(settings.postgres_conninfo()) as conn:
            rows = conn.execute(f"SELECT name, sealed FROM {settings.postgres.schema}.onestop_blobs").fetchall()
        return {Path(name): bytes(sealed) for name, sealed in rows}
    root = settings.blob_dir
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def serve(client: TestClient, system, citizen: Citizen, headers: dict[str, dict[str, str]]) -> dict[str, str]:
    """At the counter: received, receipt form issued, one paper component digitized; then processed and signed."""
    applicant = {"id_number": citizen.id_number, "name": citizen.name, "phone": citizen.phone}
    body = {
        "procedure_code": BIRTH,
        "channel": "counter",
        "applicant": applicant,
        "components": [{"name": "Tờ khai", "form": "original", "count": 1}],
    }
    code = client.post("/dossiers", json=body, headers=headers["counter"]).json()["code"]
    form = client.post(f"/dossiers/{code}/receipt-form", json={}, headers=headers["counter"])
    assert form.status_code == 201, form.text
    scan = {
        "dossier_code": code,
        "declared_pages": 1,
        "pdf": base64.b64encode(a_pdf(f"TỜ KHAI {citizen.name}")).decode(),
        "metadata": {
            "type_code": "TK.KS",
            "name": "Tờ khai đăng ký khai sinh",
            "summary": f"Người khai {citizen.name}",
        },
    }
    scanned = client.post(f"/vaults/citizen/{citizen.id_number}/digitize", json=scan, headers=headers["counter"])
    assert scanned.status_code == 201, scanned.text
    for path, step in [
        ("accept", {}),
        ("route", {"department": DEPARTMENT}),
        ("result", {"summary": "Giấy khai sinh"}),
    ]:
        assert client.post(f"/dossiers/{code}/{path}", json=step, headers=headers["clerk"]).status_code == 201, path
    result = system.vaults.sign_result(
        VaultOwner(kind=OwnerKind.CITIZEN, id_number=citizen.id_number),
        dossier_code=code,
        pdf=a_pdf(f"GIẤY KHAI SINH {citizen.name}"),
        metadata=DocumentMetadata(type_code="KQ.GKS", name="Giấy khai sinh", summary=citizen.name, number="15/2026/KS"),
        signer=Actor(account_id="chutich.q6", role=Role.SIGNER),
    )
    return {
        "code": code,
        "form": form.headers["X-Document-Sha256"],
        "scan": scanned.json()["document_id"],
        "result": result.document_id,
        "result_sha256": result.sha256,
    }


def test_an_erasure_makes_the_persons_receipt_form_scan_and_result_unreadable_and_leaves_others_verifiable(
    settings,
) -> None:  # noqa: F811
    clock = FakeClock()
    system = build(settings, clock=clock)
    tokens, at = system.accounts.tokens, clock.now()
    headers = {
        "counter": bearer(Role.RECEPTION_OFFICER, "officer.q6", tokens=tokens, at=at),
        "clerk": bearer(Role.DEPARTMENT_OFFICER, "clerk.tp", department=DEPARTMENT, tokens=tokens, at=at),
        "admin": bearer(Role.ADMINISTRATOR, "admin.a", tokens=tokens, at=at),
    }
    try:
        with TestClient(create_app(system)) as client:
            erased, kept = (serve(client, system, citizen, headers) for citizen in (ERASED_ONE, KEPT_ONE))
            assert len(blob_files(settings)) == 6
            assert not [path for path, data in blob_files(settings).items() if b"%PDF" in data]  # sealed, not PDFs

            body = {"id_number": ERASED_ONE.id_number, "reason": "Đơn yêu cầu xóa dữ liệu số 15/2026"}
            assert client.post("/privacy/erasures", json=body, headers=headers["admin"]).status_code == 201
            system.projector.catch_up()

            assert leaks(settings, ERASED_ONE) == {}  # every table and every file of the blob store
            for document in ("scan", "result"):
                gone = client.get(
                    f"/vaults/citizen/{ERASED_ONE.id_number}/documents/{erased[document]}/file",
                    headers=headers["counter"],
                )
                assert (gone.status_code, gone.json()["error"], gone.json()["message_vi"]) == (410, "erased", GONE)
            with pytest.raises(DomainError, match="erased on a lawful request"):
                system.vaults.open_file(erased["form"])

            for document in ("scan", "result"):
                found = client.get(
                    f"/vaults/citizen/{KEPT_ONE.id_number}/documents/{kept[document]}/file", headers=headers["counter"]
                )
                assert found.status_code == 200 and found.content.startswith(b"%PDF")
                checked = client.post(
                    "/verify", content=found.content, headers={"Content-Type": "application/pdf"}
                ).json()
                assert (checked["intact"], checked["issued_by_system"], checked["dossier_code"]) == (
                    True,
                    True,
                    kept["code"],
                )
            form = system.vaults.open_file(kept["form"])
            checked = client.post("/verify", content=form, headers={"Content-Type": "application/pdf"}).json()
            assert (checked["intact"], checked["issued_by_system"]) == (True, True)
    finally:
        system.close()
