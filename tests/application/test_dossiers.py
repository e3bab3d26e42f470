"""The Dossiers application against SQLite and the real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from application.errors import NotFoundError, UnknownReferenceError, VersionConflictError
from domain.codes import dossier_id, parse_code
from domain.errors import ActionNotAllowedError, InvalidValueError, PaymentOutstandingError
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, DeliveryChannel, Party, PaymentMethod, Rating, Role

BIRTH = "1.001193.000.00.00.H29"
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
PERSON = Applicant(
    id_number="079195000101",
    name="Nguyễn Thị Hồng Nhung",
    phone="0901000101",
    date_of_birth=date(1995, 8, 15),
    address="12 Bình Tiên, Quận 6",
)
FORM = [Component(name="Tờ khai", form=ComponentForm.ORIGINAL)]
TEAM = Party(account_id="team-1", name="Trần Minh Tuấn", role=Role.CONSULTANT, unit="Tổ tư vấn")
CLERK = Party(account_id="clerk-1", name="Lê Thị Thu", role=Role.DEPARTMENT_OFFICER, unit="Phòng Tư pháp")


def receive(app: Dossiers, channel: Channel = Channel.COUNTER, **options: Any) -> str:
    code, _ = app.receive(
        procedure_code=BIRTH, channel=channel, applicant=PERSON, components=FORM, actor=OFFICER, **options
    )
    return code


def test_a_dossier_goes_from_receipt_to_rating_and_its_history_says_who_did_what(dossiers: Dossiers, catalogue) -> None:
    code = receive(dossiers)
    department = catalogue.procedure(BIRTH).department
    dossiers.assess_fee(code, actor=OFFICER)
    dossiers.accept(code, actor=OFFICER)
    dossiers.route(code, department=department, actor=OFFICER)
    dossiers.hand_over(code, item="Hồ sơ giấy", giver=TEAM, receiver=CLERK, actor=OFFICER)
    dossiers.issue_result(code, summary="Giấy khai sinh", document_number="15/2026", actor=OFFICER)
    fee = catalogue.procedure(BIRTH).fee
    if fee:
        dossiers.record_payment(code, method=PaymentMethod.CASH, amount=fee, actor=OFFICER)
    dossiers.deliver_result(code, channel=DeliveryChannel.COUNTER, actor=OFFICER, receiver_name="Nguyễn Thị Hồng Nhung")
    written = dossiers.rate(code, rating=Rating(level="very_satisfied"), actor=OFFICER)
    details = dossiers.get_dossier(code)
    history = dossiers.list_history(code)
    assert details.status == "rated" and details.version == written.version == len(history)
    assert [h.type for h in history][:3] == ["Received", "FeeAssessed", "Accepted"]
    assert history[-1].type == "Rated" and all(h.actor == OFFICER for h in history)
    assert details.holder == CLERK and details.department == department


def test_values_and_enums_survive_the_round_trip_through_the_store(store_env, catalogue, calendar, clock) -> None:
    first = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    code = receive(first, Channel.POSTAL)
    first.hand_over(code, item="Hồ sơ", giver=TEAM, receiver=CLERK, actor=OFFICER)
    first.app.close()
    fresh = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    events = list(fresh.app.events.get(dossier_id(code)))
    received, handed = events
    assert received.channel is Channel.POSTAL and received.applicant == PERSON
    assert received.applicant.date_of_birth == date(1995, 8, 15) and isinstance(received.due_on, date)
    assert received.components[0].form is ComponentForm.ORIGINAL and received.actor.role is Role.RECEPTION_OFFICER
    assert handed.giver == TEAM and handed.receiver.role is Role.DEPARTMENT_OFFICER
    fresh.app.close()


def test_codes_are_sequential_per_agency_and_day_and_continue_after_a_restart(
    store_env, catalogue, calendar, clock
) -> None:
    first = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    codes = [receive(first) for _ in range(3)]
    first.app.close()
    second = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock)
    codes.append(receive(second))
    assert [parse_code(c)[2] for c in codes] == [1, 2, 3, 4]
    assert parse_code(codes[0])[1] == date(2026, 5, 20)
    clock.advance(days=1)
    assert parse_code(receive(second))[2] == 1
    second.app.close()


def test_concurrent_receipts_in_two_processes_never_share_a_code(store_env, catalogue, calendar, clock) -> None:
    apps = [Dossiers(OneStop(store_env), catalogue=catalogue, calendar=calendar, clock=clock) for _ in range(2)]
    codes: list[str] = []
    lock = threading.Lock()

    def work(app: Dossiers) -> None:
        for _ in range(10):
            code = receive(app)
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=work, args=(app,)) for app in apps for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 40 and len(set(codes)) == 40
    assert sorted(parse_code(c)[2] for c in codes) == list(range(1, 41))
    for app in apps:
        app.app.close()


def test_a_stale_version_is_refused_and_records_nothing(dossiers: Dossiers) -> None:
    code = receive(dossiers)
    dossiers.accept(code, actor=OFFICER, expected_version=1)
    with pytest.raises(VersionConflictError):
        dossiers.reject(code, reason="Trễ", actor=OFFICER, expected_version=1)
    assert dossiers.get_dossier(code).version == 2


def test_refusals_record_nothing(dossiers: Dossiers) -> None:
    code = receive(dossiers)
    with pytest.raises(ActionNotAllowedError):
        dossiers.issue_result(code, summary="x", actor=OFFICER)
    with pytest.raises(UnknownReferenceError):
        dossiers.route(code, department="NOPE", actor=OFFICER)
    with pytest.raises(InvalidValueError):
        dossiers.record_payment(code, method=PaymentMethod.CASH, amount=-1, actor=OFFICER)
    with pytest.raises(NotFoundError):
        dossiers.accept("H29.06-260520-0999", actor=OFFICER)
    with pytest.raises(UnknownReferenceError):
        dossiers.receive(
            procedure_code="9.999999.000.00.00.H29",
            channel=Channel.KIOSK,
            applicant=PERSON,
            components=FORM,
            actor=OFFICER,
        )
    assert len(dossiers.list_history(code)) == 1
    assert dossiers.app.recorder.max_notification_id() == 1


def test_a_receipt_the_callers_check_refuses_records_nothing_and_the_check_sees_the_handling_ward(
    dossiers: Dossiers,
) -> None:
    seen: list[str] = []

    def refuse(procedure) -> None:
        seen.append(procedure.agency)
        raise PermissionError("not this caller's agency")

    with pytest.raises(PermissionError):
        receive(dossiers, ward="H29.06.7", allowed=refuse)
    assert seen == ["H29.06.7"] and dossiers.app.recorder.max_notification_id() in (0, None)
    code = receive(dossiers, ward="H29.06.7", allowed=lambda procedure: seen.append(procedure.agency))
    assert code.startswith("H29.06.7-") and seen == ["H29.06.7", "H29.06.7"]


def test_delivery_waits_for_the_shortfall(dossiers: Dossiers, catalogue) -> None:
    code = receive(dossiers)
    dossiers.assess_fee(code, amount=50000, actor=OFFICER)
    dossiers.record_payment(code, method=PaymentMethod.BANK_QR, amount=20000, reference="FT123", actor=OFFICER)
    dossiers.accept(code, actor=OFFICER)
    dossiers.route(code, department=catalogue.procedure(BIRTH).department, actor=OFFICER)
    dossiers.issue_result(code, summary="Kết quả", actor=OFFICER)
    with pytest.raises(PaymentOutstandingError):
        dossiers.deliver_result(code, channel=DeliveryChannel.COUNTER, actor=OFFICER)
    assert dossiers.get_dossier(code).shortfall == 30000


def test_appointment_dates_come_from_the_procedures_working_days(
    dossiers: Dossiers, calendar, clock, catalogue
) -> None:
    code = receive(dossiers)
    expected = calendar.add_working_days(clock.now(), catalogue.procedure(BIRTH).processing_days)
    assert dossiers.get_dossier(code).due_on == expected
    online, _ = dossiers.register_online(procedure_code=BIRTH, applicant=PERSON, components=FORM, actor=OFFICER)
    assert dossiers.get_dossier(online).due_on is None
    clock.advance(days=2)
    dossiers.accept(online, actor=OFFICER)
    assert dossiers.get_dossier(online).due_on == calendar.add_working_days(
        clock.now(), catalogue.procedure(BIRTH).processing_days
    )
