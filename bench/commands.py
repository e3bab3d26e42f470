"""Dossier commands/s through the application layer on PostgreSQL, beside raw psycopg INSERT+COMMIT.

Run by hand:  .venv/bin/python -m bench.commands [--seconds 10]
Last line:    ratio <ours/raw at concurrency 4>
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.base import OneStop  # noqa: E402
from application.dossiers import Dossiers  # noqa: E402
from bench.common import PG, event_store_env, machine, progress, run_threads, scratch_schema  # noqa: E402
from domain.procedures import ComponentForm  # noqa: E402
from domain.values import Actor, Applicant, Channel, Component, PaymentMethod, Role  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.clock import SystemClock  # noqa: E402

OFFICER = Actor(account_id="bench", role=Role.RECEPTION_OFFICER)
PERSON = Applicant(id_number="079195000101", name="Nguyễn Văn Bench", phone="0901000101")
FORM = [Component(name="Tờ khai", form=ComponentForm.ORIGINAL)]


def raw_rate(schema: str, concurrency: int, seconds: float) -> float:
    """One-row INSERT + COMMIT per operation, one connection per thread."""
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.raw (id bigserial primary key, originator_id uuid, "
            "originator_version int, topic text, state bytea)"
        )

    def worker(running) -> int:
        count = 0
        with psycopg.connect(**PG) as conn:
            while running():
                conn.execute(
                    f"INSERT INTO {schema}.raw (originator_id, originator_version, topic, state) "
                    "VALUES (gen_random_uuid(), 1, 'bench', %s)",
                    (b'{"amount":1000}',),
                )
                conn.commit()
                count += 1
        return count

    return run_threads([worker] * concurrency, seconds)


def our_rate(app: Dossiers, concurrency: int, seconds: float, procedure: str) -> float:
    """record_payment commands (load + decide + append one event), each thread on its own dossiers."""
    codes = [
        [
            app.receive(
                procedure_code=procedure, channel=Channel.COUNTER, applicant=PERSON, components=FORM, actor=OFFICER
            )[0]
            for _ in range(20)
        ]
        for _ in range(concurrency)
    ]

    def worker_for(mine: list[str]):
        def worker(running) -> int:
            count = 0
            while running():
                app.record_payment(
                    mine[count % len(mine)],
                    method=PaymentMethod.CASH,
                    amount=1000,
                    actor=OFFICER,
                    at=datetime.now(UTC),
                )
                count += 1
            return count

        return worker

    return run_threads([worker_for(mine) for mine in codes], seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    catalogue = load_catalogue()
    procedure = catalogue.procedures[0].code
    progress(f"machine: {machine()}")
    results: dict[tuple[str, int], float] = {}
    with scratch_schema() as schema:
        app = Dossiers(
            OneStop(event_store_env(schema)), catalogue=catalogue, calendar=load_calendar(), clock=SystemClock()
        )
        for concurrency in (1, 4):
            results["raw", concurrency] = raw_rate(schema, concurrency, args.seconds)
            progress(f"raw INSERT+COMMIT   concurrency {concurrency}: {results['raw', concurrency]:8.0f} /s")
            results["ours", concurrency] = our_rate(app, concurrency, args.seconds, procedure)
            progress(f"dossier commands    concurrency {concurrency}: {results['ours', concurrency]:8.0f} /s")
        app.app.close()
    print(f"ratio at concurrency 1: {results['ours', 1] / results['raw', 1]:.2f}")
    print(f"ratio {results['ours', 4] / results['raw', 4]:.2f}")


if __name__ == "__main__":
    main()
