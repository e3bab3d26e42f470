"""Pickup identity checks lock out: per dossier after 5 wrong tries, per kiosk after 20; nothing else is recorded."""

from __future__ import annotations

from datetime import date

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from application.errors import PickupRefusedError, WrongOtpError
from application.throttling import PickupLockedError, Throttle
from domain.values import Applicant
from infrastructure.calendar import load_calendar
from infrastructure.guards import GuardStore
from tests.application.test_kiosk_day import CLERK, KIOSK_PROCEDURES, process
from tests.conftest import read_store_for
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn

DAY = date(2026, 5, 20)


@pytest.fixture
def kiosk(store_env, catalogue, tmp_path):
    """A kiosk whose trays hold the results of three citizens' dossiers; returns (kiosks, dossiers, codes, clock,
    otp)."""
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    guards = GuardStore(read_store_for(store_env, tmp_path, "guards"))
    kiosks.throttle = Throttle(guards)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    codes = []
    for n in range(3):
        citizen = Citizen(n)
        code, _ = dossiers.receive(
            procedure_code=KIOSK_PROCEDURES[0],
            channel="counter",
            components=[],
            actor=CLERK,
            applicant=Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone),
        )
        codes.append(code)
    process(dossiers, codes, catalogue)
    kiosks.load_results("Q6-01", codes, staff=STAFF, actor=STAFF_ACTOR)
    yield kiosks, dossiers, codes, clock, otp
    guards.close()
    dossiers.app.close()


def guess(kiosks, code: str, n: int):
    return kiosks.start_pickup_with_receipt("Q6-01", id_number=f"079{n:09d}", code=code)


def test_five_wrong_id_numbers_lock_the_dossier_even_against_the_right_one(kiosk) -> None:
    kiosks, dossiers, codes, clock, _ = kiosk
    for n in range(5):
        with pytest.raises(PickupRefusedError):
            guess(kiosks, codes[0], n)
    before = dossiers.app.recorder.max_notification_id()
    with pytest.raises(PickupLockedError) as locked:
        kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(0).id_number, code=codes[0])
    assert locked.value.code == "pickup_locked" and locked.value.retry_after_seconds == 15 * 60
    assert "khóa" in locked.value.message_vi
    assert dossiers.app.recorder.max_notification_id() == before  # a refusal records nothing
    assert kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(1).id_number, code=codes[1]).token
    clock.advance(minutes=15)
    assert kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(0).id_number, code=codes[0]).token


def test_wrong_otps_count_against_the_dossier_too(kiosk) -> None:
    kiosks, _, codes, _, otp = kiosk
    for _ in range(5):
        kiosks.request_pickup_otp("Q6-01", codes[2])
        with pytest.raises(WrongOtpError):
            kiosks.start_pickup_with_otp("Q6-01", code=codes[2], otp_code="000000")
    with pytest.raises(PickupLockedError):
        kiosks.request_pickup_otp("Q6-01", codes[2])
    with pytest.raises(PickupLockedError):
        kiosks.start_pickup_with_otp(
            "Q6-01", code=codes[2], otp_code=otp.code_for(Citizen(2).phone, f"pickup:{codes[2]}")
        )


def test_twenty_failures_at_a_kiosk_lock_its_pickup_for_every_dossier(kiosk) -> None:
    kiosks, _, codes, _, _ = kiosk
    for n in range(20):  # spread over codes so that no single dossier locks first: enumeration of codes
        with pytest.raises(PickupRefusedError):
            guess(kiosks, codes[0][:-4] + f"{9000 + n:04d}", n)
    with pytest.raises(PickupLockedError) as locked:
        kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(1).id_number, code=codes[1])
    assert locked.value.retry_after_seconds == 10 * 60


def test_a_success_clears_the_dossier_count(kiosk) -> None:
    kiosks, _, codes, _, _ = kiosk
    for n in range(4):
        with pytest.raises(PickupRefusedError):
            guess(kiosks, codes[0], n)
    assert kiosks.start_pickup_with_receipt("Q6-01", id_number=Citizen(0).id_number, code=codes[0]).token
    for n in range(4):
        with pytest.raises(PickupRefusedError):
            guess(kiosks, codes[0], n)
