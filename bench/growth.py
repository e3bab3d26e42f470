"""Kiosk commands after a day, a month and a year of District 6 traffic, each as a ratio to day one.

A kiosk with 90 trays takes 150 submissions a day (about 300 kiosk events: intake, cash, two collections, a
batch of envelopes), each with its envelope, dossier and a tray's loading and pickup. History is written fast
through the applications' own commit, one simulated day per commit, with the domain's own commands. Then each
operation runs on new dossiers with a warm cache (a long-running process) and with a cold one (every aggregate
read from the store), and a fresh process loads the kiosk and its trays.

Run by hand:  .venv/bin/python -m bench.growth [--samples 40] [--rounds 4]
Each age has its own SQLite store (copied from one growing history), and the ages take turns in rounds, so a
busy spell on a shared machine slows all of them rather than one.
Last line:    ratio <worst p50 ratio to day one over every operation, cache and age>   (goal ≤ 1.2)
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from application.base import OneStop  # noqa: E402
from application.dossiers import Dossiers  # noqa: E402
from application.kiosks import Kiosks  # noqa: E402
from application.proofs import Proofs  # noqa: E402
from bench.common import machine, progress  # noqa: E402
from domain.codes import format_code  # noqa: E402
from domain.dossier import Dossier  # noqa: E402
from domain.procedures import ComponentForm  # noqa: E402
from domain.tray import PickupMethod, tray_id  # noqa: E402
from domain.values import Actor, Applicant, Channel, Component, Party, PaymentMethod, Role  # noqa: E402
from infrastructure.calendar import load_calendar  # noqa: E402
from infrastructure.catalogue import load_catalogue  # noqa: E402
from infrastructure.clock import SystemClock  # noqa: E402
from infrastructure.kiosk_doors import NoDoors  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KEY, TRAYS, PER_DAY, AGES = "Q6-01", 90, 150, (1, 30, 365)
PROCEDURE = "2.000815.000.00.00.H29"  # kiosk-enabled, small fee, no face check
KIOSK = Actor(account_id="kiosk-Q6-01", role=Role.KIOSK)
STAFF_ACTOR = Actor(account_id="tuvan.tuan", role=Role.CONSULTANT)
STAFF = Party(account_id="tuvan.tuan", name="Trần Minh Tuấn", role=Role.CONSULTANT, unit="Tổ tư vấn")
CLERK = Actor(account_id="officer.dept", role=Role.DEPARTMENT_OFFICER)
OPERATIONS = ("submission", "payment", "load", "pickup", "refusal")
RAW = "raw SQL read"  # the baseline, not one of ours: left out of the worst ratio


def citizen(n: int) -> tuple[str, str, str]:
    """(id number, phone, CCCD QR payload) of a fictitious citizen."""
    year = 1960 + n % 45
    id_number, phone, name = (
        f"079{2 * (year >= 2000)}{year % 100:02d}{n % 10**6:06d}",
        f"09{n % 10**8:08d}",
        "Nguyễn Văn Bình",
    )
    born = date(year, 1 + n % 12, 1 + n % 28)
    return id_number, phone, f"{id_number}||{name}|{born:%d%m%Y}|Nam|{n} Hậu Giang, Quận 6, TP. Hồ Chí Minh|01072021"


class Apps:
    """One process's application and the two services the traffic uses."""

    def __init__(self, env: dict[str, str], catalogue, calendar) -> None:
        self.app = OneStop(env)
        self.dossiers = Dossiers(self.app, catalogue=catalogue, calendar=calendar, clock=SystemClock())
        self.kiosks = Kiosks(
            self.app,
            dossiers=self.dossiers,
            otp=NoOtp(),
            proofs=Proofs(b"g" * 32),
            clock=SystemClock(),
            attempts=NoAttempts(),
            doors=NoDoors(),
        )

    def forget(self) -> None:
        """An empty cache, as in a process that just started."""
        self.app.repository.cache = type(self.app.repository.cache)(maxsize=50_000)

    def close(self) -> None:
        self.app.close()


class NoOtp:
    """The pickups measured here use the CCCD and the receipt: no OTP is ever sent."""

    def send(self, phone: str, purpose: str, at: datetime, *, kiosk: str | None = None, quota: str = "phone") -> None:
        raise AssertionError("the growth bench sends no OTP")

    def check(self, phone: str, purpose: str, code: str, at: datetime, *, quota: str = "phone") -> bool:
        raise AssertionError("the growth bench checks no OTP")


class NoAttempts:
    """No throttling: the bench measures commands, not lockouts."""

    def locked_until(self, key: str, at: datetime) -> datetime | None:
        return None

    def fail(self, key: str, at: datetime, **limit: object) -> datetime | None:
        return None

    def clear(self, key: str) -> None:
        return None


def simulate(apps: Apps, fee: int, first_day: int, last_day: int, today: date) -> int:
    """Days first_day..last_day of history (day N is `today - 400 + N`), one commit a day; return kiosk-related
    events."""
    kiosks, written = apps.kiosks, 0
    trays = [kiosks._tray(KEY, n) for n in range(1, TRAYS + 1)]
    for n in range(first_day, last_day + 1):
        day = today - timedelta(days=400 - n)
        at = datetime(day.year, day.month, day.day, 7, tzinfo=VN)
        kiosk = kiosks._kiosk(KEY)
        envelopes = kiosk.register_envelopes(
            barcodes=[f"H{n:05d}{i:04d}" for i in range(PER_DAY)], actor=STAFF_ACTOR, at=at
        )
        dossiers = []
        for i, envelope in enumerate(envelopes):
            at += timedelta(minutes=3)
            code, (id_number, phone, _) = format_code("H29.06", day, i + 1), citizen(n * PER_DAY + i)
            dossier = Dossier.receive(
                code=code,
                procedure_code=PROCEDURE,
                channel=Channel.KIOSK,
                due_on=day,
                applicant=Applicant(id_number=id_number, name="Nguyễn Văn Bình", phone=phone),
                components=[Component(name="Tờ khai", form=ComponentForm.ORIGINAL)],
                actor=KIOSK,
                at=at,
            )
            dossier.assess_fee(amount=fee, actor=KIOSK, at=at)
            dossier.record_payment(method=PaymentMethod.CASH, amount=fee, reference=None, actor=KIOSK, at=at)
            kiosk.accept_envelope(barcode=envelope.barcode, envelope=envelope, dossier_code=code, actor=KIOSK, at=at)
            kiosk.accept_cash(dossier_code=code, amount=fee, actor=KIOSK, at=at)
            tray = trays[i % TRAYS]
            tray.load(dossier_code=code, actor=STAFF_ACTOR, at=at)
            tray.release(
                dossier_code=code, method=PickupMethod.CCCD_AND_RECEIPT, face_checked=False, actor=KIOSK, at=at
            )
            if i in (PER_DAY // 3, PER_DAY - 1):
                kiosk.collect(cash_counted=kiosk.cash_expected, collector=STAFF, actor=STAFF_ACTOR, at=at)
            dossiers.append(dossier)
        written += sum(len(a.pending_events) for a in (kiosk, *envelopes, *trays))
        kiosks.app.commit(kiosk, *envelopes, *trays, *dossiers)
    return written


def measure(apps: Apps, fee: int, samples: int, cold: bool, batch: int) -> dict[str, list[float]]:
    """Seconds of each operation on `samples` new dossiers; with `cold`, the cache is emptied before each."""
    kiosks, dossiers, proofs = apps.kiosks, apps.dossiers, Proofs(b"g" * 32)
    barcodes = [f"M{batch:04d}{i:05d}" for i in range(samples)]
    kiosks.register_envelopes(KEY, barcodes=barcodes, actor=STAFF_ACTOR)
    times: dict[str, list[float]] = {name: [] for name in OPERATIONS}

    def timed(name: str, call: Callable[[], object]) -> object:
        if cold:
            apps.forget()
        start = time.perf_counter()
        result = call()
        times[name].append(time.perf_counter() - start)
        return result

    for i, barcode in enumerate(barcodes):
        id_number, phone, qr = citizen(10**7 + batch * 1000 + i)
        proof = proofs.issue(phone, "submit", datetime.now(VN))
        code = timed(
            "submission",
            partial(
                kiosks.submit,
                KEY,
                procedure_code=PROCEDURE,
                qr_payload=qr,
                phone=phone,
                phone_proof=proof,
                envelope=barcode,
                actor=KIOSK,
            ),
        ).dossier_code
        timed("payment", partial(kiosks.pay, KEY, code, method=PaymentMethod.CASH, amount=fee, actor=KIOSK))
        timed("refusal", partial(refused, kiosks, barcode))
        department = dossiers.procedure(PROCEDURE).department
        dossiers.accept(code, actor=CLERK)
        dossiers.route(code, department=department, actor=CLERK)
        dossiers.issue_result(code, summary="Kết quả giải quyết", actor=CLERK)
        giver = Party(account_id=f"officer.{department}", name="Cán bộ", role=Role.DEPARTMENT_OFFICER, unit=department)
        dossiers.hand_over(code, item="Kết quả (bản chính)", giver=giver, receiver=STAFF, actor=CLERK)
        timed("load", partial(kiosks.load_result, KEY, code, actor=STAFF_ACTOR))
        timed("pickup", partial(pickup, kiosks, code, id_number))
    return times


def refused(kiosks: Kiosks, barcode: str) -> None:
    try:
        kiosks.check_envelope(KEY, barcode)
    except Exception:  # the expected refusal of a used envelope
        return
    raise AssertionError(f"{barcode} was accepted twice")


def pickup(kiosks: Kiosks, code: str, id_number: str) -> None:
    ticket = kiosks.start_pickup_with_receipt(KEY, id_number=id_number, code=code)
    kiosks.release(KEY, code, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=KIOSK)


def raw_reads(env: dict[str, str], samples: int) -> list[float]:
    """The baseline: seconds for a new SQLite connection to read one tray's last ten events with plain SQL (how
    much the store itself slows as it grows, whatever our aggregates do)."""
    times = []
    for n in range(samples):
        originator = tray_id(KEY, 1 + n % TRAYS).hex
        start = time.perf_counter()
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            rows = conn.execute(
                "SELECT originator_version, topic, state FROM stored_events WHERE originator_id = ? "
                "ORDER BY originator_version DESC LIMIT 10",
                (originator,),
            ).fetchall()
        times.append(time.perf_counter() - start)
        assert rows, f"no events of tray {1 + n % TRAYS}"
    return times


def fresh_loads(env: dict[str, str], catalogue, calendar, samples: int) -> list[float]:
    """Seconds for a process that just started to show the kiosk with its trays."""
    times = []
    for _ in range(samples):
        apps = Apps(env, catalogue, calendar)
        start = time.perf_counter()
        apps.kiosks.get_kiosk(KEY)
        times.append(time.perf_counter() - start)
        apps.close()
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=40, help="dossiers per operation, age and cache")
    parser.add_argument(
        "--rounds", type=int, default=4, help="the ages take turns this many times (shared machines drift)"
    )
    parser.add_argument(
        "--ages", default=",".join(map(str, AGES)), help="days of history measured (the first is the base)"
    )
    args = parser.parse_args()
    ages = tuple(int(a) for a in args.ages.split(","))
    catalogue, calendar = load_catalogue(), load_calendar()
    progress(f"machine: {machine()}; SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        envs = histories(Path(tmp), ages, catalogue, calendar)
        stores = {age: Apps(env, catalogue, calendar) for age, env in envs.items()}
        figures: dict[tuple[int, str, str], list[float]] = defaultdict(list)
        per_round = max(1, args.samples // args.rounds)
        for round_ in range(args.rounds):  # every age measured in every round, so a busy spell hits them all
            for turn, age in enumerate(ages[round_ % len(ages) :] + ages[: round_ % len(ages)]):
                for cold in (False, True):
                    batch = (round_ * len(ages) + turn) * 2 + cold
                    for name, values in measure(
                        stores[age], catalogue.procedure(PROCEDURE).fee, per_round, cold, batch
                    ).items():
                        figures[age, name, "cold" if cold else "warm"] += values
                figures[age, "fresh kiosk load", "cold"] += fresh_loads(
                    envs[age], catalogue, calendar, max(2, per_round // 3)
                )
                figures[age, RAW, "cold"] += raw_reads(envs[age], 3 * per_round)
            progress(f"round {round_ + 1} of {args.rounds} measured")
        for apps in stores.values():
            apps.close()
    report(figures, ages)


def histories(tmp: Path, ages: tuple[int, ...], catalogue, calendar) -> dict[int, dict[str, str]]:
    """One SQLite store per age, copied from one growing history (SQLite's backup API)."""
    env = sqlite_env(tmp / "history.sqlite3")
    apps = Apps(env, catalogue, calendar)
    apps.kiosks.install_kiosk(KEY, name="Kiosk Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=TRAYS)
    envs, done, events = {}, 0, 0
    for age in ages:
        started = time.perf_counter()
        events += simulate(apps, catalogue.procedure(PROCEDURE).fee, done + 1, age, date.today())
        done, envs[age] = age, sqlite_env(tmp / f"day{age}.sqlite3")
        with sqlite3.connect(env["SQLITE_DBNAME"]) as source, sqlite3.connect(envs[age]["SQLITE_DBNAME"]) as copy:
            source.backup(copy)
        progress(f"day {age}: {events:,} kiosk, envelope and tray events ({time.perf_counter() - started:.0f} s)")
    apps.close()
    return envs


def sqlite_env(path: Path) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "AGGREGATE_CACHE_MAXSIZE": "50000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }


def report(figures: dict[tuple[int, str, str], list[float]], ages: tuple[int, ...]) -> None:
    worst = 0.0
    print(
        f"{'operation':<18}{'cache':<6}" + "".join(f"{f'day {a} p50/p99 ms':>22}" for a in ages) + "   ratio p50 (p99)"
    )
    for name, cache in sorted(
        {(n, c) for _, n, c in figures}, key=lambda k: (OPERATIONS + ("fresh kiosk load", RAW)).index(k[0])
    ):
        rows = [figures[a, name, cache] for a in ages]
        base50, base99 = p(rows[0], 0.5), p(rows[0], 0.99)
        ratios = [(p(r, 0.5) / base50, p(r, 0.99) / base99) for r in rows[1:]]
        worst = max([worst, *(r50 for r50, _ in ratios if name != RAW)])
        cells = "".join(f"{p(r, 0.5) * 1000:>12.2f}/{p(r, 0.99) * 1000:<9.2f}" for r in rows)
        print(
            f"{name:<18}{cache:<6}{cells}   "
            + "  ".join(f"{a}: {r50:.2f} ({r99:.2f})" for a, (r50, r99) in zip(ages[1:], ratios, strict=True))
        )
    print(f"ratio {worst:.2f}")


if __name__ == "__main__":
    main()
