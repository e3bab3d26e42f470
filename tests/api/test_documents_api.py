"""The receipt form and the signed result of a dossier over HTTP, checked by pyhanko (via /verify) and pdfsig."""

from __future__ import annotations

import base64
import io
import subprocess
from pathlib import Path

import pytest
from litestar.testing import TestClient
from pyhanko.pdf_utils.reader import PdfFileReader

from api.app import create_app
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from tests.api.test_dossier_api import BODY, HEADERS
from tests.api.test_verify_api import a_pdf
from tests.auth_support import bearer

CLERK = bearer("department_officer", "officer.tp", department="H29.06.1.TPHT")
CHAIR = bearer("signer", "chutich.q6")
NAMES = {"officer-1": "Phạm Thị Lan", "chutich.q6": "Lê Văn Chủ", "officer-2": "Đỗ Minh Tâm"}
AGENCY = "Ủy ban nhân dân Quận 6"


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> PyhankoSigner:
    pki = ensure_dev_pki(tmp_path_factory.mktemp("pki"), officer_name="Nguyễn Văn An", agency_name=AGENCY)
    return PyhankoSigner.from_dev_pki(pki, names=NAMES.get)


@pytest.fixture
def client(system, store_env, signer, clock):
    system.vaults.signer = signer  # the real signer over the test CA
    with TestClient(create_app(system)) as client:
        client.headers.update(HEADERS)
        yield client


def pdfsig(pdf: bytes, folder: Path) -> str:
    path = folder / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def subjects(pdf: bytes) -> list[tuple[str, str | None]]:
    """(common name, account id) of each signature's certificate, in signing order."""
    names = [s.signer_cert.subject.native for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures]
    return [(n["common_name"], n.get("user_id")) for n in names]


def issued_dossier(client: TestClient) -> str:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    for path, body in [
        ("accept", {}),
        ("route", {"department": "H29.06.1.TPHT"}),
        ("result", {"summary": "Giấy khai sinh"}),
    ]:
        assert client.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK).status_code == 201, path
    return code


def result_body(**extra) -> dict:
    return {
        "pdf": base64.b64encode(a_pdf("GIẤY KHAI SINH")).decode(),
        **extra,
        "metadata": {"type_code": "KQ.GKS", "name": "Giấy khai sinh", "number": "15/2026/KS"},
    }


def test_the_receipt_form_is_signed_by_the_receiving_officer_and_verifiable(client: TestClient, tmp_path: Path) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    form = client.post(f"/dossiers/{code}/receipt-form", json={}, headers=HEADERS)
    assert form.status_code == 201 and form.headers["content-type"].startswith("application/pdf")
    checked = client.post("/verify", content=form.content, headers={"Content-Type": "application/pdf"}).json()
    assert checked["dossier_code"] == code and checked["intact"] is True and checked["altered"] is False
    assert "Signature is Valid" in pdfsig(form.content, tmp_path)
    assert client.get("/verify", params={"code": code}).json()["files"][0]["kind"] == "receipt_form"


def test_each_officer_signs_the_receipt_form_with_their_own_certificate(client: TestClient) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    first = client.post(f"/dossiers/{code}/receipt-form", json={}, headers=HEADERS)
    second = client.post(f"/dossiers/{code}/receipt-form", json={}, headers=bearer("reception_officer", "officer-2"))
    assert subjects(first.content) == [("Phạm Thị Lan", "officer-1")]
    assert subjects(second.content) == [("Đỗ Minh Tâm", "officer-2")]


def test_a_typed_officer_name_is_refused_and_nothing_is_signed(client: TestClient) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    typed = client.post(f"/dossiers/{code}/receipt-form", json={"officer_name": "Người Khác"}, headers=HEADERS)
    assert typed.status_code == 400 and "officer_name" in typed.text
    assert client.get("/verify", params={"code": code}).status_code == 404  # nothing signed, nothing filed


def test_a_department_officer_cannot_produce_a_result_document(client: TestClient) -> None:
    code = issued_dossier(client)
    refused = client.post(f"/dossiers/{code}/result-document", json=result_body(), headers=CLERK)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert client.get("/verify", params={"code": code}).status_code == 404  # nothing signed, nothing filed


def test_a_result_document_names_no_signer_in_its_body(client: TestClient) -> None:
    code = issued_dossier(client)
    typed = client.post(
        f"/dossiers/{code}/result-document", json=result_body(signer_account_id="khong.ton.tai"), headers=CHAIR
    )
    assert typed.status_code == 400 and "signer_account_id" in typed.text
    assert client.get("/verify", params={"code": code}).status_code == 404  # nothing signed, nothing filed


def test_a_result_is_signed_only_after_it_is_recorded(client: TestClient) -> None:
    code = client.post("/dossiers", json=BODY, headers=HEADERS).json()["code"]
    early = client.post(f"/dossiers/{code}/result-document", json=result_body(), headers=CHAIR)
    assert early.status_code == 409 and early.json()["error"] == "action_not_allowed"
    assert client.get("/verify", params={"code": code}).status_code == 404  # nothing signed, nothing filed


def test_a_result_gets_two_signatures_goes_to_the_vault_and_is_delivered_online(
    client: TestClient, tmp_path: Path
) -> None:
    code = issued_dossier(client)
    signed = client.post(f"/dossiers/{code}/result-document", json=result_body(deliver_online=True), headers=CHAIR)
    assert signed.status_code == 201, signed.text
    document = signed.json()["document"]
    assert signed.json()["delivered"] is True and client.get(f"/dossiers/{code}").json()["status"] == "delivered"
    pdf = client.get(
        f"/vaults/citizen/{BODY['applicant']['id_number']}/documents/{document['document_id']}/file", headers=CLERK
    ).content
    report = pdfsig(pdf, tmp_path)
    assert report.count("Signature is Valid") == 2
    assert subjects(pdf) == [("Lê Văn Chủ", "chutich.q6"), (AGENCY, None)]
    checked = client.post("/verify", content=pdf, headers={"Content-Type": "application/pdf"}).json()
    assert len(checked["signatures"]) == 2 and checked["intact"] is True and checked["dossier_code"] == code
