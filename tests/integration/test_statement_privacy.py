"""Bank statement texts are personal data (the payer writes their name): sealed under the applicant's key, gone after
an erasure from the events, the read model and a rebuild, while every line keeps its outcome and matching goes on."""

from __future__ import annotations

import hashlib

from application.reconciliation import Reconciliation
from domain.values import ERASED, Actor, Applicant, PaymentMethod, Role
from infrastructure.bootstrap import build, build_projector
from tests.application.test_refunds_and_reconciliation import statement
from tests.fakes import FakeClock
from tests.integration.test_privacy import ADMIN, ERASED_ONE, KEPT_ONE, leaks, settings, tables  # noqa: F401
from tests.kiosk_support import Citizen

COPY = "2.000635.000.00.00.H29"  # extract copy, with a fee
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


def paid_by_bank(system, citizen: Citizen) -> tuple[str, int]:
    applicant = Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone)
    code, _ = system.dossiers.receive(
        procedure_code=COPY, channel="counter", applicant=applicant, components=[], actor=OFFICER
    )
    system.dossiers.assess_fee(code, actor=OFFICER)
    fee = system.dossiers.get_dossier(code).fee
    system.dossiers.record_payment(code, method=PaymentMethod.BANK_QR, amount=fee, actor=OFFICER)
    return code, fee


def test_an_erasure_removes_the_payers_text_and_reconciliation_still_works(settings) -> None:  # noqa: F811
    clock = FakeClock()
    system = build(settings, clock=clock)
    try:
        (erased_code, fee), (kept_code, _) = paid_by_bank(system, ERASED_ONE), paid_by_bank(system, KEPT_ONE)
        day = clock.now().strftime("%d/%m/%Y")
        data = statement(
            (day, "FT1", fee, f"{ERASED_ONE.name} nop le phi {erased_code}"),
            (day, "FT2", fee, f"{KEPT_ONE.name} {kept_code}"),
            (day, "FT3", 5_000, "chuyen tien khong ro noi dung"),
        )
        reconciliation = Reconciliation(system.app, agencies=[a.code for a in system.catalogue.agencies], clock=clock)
        first = reconciliation.import_statement(data, actor=OFFICER)
        assert (first.matched, first.unmatched) == (2, 1) and ERASED_ONE.name in first.lines[0].text
        system.projector.catch_up()
        assert leaks(settings, ERASED_ONE, only="events") == {}  # sealed in the events
        assert any("reconciliation_lines" in table for table in leaks(settings, ERASED_ONE))  # shown until erased

        system.erasures.erase(ERASED_ONE.id_number, reason="Đơn yêu cầu số 7/2026", actor=ADMIN)
        system.projector.catch_up()
        assert leaks(settings, ERASED_ONE) == {}
        again = reconciliation.get_statement(hashlib.sha256(data).hexdigest())
        assert [(line.status.value, line.dossier_code) for line in again.lines] == [
            ("matched", erased_code),
            ("matched", kept_code),
            ("unmatched", None),
        ]
        assert again.lines[0].text == ERASED and KEPT_ONE.name in again.lines[1].text
        later = reconciliation.import_statement(statement((day, "FT9", fee, erased_code)), actor=OFFICER)
        assert (later.disputed, later.lines[0].reason and later.lines[0].reason.value) == (1, "duplicate")
    finally:
        system.close()
    projector = build_projector(settings)
    try:
        projector.rebuild()
    finally:
        projector.store.close()
    assert leaks(settings, ERASED_ONE) == {}
    assert KEPT_ONE.name in next(
        content for table, content in tables(settings).items() if "reconciliation_lines" in table
    )
