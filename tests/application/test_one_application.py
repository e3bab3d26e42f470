"""One event-sourced application per process: the services share it, the composition root wires it in stages, and
use cases that were split between a controller and the application are one application call (issue [11], items 1-2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.base import OneStop
from domain.values import Actor, Applicant, Channel, Role
from infrastructure.bootstrap import build
from infrastructure.settings import Settings
from tests.application.test_kiosk_day import KIOSK_PROCEDURES, process
from tests.fakes import FakeDoors, FakeNotifier, NoAttempts
from tests.kiosk_support import STAFF, STAFF_ACTOR, Citizen
from tests.onestop_support import dossiers_on, kiosks_on

CLERK = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


def applicant_of(citizen: Citizen) -> Applicant:
    return Applicant(id_number=citizen.id_number, name=citizen.name)


def test_every_service_of_a_built_system_holds_the_one_application_and_the_doors_passed_in(tmp_path: Path) -> None:
    doors = FakeDoors()
    system = build(Settings(data_dir=tmp_path, notifications="external", projections="external"), doors=doors)
    try:
        services = [
            system.dossiers,
            system.otps,
            system.kiosks,
            system.vaults,
            system.accounts,
            system.access_logs,
            system.notifications,
            system.device_events,
            system.erasures,
        ]
        assert all(service.app is system.app for service in services) and isinstance(system.app, OneStop)
        assert system.kiosks.doors is doors and system.doors is doors
        assert system.app.mapper.keys is system.keys  # sealed before any service reads
        assert system.projector.recorder is system.app.recorder
    finally:
        system.close()
    assert system.app.closing.is_set()


def test_two_applications_on_one_store_have_their_own_connections_and_caches(store_env) -> None:
    first, second = OneStop(store_env), OneStop(store_env)  # two processes
    try:
        assert first.factory is not second.factory and first.repository.cache is not second.repository.cache
        assert first.recorder.max_notification_id() == second.recorder.max_notification_id()
    finally:
        first.close()
        second.close()
    first.close()  # closing twice (as garbage collection does) is harmless


def test_a_change_through_one_service_is_seen_by_another_without_sharing_caches_by_hand(
    store_env, catalogue, calendar, clock
) -> None:
    dossiers = dossiers_on(store_env, catalogue, calendar, clock)
    kiosks = kiosks_on(dossiers, otp=None, clock=clock)
    try:
        kiosks.install_kiosk("Q6-01", name="Kiosk", agency="H29.06", actor=STAFF_ACTOR, tray_count=2)
        code, _ = dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[0],
            channel=Channel.COUNTER,
            components=[],
            actor=CLERK,
            applicant=applicant_of(Citizen(1)),
        )
        process(dossiers, [code], catalogue)
        kiosks.load_result("Q6-01", code, actor=STAFF_ACTOR)
        assert dossiers.get_dossier(code).status == "in_tray"  # the kiosk's write, in the dossiers' one cache
    finally:
        dossiers.app.close()


def test_loading_results_opens_each_loaded_trays_door_in_the_same_call(store_env, catalogue, calendar, clock) -> None:
    dossiers = dossiers_on(store_env, catalogue, calendar, clock)
    doors = FakeDoors(answer="not_answering")
    kiosks = kiosks_on(dossiers, otp=None, clock=clock, doors=doors)
    try:
        kiosks.install_kiosk("Q6-01", name="Kiosk", agency="H29.06", actor=STAFF_ACTOR, tray_count=3)
        codes = [
            dossiers.receive(
                procedure_code=KIOSK_PROCEDURES[0],
                channel=Channel.COUNTER,
                components=[],
                actor=CLERK,
                applicant=applicant_of(Citizen(n)),
            )[0]
            for n in (1, 2)
        ]
        process(dossiers, codes, catalogue)
        slip = kiosks.load_results_and_open("Q6-01", [*codes, "H29.06-260520-0099"], staff=STAFF, actor=STAFF_ACTOR)
        assert [line.tray for line in slip.loaded] == [1, 2] and list(slip.refused) == ["H29.06-260520-0099"]
        assert slip.doors == {1: "not_answering", 2: "not_answering"}  # a shut door leaves the load recorded
        assert doors.opened == [("Q6-01", 1), ("Q6-01", 2)]
        nothing = kiosks.load_results_and_open("Q6-01", ["H29.06-260520-0098"], staff=STAFF, actor=STAFF_ACTOR)
        assert nothing.doors == {} and doors.opened == [("Q6-01", 1), ("Q6-01", 2)]  # no load, no door
    finally:
        dossiers.app.close()


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_services_take_their_ports_as_required_arguments(store_env, catalogue, calendar, clock) -> None:
    from application.kiosks import Kiosks
    from application.otp import Otps
    from application.proofs import Proofs

    app = OneStop(store_env)
    try:
        dossiers = dossiers_on(app, catalogue, calendar, clock)
        with pytest.raises(TypeError):
            Kiosks(app, dossiers=dossiers, otp=None, proofs=Proofs(b"k" * 32), clock=clock)  # no attempts, no doors
        with pytest.raises(TypeError):
            Otps(app, key=b"o" * 32)  # no notifier
        assert Otps(app, key=b"o" * 32, notifier=FakeNotifier()).app is app
        assert kiosks_on(dossiers, None, clock, attempts=NoAttempts()).throttle.attempts is not None
    finally:
        app.close()


def test_a_recorded_read_returns_the_dossier_and_logs_it_with_the_reason_or_the_default(
    store_env, catalogue, calendar, clock
) -> None:
    from application.access_log import AccessLogs
    from application.personal_reads import PersonalReads
    from domain.access import AccessLog, access_log_id
    from tests.fakes import FakeOtp
    from tests.onestop_support import vaults_on

    dossiers = dossiers_on(store_env, catalogue, calendar, clock)
    logs = AccessLogs(
        dossiers.app, key=b"a" * 32, otp=FakeOtp(), clock=clock, attempts=NoAttempts(), later=lambda job: job()
    )
    reads = PersonalReads(dossiers=dossiers, vaults=vaults_on(dossiers, clock), access_logs=logs)
    citizen = Citizen(3)
    try:
        applicant = Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone)
        code, _ = dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[0], channel=Channel.COUNTER, components=[], actor=CLERK, applicant=applicant
        )
        assert reads.dossier(code, actor=CLERK, purpose="Kiểm tra hồ sơ").applicant.name == citizen.name
        assert [e.type for e in reads.dossier_history(code, actor=CLERK)][0] == "Received"
        reads.applicants_shown([code, code], what="xem sổ theo dõi hồ sơ", actor=CLERK, purpose="lập sổ sách")
        read = [
            e
            for e in dossiers.app.events.get(access_log_id(logs.subject(citizen.id_number)))
            if isinstance(e, AccessLog.Read)
        ]
        assert [(e.what, e.purpose, e.dossier_code) for e in read] == [
            ("xem hồ sơ", "Kiểm tra hồ sơ", code),
            ("xem lịch sử hồ sơ", "xử lý hồ sơ", code),
            ("xem sổ theo dõi hồ sơ", "lập sổ sách", code),
        ]  # once per dossier a list shows
    finally:
        logs.close()
        dossiers.app.close()
