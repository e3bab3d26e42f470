"""Ledger books from the full-day scenario, processed live on SQLite and on PostgreSQL, and rebuilt from zero."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import msgspec
import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.kiosk import Kiosk
from domain.values import PaymentMethod
from infrastructure.calendar import load_calendar
from infrastructure.readstore.runner import Projector
from projections.book_queries import cash_ledger, handover_book, tracking_book
from projections.books import book_read_models
from projections.models import read_models
from tests.application.test_kiosk_day import DAY, play_full_day
from tests.conftest import COMMON, pg_connect, postgres_env, read_store_for
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import POLICE, STAFF, Citizen, kiosks_app, vn

LAST = date(2026, 5, 31)
# Filled by refunds, split collections and bank statements, which the [2] day has none of: their rows are rebuilt
# and compared in tests/application/test_money_day.py.
MONEY_TABLES = {"cash_ledger_refunds", "cash_ledger_department_cash"}
KIOSK_NAME = "Kiosk 24/7 UBND Quận 6"


class Played(msgspec.Struct):
    dossiers: Any
    projector: Projector
    codes: list[str]
    events: list[tuple[int, Any]]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def played(request, catalogue, tmp_path_factory) -> Iterator[Played]:
    """The [2] full day, with the book models processing live beside the other read models."""
    tmp, schema = tmp_path_factory.mktemp(f"books_{request.param}"), f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        env = COMMON | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp / "events.sqlite3")}
    else:
        with pg_connect() as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        env = postgres_env(schema)
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    store = read_store_for(env, tmp)
    models = [*read_models(catalogue), *book_read_models(catalogue)]  # a model listed twice is kept once (by name)
    projector = Projector(dossiers.app.recorder, dossiers.app.mapper, store, models, batch=50)
    for app in (dossiers, kiosks):
        app.app.after_commit.append(projector.poke)
    projector.start(poll=0.05)
    codes = play_full_day(dossiers, kiosks, clock, otp, catalogue)
    head = dossiers.app.recorder.max_notification_id()
    assert projector.wait_for(head, timeout=60)
    projector.stop()
    events = [
        (n.id, dossiers.app.mapper.to_domain_event(n)) for n in dossiers.app.recorder.select_notifications(1, head + 1)
    ]
    yield Played(dossiers=dossiers, projector=projector, codes=codes, events=events)
    store.close()
    dossiers.app.close()
    if request.param == "postgres":
        with pg_connect() as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def of_type(played: Played, cls: type) -> list[tuple[int, Any]]:
    return [(position, e) for position, e in played.events if isinstance(e, cls)]


def test_the_tracking_book_of_the_day_lists_the_40_kiosk_dossiers_in_the_template_columns(
    played: Played, catalogue
) -> None:
    book = tracking_book(played.projector.store, kiosk="Q6-01", start=DAY, end=DAY)
    assert [line.dossier_code for line in book.lines] == played.codes
    assert [line.number for line in book.lines] == list(range(1, 41)) and book.kiosk_name == KIOSK_NAME
    delivered = []
    for n, line in enumerate(book.lines):
        dossier, citizen = played.dossiers.get_dossier(line.dossier_code), Citizen(n)
        procedure = catalogue.procedure(dossier.procedure_code)
        assert (line.applicant, line.phone, line.channel) == (citizen.name, citizen.phone, "kiosk")
        assert line.received_at == vn(DAY, 7 if n < 20 else 14, 10 + n) and line.appointment_date == dossier.due_on
        assert (
            line.procedure_name == procedure.name
            and line.lead_agency == catalogue.department(procedure.department).name
        )
        if dossier.delivered_at is None:
            assert (line.delivered_at, line.delivery_method, line.deliverer, line.receiver) == (None, None, None, None)
        else:
            delivered.append(n)
            assert (line.delivered_at, line.delivery_method) == (dossier.delivered_at, "kiosk")
            assert (line.deliverer, line.receiver) == (KIOSK_NAME, citizen.name)
    assert (
        len(delivered) == 2 and 1 in delivered
    )  # the ID card picked up is a police counter dossier, not of this day's book
    assert book.lines[1].delivered_at == vn(date(2026, 5, 22), 9)


def test_counter_results_loaded_into_the_trays_join_the_tracking_book_of_their_day(played: Played) -> None:
    book = tracking_book(played.projector.store, kiosk="Q6-01", start=DAY, end=LAST)
    loaded = {e.originator_id for _, e in of_type(played, Dossier.LoadedIntoTray)}
    counter = [line for line in book.lines if line.channel == "counter"]
    assert len(book.lines) == 40 + len(counter) and len(counter) == 90 - 40 + 3
    assert all(dossier_id(line.dossier_code) in loaded for line in counter)
    # the two ID cards (police counter) were loaded on 21 May, the other counter results on 22 May
    assert {line.received_at.astimezone(vn(DAY, 0).tzinfo).date() for line in counter} == {
        date(2026, 5, 21),
        date(2026, 5, 22),
    }
    assert tracking_book(played.projector.store, kiosk="Q6-02", start=DAY, end=LAST).lines == []
    assert (
        tracking_book(played.projector.store, kiosk="Q6-01", start=date(2026, 5, 19), end=date(2026, 5, 19)).lines == []
    )


def test_the_handover_book_has_one_line_per_handover_with_both_parties(played: Played) -> None:
    handed = of_type(played, Dossier.HandedOver)
    book = handover_book(played.projector.store, kiosk=None, start=DAY, end=LAST)
    assert [line.position for line in book.lines] == [position for position, _ in handed]
    for line, (_, e) in zip(book.lines, handed, strict=True):
        assert dossier_id(line.dossier_code) == e.originator_id and line.at == e.at and line.item == e.item
        assert (line.giver_name, line.giver_role, line.giver_unit) == (e.giver.name, e.giver.role.value, e.giver.unit)
        receiver = (e.receiver.name, e.receiver.role.value, e.receiver.unit)
        assert (line.receiver_name, line.receiver_role, line.receiver_unit) == receiver
        assert line.procedure_code and line.procedure_code.endswith(".H29")
    assert POLICE.name in {line.receiver_name for line in book.lines} and STAFF.name in {
        line.giver_name for line in book.lines
    }
    first_day = handover_book(played.projector.store, kiosk=None, start=DAY, end=DAY).lines
    assert len(first_day) == 20 and {line.giver_name for line in first_day} == {STAFF.name}  # the 14:00 envelopes
    at_kiosk = handover_book(played.projector.store, kiosk="Q6-01", start=DAY, end=LAST).lines
    never_loaded = 60 - (90 - 42 + 3)  # counter dossiers refused by the full kiosk (40 kiosk + 2 ID cards loaded first)
    assert len(at_kiosk) == len(book.lines) - never_loaded


def test_the_cash_ledger_matches_collections_to_the_cash_paid_at_the_kiosk(played: Played) -> None:
    ledger = cash_ledger(played.projector.store, kiosk="Q6-01", start=DAY, end=LAST)
    cash_in, collected = of_type(played, Kiosk.CashAccepted), of_type(played, Kiosk.Collected)
    last_collection = collected[-1][0]
    assert len(ledger.collections) == 2 and all(
        c.discrepancy == 0 and c.collector_name == STAFF.name for c in ledger.collections
    )
    assert (
        sum(c.cash_counted for c in ledger.collections) == sum(e.amount for p, e in cash_in if p < last_collection) > 0
    )
    assert [(i.position, i.amount) for i in ledger.cash_in] == [(p, e.amount) for p, e in cash_in]
    assert ledger.totals.cash_not_collected == sum(e.amount for p, e in cash_in if p > last_collection) > 0
    payments = of_type(played, Dossier.PaymentReceived)
    cash_paid = sum(e.amount for _, e in payments if e.method is PaymentMethod.CASH)
    assert ledger.totals.paid_cash == ledger.totals.cash_in == cash_paid
    bank_qr = [(p, e) for p, e in payments if e.method is PaymentMethod.BANK_QR]
    assert [(q.position, q.amount, q.reconciled) for q in ledger.bank_qr] == [(p, e.amount, False) for p, e in bank_qr]
    assert all(dossier_id(q.dossier_code) == e.originator_id for q, (_, e) in zip(ledger.bank_qr, bank_qr, strict=True))
    rows = {d.dossier_code: d for d in ledger.dossiers}
    for code in played.codes:
        dossier = played.dossiers.get_dossier(code)
        if dossier.fee:
            row = rows[code]
            assert (row.fee, row.paid_cash + row.paid_bank_qr, row.shortfall, row.excess) == (
                dossier.fee,
                dossier.paid,
                dossier.shortfall,
                dossier.excess,
            )
    assert (
        cash_ledger(played.projector.store, kiosk="Q6-01", start=date(2026, 5, 21), end=date(2026, 5, 21)).collections
        == ledger.collections[1:]
    )


@pytest.mark.parametrize("name", ["handover_book", "tracking_book", "cash_ledger"])
def test_rebuilding_a_book_from_zero_gives_the_rows_live_processing_made(played: Played, name: str) -> None:
    projector = played.projector
    tables = [table.name for table in projector.models[name].tables]

    def snapshot() -> dict[str, list[tuple]]:
        return {
            table: sorted(
                tuple(sorted((k, str(v)) for k, v in row.items()))
                for row in projector.store.query(f"SELECT * FROM {table}")
            )
            for table in tables
        }

    before = snapshot()
    assert all(rows for table, rows in before.items() if table not in MONEY_TABLES)
    projector.rebuild(name)
    assert snapshot() == before
    assert projector.positions()[name] == played.events[-1][0]
