"""The anonymous access-log code: the same answer whatever the data, its own quota, never the pickup OTP's quota."""

from __future__ import annotations

import pytest

from application.access_log import AccessLogs
from application.base import OneStop
from application.otp import Otps
from application.throttling import TooManyAttemptsError
from domain.values import Actor, Role
from infrastructure.guards import GuardStore
from tests.conftest import read_store_for
from tests.fakes import FakeClock, FakeNotifier

ID, PHONE, STRANGER_ID = "079195000101", "0901234101", "079195000999"
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


@pytest.fixture
def apps(store_env, tmp_path):
    """(access logs, OTPs, notifier, clock, queued background jobs)."""
    clock, notifier, queued = FakeClock(), FakeNotifier(), []
    guards = GuardStore(read_store_for(store_env, tmp_path, "guards"))
    app = OneStop(store_env)
    otps = Otps(app, key=b"o" * 32, notifier=notifier)
    logs = AccessLogs(app, key=b"a" * 32, otp=otps, clock=clock, attempts=guards, later=queued.append)
    logs.record_read(
        id_number=ID, phone=PHONE, dossier_code="H29.06-260520-0001", what="xem hồ sơ", purpose="xử lý", actor=OFFICER
    )
    yield logs, otps, notifier, clock, queued
    logs.close()
    app.close()
    guards.close()


def run(queued: list) -> None:
    while queued:
        queued.pop(0)()


def test_known_and_unknown_pairs_get_the_same_answer_and_the_same_work(apps) -> None:
    logs, _, notifier, _, queued = apps
    assert logs.request_code(ID, PHONE) is None and logs.request_code(STRANGER_ID, PHONE) is None
    assert notifier.sent == [] and len(queued) == 2  # nothing is sent or looked up before the answer
    run(queued)
    assert [address for _, address, *_ in notifier.sent] == [PHONE]  # only the pair on a dossier gets a code


def test_the_quota_counts_every_request_whatever_the_data(apps) -> None:
    logs, _, _, clock, queued = apps
    for n, id_number in enumerate((ID, STRANGER_ID)):
        for _ in range(3):
            logs.request_code(id_number, f"098700{n}111")
        with pytest.raises(TooManyAttemptsError) as limited:
            logs.request_code(id_number, f"098700{n}222")  # per person, whatever the phone
        assert limited.value.retry_after_seconds == 15 * 60
        with pytest.raises(TooManyAttemptsError):
            logs.request_code("079195000555", f"098700{n}111")  # and per phone, whatever the person
    clock.advance(minutes=15)
    logs.request_code(ID, PHONE)
    run(queued)


def test_access_log_codes_never_use_up_the_pickup_otp_quota(apps) -> None:
    logs, otps, notifier, clock, queued = apps
    for _ in range(3):
        logs.request_code(ID, PHONE)
    run(queued)
    with pytest.raises(TooManyAttemptsError):
        logs.request_code(ID, PHONE)
    otps.send(
        PHONE, "pickup:H29.06-260520-0001", clock.now(), kiosk="Q6-01"
    )  # the citizen at the kiosk still gets a code
    assert otps.check(PHONE, "pickup:H29.06-260520-0001", notifier.last_code(PHONE), clock.now())
    code_for_log = [params["code"] for _, address, _, _, params in notifier.sent[:3]][-1]
    assert logs.entries(ID, PHONE, code_for_log) != []


def test_a_failed_send_in_the_background_is_logged_without_personal_data(apps, caplog) -> None:
    logs, _, notifier, _, queued = apps
    notifier.failing = {"sms": "rejected", "zalo": "rejected"}  # no channel takes it: the caller was answered already
    logs.request_code(ID, PHONE)
    run(queued)
    assert notifier.sent == [] and "otp_not_sent" in caplog.text
    assert ID not in caplog.text and PHONE not in caplog.text
