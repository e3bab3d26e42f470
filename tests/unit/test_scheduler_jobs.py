"""The scheduler's pure parts: run ids, working-day filters, catch-up, and the job bodies with fakes."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infrastructure.calendar import load_calendar
from infrastructure.scheduler.actions import Actions, StaffParties
from infrastructure.scheduler.jobs import CATALOGUE, Run, due_run, due_runs, job_named, run_id, scheduled_between
from infrastructure.scheduler.leader import lock_key
from infrastructure.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = load_calendar()


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def test_run_ids_are_the_job_and_its_local_scheduled_time() -> None:
    utc = vn(2026, 5, 20, 8).astimezone(ZoneInfo("UTC"))
    assert run_id("collection_morning", utc) == "collection_morning:2026-05-20T08:00:00+07:00"
    assert Run(vn(2026, 5, 20, 8), "collection_morning").run_id == run_id("collection_morning", vn(2026, 5, 20, 8))


def test_the_same_instant_gives_the_same_runs_every_time() -> None:
    now = vn(2026, 5, 20, 16, 0)
    first = due_runs(CATALOGUE, now, {}, CALENDAR)
    assert [r.run_id for r in first] == [r.run_id for r in due_runs(CATALOGUE, now, {}, CALENDAR)]
    assert "loading_round:2026-05-20T16:00:00+07:00" in [r.run_id for r in first]


def test_working_day_jobs_skip_tet_and_weekends_but_reports_do_not() -> None:
    collection = job_named("collection_morning")
    tet_week = list(scheduled_between(collection, vn(2026, 2, 13, 9), vn(2026, 2, 24, 9), CALENDAR))
    assert [t.date() for t in tet_week] == [date(2026, 2, 23), date(2026, 2, 24)]
    weekend = list(scheduled_between(collection, vn(2026, 5, 22, 9), vn(2026, 5, 25, 9), CALENDAR))
    assert [t.date() for t in weekend] == [date(2026, 5, 25)]
    weekly = list(scheduled_between(job_named("weekly_report"), vn(2026, 2, 15), vn(2026, 2, 17), CALENDAR))
    assert weekly == [vn(2026, 2, 16, 6)]  # Monday of Tết: the report is still produced


def test_monthly_and_quarterly_reports_run_on_the_first_day() -> None:
    year = (vn(2026, 1, 1) - timedelta(seconds=1), vn(2026, 12, 31, 23))
    monthly = list(scheduled_between(job_named("monthly_report"), *year, CALENDAR))
    quarterly = list(scheduled_between(job_named("quarterly_report"), *year, CALENDAR))
    assert [t.month for t in monthly] == list(range(1, 13)) and {t.day for t in monthly} == {1}
    assert [(t.month, t.day, t.time()) for t in quarterly] == [(m, 1, time(6, 30)) for m in (1, 4, 7, 10)]


def test_catch_up_runs_only_the_last_missed_time_of_each_job() -> None:
    last = {"collection_morning": vn(2026, 5, 18, 8)}  # ran Monday morning, then down until Wednesday 09:00
    run = due_run(job_named("collection_morning"), vn(2026, 5, 20, 9), last["collection_morning"], CALENDAR)
    assert run == Run(vn(2026, 5, 20, 8), "collection_morning")
    runs = due_runs(CATALOGUE, vn(2026, 5, 20, 9), last, CALENDAR)
    assert len({r.job for r in runs}) == len(runs)
    assert runs == sorted(runs)


def test_nothing_is_due_again_once_the_latest_run_is_recorded() -> None:
    now = vn(2026, 5, 20, 16, 30)
    last = {r.job: r.scheduled_for for r in due_runs(CATALOGUE, now, {}, CALENDAR)}
    assert due_runs(CATALOGUE, now, last, CALENDAR) == []


def test_a_reminder_too_late_to_help_is_not_caught_up() -> None:
    assert due_run(job_named("loading_round"), vn(2026, 5, 21, 9), None, CALENDAR) is None
    assert due_run(job_named("overdue_sweep"), vn(2026, 5, 21, 9), None, CALENDAR) == Run(
        vn(2026, 5, 21, 7, 30), "overdue_sweep"
    )


def test_cron_fields_match_the_catalogue() -> None:
    assert job_named("collection_afternoon").cron() == {"hour": 14, "minute": 0}
    assert job_named("weekly_report").cron()["day_of_week"] == "mon"
    assert job_named("quarterly_report").cron() == {"hour": 6, "minute": 30, "day": 1, "month": "1,4,7,10"}


def test_lock_keys_are_constant_per_schema_and_fit_bigint() -> None:
    assert lock_key("public") == lock_key("public") != lock_key("other")
    assert -(2**63) <= lock_key("public") < 2**63


moments = st.datetimes(min_value=datetime(2025, 1, 2), max_value=datetime(2027, 12, 20), timezones=st.just(VN))


@settings(max_examples=150, deadline=None)
@given(last=moments, down=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120)))
def test_catch_up_after_any_downtime_is_at_most_one_run_per_job_and_the_latest(last: datetime, down: timedelta) -> None:
    now = last + down
    recorded = {job.name: last for job in CATALOGUE}
    runs = due_runs(CATALOGUE, now, recorded, CALENDAR)
    assert len({r.job for r in runs}) == len(runs)
    for run in runs:
        job = job_named(run.job)
        assert last < run.scheduled_for <= now and now - run.scheduled_for <= job.catch_up_within
        assert list(scheduled_between(job, run.scheduled_for, now, CALENDAR)) == []  # none later was skipped
    done = recorded | {r.job: r.scheduled_for for r in runs}
    assert due_runs(CATALOGUE, now, done, CALENDAR) == []


# ----- job bodies with fakes ---------------------------------------------------------------------------
class FakeQueries:
    def __init__(self) -> None:
        self.queues = {"kiosk_bin": {"Q6-01": 3}, "results_to_load": {"Q6-01": 2, "Q6-02": 1}}

    def kiosk_keys(self) -> list[str]:
        return ["Q6-01", "Q6-02"]

    def per_kiosk(self, queue: str, today: date) -> dict[str, int]:
        return self.queues[queue]

    def due_by_department(self, today: date, until: date) -> dict[str, dict[str, int]]:
        self.asked = (today, until)
        return {"TP": {"due_soon": 2, "overdue": 1}}


class FakeKiosks:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def remind_pickups(self, key: str, *, actor, at) -> list[str]:
        self.calls.append((key, {"actor": actor, "at": at}))
        return ["H29.06-260520-0003"] if key == "Q6-02" else []

    def list_overdue(self, key: str, **kwargs) -> list:
        self.calls.append((key, kwargs))
        return (
            [
                SimpleNamespace(
                    tray=7,
                    dossier_code="H29.06-260501-0001",
                    days_since_notification=6,
                    receiver="police",
                    action="pull_back",
                ),
                SimpleNamespace(
                    tray=8,
                    dossier_code="H29.06-260501-0002",
                    days_since_notification=6,
                    receiver="one_stop",
                    action="keep",
                ),
            ]
            if key == "Q6-01"
            else []
        )


class FakeReports:
    def report(self, kind: str, reference: date, *, today: date, agency: str | None = None) -> dict:
        return {"kind": kind, "reference": reference.isoformat(), "today": today.isoformat()}


@pytest.fixture
def actions() -> Actions:
    sent: list[str] = []
    return Actions(
        queries=FakeQueries(), calendar=CALENDAR, kiosks=FakeKiosks(), reports=FakeReports(), notify=sent.append
    )


def test_collection_reminder_is_vietnamese_and_counts_envelopes_per_kiosk(actions: Actions) -> None:
    text = actions.body("collection_reminder")(Run(vn(2026, 5, 20, 8), "collection_morning"), vn(2026, 5, 20, 8))
    assert text.startswith("Nhắc việc 08:00 ngày 20/05/2026: Tổ tư vấn mở kiosk")
    assert "Kiosk Q6-01: 3 phong bì" in text and "Kiosk Q6-02: 0 phong bì" in text


def test_loading_reminder_counts_results_waiting(actions: Actions) -> None:
    text = actions.body("loading_reminder")(Run(vn(2026, 5, 20, 16), "loading_round"), vn(2026, 5, 20, 16))
    assert "Nhắc việc 16:00" in text and "Kiosk Q6-01: 2 kết quả chờ nạp." in text


def test_overdue_sweep_lists_what_staff_must_pull_back_at_every_kiosk(actions: Actions) -> None:
    now = vn(2026, 5, 20, 7, 31)
    text = actions.body("overdue_sweep")(Run(vn(2026, 5, 20, 7, 30), "overdue_sweep"), now)
    calls = actions.kiosks.calls
    assert [key for key, _ in calls] == ["Q6-01", "Q6-02"]
    assert all(kw == {"at": now} for _, kw in calls)
    assert "1 kết quả cần rút" in text and "khay 7" in text and "bàn giao Công an" in text and "khay 8" not in text


def test_due_soon_alerts_look_one_working_day_ahead(actions: Actions) -> None:
    detail = json.loads(
        actions.body("due_soon_alerts")(Run(vn(2026, 5, 22, 7, 45), "due_soon_alerts"), vn(2026, 5, 22, 7, 45))
    )
    assert actions.queries.asked == (date(2026, 5, 22), date(2026, 5, 25))  # Friday → Monday
    assert detail["departments"] == {"TP": {"due_soon": 2, "overdue": 1}}


def test_reports_cover_the_period_that_just_ended(actions: Actions) -> None:
    monthly = json.loads(actions.body("report:month")(Run(vn(2026, 6, 1, 6, 15), "monthly_report"), vn(2026, 6, 3, 9)))
    assert monthly == {"kind": "month", "reference": "2026-05-31", "today": "2026-06-01"}


def test_staff_parties_come_from_the_environment_or_constants() -> None:
    parties = StaffParties.from_settings(
        Settings.from_env({"MOTCUA_SCHEDULER_POLICE": "congan.hung|Đỗ Văn Hùng|Công an Quận 6"}).scheduler
    )
    assert parties.police.name == "Đỗ Văn Hùng" and parties.one_stop.unit == "Bộ phận Một cửa"
    with pytest.raises(ValueError, match="MOTCUA_SCHEDULER_STAFF"):
        StaffParties.from_settings(Settings.from_env({"MOTCUA_SCHEDULER_STAFF": "only-one-part"}).scheduler)


def test_pickup_reminders_ask_every_kiosk_as_the_scheduler_and_list_who_was_reminded(actions: Actions) -> None:
    now = vn(2026, 5, 26, 9)
    text = actions.body("pickup_reminders")(Run(now, "pickup_reminders"), now)
    assert text.startswith("Nhắc nhận kết quả 09:00 ngày 26/05/2026: 1 công dân được nhắc.")
    assert "Kiosk Q6-02: nhắc công dân nhận kết quả hồ sơ H29.06-260520-0003." in text
    calls = actions.kiosks.calls  # type: ignore[union-attr]
    assert [(k, c["actor"].account_id, c["at"]) for k, c in calls] == [
        ("Q6-01", "scheduler", now),
        ("Q6-02", "scheduler", now),
    ]
    assert job_named("pickup_reminders").at.hour == 9
