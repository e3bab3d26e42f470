"""The read-model process killed during a catch-up and during a rebuild: restarted, every table equals a clean
rebuild."""

from __future__ import annotations

from pathlib import Path

from application.dossiers import Dossiers
from domain.values import Actor, Applicant, Channel, PaymentMethod, Role
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.store import PostgresReadStore
from projections.models import read_models
from tests.conftest import PG, postgres_env
from tests.faults.support import SECRET, Process, process_env, wait_until
from tests.kiosk_bus_support import make_core
from tests.kiosk_support import STAFF, Citizen, officer

CLERK = Actor(account_id="officer", role=Role.RECEPTION_OFFICER)
CONNINFO = " ".join(f"{k}={v}" for k, v in PG.items())


def fill(dossiers: Dossiers, count: int) -> None:
    """Counter dossiers with a fee, two payments and a handover each: about five events per dossier."""
    for n in range(count):
        citizen = Citizen(n)
        code, _ = dossiers.receive(
            procedure_code="2.000635.000.00.00.H29",
            channel=Channel.COUNTER,
            components=[],
            applicant=Applicant(id_number=citizen.id_number, name=citizen.name),
            actor=CLERK,
        )
        dossiers.assess_fee(code, actor=CLERK)
        dossiers.record_payment(code, method=PaymentMethod.CASH, amount=3000 + n, actor=CLERK)
        dossiers.record_payment(code, method=PaymentMethod.BANK_QR, amount=5000, reference=f"FT{n}", actor=CLERK)
        dossiers.hand_over(code, item="Phong bì", giver=STAFF, receiver=officer("TP"), actor=CLERK)


def models(catalogue) -> list:
    """The read models the `projections` process runs: with its secret, the keyed search and status models too."""
    return read_models(catalogue, SECRET.encode())


def snapshot(store: PostgresReadStore, catalogue) -> dict[str, list[tuple]]:
    """Every row of every read-model table, sorted, plus the tracking positions."""
    tables = [table.name for model in models(catalogue) for table in model.tables]
    rows = {
        name: sorted(tuple(map(repr, row.values())) for row in store.query(f"SELECT * FROM {name}")) for name in tables
    }
    rows["positions"] = sorted(
        (r["name"], r["position"]) for r in store.query("SELECT name, position FROM projection_tracking")
    )
    return rows


def tracking(store: PostgresReadStore) -> dict[str, int]:
    return {row["name"]: row["position"] for row in store.query("SELECT name, position FROM projection_tracking")}


def positions(store: PostgresReadStore) -> list[int]:
    try:
        return [row["position"] for row in store.query("SELECT position FROM projection_tracking")]
    except Exception:  # noqa: BLE001 - the process has not created its tables yet
        return []


def test_a_runner_killed_mid_catch_up_and_mid_rebuild_ends_with_the_rows_of_a_clean_rebuild(
    fault_schema: str, catalogue, tmp_path: Path
) -> None:
    env = postgres_env(fault_schema)
    core = make_core(env, catalogue)  # a kiosk, its trays and a kiosk submission: every read model has rows
    fill(core.dossiers, 250)
    head = core.last_position()
    process = process_env(PG, fault_schema, tmp_path, MOTCUA_PROJECTION_BATCH="25")
    live = PostgresReadStore(CONNINFO, f"{fault_schema}_read")
    fresh = PostgresReadStore(CONNINFO, f"{fault_schema}_fresh")
    runs = [Process(["projections", "run", "--poll", "0.05"], process, tmp_path / f"run{n}.log") for n in range(2)]
    rebuild = Process(["projections", "rebuild", "all"], process, tmp_path / "rebuild.log")
    try:
        runs[0].start()
        wait_until(lambda: any(positions(live)), 120, "the runner started writing")
        runs[0].kill()
        before = tracking(live)
        killed_at = sorted(before.values())
        assert killed_at[0] > 0 and killed_at[-1] < head, f"killed at {killed_at} of {head}: not mid-way"

        rebuild.start()
        wait_until(lambda: "events" in rebuild.tail() or not rebuild.running(), 120, "the rebuild reported progress")
        rebuild.kill()
        after_rebuild = tracking(live)
        # Each rebuild process swaps its models' rows and positions in with one transaction: every model is at its
        # old position or at the head, nothing between.
        assert all(after_rebuild[name] in (before[name], head) for name in before), (before, after_rebuild)

        runs[1].start()
        wait_until(lambda: set(positions(live)) == {head}, 120, "the restarted runner caught up")
        runs[1].stop()
        Projector(core.dossiers.app.recorder, core.dossiers.app.mapper, fresh, models(catalogue)).catch_up()
        assert snapshot(live, catalogue) == snapshot(fresh, catalogue)
        assert live.query("SELECT COUNT(*) AS n, SUM(paid) AS paid FROM dossiers WHERE channel = 'counter'")[0] == {
            "n": 250,
            "paid": sum(3000 + n + 5000 for n in range(250)),
        }
    finally:
        for process_ in (*runs, rebuild):
            process_.kill()
        with fresh.transaction() as tx:
            tx.execute(f"DROP SCHEMA {fault_schema}_fresh CASCADE")
        fresh.close()
        live.close()
        core.close()
