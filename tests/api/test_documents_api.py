"""The receipt form and the signed result of a dossier over HTTP, checked by pyhanko (via /verify) and pdfsig."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from application.vaults import Vaults
from infrastructure.pdf_tools import LocalPdfTools
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from tests.api.test_dossier_api import BODY, HEADERS
from tests.api.test_verify_api import a_pdf
from tests.fakes import InMemoryBlobStore
from tests.auth_support import bearer

CLERK = bearer("department_officer", "officer.tp", department="H29.06.1.TPHT")


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> PyhankoSigner:
    return PyhankoSigner.from_dev_pki(ensure_dev_pki(tmp_path_factory.mktemp("pki"), officer_name="Nguyễn Văn An",
                                                     agency_name="Ủy ban nhân dân Quận 6"))


@pytest.fixture
def client(system, store_env, signer, clock):
    system.vaults = Vaults(store_env, blobs=InMemoryBlobStore(), signer=signer, pdfs=LocalPdfTools(), clock=clock)
    with TestClient(create_app(system)) as client:
        client.headers.update(HEADERS)
        yield client


def pdfsig(pdf: bytes, folder: Path) -> str:
    path = folder / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def test_the_receipt_form_is_signed_by_the_receiving_officer_and_verifiable(client: TestClient, tmp_path: Path) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    form = client.post(f"/dossiers/{code}/receipt-form", json={"officer_name": "Phạm Thị Lan"}, headers=HEADERS)
    assert form.status_code == 201 and form.headers["content-type"].startswith("application/pdf")
    checked = client.post("/verify", content=form.content, headers={"Content-Type": "application/pdf"}).json()
    assert checked["dossier_code"] == code and checked["intact"] is True and checked["altered"] is False
    assert "Signature is Valid" in pdfsig(form.content, tmp_path)
    assert client.get("/verify", params={"code": code}).json()["files"][0]["kind"] == "receipt_form"


def test_a_result_gets_two_signatures_goes_to_the_vault_and_is_delivered_online(client: TestClient, tmp_path: Path) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    for path, body in [("accept", {}), ("route", {"department": "H29.06.1.TPHT"}), ("result", {"summary": "Giấy khai sinh"})]:
        assert client.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK).status_code == 201, path
    body = {"pdf": base64.b64encode(a_pdf("GIẤY KHAI SINH")).decode(), "signer_account_id": "chutich.q6",
            "metadata": {"type_code": "KQ.GKS", "name": "Giấy khai sinh", "number": "15/2026/KS"}, "deliver_online": True}
    signed = client.post(f"/dossiers/{code}/result-document", json=body, headers=CLERK)
    assert signed.status_code == 201, signed.text
    document = signed.json()["document"]
    assert signed.json()["delivered"] is True and client.get(f"/dossiers/{code}").json()["status"] == "delivered"
    pdf = client.get(f"/vaults/citizen/{BODY['applicant']['id_number']}/documents/{document['document_id']}/file",
                     headers=CLERK).content
    report = pdfsig(pdf, tmp_path)
    assert report.count("Signature is Valid") == 2
    checked = client.post("/verify", content=pdf, headers={"Content-Type": "application/pdf"}).json()
    assert len(checked["signatures"]) == 2 and checked["intact"] is True and checked["dossier_code"] == code
