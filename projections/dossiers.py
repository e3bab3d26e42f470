"""Dossier read model: one row per dossier, with the officer queue it is in (serves queues and reports)."""

from __future__ import annotations

from typing import Any

from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.erasure import Erasure
from domain.kiosk import Kiosk
from domain.procedures import Catalogue, UnknownProcedureError
from domain.values import ERASED, Role, mask_name, mask_phone
from projections.base import ReadModel, Rows, Table, existing, on

D = Dossier
QUEUE_BY_STATUS = {
    "registered": "new_online",
    "received": "to_accept",
    "accepted": "to_route",
    "in_processing": "in_processing",
    "supplement_requested": "supplement_pending",
    "withdrawal_requested": "withdrawal_requested",
    "in_tray": "ready_for_pickup",
    "delivered": "closed",
    "rated": "closed",
    "rejected": "closed",
    "withdrawn": "closed",
    "return_registered": "cards_awaited",  # [14] an ID card's return registered at the kiosk, the card not yet here
}
QUEUES = (
    "new_online",
    "kiosk_bin",
    "to_accept",
    "to_route",
    "in_processing",
    "supplement_pending",
    "withdrawal_requested",
    "results_to_sign",
    "results_to_load",
    "ready_for_pickup",
    "closed",
    "cards_awaited",
)
STATUS_AFTER = {D.Rejected: "rejected", D.WithdrawalRequested: "withdrawal_requested", D.Withdrawn: "withdrawn"}
COLUMNS = (
    ("id", "TEXT NOT NULL"),
    ("code", "TEXT NOT NULL UNIQUE"),
    ("agency", "TEXT NOT NULL"),
    ("procedure_code", "TEXT NOT NULL"),
    ("procedure_name", "TEXT"),
    ("department", "TEXT"),
    ("result_kind", "TEXT"),
    ("channel", "TEXT NOT NULL"),
    ("status", "TEXT NOT NULL"),
    ("resume_status", "TEXT"),
    ("queue", "TEXT NOT NULL"),
    ("in_bin", "BOOL NOT NULL"),
    ("holder_role", "TEXT"),
    ("holder_unit", "TEXT"),
    ("received_at", "TS NOT NULL"),
    ("accepted_at", "TS"),
    ("due_on", "DATE"),
    ("fee", "INT NOT NULL"),
    ("paid", "INT NOT NULL"),
    ("shortfall", "INT NOT NULL"),
    ("excess", "INT NOT NULL"),
    ("kiosk", "TEXT"),
    ("tray", "INT"),
    ("notified_at", "TS"),
    ("result_issued_at", "TS"),
    ("delivered_at", "TS"),
    ("delivery_channel", "TEXT"),
    ("supplements", "INT NOT NULL"),
    ("rating_stars", "INT"),
    ("rating_level", "TEXT"),
    ("applicant_masked", "TEXT"),
    ("phone_masked", "TEXT"),
    ("version", "INT NOT NULL"),
    ("updated_at", "TS NOT NULL"),
)


def queue_of(status: str, in_bin: bool, holder_role: str | None) -> str:
    """The officer queue a dossier sits in; a finished dossier is closed even if its envelope was never collected."""
    if QUEUE_BY_STATUS.get(status) == "closed":
        return "closed"
    if in_bin:
        return "kiosk_bin"
    if status == "result_issued":
        return "results_to_load" if holder_role == Role.CONSULTANT.value else "results_to_sign"
    return QUEUE_BY_STATUS[status]


class DossierReadModel(ReadModel):
    """Table `dossiers`: where each dossier stands, its money, its tray and its outcome (personal data masked)."""

    name = "dossiers"
    weight = 4  # rebuild cost relative to the other models (infrastructure/readstore/parallel.py)
    tables = (Table("dossiers", COLUMNS, key="id"),)
    indexes = (
        # Each ends with the page order (due_on, code), so a page stops after page_size rows instead of sorting the
        # queue.
        "CREATE INDEX IF NOT EXISTS dossiers_queue_department_page ON dossiers (queue, department, due_on, code)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_agency_page ON dossiers (queue, agency, due_on, code)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_procedure_page ON dossiers (queue, procedure_code, due_on, code)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_channel_page ON dossiers (queue, channel, due_on, code)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_page ON dossiers (queue, due_on, code)",
        "CREATE INDEX IF NOT EXISTS dossiers_received ON dossiers (received_at)",
        "CREATE INDEX IF NOT EXISTS dossiers_kiosk_tray ON dossiers (kiosk, tray)",
    )

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def _change(self, rows: Rows, key: str, event: Any | None, **columns: Any) -> None:
        row = existing(rows, "dossiers", key)
        row.update(columns)
        if event is not None:
            row["version"], row["updated_at"] = event.originator_version, event.at
        row["queue"] = queue_of(row["status"], bool(row["in_bin"]), row["holder_role"])
        rows.put("dossiers", row)

    def _set(self, rows: Rows, e: Any, **columns: Any) -> None:
        self._change(rows, str(e.originator_id), e, **columns)

    @on(D.Registered, D.Received, D.ReturnRegistered)
    def _opened(self, rows: Rows, e: Any, position: int) -> None:
        try:
            procedure = self.catalogue.as_handled_by(
                self.catalogue.procedure(e.procedure_code), e.code.rsplit("-", 2)[0]
            )
            name, department, kind = procedure.name, procedure.department, procedure.result_kind.value
        except UnknownProcedureError:  # a procedure retired from the catalogue still shows its code
            name, department, kind = None, None, None
        status = {D.Registered: "registered", D.ReturnRegistered: "return_registered"}.get(type(e), "received")
        rows.put(
            "dossiers",
            self.tables[0].new_row(
                id=str(e.originator_id),
                code=e.code,
                agency=e.code.rsplit("-", 2)[0],
                procedure_code=e.procedure_code,
                procedure_name=name,
                department=department,
                result_kind=kind,
                channel=e.channel.value,
                status=status,
                queue=queue_of(status, False, None),
                in_bin=False,
                received_at=e.at,
                due_on=e.due_on,
                fee=0,
                paid=0,
                shortfall=0,
                excess=0,
                supplements=0,
                applicant_masked=mask_name(e.applicant.name),
                phone_masked=mask_phone(e.applicant.phone),
                version=e.originator_version,
                updated_at=e.at,
            ),
        )

    @on(D.Accepted)
    def _accepted(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, status="accepted", due_on=e.due_on, accepted_at=e.at)

    @on(D.Rejected, D.WithdrawalRequested, D.Withdrawn)
    def _closed_or_withdrawing(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, status=STATUS_AFTER[type(e)])

    @on(D.SupplementRequested)
    def _supplement_requested(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, "dossiers", str(e.originator_id))
        self._set(
            rows, e, status="supplement_requested", resume_status=row["status"], supplements=row["supplements"] + 1
        )

    @on(D.SupplementProvided)
    def _supplement_provided(self, rows: Rows, e: Any, position: int) -> None:
        row = existing(rows, "dossiers", str(e.originator_id))
        self._set(rows, e, status=row["resume_status"] or "received", resume_status=None, due_on=e.due_on)

    @on(D.FeeAssessed)
    def _fee(self, rows: Rows, e: Any, position: int) -> None:
        paid = existing(rows, "dossiers", str(e.originator_id))["paid"]
        self._set(rows, e, fee=e.amount, shortfall=max(e.amount - paid, 0), excess=max(paid - e.amount, 0))

    @on(D.PaymentReceived)
    def _paid(self, rows: Rows, e: Any, position: int) -> None:
        paid = existing(rows, "dossiers", str(e.originator_id))["paid"]
        self._set(rows, e, paid=paid + e.amount, shortfall=e.shortfall, excess=e.excess)

    @on(D.ExcessRefunded, D.Refunded)
    def _refunded(self, rows: Rows, e: Any, position: int) -> None:
        """Money handed back lowers what was paid; a rejected or withdrawn dossier's refund also ends its fee."""
        row = existing(rows, "dossiers", str(e.originator_id))
        paid = row["paid"] - e.amount
        fee = 0 if getattr(e, "reason", "excess") != "excess" else row["fee"]
        self._set(rows, e, paid=paid, fee=fee, shortfall=max(fee - paid, 0), excess=max(paid - fee, 0))

    @on(D.Routed)
    def _routed(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, status="in_processing", department=e.department)

    @on(D.HandedOver)
    def _handed_over(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, holder_role=e.receiver.role.value, holder_unit=e.receiver.unit, in_bin=False)

    @on(D.ResultIssued)
    def _result(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, status="result_issued", result_issued_at=e.at)

    @on(D.LoadedIntoTray)
    def _loaded(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, status="in_tray", kiosk=e.kiosk, tray=e.tray)

    @on(D.NotificationRequested)
    def _notified(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, notified_at=e.at)

    @on(D.PulledBackFromTray)
    def _pulled_back(self, rows: Rows, e: Any, position: int) -> None:
        rejected = existing(rows, "dossiers", str(e.originator_id))["status"] == "rejected"
        self._set(rows, e, status="rejected" if rejected else "result_issued", kiosk=None, tray=None)

    @on(D.ReturnLoadedIntoTray)
    def _return_loaded(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, kiosk=e.kiosk, tray=e.tray)  # a rejected dossier waits to be given back: still rejected

    @on(D.RejectedReturned)
    def _returned(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, tray=None)  # no delivered_at: reports count results delivered, not rejected dossiers

    @on(D.ResultDelivered)
    def _delivered(self, rows: Rows, e: Any, position: int) -> None:
        self._set(rows, e, status="delivered", delivered_at=e.at, delivery_channel=e.channel.value, tray=None)

    @on(D.Rated)
    def _rated(self, rows: Rows, e: Any, position: int) -> None:
        level = e.rating.level.value if e.rating.level else None
        self._set(rows, e, status="rated", rating_stars=e.rating.stars, rating_level=level)

    @on(Erasure.Recorded)
    def _erased(self, rows: Rows, e: Any, position: int) -> None:
        """The person's rows read as a replay would now show them (their sealed data no longer opens)."""
        for stream in e.streams:
            if rows.get("dossiers", str(stream)) is not None:
                self._change(rows, str(stream), None, applicant_masked=mask_name(ERASED), phone_masked=mask_phone(None))

    # ----- kiosk events: the intake bin (dossier ids follow from the codes) -------------------
    @on(Kiosk.EnvelopeAccepted)
    def _into_bin(self, rows: Rows, e: Any, position: int) -> None:
        self._change(rows, str(dossier_id(e.envelope.dossier_code)), None, in_bin=True)

    @on(Kiosk.Collected)
    def _out_of_bin(self, rows: Rows, e: Any, position: int) -> None:
        for envelope in e.envelopes:
            self._change(rows, str(dossier_id(envelope.dossier_code)), None, in_bin=False)
