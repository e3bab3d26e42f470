"""Chain replay + verification rate on PostgreSQL beside a raw sequential read of the same events table.

Run by hand:  .venv/bin/python -m bench.replay [--events 1000000]
Last line:    ratio <ours/raw>   (our events/s while verifying the chain ÷ raw rows/s)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.base import OneStop  # noqa: E402
from application.dossiers import Dossiers  # noqa: E402
from bench.common import PG, event_store_env, machine, progress, scratch_schema  # noqa: E402
from bench.rebuild import generate, raw_read  # noqa: E402
from infrastructure.audit.chain import Chainer  # noqa: E402
from infrastructure.audit.keys import SigningKey  # noqa: E402
from infrastructure.audit.tables import AuditTables  # noqa: E402
from infrastructure.audit.verify import verify  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.clock import SystemClock  # noqa: E402

EVERY = 1000


def fill(schema: str, total: int) -> int:
    """Real events of 500 dossiers through the application, then copies of them (new aggregate ids, same
    topics and states) appended with COPY until the table holds `total` rows."""
    app = Dossiers(
        OneStop(event_store_env(schema)), catalogue=load_catalogue(), calendar=load_calendar(), clock=SystemClock()
    )
    generate(app, 500)
    app.app.close()
    with psycopg.connect(**PG) as conn:
        templates = conn.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {schema}.onestop_events "
            "ORDER BY notification_id"
        ).fetchall()
        have, fresh = len(templates), {}
        with conn.cursor().copy(
            f"COPY {schema}.onestop_events (originator_id, originator_version, topic, state) FROM STDIN"
        ) as copy:
            for n in range(total - have):
                originator, version, topic, state = templates[n % len(templates)]
                if n % len(templates) == 0:
                    fresh = {}  # each pass over the templates writes new aggregates
                copy.write_row((fresh.setdefault(originator, uuid.uuid4()), version, topic, state))
                if n % 200000 == 0 and n:
                    progress(f"  copied {n + have:,} rows")
        conn.commit()
        conn.execute(f"ANALYZE {schema}.onestop_events")
        conn.commit()
        return conn.execute(f"SELECT COUNT(*) FROM {schema}.onestop_events").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    progress(f"machine: {machine()}")
    with scratch_schema() as schema, tempfile.TemporaryDirectory() as keys:
        started = time.perf_counter()
        events = fill(schema, args.events)
        progress(f"events: {events:,} (filled in {time.perf_counter() - started:.1f}s)")
        tables, key = AuditTables.from_env(event_store_env(schema)), SigningKey.generate(Path(keys) / "key.pem")
        started = time.perf_counter()
        chained = Chainer(tables, lambda: key, every=EVERY, batch=20000).catch_up()
        seconds = time.perf_counter() - started
        progress(
            f"chaining (first time, with COPY of links): {chained:,} links in {seconds:.1f}s "
            f"= {chained / seconds:,.0f} events/s"
        )
        rows, raw_seconds = raw_read(schema)
        raw_rate = rows / raw_seconds
        progress(f"raw sequential read: {rows:,} rows in {raw_seconds:.2f}s = {raw_rate:,.0f} rows/s")
        started = time.perf_counter()
        report = verify(tables, key, EVERY, batch=5000)
        seconds = time.perf_counter() - started
        assert report.ok and report.checked == events, report
        rate = report.checked / seconds
        progress(
            f"replay + verify of the chain: {report.checked:,} events, {report.checkpoints:,} signed checkpoints "
            f"in {seconds:.2f}s = {rate:,.0f} events/s"
        )
        tables.close()
    print(f"ratio {rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
