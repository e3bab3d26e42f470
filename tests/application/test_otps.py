"""Event-sourced OTPs on SQLite and PostgreSQL: expiry, locking, send limits, and no code or phone stored or logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.base import OneStop
from application.otp import OtpNotSentError, Otps
from domain.otp import OtpChallenge, OtpLimitError, OtpQuota
from tests.fakes import FakeNotifier

T0 = datetime(2026, 5, 20, 1, 30, tzinfo=UTC)
PHONE = "0901234101"
KEY = b"o" * 32


@pytest.fixture
def notifier() -> FakeNotifier:
    return FakeNotifier()


@pytest.fixture
def otps(store_env, notifier):
    app = Otps(OneStop(store_env), key=KEY, notifier=notifier)
    yield app
    app.app.close()


def stored_state(app: Otps) -> bytes:
    return b"\n".join(n.state for n in app.app.recorder.select_notifications(1, 10000))


def test_the_code_sent_by_sms_opens_once(otps, notifier):
    otps.send(PHONE, "submit", T0)
    code = notifier.last_code(PHONE)
    assert notifier.sent[-1][0] == "sms" and len(code) == 6 and code.isdigit()
    assert otps.check(PHONE, "submit", code, T0 + timedelta(minutes=1))
    assert not otps.check(PHONE, "submit", code, T0 + timedelta(minutes=2))


def test_a_code_expires_after_five_minutes(otps, notifier):
    otps.send(PHONE, "submit", T0)
    assert not otps.check(PHONE, "submit", notifier.last_code(PHONE), T0 + timedelta(minutes=5, seconds=1))


def test_a_code_for_another_purpose_or_phone_does_not_open(otps, notifier):
    otps.send(PHONE, "pickup:H29.06-260520-0001", T0)
    code = notifier.last_code(PHONE)
    assert not otps.check(PHONE, "submit", code, T0)
    assert not otps.check("0901234102", "pickup:H29.06-260520-0001", code, T0)
    assert otps.check(PHONE, "pickup:H29.06-260520-0001", code, T0)


def test_five_wrong_codes_lock_the_challenge(otps, notifier):
    otps.send(PHONE, "submit", T0)
    code = notifier.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert [otps.check(PHONE, "submit", wrong, T0) for _ in range(5)] == [False] * 5
    assert not otps.check(PHONE, "submit", code, T0)
    events = [type(e) for e in otps.app.events.get(next(e.originator_id for e in _challenges(otps)))]
    assert events == [OtpChallenge.Issued] + [OtpChallenge.Failed] * 5 + [OtpChallenge.Locked]


def test_a_new_code_replaces_the_old_one(otps, notifier):
    otps.send(PHONE, "submit", T0)
    old = notifier.last_code(PHONE)
    otps.send(PHONE, "submit", T0 + timedelta(minutes=1))
    new = notifier.last_code(PHONE)
    assert (old == new) or not otps.check(PHONE, "submit", old, T0 + timedelta(minutes=1))
    assert otps.check(PHONE, "submit", new, T0 + timedelta(minutes=1))


def test_a_phone_gets_three_codes_in_fifteen_minutes(otps):
    for minute in range(3):
        otps.send(PHONE, "submit", T0 + timedelta(minutes=minute))
    before = otps.app.recorder.max_notification_id()
    with pytest.raises(OtpLimitError) as refused:
        otps.send(PHONE, "pickup:H29.06-260520-0001", T0 + timedelta(minutes=10))
    assert refused.value.code == "otp_rate_limited" and refused.value.scope == "phone"
    assert refused.value.retry_after_seconds == 5 * 60 and "5 phút" in refused.value.message_vi
    assert otps.app.recorder.max_notification_id() == before
    otps.send(PHONE, "submit", T0 + timedelta(minutes=15, seconds=1))


def test_a_kiosk_gets_thirty_codes_an_hour(otps):
    for n in range(30):
        otps.send(f"09{n:08d}", "submit", T0 + timedelta(minutes=n), kiosk="Q6-01")
    with pytest.raises(OtpLimitError) as refused:
        otps.send("0988888888", "submit", T0 + timedelta(minutes=45), kiosk="Q6-01")
    assert refused.value.scope == "kiosk" and "kiosk này" in refused.value.message_vi
    otps.send("0988888888", "submit", T0 + timedelta(minutes=45), kiosk="Q6-02")
    otps.send("0988888888", "submit", T0 + timedelta(minutes=61), kiosk="Q6-01")
    kiosk_uses = [e for e in _events(otps) if isinstance(e, OtpQuota.Used)]
    assert len(kiosk_uses) == 2 * 32  # every send counted for its phone and its kiosk


def test_sms_down_falls_back_to_zalo_and_both_down_is_a_clear_error(store_env):
    notifier = FakeNotifier(failing={"sms": "transient"})
    app = Otps(OneStop(store_env), key=KEY, notifier=notifier)
    try:
        app.send(PHONE, "submit", T0)
        assert notifier.tries == ["sms", "zalo"] and notifier.sent[-1][0] == "zalo"
        notifier.failing["zalo"] = "transient"
        with pytest.raises(OtpNotSentError) as error:
            app.send(PHONE, "submit", T0 + timedelta(minutes=1))
        assert error.value.code == "otp_not_sent" and "Không gửi được" in error.value.message_vi
    finally:
        app.app.close()


def test_no_event_and_no_log_line_holds_the_code_or_the_phone(otps, notifier, caplog):
    caplog.set_level(logging.DEBUG)
    otps.send(PHONE, "submit", T0, kiosk="Q6-01")
    code = notifier.last_code(PHONE)
    otps.check(PHONE, "submit", "000000" if code != "000000" else "111111", T0)
    assert otps.check(PHONE, "submit", code, T0)
    state, logs = stored_state(otps), caplog.text + "".join(str(r.args) for r in caplog.records)
    assert state and b"090****101" in state
    assert code.encode() not in state and PHONE.encode() not in state
    assert code not in logs and PHONE not in logs and "OTP challenge" in logs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    codes=st.lists(st.from_regex(r"\A[0-9]{6}\Z"), min_size=3, max_size=3, unique=True),
    phone=st.from_regex(r"\A09[0-9]{8}\Z"),
)
def test_random_codes_and_phones_never_reach_the_events(store_env, codes, phone):
    issued = iter(codes)
    app = Otps(OneStop(store_env), key=KEY, notifier=FakeNotifier(), code_source=lambda: next(issued))
    try:
        start = app.app.recorder.max_notification_id() or 0
        for n in range(3):
            app.send(phone, f"purpose-{n}", T0 + timedelta(days=start + n))
        assert app.check(phone, "purpose-2", codes[2], T0 + timedelta(days=start + 2))
        state = b"\n".join(n.state for n in app.app.recorder.select_notifications(start + 1, 10000))
        assert state and phone.encode() not in state
        assert not any(code.encode() in state for code in codes)
    finally:
        app.app.close()


def _events(app: Otps) -> list:
    return [app.app.mapper.to_domain_event(n) for n in app.app.recorder.select_notifications(1, 10000)]


def _challenges(app: Otps) -> list:
    return [e for e in _events(app) if isinstance(e, OtpChallenge.Issued)]


def test_the_kiosk_flow_runs_unchanged_on_the_event_sourced_otp(store_env, catalogue, notifier, otps):
    from application.dossiers import Dossiers
    from application.errors import WrongOtpError
    from tests.fakes import FakeClock, WeekdayCalendar
    from tests.kiosk_support import kiosks_app

    clock = FakeClock(T0)
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=WeekdayCalendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otps, clock)
    try:
        kiosks.request_otp(PHONE)
        with pytest.raises(WrongOtpError):
            kiosks.verify_phone(PHONE, "not-a-code")
        assert kiosks.verify_phone(PHONE, notifier.last_code(PHONE))
    finally:
        dossiers.app.close()
