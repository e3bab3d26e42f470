"""Read-model rebuild rate on PostgreSQL beside a raw sequential read of the same events table.

Run by hand:  .venv/bin/python -m bench.rebuild [--dossiers 20000] [--workers 2] [--repeat 3]
Last line:    ratio <best rebuild rate / best raw read rate>

After a warm-up of each (the raw read brings the table into PostgreSQL's buffers, the first rebuild imports and
connects), raw reads and rebuilds alternate `--repeat` times and the best of each is compared: on a machine shared
with other work, a busy spell then slows one round rather than one side of the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.base import OneStop  # noqa: E402
from application.dossiers import Dossiers  # noqa: E402
from bench.common import PG, event_store_env, machine, progress, scratch_schema  # noqa: E402
from domain.dossier import Dossier  # noqa: E402
from domain.values import Actor, Applicant, Channel, Party, PaymentMethod, Role  # noqa: E402
from infrastructure.bootstrap import projector_over  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.clock import SystemClock  # noqa: E402
from infrastructure.readstore.parallel import rebuild_parallel  # noqa: E402
from infrastructure.readstore.runner import Projector  # noqa: E402
from infrastructure.readstore.store import PostgresReadStore  # noqa: E402
from projections.models import read_models  # noqa: E402

CONNINFO = " ".join(f"{k}={v}" for k, v in PG.items())
BATCH = 5000  # rows per fetch of the log, as the raw read's cursor (itersize)
OFFICER = Actor(account_id="bench", role=Role.RECEPTION_OFFICER)
TEAM = Party(account_id="team", name="Tổ tư vấn", role=Role.CONSULTANT, unit="Tổ tư vấn")
CLERK = Party(account_id="clerk", name="Cán bộ", role=Role.DEPARTMENT_OFFICER, unit="Phòng Tư pháp")


def generate(app: Dossiers, count: int) -> int:
    """`count` dossiers of about six events each, saved 200 at a time."""
    catalogue, start = app.catalogue, datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    procedures = [p for p in catalogue.procedures if p.kiosk_submission]
    batch = []
    for n in range(count):
        procedure, at = procedures[n % len(procedures)], start + timedelta(minutes=n)
        code = f"{procedure.agency}-{at:%y%m%d}-{n % 9000 + 1:04d}"
        person = Applicant(id_number=f"079{n % 2}{60 + n % 40}{n:06d}", name="Nguyễn Văn Bench", phone="0901234567")
        dossier = Dossier.receive(
            code=code,
            procedure_code=procedure.code,
            channel=Channel.COUNTER,
            applicant=person,
            components=[],
            due_on=at.date() + timedelta(days=7),
            actor=OFFICER,
            at=at,
        )
        dossier.assess_fee(amount=procedure.fee, actor=OFFICER, at=at)
        if procedure.fee:
            dossier.record_payment(
                method=PaymentMethod.CASH, amount=procedure.fee, reference=None, actor=OFFICER, at=at
            )
        dossier.accept(due_on=at.date() + timedelta(days=7), actor=OFFICER, at=at)
        dossier.route(department=procedure.department, actor=OFFICER, at=at)
        dossier.hand_over(item="Hồ sơ", giver=TEAM, receiver=CLERK, actor=OFFICER, at=at)
        batch.append(dossier)
        if len(batch) == 200:
            app.app.save(*batch)
            batch = []
    if batch:
        app.app.save(*batch)
    return app.app.recorder.max_notification_id()


def raw_read(schema: str) -> tuple[int, float]:
    """Every row of the events table in log order, through a server-side cursor."""
    started = time.perf_counter()
    rows = 0
    with psycopg.connect(**PG) as conn, conn.cursor(name="raw") as cursor:
        cursor.itersize = 5000
        cursor.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {schema}.onestop_events ORDER BY notification_id"
        )
        for _ in cursor:
            rows += 1
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=20000)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="rebuild processes (default: one per core)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="measured rounds of raw read + rebuild (best of each)")
    args = parser.parse_args()
    progress(f"machine: {machine()}; load average before the run {os.getloadavg()[0]:.2f}")
    with scratch_schema() as schema:
        app = Dossiers(
            OneStop(event_store_env(schema)), catalogue=load_catalogue(), calendar=load_calendar(), clock=SystemClock()
        )
        events = generate(app, args.dossiers)
        progress(f"events: {events}")
        with psycopg.connect(autocommit=True, **PG) as conn:  # what autovacuum does after a bulk load
            conn.execute(f"VACUUM ANALYZE {schema}.onestop_events")
        raw_read(schema)  # warm-up: the table's pages into PostgreSQL's buffers
        store = PostgresReadStore(CONNINFO, schema)
        projector = Projector(app.app.recorder, app.app.mapper, store, read_models(app.catalogue), batch=BATCH)

        def fresh() -> Projector:  # what a worker process builds for itself (its own connections)
            return projector_over(
                event_store_env(schema), PostgresReadStore(CONNINFO, schema), read_models(app.catalogue), BATCH
            )

        rebuild_parallel(projector, fresh, workers=args.workers)  # warm-up: imports, first connections
        raw_rates, rates = [], []
        for round_ in range(1, args.repeat + 1):  # alternating, so a busy spell on a shared machine hits both
            rows, raw_seconds = raw_read(schema)
            raw_rates.append(rows / raw_seconds)
            started = time.perf_counter()
            processed = rebuild_parallel(projector, fresh, workers=args.workers)
            seconds = time.perf_counter() - started
            rates.append(processed / seconds)
            progress(
                f"round {round_}: raw sequential read {rows} rows in {raw_seconds:.2f}s = {raw_rates[-1]:,.0f} rows/s; "
                f"rebuild of {len(projector.models)} read models {processed} events in {seconds:.2f}s "
                f"= {rates[-1]:,.0f} events/s; ratio {rates[-1] / raw_rates[-1]:.2f}"
            )
        store.close()
        app.app.close()
    print(f"best raw read {max(raw_rates):,.0f} rows/s, best rebuild {max(rates):,.0f} events/s")
    print(f"ratio {max(rates) / max(raw_rates):.2f}")


if __name__ == "__main__":
    main()
