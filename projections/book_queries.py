"""Reads of the ledger books for a kiosk (or all kiosks) and a period of Vietnam dates; api/books.py renders them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec

from domain.clock import VIETNAM
from projections.ports import ReadStore

MAX_PERIOD_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)  # keeps the UTC bounds computable
Visible = Callable[[str | None, str | None], bool]
"""visible(dossier_code, kiosk): whether a book line is within the reader's scope."""


def everything(dossier_code: str | None, kiosk: str | None) -> bool:
    return True


class InvalidPeriodError(ValueError):
    """The period is reversed, longer than a year or out of range; the message says which."""


class HandoverLine(msgspec.Struct, frozen=True):
    """One line of the handover book (sổ giao nhận)."""

    position: int
    at: datetime
    dossier_code: str
    procedure_code: str | None
    item: str
    giver_name: str
    giver_role: str
    giver_unit: str
    receiver_name: str
    receiver_role: str
    receiver_unit: str
    line: int | None = None
    confirmed_at: datetime | None = None  # None: the receiver has not confirmed yet


class HandoverBook(msgspec.Struct, frozen=True):
    kiosk: str | None
    start: date
    end: date
    lines: list[HandoverLine]


class TrackingLine(msgspec.Struct, frozen=True):
    """One row of the tracking book (sổ theo dõi hồ sơ), in the columns of the official template."""

    number: int
    dossier_code: str
    procedure_code: str | None
    procedure_name: str | None
    applicant: str | None
    phone: str | None
    lead_agency: str | None
    received_at: datetime
    appointment_date: date | None
    delivered_at: datetime | None
    delivery_method: str | None
    deliverer: str | None
    receiver: str | None
    kiosk: str
    channel: str | None


class TrackingBook(msgspec.Struct, frozen=True):
    kiosk: str | None
    kiosk_name: str | None
    start: date
    end: date
    lines: list[TrackingLine]


class Collection(msgspec.Struct, frozen=True):
    """A collection of the kiosk's bin and cash box, with the count beside the expected cash."""

    position: int
    kiosk: str
    at: datetime
    collector_name: str
    collector_role: str
    collector_unit: str
    envelopes: int
    cash_expected: int
    cash_counted: int
    discrepancy: int


class CashIn(msgspec.Struct, frozen=True):
    """Notes that went into a kiosk's cash box; `collection` is the position of the collection that took them out."""

    position: int
    kiosk: str
    dossier_code: str
    amount: int
    at: datetime
    collection: int | None


class DossierMoney(msgspec.Struct, frozen=True):
    """A dossier's fee and what was paid, by method."""

    dossier_code: str
    kiosk: str | None
    procedure_code: str | None
    received_at: datetime
    fee: int
    paid_cash: int
    paid_bank_qr: int
    shortfall: int
    excess: int


class BankQrPayment(msgspec.Struct, frozen=True):
    """A bank-QR payment to reconcile against the bank statement."""

    position: int
    dossier_code: str
    reference: str | None
    amount: int
    at: datetime
    reconciled: bool


class RefundLine(msgspec.Struct, frozen=True):
    """Money handed back (hoàn trả): cash at the counter or a bank transfer, the excess or a rejected dossier's fee."""

    position: int
    dossier_code: str
    amount: int
    method: str
    reason: str
    bank_reference: str | None
    at: datetime


class DepartmentCashLine(msgspec.Struct, frozen=True):
    """The part of a collection's cash handed to one department (phân loại tiền)."""

    kiosk: str
    collection_number: int
    department: str
    department_name: str
    amount: int
    dossiers: int
    at: datetime


class CashTotals(msgspec.Struct, frozen=True):
    cash_expected: int
    cash_counted: int
    discrepancy: int
    cash_in: int
    cash_not_collected: int
    fees: int
    paid_cash: int
    paid_bank_qr: int
    shortfall: int
    excess: int
    refunds_cash: int = 0
    refunds_bank_transfer: int = 0


class CashLedger(msgspec.Struct, frozen=True):
    """The cash ledger (sổ quỹ) of a period."""

    kiosk: str | None
    start: date
    end: date
    collections: list[Collection]
    cash_in: list[CashIn]
    dossiers: list[DossierMoney]
    bank_qr: list[BankQrPayment]
    totals: CashTotals
    refunds: list[RefundLine] = []
    department_cash: list[DepartmentCashLine] = []


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC bounds [start 00:00, day after end 00:00) of a period of Vietnam dates."""
    if start < EARLIEST or end > LATEST:
        raise InvalidPeriodError(f"dates must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    if start > end:
        raise InvalidPeriodError(f"'from' ({start.isoformat()}) is after 'to' ({end.isoformat()})")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidPeriodError(f"the period must not be longer than {MAX_PERIOD_DAYS} days")
    lower = datetime.combine(start, time(), VIETNAM).astimezone(UTC)
    return lower, datetime.combine(end + timedelta(days=1), time(), VIETNAM).astimezone(UTC)


def _where(column: str, start: date, end: date, kiosk_column: str, kiosk: str | None) -> tuple[str, list[Any]]:
    lower, upper = period_bounds(start, end)
    clause, params = f"{column} >= ? AND {column} < ?", list[Any]([lower, upper])
    if kiosk is not None:
        clause, params = f"{clause} AND {kiosk_column} = ?", [*params, kiosk]
    return clause, params


def _rows(store: ReadStore, cls: type, statement: str, params: list[Any], visible: Visible = everything) -> list[Any]:
    return [
        msgspec.convert(row, cls, strict=False)
        for row in store.query(statement, params)
        if visible(row.get("dossier_code"), row.get("kiosk"))
    ]


def handover_book(
    store: ReadStore, *, kiosk: str | None, start: date, end: date, visible: Visible = everything
) -> HandoverBook:
    """Handover lines of the period in log order; with a kiosk, only lines about that kiosk's dossiers."""
    where, params = _where("h.at", start, end, "d.kiosk", kiosk)
    lines = _rows(
        store,
        HandoverLine,
        "SELECT h.* FROM handover_book h JOIN handover_book_dossiers d ON d.id = h.dossier_id "
        f"WHERE {where} ORDER BY h.position",
        params,
        visible,
    )
    return HandoverBook(kiosk=kiosk, start=start, end=end, lines=lines)


def tracking_book(
    store: ReadStore, *, kiosk: str | None, start: date, end: date, visible: Visible = everything
) -> TrackingBook:
    """Kiosk dossiers received in the period, numbered in order of receipt."""
    where, params = _where("received_at", start, end, "kiosk", kiosk)
    rows = store.query(
        "SELECT code AS dossier_code, procedure_code, procedure_name, applicant, phone, lead_agency, received_at, "
        "due_on AS appointment_date, delivered_at, delivery_method, deliverer, receiver, kiosk, channel "
        f"FROM tracking_book WHERE kiosk IS NOT NULL AND {where} ORDER BY received_at, code",
        params,
    )
    rows = [row for row in rows if visible(row["dossier_code"], row["kiosk"])]
    lines = [msgspec.convert(row | {"number": n}, TrackingLine, strict=False) for n, row in enumerate(rows, start=1)]
    names = store.query("SELECT name FROM tracking_book_kiosks WHERE kiosk = ?", (kiosk,)) if kiosk else []
    return TrackingBook(kiosk=kiosk, kiosk_name=names[0]["name"] if names else None, start=start, end=end, lines=lines)


def cash_ledger(
    store: ReadStore, *, kiosk: str | None, start: date, end: date, visible: Visible = everything
) -> CashLedger:
    """Collections and cash in of the period, fees of the dossiers received in it, bank-QR payments made in it."""
    where, params = _where("at", start, end, "kiosk", kiosk)
    collections = _rows(
        store, Collection, f"SELECT * FROM cash_ledger_collections WHERE {where} ORDER BY position", params, visible
    )
    where, params = _where("c.at", start, end, "c.kiosk", kiosk)
    cash_in = _rows(
        store,
        CashIn,
        "SELECT c.*, k.position AS collection FROM cash_ledger_cash_in c "
        "LEFT JOIN cash_ledger_collections k ON k.kiosk = c.kiosk AND k.number = c.collection_number "
        f"WHERE {where} ORDER BY c.position",
        params,
        visible,
    )
    where, params = _where("received_at", start, end, "kiosk", kiosk)
    dossiers = _rows(
        store,
        DossierMoney,
        "SELECT code AS dossier_code, kiosk, procedure_code, received_at, fee, paid_cash, paid_bank_qr, shortfall, "
        f"excess FROM cash_ledger_dossiers WHERE (fee > 0 OR paid_cash > 0 OR paid_bank_qr > 0) AND {where} "
        "ORDER BY received_at, code",
        params,
        visible,
    )
    where, params = _where("q.at", start, end, "d.kiosk", kiosk)
    bank_qr = _rows(
        store,
        BankQrPayment,
        "SELECT q.* FROM cash_ledger_bank_qr q JOIN cash_ledger_dossiers d "
        f"ON d.id = q.dossier_id WHERE {where} ORDER BY q.position",
        params,
        visible,
    )
    where, params = _where("r.at", start, end, "d.kiosk", kiosk)
    refunds = _rows(
        store,
        RefundLine,
        "SELECT r.* FROM cash_ledger_refunds r JOIN cash_ledger_dossiers d "
        f"ON d.id = r.dossier_id WHERE {where} ORDER BY r.position",
        params,
        visible,
    )
    where, params = _where("at", start, end, "kiosk", kiosk)
    department_cash = _rows(
        store,
        DepartmentCashLine,
        f"SELECT * FROM cash_ledger_department_cash WHERE {where} ORDER BY position, department",
        params,
        visible,
    )
    totals = CashTotals(
        refunds_cash=sum(r.amount for r in refunds if r.method == "cash"),
        refunds_bank_transfer=sum(r.amount for r in refunds if r.method == "bank_transfer"),
        cash_expected=sum(c.cash_expected for c in collections),
        cash_counted=sum(c.cash_counted for c in collections),
        discrepancy=sum(c.discrepancy for c in collections),
        cash_in=sum(i.amount for i in cash_in),
        cash_not_collected=sum(i.amount for i in cash_in if i.collection is None),
        fees=sum(d.fee for d in dossiers),
        paid_cash=sum(d.paid_cash for d in dossiers),
        paid_bank_qr=sum(d.paid_bank_qr for d in dossiers),
        shortfall=sum(d.shortfall for d in dossiers),
        excess=sum(d.excess for d in dossiers),
    )
    return CashLedger(
        kiosk=kiosk,
        start=start,
        end=end,
        collections=collections,
        cash_in=cash_in,
        dossiers=dossiers,
        bank_qr=bank_qr,
        totals=totals,
        refunds=refunds,
        department_cash=department_cash,
    )


class CashEntry(msgspec.Struct, frozen=True):
    """Notes put into the cash box and not yet collected."""

    position: int
    dossier_code: str
    amount: int
    at: datetime


class CashBox(msgspec.Struct, frozen=True):
    """What a kiosk's cash box held: the cash put in since the last collection, and that collection."""

    kiosk: str
    collections: int
    cash_in_box: int
    entries: list[CashEntry]
    last_collection: Collection | None


def cash_box(store: ReadStore, kiosk: str) -> CashBox:
    """The kiosk's cash box in a cash-ledger store: cash in of the collection still to come, and the last one."""
    known = store.query("SELECT collections FROM cash_ledger_kiosks WHERE kiosk = ?", (kiosk,))
    done = known[0]["collections"] if known else 0
    entries = [
        msgspec.convert(row, CashEntry, strict=False)
        for row in store.query(
            "SELECT position, dossier_code, amount, at FROM cash_ledger_cash_in "
            "WHERE kiosk = ? AND collection_number = ? ORDER BY position",
            (kiosk, done + 1),
        )
    ]
    last = store.query("SELECT * FROM cash_ledger_collections WHERE kiosk = ? AND number = ?", (kiosk, done))
    return CashBox(
        kiosk=kiosk,
        collections=done,
        cash_in_box=sum(e.amount for e in entries),
        entries=entries,
        last_collection=msgspec.convert(last[0], Collection, strict=False) if last else None,
    )
