"""Ledger books (sổ sách): the handover book, the kiosk tracking book and the cash ledger.

Each model keeps its own dossier and kiosk tables (dossier ids follow from codes, kiosk ids from keys), so each
can be rebuilt alone. A dossier belongs to kiosk K when K's `EnvelopeAccepted` carries its code or its result
is loaded into a tray of K; the first kiosk wins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from domain.cash_split import CashSplit
from domain.codes import dossier_id
from domain.dossier import Dossier, RefundMethod
from domain.erasure import Erasure
from domain.kiosk import Kiosk, kiosk_id
from domain.procedures import Catalogue, UnknownDepartmentError, UnknownProcedureError
from domain.reconciliation import PaymentMatch
from domain.values import ERASED, DeliveryChannel, Party, PaymentMethod
from projections.base import ReadModel, Rows, Table, existing, on

D = Dossier
PARTY = ("account TEXT NOT NULL", "name TEXT NOT NULL", "role TEXT NOT NULL", "unit TEXT NOT NULL")


def utc(moment: datetime) -> datetime:
    """Stored times are UTC, so that SQLite's text comparison orders them like PostgreSQL does."""
    return moment.astimezone(UTC)


def columns(*specs: str) -> tuple[tuple[str, str], ...]:
    """("code TEXT NOT NULL", …) → (("code", "TEXT NOT NULL"), …)."""
    return tuple((name, kind) for name, _, kind in (spec.partition(" ") for spec in specs))


def party(prefix: str, who: Party) -> dict[str, Any]:
    """A handover party as `<prefix>_account/_name/_role/_unit` columns."""
    return {
        f"{prefix}_account": who.account_id,
        f"{prefix}_name": who.name,
        f"{prefix}_role": who.role.value,
        f"{prefix}_unit": who.unit,
    }


def change(rows: Rows, table: str, key: str, **values: Any) -> None:
    """Update some columns of an existing row."""
    rows.put(table, dict(existing(rows, table, key)) | values)


def join_kiosk(rows: Rows, table: str, code: str, kiosk: str, blank: Callable[[str, str], dict[str, Any]]) -> None:
    """Mark the dossier as the kiosk's; creates the row if its opening event has not been seen yet."""
    key = str(dossier_id(code))
    row = dict(rows.get(table, key) or blank(key, code))
    if row.get("kiosk") is None:
        rows.put(table, row | {"kiosk": kiosk})


class HandoverBookReadModel(ReadModel):
    """Table `handover_book`: one line per hand-to-hand transfer of paper (sổ giao nhận), both parties named, with
    the time the receiver confirmed it (NULL while unconfirmed). `line` numbers the dossier's handovers from 1."""

    name = "handover_book"
    tables = (
        Table(
            "handover_book",
            columns(
                "position INT NOT NULL",
                "at TS NOT NULL",
                "dossier_id TEXT NOT NULL",
                "dossier_code TEXT NOT NULL",
                "procedure_code TEXT",
                "item TEXT NOT NULL",
                *(f"giver_{c}" for c in PARTY),
                *(f"receiver_{c}" for c in PARTY),
                "line INT",
                "confirmed_at TS",
            ),
            key="position",
        ),
        Table(
            "handover_book_dossiers",
            columns("id TEXT NOT NULL", "code TEXT NOT NULL", "procedure_code TEXT", "kiosk TEXT", "handovers INT"),
            key="id",
        ),
        Table("handover_book_lines", columns("id TEXT NOT NULL", "position INT NOT NULL"), key="id"),
        Table("handover_book_kiosks", columns("id TEXT NOT NULL", "kiosk TEXT NOT NULL"), key="id"),
    )
    indexes = ("CREATE INDEX IF NOT EXISTS handover_book_at ON handover_book (at)",)

    @staticmethod
    def _blank(key: str, code: str) -> dict[str, Any]:
        return {"id": key, "code": code}

    @on(D.Registered, D.Received)
    def _opened(self, rows: Rows, e: Any, position: int) -> None:
        key = str(e.originator_id)
        rows.put(
            "handover_book_dossiers",
            dict(rows.get("handover_book_dossiers", key) or self._blank(key, e.code))
            | {"procedure_code": e.procedure_code},
        )

    @on(Kiosk.Installed)
    def _installed(self, rows: Rows, e: Any, position: int) -> None:
        rows.put("handover_book_kiosks", {"id": str(e.originator_id), "kiosk": e.key})

    @on(Kiosk.EnvelopeAccepted)
    def _enveloped(self, rows: Rows, e: Any, position: int) -> None:
        kiosk = existing(rows, "handover_book_kiosks", str(e.originator_id))["kiosk"]
        join_kiosk(rows, "handover_book_dossiers", e.envelope.dossier_code, kiosk, self._blank)

    @on(D.LoadedIntoTray, D.ReturnLoadedIntoTray)
    def _loaded(self, rows: Rows, e: Any, position: int) -> None:
        code = existing(rows, "handover_book_dossiers", str(e.originator_id))["code"]
        join_kiosk(rows, "handover_book_dossiers", code, e.kiosk, self._blank)

    @on(D.HandedOver)
    def _handed_over(self, rows: Rows, e: Any, position: int) -> None:
        dossier = existing(rows, "handover_book_dossiers", str(e.originator_id))
        line = (dossier.get("handovers") or 0) + 1
        change(rows, "handover_book_dossiers", dossier["id"], handovers=line)
        rows.put("handover_book_lines", {"id": f"{dossier['id']}/{line}", "position": position})
        rows.put(
            "handover_book",
            {
                "position": position,
                "at": utc(e.at),
                "dossier_id": dossier["id"],
                "dossier_code": dossier["code"],
                "procedure_code": dossier["procedure_code"],
                "item": e.item,
                "line": line,
                "confirmed_at": None,
            }
            | party("giver", e.giver)
            | party("receiver", e.receiver),
        )

    @on(D.HandoverConfirmed)
    def _confirmed(self, rows: Rows, e: Any, position: int) -> None:
        line = existing(rows, "handover_book_lines", f"{e.originator_id}/{e.line}")
        change(rows, "handover_book", line["position"], confirmed_at=utc(e.at))


class TrackingBookReadModel(ReadModel):
    """Table `tracking_book`: the kiosk dossiers (sổ theo dõi hồ sơ), with the applicant's name and phone.

    The official book needs them unmasked, so they are kept in this table only: never grant it to analysts.
    Rows of dossiers not (yet) at a kiosk have `kiosk` NULL and are in no book.
    """

    name = "tracking_book"
    tables = (
        Table(
            "tracking_book",
            columns(
                "id TEXT NOT NULL",
                "code TEXT NOT NULL",
                "kiosk TEXT",
                "channel TEXT",
                "procedure_code TEXT",
                "procedure_name TEXT",
                "applicant TEXT",
                "phone TEXT",
                "lead_agency TEXT",
                "received_at TS",
                "due_on DATE",
                "delivered_at TS",
                "delivery_method TEXT",
                "deliverer TEXT",
                "receiver TEXT",
            ),
            key="id",
        ),
        Table(
            "tracking_book_kiosks", columns("id TEXT NOT NULL", "kiosk TEXT NOT NULL", "name TEXT NOT NULL"), key="id"
        ),
        Table("tracking_book_people", columns("account_id TEXT NOT NULL", "name TEXT NOT NULL"), key="account_id"),
    )
    indexes = ("CREATE INDEX IF NOT EXISTS tracking_book_kiosk_received ON tracking_book (kiosk, received_at)",)

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    @staticmethod
    def _blank(key: str, code: str) -> dict[str, Any]:
        return {"id": key, "code": code}

    def _department(self, code: str) -> str:
        try:
            return self.catalogue.department(code).name
        except UnknownDepartmentError:  # a department retired from the catalogue still shows its code
            return code

    def _know(self, rows: Rows, *parties: Party) -> None:
        for who in parties:
            rows.put("tracking_book_people", {"account_id": who.account_id, "name": who.name})

    @on(D.Registered, D.Received)
    def _opened(self, rows: Rows, e: Any, position: int) -> None:
        try:
            procedure = self.catalogue.as_handled_by(
                self.catalogue.procedure(e.procedure_code), e.code.rsplit("-", 2)[0]
            )
            procedure_name, lead = procedure.name, self._department(procedure.department)
        except UnknownProcedureError:
            procedure_name, lead = None, None
        key = str(e.originator_id)
        rows.put(
            "tracking_book",
            dict(rows.get("tracking_book", key) or self._blank(key, e.code))
            | {
                "channel": e.channel.value,
                "procedure_code": e.procedure_code,
                "procedure_name": procedure_name,
                "applicant": e.applicant.organisation or e.applicant.name,
                "phone": e.applicant.phone,
                "lead_agency": lead,
                "received_at": utc(e.at),
                "due_on": e.due_on,
            },
        )

    @on(D.Accepted, D.SupplementProvided)
    def _due(self, rows: Rows, e: Any, position: int) -> None:
        change(rows, "tracking_book", str(e.originator_id), due_on=e.due_on)

    @on(D.Routed)
    def _routed(self, rows: Rows, e: Any, position: int) -> None:
        change(rows, "tracking_book", str(e.originator_id), lead_agency=self._department(e.department))

    @on(Kiosk.Installed)
    def _installed(self, rows: Rows, e: Any, position: int) -> None:
        rows.put("tracking_book_kiosks", {"id": str(e.originator_id), "kiosk": e.key, "name": e.name})

    @on(Kiosk.EnvelopeAccepted)
    def _enveloped(self, rows: Rows, e: Any, position: int) -> None:
        kiosk = existing(rows, "tracking_book_kiosks", str(e.originator_id))["kiosk"]
        join_kiosk(rows, "tracking_book", e.envelope.dossier_code, kiosk, self._blank)

    @on(D.LoadedIntoTray, D.ReturnLoadedIntoTray)
    def _loaded(self, rows: Rows, e: Any, position: int) -> None:
        join_kiosk(
            rows, "tracking_book", existing(rows, "tracking_book", str(e.originator_id))["code"], e.kiosk, self._blank
        )

    @on(D.HandedOver)
    def _handed_over(self, rows: Rows, e: Any, position: int) -> None:
        self._know(rows, e.giver, e.receiver)

    @on(Kiosk.Collected)
    def _collected(self, rows: Rows, e: Any, position: int) -> None:
        self._know(rows, e.collector)

    @on(D.ResultDelivered, D.RejectedReturned)
    def _delivered(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, "tracking_book", str(e.originator_id))
        if e.channel == DeliveryChannel.KIOSK:  # the machine hands the result over: the book names the kiosk
            kiosk = rows.get("tracking_book_kiosks", str(kiosk_id(row["kiosk"]))) if row["kiosk"] else None
            deliverer = kiosk["name"] if kiosk else "Kiosk 24/7"
        else:
            person = rows.get("tracking_book_people", e.actor.account_id)
            deliverer = person["name"] if person else e.actor.account_id
        rows.put(
            "tracking_book",
            dict(row)
            | {
                "delivered_at": utc(e.at),
                "delivery_method": e.channel.value,
                "deliverer": deliverer,
                "receiver": e.receiver_name,
            },
        )

    @on(Erasure.Recorded)
    def _erased(self, rows: Rows, e: Any, position: int) -> None:
        """The person's lines read as a replay would now show them: their name, phone and signature erased."""
        for stream in e.streams:
            row = rows.get("tracking_book", str(stream))
            if row is not None:
                rows.put(
                    "tracking_book",
                    dict(row)
                    | {
                        "applicant": ERASED,
                        "phone": None,
                        # a row still in this batch has no column it was never given
                        "receiver": None if row.get("receiver") is None else ERASED,
                    },
                )


class CashLedgerReadModel(ReadModel):
    """Tables `cash_ledger_*` (sổ quỹ): kiosk collections, cash put into each kiosk's box, fees and payments per
    dossier, bank-QR payments to reconcile. Cash in belongs to the kiosk's next collection (`collection_number`)."""

    name = "cash_ledger"
    tables = (
        Table(
            "cash_ledger_collections",
            columns(
                "position INT NOT NULL",
                "kiosk TEXT NOT NULL",
                "number INT NOT NULL",
                "at TS NOT NULL",
                *(f"collector_{c}" for c in PARTY),
                "envelopes INT NOT NULL",
                "cash_expected INT NOT NULL",
                "cash_counted INT NOT NULL",
                "discrepancy INT NOT NULL",
            ),
            key="position",
        ),
        Table(
            "cash_ledger_cash_in",
            columns(
                "position INT NOT NULL",
                "kiosk TEXT NOT NULL",
                "collection_number INT NOT NULL",
                "dossier_code TEXT NOT NULL",
                "amount INT NOT NULL",
                "at TS NOT NULL",
            ),
            key="position",
        ),
        Table(
            "cash_ledger_dossiers",
            columns(
                "id TEXT NOT NULL",
                "code TEXT NOT NULL",
                "kiosk TEXT",
                "procedure_code TEXT",
                "received_at TS",
                "fee INT NOT NULL",
                "paid_cash INT NOT NULL",
                "paid_bank_qr INT NOT NULL",
                "shortfall INT NOT NULL",
                "excess INT NOT NULL",
            ),
            key="id",
        ),
        Table(
            "cash_ledger_bank_qr",
            columns(
                "position INT NOT NULL",
                "dossier_id TEXT NOT NULL",
                "dossier_code TEXT NOT NULL",
                "reference TEXT",
                "amount INT NOT NULL",
                "at TS NOT NULL",
                "reconciled BOOL NOT NULL",
            ),
            key="position",
        ),
        Table(
            "cash_ledger_kiosks",
            columns("id TEXT NOT NULL", "kiosk TEXT NOT NULL", "collections INT NOT NULL"),
            key="id",
        ),
        Table(
            "cash_ledger_refunds",
            columns(
                "position INT NOT NULL",
                "dossier_id TEXT NOT NULL",
                "dossier_code TEXT NOT NULL",
                "amount INT NOT NULL",
                "method TEXT NOT NULL",
                "reason TEXT NOT NULL",
                "bank_reference TEXT",
                "at TS NOT NULL",
            ),
            key="position",
        ),
        Table("cash_ledger_bank_qr_keys", columns("id TEXT NOT NULL", "position INT NOT NULL"), key="id"),
        Table(
            "cash_ledger_department_cash",
            columns(
                "id TEXT NOT NULL",
                "position INT NOT NULL",
                "kiosk TEXT NOT NULL",
                "collection_number INT NOT NULL",
                "department TEXT NOT NULL",
                "department_name TEXT NOT NULL",
                "amount INT NOT NULL",
                "dossiers INT NOT NULL",
                "at TS NOT NULL",
            ),
            key="id",
        ),
    )
    indexes = (
        "CREATE INDEX IF NOT EXISTS cash_ledger_collections_kiosk ON cash_ledger_collections (kiosk, number)",
        "CREATE INDEX IF NOT EXISTS cash_ledger_cash_in_kiosk ON cash_ledger_cash_in (kiosk, at)",
        "CREATE INDEX IF NOT EXISTS cash_ledger_dossiers_kiosk ON cash_ledger_dossiers (kiosk, received_at)",
        "CREATE INDEX IF NOT EXISTS cash_ledger_bank_qr_at ON cash_ledger_bank_qr (at)",
        "CREATE INDEX IF NOT EXISTS cash_ledger_refunds_at ON cash_ledger_refunds (at)",
    )

    @staticmethod
    def _blank(key: str, code: str) -> dict[str, Any]:
        return {"id": key, "code": code, "fee": 0, "paid_cash": 0, "paid_bank_qr": 0, "shortfall": 0, "excess": 0}

    @on(D.Registered, D.Received)
    def _opened(self, rows: Rows, e: Any, position: int) -> None:
        key = str(e.originator_id)
        rows.put(
            "cash_ledger_dossiers",
            dict(rows.get("cash_ledger_dossiers", key) or self._blank(key, e.code))
            | {"procedure_code": e.procedure_code, "received_at": utc(e.at)},
        )

    @on(Kiosk.Installed)
    def _installed(self, rows: Rows, e: Any, position: int) -> None:
        rows.put("cash_ledger_kiosks", {"id": str(e.originator_id), "kiosk": e.key, "collections": 0})

    @on(Kiosk.EnvelopeAccepted)
    def _enveloped(self, rows: Rows, e: Any, position: int) -> None:
        kiosk = existing(rows, "cash_ledger_kiosks", str(e.originator_id))["kiosk"]
        join_kiosk(rows, "cash_ledger_dossiers", e.envelope.dossier_code, kiosk, self._blank)

    @on(D.LoadedIntoTray, D.ReturnLoadedIntoTray)
    def _loaded(self, rows: Rows, e: Any, position: int) -> None:
        code = existing(rows, "cash_ledger_dossiers", str(e.originator_id))["code"]
        join_kiosk(rows, "cash_ledger_dossiers", code, e.kiosk, self._blank)

    @on(D.FeeAssessed)
    def _fee(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, "cash_ledger_dossiers", str(e.originator_id))
        paid = row["paid_cash"] + row["paid_bank_qr"]
        change(
            rows,
            "cash_ledger_dossiers",
            row["id"],
            fee=e.amount,
            shortfall=max(e.amount - paid, 0),
            excess=max(paid - e.amount, 0),
        )

    @on(D.PaymentReceived)
    def _paid(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, "cash_ledger_dossiers", str(e.originator_id))
        column = "paid_cash" if e.method == PaymentMethod.CASH else "paid_bank_qr"
        change(
            rows,
            "cash_ledger_dossiers",
            row["id"],
            **{column: row[column] + e.amount},
            shortfall=e.shortfall,
            excess=e.excess,
        )
        if e.method == PaymentMethod.BANK_QR:
            rows.put(
                "cash_ledger_bank_qr",
                {
                    "position": position,
                    "dossier_id": row["id"],
                    "dossier_code": row["code"],
                    "reference": e.reference,
                    "amount": e.amount,
                    "at": utc(e.at),
                    "reconciled": False,
                },
            )
            rows.put("cash_ledger_bank_qr_keys", {"id": f"{row['id']}/{e.originator_version}", "position": position})

    @on(D.ExcessRefunded)
    def _refunded(self, rows: Rows, e: Any, position: int) -> None:
        """Excess is handed back in cash at the counter: the dossier's cash paid drops by it and nothing is owed
        back."""
        row = existing(rows, "cash_ledger_dossiers", str(e.originator_id))
        change(rows, "cash_ledger_dossiers", row["id"], paid_cash=row["paid_cash"] - e.amount, excess=0)
        self._refund_line(rows, row, position, e.amount, "cash", "excess", None, e.at)

    @on(D.Refunded)
    def _refunded_by(self, rows: Rows, e: Any, position: int) -> None:
        """Money kept drops by the refund, from the channel the refund uses first (a cash refund from cash paid);
        a rejected or withdrawn dossier owes no fee any more."""
        row = existing(rows, "cash_ledger_dossiers", str(e.originator_id))
        first, second = (
            ("paid_cash", "paid_bank_qr") if e.method == RefundMethod.CASH else ("paid_bank_qr", "paid_cash")
        )
        taken = min(row[first], e.amount)
        paid = {first: row[first] - taken, second: row[second] - (e.amount - taken)}
        fee = row["fee"] if e.reason.value == "excess" else 0
        kept = paid["paid_cash"] + paid["paid_bank_qr"]
        change(
            rows,
            "cash_ledger_dossiers",
            row["id"],
            **paid,
            fee=fee,
            shortfall=max(fee - kept, 0),
            excess=max(kept - fee, 0),
        )
        self._refund_line(rows, row, position, e.amount, e.method.value, e.reason.value, e.bank_reference, e.at)

    @staticmethod
    def _refund_line(
        rows: Rows,
        row: dict[str, Any],
        position: int,
        amount: int,
        method: str,
        reason: str,
        bank_reference: str | None,
        at: datetime,
    ) -> None:
        rows.put(
            "cash_ledger_refunds",
            {
                "position": position,
                "dossier_id": row["id"],
                "dossier_code": row["code"],
                "amount": amount,
                "method": method,
                "reason": reason,
                "bank_reference": bank_reference,
                "at": utc(at),
            },
        )

    @on(CashSplit.Recorded)
    def _split(self, rows: Rows, e: Any, position: int) -> None:
        """The collection's cash by department; committed right after the kiosk's `Collected`, so the kiosk's count
        of collections already names this one."""
        number = existing(rows, "cash_ledger_kiosks", str(kiosk_id(e.kiosk)))["collections"]
        for part in e.departments:
            rows.put(
                "cash_ledger_department_cash",
                {
                    "id": f"{e.kiosk}/{number}/{part.department}",
                    "position": position,
                    "kiosk": e.kiosk,
                    "collection_number": number,
                    "department": part.department,
                    "department_name": part.department_name,
                    "amount": part.amount,
                    "dossiers": len(part.dossiers),
                    "at": utc(e.at),
                },
            )

    @on(PaymentMatch.Matched)
    def _reconciled(self, rows: Rows, e: Any, position: int) -> None:
        """A bank statement line confirmed the payment (rows of payments older than this table stay as they were)."""
        key = rows.get("cash_ledger_bank_qr_keys", f"{dossier_id(e.dossier_code)}/{e.payment_version}")
        if key is not None:
            change(rows, "cash_ledger_bank_qr", key["position"], reconciled=True)

    @on(Kiosk.CashAccepted)
    def _cash_in(self, rows: Rows, e: Any, position: int) -> None:
        kiosk = existing(rows, "cash_ledger_kiosks", str(e.originator_id))
        rows.put(
            "cash_ledger_cash_in",
            {
                "position": position,
                "kiosk": kiosk["kiosk"],
                "dossier_code": e.dossier_code,
                "collection_number": kiosk["collections"] + 1,
                "amount": e.amount,
                "at": utc(e.at),
            },
        )
        join_kiosk(rows, "cash_ledger_dossiers", e.dossier_code, kiosk["kiosk"], self._blank)

    @on(Kiosk.Collected)
    def _collected(self, rows: Rows, e: Any, position: int) -> None:
        kiosk = existing(rows, "cash_ledger_kiosks", str(e.originator_id))
        number = kiosk["collections"] + 1
        rows.put("cash_ledger_kiosks", dict(kiosk) | {"collections": number})
        rows.put(
            "cash_ledger_collections",
            {
                "position": position,
                "kiosk": kiosk["kiosk"],
                "number": number,
                "at": utc(e.at),
                "envelopes": len(e.envelopes),
                "cash_expected": e.cash_expected,
                "cash_counted": e.cash_counted,
                "discrepancy": e.cash_counted - e.cash_expected,
            }
            | party("collector", e.collector),
        )


def book_read_models(catalogue: Catalogue) -> list[ReadModel]:
    """Fresh instances of the three ledger-book read models."""
    return [HandoverBookReadModel(), TrackingBookReadModel(catalogue), CashLedgerReadModel()]
