"""Officer-queue reads with 200,000 dossiers in the read model (PostgreSQL), per filter, beside `SELECT 1`.

Run by hand:  .venv/bin/python -m bench.queues [--dossiers 200000]
Last line:    ratio <p50 of the slowest queue read / p50 of SELECT 1>
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, machine, progress, scratch_schema  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.readstore.store import PostgresReadStore  # noqa: E402
from projections.dossiers import QUEUES, DossierReadModel, queue_of  # noqa: E402
from projections.queries import Views  # noqa: E402

STATUSES = [
    "registered",
    "received",
    "accepted",
    "in_processing",
    "supplement_requested",
    "result_issued",
    "in_tray",
    "delivered",
    "rated",
]


def load(store: PostgresReadStore, model: DossierReadModel, count: int) -> None:
    rng, table = random.Random(7), model.tables[0]
    procedures, start = model.catalogue.procedures, datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    rows = []
    for n in range(count):
        procedure, status = rng.choice(procedures), rng.choice(STATUSES)
        received = start + timedelta(minutes=n)
        rows.append(
            table.new_row(
                id=f"bench-{n}",
                code=f"{procedure.agency}-{received:%y%m%d}-{n % 9999 + 1:04d}-{n}",
                agency=procedure.agency,
                procedure_code=procedure.code,
                procedure_name=procedure.name,
                department=procedure.department,
                result_kind=procedure.result_kind.value,
                channel=rng.choice(["kiosk", "counter", "online", "postal"]),
                status=status,
                queue=queue_of(status, False, rng.choice([None, "consultant"])),
                in_bin=False,
                received_at=received,
                due_on=received.date() + timedelta(days=rng.randint(1, 20)),
                fee=procedure.fee,
                paid=0,
                shortfall=0,
                excess=0,
                supplements=0,
                applicant_masked="Nguyễn V. A",
                phone_masked="090****123",
                version=3,
                updated_at=received,
            )
        )
    with store.transaction() as tx:
        tx.copy(table.name, table.column_names, [[row[c] for c in table.column_names] for row in rows])
    # What autovacuum does in production: statistics, and the visibility map that makes counts index-only.
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(f"VACUUM ANALYZE {store.schema}.dossiers")


def timed(call, repeat: int = 200) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=200_000)
    args = parser.parse_args()
    progress(f"machine: {machine()}")
    catalogue = load_catalogue()
    with scratch_schema() as schema:
        store = PostgresReadStore(" ".join(f"{k}={v}" for k, v in PG.items()), schema)
        model = DossierReadModel(catalogue)
        with store.transaction() as tx:
            for table in model.tables:
                tx.execute(store.ddl(table.ddl()))
            for index in model.indexes:
                tx.execute(index)
        load(store, model, args.dossiers)
        progress(f"dossiers loaded: {store.query('SELECT COUNT(*) AS n FROM dossiers')[0]['n']}")
        views, today = Views(store, load_calendar()), date(2026, 5, 20)
        procedure = catalogue.procedures[3]
        cases = {
            "in_processing, sorted by due date": dict(queue="in_processing"),
            "+ department": dict(queue="in_processing", filters={"department": procedure.department}),
            "+ agency": dict(queue="to_route", filters={"agency": procedure.agency}),
            "+ procedure": dict(queue="supplement_pending", filters={"procedure_code": procedure.code}),
            "+ channel": dict(queue="ready_for_pickup", filters={"channel": "kiosk"}),
            "+ overdue only": dict(queue="in_processing", overdue=True),
            "page 50 of new_online": dict(queue="new_online", page=50),
        }
        base_p50, base_p99 = timed(lambda: store.query("SELECT 1 AS one"))
        progress(f"{'SELECT 1':38} p50 {base_p50:6.2f} ms  p99 {base_p99:6.2f} ms")
        worst = 0.0
        for name, kwargs in cases.items():
            p50, p99 = timed(lambda kwargs=kwargs: views.queue(today=today, **kwargs))
            worst = max(worst, p50)
            progress(f"{name:38} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
        counts_p50, counts_p99 = timed(lambda: views.queue_counts({"agency": procedure.agency}), repeat=50)
        progress(
            f"{'queue counts of an agency':38} p50 {counts_p50:6.2f} ms  p99 {counts_p99:6.2f} ms  "
            f"({len(QUEUES)} queues)"
        )
        store.close()
    print(f"ratio {worst / base_p50:.1f}")


if __name__ == "__main__":
    main()
