"""The scheduler on the real PostgreSQL: one leader, each run exactly once, failover with a single catch-up."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from application.routines import RoutinePolicy, Routines
from domain.clock import VIETNAM
from domain.values import Applicant
from infrastructure.calendar import load_calendar
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.store import PostgresReadStore
from infrastructure.scheduler.actions import Actions, ReadModelQueries, StaffParties
from infrastructure.scheduler.jobs import CATALOGUE, Run
from infrastructure.scheduler.leader import AlwaysLeader, PostgresLeader
from infrastructure.scheduler.ledger import PostgresLedger, SqliteLedger
from infrastructure.scheduler.runner import Scheduler
from projections.models import read_models
from projections.queries import Views
from projections.reports import ReportsView
from tests.conftest import PG, pg_connect, postgres_env
from tests.fakes import FakeClock, FakeOtp, WeekdayCalendar
from tests.kiosk_support import ONE_STOP, POLICE, STAFF, STAFF_ACTOR, Citizen, kiosks_app, officer, vn

pytestmark = pytest.mark.postgres
CONNINFO = " ".join(f"{k}={v}" for k, v in PG.items())
CALENDAR = load_calendar()
ROOT = Path(__file__).resolve().parents[2]


class CountingBodies(dict):
    """A fake body per action that counts its calls by run id (shared by every scheduler of a test)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__({job.action: self._body for job in CATALOGUE})

    def _body(self, run: Run, now: datetime) -> str:
        with self.lock:
            self.calls[run.run_id] += 1
        time.sleep(0.01)  # long enough for two schedulers to overlap
        return f"ran {run.run_id}"


def scheduler(schema: str, bodies: dict, clock: FakeClock, leader=None) -> Scheduler:
    return Scheduler(
        bodies=bodies,
        ledger=PostgresLedger(CONNINFO, schema),
        leader=leader or PostgresLeader(CONNINFO, schema),
        calendar=CALENDAR,
        clock=clock,
    )


def tick_together(schedulers: list[Scheduler], now: datetime) -> list:
    outcomes: list = []
    threads = [threading.Thread(target=lambda s=s: outcomes.extend(s.tick(now))) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_schedulers_ticking_together_run_each_job_once(pg_schema) -> None:
    bodies, clock = CountingBodies(), FakeClock(vn(date(2026, 5, 20), 7))
    pair = [scheduler(pg_schema, bodies, clock), scheduler(pg_schema, bodies, clock)]
    day = date(2026, 5, 20)
    for hour, minute in [(7, 30), (7, 45), (8, 0), (8, 0), (14, 0), (16, 0), (16, 1)]:
        tick_together(pair, vn(day, hour, minute))
    assert sum(s.leader.leading for s in pair) == 1  # only one holds the advisory lock
    rows = pair[0].ledger.rows()
    assert len(rows) == len({r["run_id"] for r in rows}) and set(bodies.calls.values()) == {1}
    assert {r["run_id"] for r in rows} == set(bodies.calls)
    assert {"collection_morning:2026-05-20T08:00:00+07:00", "loading_round:2026-05-20T16:00:00+07:00"} <= set(
        bodies.calls
    )
    for s in pair:
        s.stop()


def test_without_the_lock_the_ledger_alone_still_runs_each_job_once(pg_schema) -> None:
    bodies, clock = CountingBodies(), FakeClock()
    rivals = [scheduler(pg_schema, bodies, clock, AlwaysLeader()) for _ in range(3)]
    outcomes = tick_together(rivals, vn(date(2026, 5, 20), 8, 0))
    assert Counter(o.outcome for o in outcomes)["done"] == len(bodies.calls) > 0
    assert set(bodies.calls.values()) == {1}


def test_when_the_leader_dies_a_follower_takes_over_and_catches_up_once(pg_schema) -> None:
    bodies, clock = CountingBodies(), FakeClock()
    first, second = scheduler(pg_schema, bodies, clock), scheduler(pg_schema, bodies, clock)
    assert first.tick(vn(date(2026, 5, 18), 8, 1)) and second.tick(vn(date(2026, 5, 18), 8, 1)) == []
    with pg_connect() as conn:  # the leader's process dies: its session, and the lock, go with it
        conn.execute("SELECT pg_terminate_backend(%s)", (first.leader.backend_pid(),))
    down_until = vn(date(2026, 5, 20), 14, 5)  # two and a half working days missed
    outcomes = second.tick(down_until)
    assert second.leader.leading and first.tick(down_until) == []
    caught = [o.run_id for o in outcomes]
    assert len(caught) == len({r.split(":")[0] for r in caught})  # at most one run per job
    assert "collection_afternoon:2026-05-20T14:00:00+07:00" in caught
    assert not any(r.startswith("collection_morning:2026-05-19") for r in bodies.calls)  # older misses skipped
    assert second.tick(down_until) == [] and set(bodies.calls.values()) == {1}
    first.stop()
    second.stop()


def test_a_stopped_leader_process_releases_the_lock_to_a_follower(pg_schema) -> None:
    script = (
        "import sys, time\nfrom infrastructure.scheduler.leader import PostgresLeader\n"
        "leader = PostgresLeader(sys.argv[1], sys.argv[2])\nassert leader.try_lead()\n"
        "print('leading', flush=True)\ntime.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, CONNINFO, pg_schema], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    follower = PostgresLeader(CONNINFO, pg_schema)
    try:
        assert child.stdout.readline().strip() == "leading"
        assert not follower.try_lead()
        child.kill()
        child.wait(5)
        deadline = time.monotonic() + 10
        while not follower.try_lead() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert follower.leading
    finally:
        child.kill()
        follower.resign()


def test_a_repeated_run_id_changes_nothing(pg_schema) -> None:
    ledger, calls = PostgresLedger(CONNINFO, pg_schema), []
    run = Run(vn(date(2026, 5, 20), 8), "collection_morning")
    assert ledger.record(run, lambda: calls.append(1) or "first", lambda: datetime.now(VIETNAM)) == "done"
    before = ledger.rows()
    assert ledger.record(run, lambda: calls.append(2) or "second", lambda: datetime.now(VIETNAM)) is None
    assert calls == [1] and ledger.rows() == before and before[0]["detail"] == "first"


def test_a_run_that_dies_midway_leaves_no_claim_and_a_failure_is_recorded_once(pg_schema) -> None:
    ledger, now = PostgresLedger(CONNINFO, pg_schema), lambda: datetime.now(VIETNAM)
    run = Run(vn(date(2026, 5, 20), 16), "loading_round")

    def crash() -> str:
        raise SystemExit("process stopped")

    with pytest.raises(SystemExit):
        ledger.record(run, crash, now)
    assert ledger.rows() == []  # rolled back: the next leader will run it

    def broken() -> str:
        raise RuntimeError("read model unavailable")

    assert ledger.record(run, broken, now) == "failed"
    assert ledger.rows()[0]["detail"] == "RuntimeError: read model unavailable"
    assert ledger.record(run, broken, now) is None


def test_the_embedded_ledger_also_records_each_run_id_once(tmp_path) -> None:
    ledger, calls = SqliteLedger(tmp_path / "scheduler.sqlite3"), []
    run = Run(vn(date(2026, 5, 20), 16), "loading_round")
    assert ledger.record(run, lambda: calls.append(run) or "ok", lambda: datetime.now(VIETNAM)) == "done"
    assert ledger.record(run, lambda: calls.append(run) or "ok", lambda: datetime.now(VIETNAM)) is None
    assert calls == [run] and ledger.last_scheduled() == {"loading_round": run.scheduled_for}
    ledger.close()


def test_the_real_routines_act_through_the_applications_and_read_models(pg_schema, catalogue) -> None:
    env, clock = postgres_env(pg_schema), FakeClock(vn(date(2026, 5, 20), 9))
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=WeekdayCalendar(), clock=clock)
    kiosks = kiosks_app(dossiers, FakeOtp(), clock)
    store, reminded = PostgresReadStore(CONNINFO, pg_schema), []
    projector = Projector(dossiers.app.recorder, dossiers.app.mapper, store, read_models(catalogue))
    try:
        kiosks.install_kiosk("Q6-09", name="Kiosk thử", agency="H29.06", tray_count=2, actor=STAFF_ACTOR)
        codes = [receive_and_route(dossiers, catalogue, n) for n in range(3)]
        for code in codes[:2]:
            dossiers.issue_result(code, summary="Kết quả giải quyết", actor=STAFF_ACTOR)
            dossiers.hand_over(code, item="Kết quả (bản chính)", giver=officer("x"), receiver=STAFF, actor=STAFF_ACTOR)
        assert len(kiosks.load_results("Q6-09", codes[:2], staff=STAFF, actor=STAFF_ACTOR).loaded) == 2
        projector.catch_up()
        actions = Actions(
            queries=ReadModelQueries(Views(store, WeekdayCalendar())),
            calendar=CALENDAR,
            kiosks=kiosks,
            reports=ReportsView(store),
            parties=StaffParties(staff=STAFF, one_stop=ONE_STOP, police=POLICE),
            routines=Routines(dossiers.app),
            follow=RoutinePolicy(dossiers.app).follow,
            alert=lambda kiosk, problem: reminded.append((kiosk, problem)),
        )
        due = dossiers.get_dossier(codes[2]).due_on
        alerts = json.loads(actions.due_soon_alerts(Run(vn(due, 7, 45), "due_soon_alerts"), vn(due, 7, 45)))
        department = catalogue.procedure(dossiers.get_dossier(codes[2]).procedure_code).department
        assert alerts["departments"] == {department: {"due_soon": 1, "overdue": 0}}

        clock.current = vn(date(2026, 5, 28), 7, 31)  # six working days after the SMS, and no tray free
        bodies = {job.action: actions.body(job.action) for job in CATALOGUE}
        leader = scheduler(pg_schema, bodies, clock)
        outcomes = leader.tick()
        leader.stop()
        rows = {r["job"]: r for r in PostgresLedger(CONNINFO, pg_schema).rows()}
        assert {o.outcome for o in outcomes} == {"done"} and "overdue_sweep" in rows
        assert "2 kết quả cần rút khỏi khay" in rows["overdue_sweep"]["detail"]
        assert kiosks.get_kiosk("Q6-09").free_trays == 0  # the sweep lists; staff pull back when they take the paper
        assert json.loads(rows["monthly_report"]["detail"])["label"] == "Tháng 4/2026"
        assert json.loads(rows["weekly_report"]["detail"])["label"] == "Tuần 21/2026"
        assert rows["routines_of_the_day"]["detail"] == "Việc trong ngày 28/05/2026: 3 việc mới."
        clock.current = vn(date(2026, 5, 28), 8, 31)
        leader = scheduler(pg_schema, bodies, clock)
        leader.tick()
        leader.stop()
        assert reminded == [("Q6-09", "chưa thu hồ sơ và tiền lúc 08:00 ngày 28/05/2026 (trễ quá 30 phút)")]
    finally:
        projector.store.close()
        dossiers.app.close()


def receive_and_route(dossiers: Dossiers, catalogue, n: int) -> str:
    """A counter dossier accepted and sent to its department (in processing)."""
    citizen = Citizen(200 + n)
    code, _ = dossiers.receive(
        procedure_code="2.000635.000.00.00.H29",
        channel="counter",
        components=[],
        applicant=Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone),
        actor=STAFF_ACTOR,
    )
    dossiers.accept(code, actor=STAFF_ACTOR)
    dossiers.route(code, department=catalogue.procedure("2.000635.000.00.00.H29").department, actor=STAFF_ACTOR)
    return code
