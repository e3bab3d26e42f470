"""The kiosk's streams stay small for decades: envelopes are their own aggregates, the kiosk and trays snapshot,
and a store written before these changes still loads."""

from __future__ import annotations

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent

from application.base import OneStop
from application.dossiers import Dossiers
from domain.envelope import envelope_id
from domain.errors import InvalidValueError
from domain.kiosk import UnknownEnvelopeError, kiosk_id
from domain.tray import tray_id
from infrastructure.calendar import load_calendar
from tests.application.test_kiosk_day import DAY, KIOSK_PROCEDURES, submit
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import KIOSK_ACTOR, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn


@pytest.fixture
def apps(store_env, catalogue):
    made = []

    def build():
        clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
        dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
        kiosks = kiosks_app(dossiers, otp, clock)
        made.extend([kiosks, dossiers])
        return kiosks, otp

    yield build
    for app in made:
        app.app.close()


def installed(build, trays: int = 3):
    kiosks, otp = build()
    kiosks.install_kiosk("Q6-01", name="Kiosk Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=trays)
    return kiosks, otp


def test_a_barcode_registered_before_is_refused_by_name_and_nothing_is_recorded(apps) -> None:
    kiosks, _ = installed(apps)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001", "Q6PB000002"], actor=STAFF_ACTOR)
    before = kiosks.app.recorder.max_notification_id()
    with pytest.raises(InvalidValueError, match="Q6PB000002 is already registered") as refused:
        kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000003", "Q6PB000002"], actor=STAFF_ACTOR)
    assert "Q6PB000002" in refused.value.message_vi
    assert kiosks.app.recorder.max_notification_id() == before and not kiosks.app.recorder.select_events(
        envelope_id("Q6-01", "Q6PB000003")
    )
    assert kiosks.get_kiosk("Q6-01").unused_envelopes == 2


def test_a_used_envelope_is_refused_without_replaying_the_kiosk(apps, catalogue) -> None:
    kiosks, otp = installed(apps)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001"], actor=STAFF_ACTOR)
    submit(kiosks, otp, catalogue, Citizen(1), KIOSK_PROCEDURES[1], "Q6PB000001", [])
    with pytest.raises(UnknownEnvelopeError, match="already used"):
        kiosks.check_envelope("Q6-01", "Q6PB000001")
    kiosks.app.repository.cache.get(kiosk_id("Q6-01"))  # still cached: the refusal evicted only the envelope
    assert kiosks.get_kiosk("Q6-01").unused_envelopes == 0


def test_the_submission_itself_refuses_a_used_envelope_before_anything_else_it_checks(apps, catalogue) -> None:
    kiosks, otp = installed(apps)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001"], actor=STAFF_ACTOR)
    submit(kiosks, otp, catalogue, Citizen(1), KIOSK_PROCEDURES[1], "Q6PB000001", [])
    before = kiosks.app.recorder.max_notification_id()
    citizen = Citizen(2)
    with pytest.raises(UnknownEnvelopeError, match="already used"):  # the kiosk ejects it: no separate check asked
        kiosks.submit(
            "Q6-01",
            procedure_code=KIOSK_PROCEDURES[1],
            qr_payload=citizen.qr,
            phone=citizen.phone,
            phone_proof="a proof that has expired",
            envelope="Q6PB000001",
            actor=KIOSK_ACTOR,
        )
    assert kiosks.app.recorder.max_notification_id() == before


def test_the_kiosk_state_holds_no_barcodes_and_long_streams_load_from_a_snapshot(apps, catalogue) -> None:
    kiosks, otp = installed(apps, trays=1)
    barcodes = [f"Q6PB{n:06d}" for n in range(120)]
    kiosks.register_envelopes("Q6-01", barcodes=barcodes, actor=STAFF_ACTOR)
    for _ in range(101):  # the kiosk reaches version 102 over one-event saves: a snapshot at 100
        kiosks.collect("Q6-01", cash_counted=0, collector=STAFF, actor=STAFF_ACTOR)
    for n in range(11):
        kiosks.set_tray_service("Q6-01", 1, in_service=n % 2 == 1, actor=STAFF_ACTOR)
    assert [s.originator_version for s in kiosks.app.snapshots.get(kiosk_id("Q6-01"))] == [100]
    assert [s.originator_version for s in kiosks.app.snapshots.get(tray_id("Q6-01", 1))] == [10]
    fresh, _ = apps()
    view = fresh.get_kiosk("Q6-01")
    machine = fresh.app.repository.cache.get(kiosk_id("Q6-01"))
    assert machine.version == 103 and view.unused_envelopes == 120 and view.trays[0].status == "out_of_service"
    assert not any(
        isinstance(value, (set, list)) and len(value) > 0
        for value in vars(machine).values()
        if value is not machine.pending_events
    )


def test_a_store_written_before_envelopes_were_aggregates_still_loads_and_checks_its_barcodes(apps, catalogue) -> None:
    kiosks, _ = installed(apps)
    old_batch = {
        "barcodes": ["OLD00001", "OLD00002"],
        "actor": STAFF_ACTOR,
        "at": vn(DAY, 6),  # version 1: no flag
        "timestamp": vn(DAY, 6),
    }
    old_intake = {
        "envelope": {"barcode": "OLD00001", "dossier_code": "H29.06-260519-0001"},
        "actor": STAFF_ACTOR,
        "at": vn(DAY, 6, 30),
        "timestamp": vn(DAY, 6, 30),
    }
    kiosks.app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=kiosk_id("Q6-01"),
                originator_version=2,
                topic="domain.kiosk:Kiosk.EnvelopesRegistered",
                state=msgspec.json.encode(old_batch),
            ),
            StoredEvent(
                originator_id=kiosk_id("Q6-01"),
                originator_version=3,
                topic="domain.kiosk:Kiosk.EnvelopeAccepted",
                state=msgspec.json.encode(old_intake),
            ),
        ]
    )
    kiosks, otp = apps()  # a process started after the upgrade
    view = kiosks.get_kiosk("Q6-01")
    assert (view.unused_envelopes, view.bin) == (1, ["H29.06-260519-0001"])
    with pytest.raises(UnknownEnvelopeError, match="already used"):
        kiosks.check_envelope("Q6-01", "OLD00001")
    with pytest.raises(InvalidValueError, match="OLD00001 is already registered"):
        kiosks.register_envelopes("Q6-01", barcodes=["OLD00001"], actor=STAFF_ACTOR)
    submit(kiosks, otp, catalogue, Citizen(2), KIOSK_PROCEDURES[1], "OLD00002", [])
    with pytest.raises(UnknownEnvelopeError, match="already used"):
        kiosks.check_envelope("Q6-01", "OLD00002")
    assert kiosks.get_kiosk("Q6-01").unused_envelopes == 0
