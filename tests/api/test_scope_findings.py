"""Issue [10], item 1: each resource-scope finding of the attack as a regression test.

The district H29.06 has two kiosks (Q6-01, Q6-02); a citizen submitted a dossier at Q6-01 whose result now sits in a
tray there, and a counter dossier belongs to the vault owner. Callers "of another agency" are of H29.01. Every refusal
is 403 with a Vietnamese message and records nothing; every read of this district's rows by another agency shows none.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.vault import OwnerKind, VaultOwner
from infrastructure.bootstrap import System
from infrastructure.pdf import VietnameseDocument
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure.signing.pki import ensure_dev_pki
from tests.api.test_dossier_api import BODY
from tests.api.test_kiosk_api import CLERK, KIOSK, STAFF, enrol_team, submit
from tests.auth_support import bearer
from tests.kiosk_support import Citizen

COUNTER = bearer("reception_officer", "officer-1")
OWNER_ID = BODY["applicant"]["id_number"]
VAULT = f"/vaults/citizen/{OWNER_ID}"
OTHER_KIOSK = bearer("kiosk", "kiosk.q6-02", kiosk="Q6-02")
METADATA = {"type_code": "KQ.GKS", "name": "Giấy khai sinh"}


def elsewhere(role: str) -> dict[str, str]:
    """A caller of another district (H29.01)."""
    return bearer(role, f"{role}.q1", agency="H29.01", department="H29.01.TP" if role == "department_officer" else None)


@dataclass
class World:
    client: TestClient
    system: System
    kiosk_code: str  # received at Q6-01, result loaded into its tray 1
    counter_code: str  # received at the counter for the vault owner
    citizen: Citizen

    def events(self) -> int:
        return self.system.app.recorder.max_notification_id() or 0

    def refused(self, method: str, path: str, headers: dict[str, str], **kwargs) -> None:
        """403 `forbidden` with a reason in Vietnamese, and no event recorded."""
        before = self.events()
        answer = self.client.request(method, path, headers=headers, **kwargs)
        assert answer.status_code == 403, f"{method} {path}: {answer.status_code} {answer.text[:200]}"
        assert answer.json()["error"] == "forbidden" and "Không có quyền" in answer.json()["message_vi"]
        assert self.events() == before, f"{method} {path} was refused but recorded an event"

    def caught_up(self) -> None:
        assert self.system.projector.wait_for(self.events(), None, 30)


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> PyhankoSigner:
    return PyhankoSigner.from_dev_pki(
        ensure_dev_pki(
            tmp_path_factory.mktemp("pki"), officer_name="Nguyễn Văn An", agency_name="Ủy ban nhân dân Quận 6"
        )
    )


def ok(answer) -> dict:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def a_pdf(title: str) -> bytes:
    document = VietnameseDocument()
    document.add_page()
    document.line_of_text(title, size=14, bold=True)
    return document.to_bytes()


@pytest.fixture
def world(system: System, store_env, clock, otp, signer) -> World:
    system.vaults.signer = signer  # the real signer over the test CA
    enrol_team(system)
    with TestClient(create_app(system)) as client:
        for key in ("Q6-01", "Q6-02"):
            ok(client.post("/kiosks", json={"key": key, "name": f"Kiosk {key}", "agency": "H29.06"}, headers=STAFF))
        ok(client.post("/kiosks/Q6-01/envelope-batches", json={"barcodes": ["Q6PB000001"]}, headers=STAFF))
        citizen = Citizen(5)
        code = ok(submit(client, otp, citizen))["dossier_code"]
        ok(
            client.post(
                f"/kiosks/Q6-01/dossiers/{code}/payments", json={"method": "cash", "amount": 8000}, headers=KIOSK
            )
        )
        department = ok(client.post("/kiosks/Q6-01/collections", json={"cash_counted": 8000}, headers=STAFF))[
            "envelopes"
        ][0]["department"]
        ok(
            client.post(
                "/kiosks/handovers", json={"codes": [code], "item": "Phong bì", "receiver": "officer.tp"}, headers=STAFF
            )
        )
        for path, body in [
            ("accept", {}),
            ("route", {"department": department}),
            ("result", {"summary": "Bản sao"}),
            ("handovers", {"item": "Kết quả", "receiver": "tuvan.tuan"}),
        ]:
            ok(client.post(f"/dossiers/{code}/{path}", json=body, headers=CLERK))
        assert ok(client.post("/kiosks/Q6-01/loads", json={"codes": [code]}, headers=STAFF))["loaded"]
        counter_code = ok(client.post("/dossiers", json=BODY, headers=COUNTER))["code"]
        world = World(client, system, code, counter_code, citizen)
        world.caught_up()
        yield world


def test_an_auditor_of_another_district_cannot_digitize_into_this_districts_dossier(world: World) -> None:
    pdf = a_pdf("GIẤY KHAI SINH — bản giả")
    body = {
        "dossier_code": world.counter_code,
        "declared_pages": 1,
        "pdf": base64.b64encode(pdf).decode(),
        "metadata": METADATA,
    }
    for auditor in (elsewhere("auditor"), bearer("auditor", "auditor.q6")):  # auditors are read-only, even at home
        world.refused("POST", f"{VAULT}/digitize", auditor, json=body)
    owner = VaultOwner(kind=OwnerKind.CITIZEN, id_number=OWNER_ID)
    assert world.system.vaults.list_documents(owner) == []
    register = world.client.get("/verify", params={"code": world.counter_code})
    assert register.status_code == 404 or register.json()["files"] == [], register.text  # nothing signed for it
    verdict = ok(world.client.post("/verify", content=pdf))
    assert not verdict["trusted"] and not verdict["issued_by_system"] and not verdict["signed"]


def stored_document(world: World) -> str:
    """A document the district's own officer stored for the counter dossier."""
    body = {
        "metadata": {**METADATA, "type_code": "KQ.GP", "name": "Giấy phép"},
        "dossier_code": world.counter_code,
        "pdf": base64.b64encode(a_pdf("GIẤY PHÉP")).decode(),
    }
    return ok(world.client.post(f"{VAULT}/documents", json=body, headers=COUNTER))["document_id"]


@pytest.mark.parametrize("role", ["reception_officer", "department_officer", "signer", "auditor"])
def test_a_vault_role_of_another_agency_neither_lists_nor_opens_a_citizens_vault(world: World, role: str) -> None:
    document = stored_document(world)
    for params in ({}, {"dossier": world.counter_code}):  # naming the district's dossier does not help
        world.refused("GET", f"{VAULT}/documents", elsewhere(role), params=params)
        world.refused("GET", f"{VAULT}/documents/{document}/file", elsewhere(role), params=params)
        world.refused("GET", f"{VAULT}/reusable", elsewhere(role), params={**params, "type_code": "KQ.GP"})
    assert world.client.get(f"{VAULT}/documents", headers=COUNTER).status_code == 200  # the district's own may


def test_auditors_neither_store_nor_expire_nor_supersede(world: World) -> None:
    document, auditor = stored_document(world), bearer("auditor", "auditor.q6")
    pdf = base64.b64encode(a_pdf("GIẤY PHÉP MỚI")).decode()
    world.refused(
        "POST",
        f"{VAULT}/documents",
        auditor,
        params={"dossier": world.counter_code},
        json={"metadata": METADATA, "pdf": pdf, "dossier_code": world.counter_code},
    )
    world.refused("POST", f"{VAULT}/documents/{document}/expire", auditor, json={"reason": "Thu hồi"})
    world.refused("POST", f"{VAULT}/documents/{document}/supersede", auditor, json={"by": document})
    [kept] = world.system.vaults.list_documents(VaultOwner(kind=OwnerKind.CITIZEN, id_number=OWNER_ID))
    assert kept.expired_reason is None and kept.superseded_by is None


def test_a_kiosk_reads_and_takes_payments_only_for_dossiers_it_received_or_holds(world: World) -> None:
    code = world.kiosk_code
    world.refused("GET", f"/kiosks/Q6-02/dossiers/{code}/receipt", OTHER_KIOSK)  # its own path, another kiosk's dossier
    world.refused(
        "POST",
        f"/kiosks/Q6-02/dossiers/{code}/payments",
        OTHER_KIOSK,
        json={"method": "bank_qr", "amount": 1_000_000, "reference": "FT999"},
    )
    world.refused("POST", f"/kiosks/Q6-02/dossiers/{code}/rating", OTHER_KIOSK, json={"rating": {"level": "satisfied"}})
    counter = world.counter_code  # never at any kiosk
    world.refused("GET", f"/kiosks/Q6-01/dossiers/{counter}/receipt", KIOSK)
    world.refused("POST", f"/kiosks/Q6-01/dossiers/{counter}/payments", KIOSK, json={"method": "bank_qr", "amount": 1})
    receipt = ok(world.client.get(f"/kiosks/Q6-01/dossiers/{code}/receipt", headers=KIOSK))  # the kiosk that holds it
    assert receipt["dossier_code"] == code


BOOK_READS = [
    ("/views/books/tracking", {"from": "2026-05-01", "to": "2026-05-31"}),
    ("/views/books/handover", {"from": "2026-05-01", "to": "2026-05-31"}),
    ("/views/books/cash", {"from": "2026-05-01", "to": "2026-05-31"}),
    ("/views/queues/ready_for_pickup", {}),
    ("/views/kiosks/Q6-01/trays", {}),
    ("/views/kiosks/Q6-01/overdue", {}),
    ("/kiosks/Q6-01/overdue", {}),
    ("/kiosks/Q6-01", {}),
]


@pytest.mark.parametrize("role", ["reception_officer", "consultant", "auditor", "department_officer"])
def test_another_agencys_officer_gets_none_of_this_districts_rows(world: World, role: str) -> None:
    world.system.clock.advance(days=40)  # the result's SMS is now overdue
    secrets = (world.kiosk_code, world.citizen.name, world.citizen.phone, world.citizen.id_number)
    for path, params in BOOK_READS:
        answer = world.client.get(path, params=params, headers=elsewhere(role))
        assert answer.status_code in (200, 403), f"{path}: {answer.status_code} {answer.text[:200]}"
        assert not any(secret in answer.text for secret in secrets), f"{path} showed the district's rows to {role}"
    own = world.client.get("/views/books/tracking", params=BOOK_READS[0][1], headers=COUNTER).json()
    assert [line["dossier_code"] for line in own["lines"]] == [world.kiosk_code]  # the rows exist, for the district


def test_reports_answer_only_the_callers_agency(world: World) -> None:
    analyst = elsewhere("analyst")
    world.refused("GET", "/views/reports/week", analyst, params={"date": "2026-05-20", "agency": "H29.06"})
    report = ok(world.client.get("/views/reports/week", params={"date": "2026-05-20"}, headers=analyst))
    assert report["agency"] == "H29.01" and report["totals"]["received"] == 0
    own = ok(world.client.get("/views/reports/week", params={"date": "2026-05-20"}, headers=bearer("analyst", "a.q6")))
    assert own["totals"]["received"] == 2


def reads_logged(world: World, otp) -> list[str]:
    """What the kiosk citizen's access log says was read about them."""
    logs, citizen = world.system.access_logs, world.citizen
    logs.request_code(citizen.id_number, citizen.phone)
    if (citizen.phone, "access_log") not in otp.sent:  # no code: nothing was ever recorded about them
        return []
    entries = logs.entries(citizen.id_number, citizen.phone, otp.code_for(citizen.phone, "access_log"))
    return [entry.what for entry in entries if entry.kind == "read"]


def test_reads_of_books_and_lists_with_names_or_phones_are_access_logged(world: World, otp) -> None:
    world.system.clock.advance(days=40)
    ok(world.client.get("/views/books/tracking", params=BOOK_READS[0][1], headers=COUNTER))
    overdue = ok(world.client.get("/views/kiosks/Q6-01/overdue", headers=STAFF))
    assert [item["dossier_code"] for item in overdue["items"]] == [world.kiosk_code]
    assert reads_logged(world, otp) == ["xem sổ theo dõi hồ sơ", "xem danh sách kết quả quá hạn"]


def test_kiosk_staff_of_another_agency_cannot_collect_service_trays_stock_envelopes_or_install(world: World) -> None:
    for role in ("consultant", "signer"):
        stranger = elsewhere(role)
        world.refused("POST", "/kiosks/Q6-01/collections", stranger, json={"cash_counted": 0})
        world.refused(
            "POST", "/kiosks/Q6-01/trays/2/service", stranger, json={"in_service": False, "reason": "hỏng cửa"}
        )
        world.refused("POST", "/kiosks/Q6-01/envelope-batches", stranger, json={"barcodes": ["Q6PB999999"]})
        world.refused("POST", "/kiosks", stranger, json={"key": "Q6-09", "name": "Kiosk lạ", "agency": "H29.06"})
    world.refused(
        "POST", "/kiosks/Q6-01/collections", bearer("administrator", "admin-1"), json={"cash_counted": 0}
    )  # cash belongs to the kiosk crew only


def test_nobody_writes_handover_lines_on_another_agencys_dossiers(world: World) -> None:
    for role in ("reception_officer", "consultant", "department_officer"):
        world.refused(
            "POST",
            "/kiosks/handovers",
            elsewhere(role),
            json={"codes": [world.counter_code], "item": "Hồ sơ giấy", "receiver": "officer.tp"},
        )
        world.refused(
            "POST",
            f"/dossiers/{world.counter_code}/handovers",
            elsewhere(role),
            json={"item": "Hồ sơ giấy", "receiver": "officer.tp"},
        )


def test_another_agency_cannot_tell_which_of_this_districts_codes_exist(world: World) -> None:
    stranger = elsewhere("reception_officer")
    for code in (world.counter_code, "H29.06-260520-0777"):  # received, and never received
        world.refused("GET", f"/dossiers/{code}", stranger)
        world.refused("GET", f"{VAULT}/documents", stranger, params={"dossier": code})
