"""Verification for anyone and the officers' vault endpoints, through the whole app with the real signer.

The vault's owner is the applicant of two dossiers received at the counter, so the officer's vault calls are in scope.
"""

from __future__ import annotations

import base64
import io
from datetime import date

import pytest
from litestar.testing import TestClient
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from api.app import create_app
from application.vaults import Vaults
from domain.values import Actor, Role
from domain.vault import DocumentMetadata, OwnerKind, VaultOwner
from infrastructure.bootstrap import System
from infrastructure.pdf import VietnameseDocument
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from tests.api.test_dossier_api import BODY
from tests.auth_support import bearer

HEADERS = bearer("reception_officer", "officer-1")
ID_NUMBER = "079195000101"
OWNER = VaultOwner(kind=OwnerKind.CITIZEN, id_number=ID_NUMBER)
VAULT = f"/vaults/citizen/{ID_NUMBER}"
BIRTH = DocumentMetadata(type_code="KQ.GKS", name="Giấy khai sinh", number="15/2026/KS")
CHAIR = Actor(account_id="chair-1", role=Role.SIGNER)
CLERK = Actor(account_id="clerk-1", role=Role.DEPARTMENT_OFFICER)


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> PyhankoSigner:
    pki = ensure_dev_pki(tmp_path_factory.mktemp("pki"), agency_name="Ủy ban nhân dân Quận 6")
    return PyhankoSigner.from_dev_pki(pki, names={"chair-1": "Nguyễn Văn An", "officer-1": "Phạm Thị Lan"}.get)


@pytest.fixture
def vaults(system: System, store_env, signer, clock) -> Vaults:
    """The system's vaults (closed with the system), signing with the development PKI."""
    system.vaults.signer = signer  # the real signer over the test CA
    return system.vaults


@pytest.fixture
def client(system: System, vaults: Vaults):
    with TestClient(create_app(system)) as client:
        client.headers.update(HEADERS)
        yield client


@pytest.fixture
def codes(client: TestClient) -> tuple[str, str]:
    """Two dossiers received at the counter for the vault's owner: the first gets the result, the second a scan."""
    received = [client.post("/dossiers", json=BODY, headers=HEADERS) for _ in range(2)]
    assert all(r.status_code == 201 for r in received) and BODY["applicant"]["id_number"] == ID_NUMBER
    return received[0].json()["code"], received[1].json()["code"]


def a_pdf(title: str = "GIẤY KHAI SINH", pages: int = 1) -> bytes:
    document = VietnameseDocument()
    for _ in range(pages):
        document.add_page()
        document.line_of_text(f"{title} — Nguyễn Minh Khôi", size=14, bold=True)
    return document.to_bytes()


def signed_result(vaults: Vaults, dossier: str) -> bytes:
    stored = vaults.sign_result(OWNER, dossier_code=dossier, pdf=a_pdf(), metadata=BIRTH, signer=CHAIR)
    return vaults.open_file(stored.sha256)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def digitize_body(dossier: str, pages: int = 1, declared: int = 1) -> dict:
    return {
        "dossier_code": dossier,
        "declared_pages": declared,
        "pdf": b64(a_pdf("TỜ KHAI", pages)),
        "metadata": {"type_code": "KQ.GKS", "name": "Giấy khai sinh"},
    }


def test_anyone_can_verify_a_signed_result_without_logging_in(client: TestClient, vaults: Vaults, codes) -> None:
    response = client.post("/verify", content=signed_result(vaults, codes[0]), headers={"Authorization": ""})
    body = response.json()
    assert response.status_code == 200, response.text
    assert body["intact"] and body["trusted"] and not body["altered"] and body["issued_by_system"]
    assert body["dossier_code"] == codes[0] and body["verdict_vi"] == "Tài liệu còn nguyên vẹn; các chữ ký số hợp lệ."
    assert [s["signer"] for s in body["signatures"]] == ["Nguyễn Văn An", "Ủy ban nhân dân Quận 6"]
    assert body["signatures"][0]["signed_at"].startswith("2026-05-20T01:30:00")
    assert ID_NUMBER not in response.text and "Khôi" not in response.text and "15/2026" not in response.text


def test_a_pdf_changed_after_signing_is_reported_as_altered(client: TestClient, vaults: Vaults, codes) -> None:
    pdf = signed_result(vaults, codes[0])
    flipped = bytearray(pdf)
    flipped[flipped.index(b"/Producer (") + len(b"/Producer (")] ^= 0x20
    body = client.post("/verify", content=bytes(flipped)).json()
    assert body["altered"] and not body["intact"] and not body["issued_by_system"]
    assert all(not s["intact"] for s in body["signatures"]) and "đã bị thay đổi" in body["verdict_vi"]
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))  # an unsigned update that names another dossier
    info = generic.DictionaryObject(writer.prev.trailer_view["/Info"])
    info[generic.NameObject("/MotCuaDossier")] = generic.TextStringObject("H29.06-260520-9999")
    writer.set_info(info)
    forged = io.BytesIO()
    writer.write(forged)
    body = client.post("/verify", content=forged.getvalue()).json()
    assert body["altered"] and not body["intact"] and body["dossier_code"] == codes[0]


def test_an_unsigned_pdf_is_neither_intact_nor_altered(client: TestClient) -> None:
    body = client.post("/verify", content=a_pdf()).json()
    assert not body["signed"] and not body["intact"] and not body["altered"]
    assert body["verdict_vi"] == "Tài liệu không có chữ ký số." and body["dossier_code"] is None


@pytest.mark.parametrize(
    "content", [b"hello", b"", b"%PDF-1.7\n%\xe2\xe3 garbage with a header only", b"\x89PNG\r\n\x1a\n"]
)
def test_anything_but_a_readable_pdf_gets_400(client: TestClient, content: bytes) -> None:
    response = client.post("/verify", content=content)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "unreadable_document" and "PDF" in response.json()["message_vi"]


def test_an_upload_over_20_mb_gets_413(client: TestClient) -> None:
    response = client.post("/verify", content=b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    assert response.status_code == 413


def test_the_code_lookup_lists_signed_files_without_personal_data(client: TestClient, vaults: Vaults, codes) -> None:
    signed_result(vaults, codes[0])
    body = client.get("/verify", params={"code": codes[0]}).json()
    assert body["dossier_code"] == codes[0] and [f["kind"] for f in body["files"]] == ["result"]
    assert [m["signer"] for m in body["files"][0]["signatures"]] == ["Nguyễn Văn An", "Ủy ban nhân dân Quận 6"]
    assert len(body["files"][0]["sha256"]) == 64 and ID_NUMBER not in str(body) and "Khôi" not in str(body)
    assert client.get("/verify", params={"code": "H29.06-260520-0777"}).status_code == 404
    assert client.get("/verify", params={"code": "not-a-code"}).status_code == 422


def test_a_valid_earlier_result_is_reused_and_a_rescan_is_refused_with_the_reason(
    client: TestClient, vaults: Vaults, codes
) -> None:
    first, second = codes
    signed_result(vaults, first)
    refused = client.post(f"{VAULT}/digitize", json=digitize_body(second), headers=HEADERS)
    assert refused.status_code == 409 and refused.json()["error"] == "result_still_valid"
    assert "Không được scan" in refused.json()["message_vi"]
    reused = client.post(f"{VAULT}/reuse", json={"type_code": "KQ.GKS", "dossier_code": second}, headers=HEADERS)
    assert reused.status_code == 201, reused.text
    [document] = client.get(f"{VAULT}/documents", headers=HEADERS).json()
    assert document["reused_for"] == [second] and document["document_id"] == reused.json()["document_id"]
    opened = client.get(f"{VAULT}/documents/{document['document_id']}/file", headers=HEADERS)
    assert opened.status_code == 200 and opened.content == vaults.open_file(document["sha256"])


def test_officers_digitize_store_expire_and_list(client: TestClient, codes) -> None:
    mismatch = client.post(f"{VAULT}/digitize", json=digitize_body(codes[1], pages=2, declared=3), headers=HEADERS)
    assert mismatch.status_code == 422 and mismatch.json()["error"] == "page_count_mismatch"
    scanned = client.post(f"{VAULT}/digitize", json=digitize_body(codes[1], pages=2, declared=2), headers=HEADERS)
    assert (
        scanned.status_code == 201 and scanned.json()["pages"] == 2 and scanned.json()["signed_by"] == ["Phạm Thị Lan"]
    )
    stored = client.post(
        f"{VAULT}/documents",
        headers=HEADERS,
        json={
            "pdf": b64(a_pdf("GIẤY PHÉP")),
            "metadata": {"type_code": "KQ.GP", "name": "Giấy phép", "valid_until": "2027-01-01"},
        },
    )
    assert stored.status_code == 201 and "trích yếu" in stored.json()["note"]
    expired = client.post(
        f"{VAULT}/documents/{stored.json()['document_id']}/expire", json={"reason": "Thu hồi"}, headers=HEADERS
    )
    assert expired.status_code == 201 and expired.json()["version"] == 4
    again = client.post(
        f"{VAULT}/documents/{stored.json()['document_id']}/expire", json={"reason": "x"}, headers=HEADERS
    )
    assert again.status_code == 409 and again.json()["error"] == "document_state"
    reusable = client.get(
        f"{VAULT}/reusable", params={"type_code": "KQ.GP", "on": str(date(2026, 6, 1))}, headers=HEADERS
    )
    assert reusable.status_code == 200 and reusable.json() == []
    assert len(client.get(f"{VAULT}/documents", headers=HEADERS).json()) == 2


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (f"{VAULT}/documents", {"Authorization": ""}, 401),
        ("/vaults/citizen/12345/documents", HEADERS, 422),
        ("/vaults/household/079195000101/documents", HEADERS, 422),
        (f"{VAULT}/documents/5f0c1b9e-6a53-4b59-9e3c-2b7d8f0a1c11/file", HEADERS, 404),
    ],
)
def test_officer_endpoints_refuse_unknown_callers_and_bad_owners(
    client: TestClient, codes, path: str, headers: dict, status: int
) -> None:
    response = client.get(path, params={"dossier": codes[0]}, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["message_vi"]


@pytest.mark.parametrize(
    ("dossier", "status", "error"),
    [
        ("H29.06-260520-0777", 404, "not_found"),  # well formed, never received
        ("H29.06-261340-0001", 422, "invalid_value"),  # malformed
        (None, 403, "forbidden"),  # no dossier named and none in the vault
    ],
)
def test_a_vault_call_naming_no_dossier_in_scope_is_refused_with_a_reason_never_a_500(
    client: TestClient, codes, dossier: str | None, status: int, error: str
) -> None:
    for path in (f"{VAULT}/documents", f"{VAULT}/documents/5f0c1b9e-6a53-4b59-9e3c-2b7d8f0a1c11/file"):
        response = client.get(path, params={"dossier": dossier} if dossier else {})
        assert response.status_code == status and response.json()["error"] == error, response.text
        assert response.json()["message_vi"]
    body = digitize_body(dossier or "H29.06-260520-0777")
    assert client.post(f"{VAULT}/digitize", json=body).status_code in (404, 422)


def test_the_openapi_document_lists_the_verification_and_vault_paths(client: TestClient) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"/verify", "/vaults/{owner_kind}/{owner_id}/digitize", "/vaults/{owner_kind}/{owner_id}/reuse"} <= set(
        paths
    )
    assert {"get", "post"} <= set(paths["/verify"])


def test_a_byte_changed_in_a_signed_object_dictionary_is_altered_or_unreadable_never_500(
    client: TestClient, vaults: Vaults, codes
) -> None:
    # These dictionaries (page tree, a content stream's, the document information) lie in the signed range; each
    # changed byte once raised KeyError, AttributeError, TypeError or PdfReadError out of pyhanko: a 500.
    from domain.errors import DomainError

    pdf = signed_result(vaults, codes[0])
    for head in (b"<<\n/Count ", b"<<\n/Filter /FlateDecode", b"<<\n/CreationDate"):
        start = pdf.index(head)
        assert start < pdf.index(b"/ByteRange")
        for offset in range(2, 40, 3):
            for byte in set(b"X0(</") - {pdf[start + offset]}:
                changed = bytearray(pdf)
                changed[start + offset] = byte
                try:
                    check = vaults.verify(bytes(changed))
                except DomainError:  # unreadable: the API answers 400
                    continue
                assert check.altered and not check.intact and not check.trusted and not check.issued_by_system
    changed = bytearray(pdf)
    changed[pdf.index(b"<<\n/Count ") + 35] = ord("X")
    answer = client.post("/verify", content=bytes(changed))
    assert answer.status_code in (200, 400), answer.text[:300]
    assert answer.json()["altered"] if answer.status_code == 200 else answer.json()["message_vi"]
