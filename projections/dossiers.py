"""Dossier read model: one row per dossier, with the officer queue it is in (serves queues and reports)."""

from __future__ import annotations

from typing import Any

from domain.dossier import Dossier
from domain.kiosk import Kiosk
from domain.procedures import Catalogue, UnknownProcedureError
from domain.values import Role, mask_name, mask_phone
from projections.base import ReadModel, on
from projections.store import Tx

D = Dossier
QUEUE_BY_STATUS = {
    "registered": "new_online", "received": "to_accept", "accepted": "to_route", "in_processing": "in_processing",
    "supplement_requested": "supplement_pending", "withdrawal_requested": "withdrawal_requested",
    "in_tray": "ready_for_pickup", "delivered": "closed", "rated": "closed", "rejected": "closed", "withdrawn": "closed",
}
QUEUES = ("new_online", "kiosk_bin", "to_accept", "to_route", "in_processing", "supplement_pending",
          "withdrawal_requested", "results_to_sign", "results_to_load", "ready_for_pickup", "closed")


def queue_of(status: str, in_bin: bool, holder_role: str | None) -> str:
    """The officer queue a dossier sits in."""
    if in_bin:
        return "kiosk_bin"
    if status == "result_issued":
        return "results_to_load" if holder_role == Role.CONSULTANT.value else "results_to_sign"
    return QUEUE_BY_STATUS[status]


class DossierReadModel(ReadModel):
    """Table `dossiers`: where each dossier stands, its money, its tray and its outcome (personal data masked)."""

    name = "dossiers"
    tables = {
        "dossiers": """
        code TEXT PRIMARY KEY, agency TEXT NOT NULL, procedure_code TEXT NOT NULL, procedure_name TEXT,
        department TEXT, result_kind TEXT, channel TEXT NOT NULL, status TEXT NOT NULL, resume_status TEXT,
        queue TEXT NOT NULL, in_bin BOOL NOT NULL, holder_role TEXT, holder_unit TEXT, received_at TS NOT NULL,
        accepted_at TS, due_on DATE, fee INT NOT NULL, paid INT NOT NULL, shortfall INT NOT NULL, excess INT NOT NULL,
        kiosk TEXT, tray INT, notified_at TS, result_issued_at TS, delivered_at TS, delivery_channel TEXT,
        supplements INT NOT NULL, rating_stars INT, rating_level TEXT, applicant_masked TEXT, phone_masked TEXT,
        version INT NOT NULL, updated_at TS NOT NULL""",
        "dossier_ids": "id TEXT PRIMARY KEY, code TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS dossiers_queue_department ON dossiers (queue, department, due_on)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_agency ON dossiers (queue, agency, due_on)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_procedure ON dossiers (queue, procedure_code, due_on)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_channel ON dossiers (queue, channel, due_on)",
        "CREATE INDEX IF NOT EXISTS dossiers_queue_due ON dossiers (queue, due_on)",
        "CREATE INDEX IF NOT EXISTS dossiers_received ON dossiers (received_at)",
        "CREATE INDEX IF NOT EXISTS dossiers_kiosk_tray ON dossiers (kiosk, tray)",
    )

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._codes: dict[str, str] = {}

    # ----- helpers --------------------------------------------------------------------------
    def _code(self, tx: Tx, originator_id: Any) -> str:
        key = str(originator_id)
        if key not in self._codes:
            self._codes[key] = tx.query("SELECT code FROM dossier_ids WHERE id = ?", (key,))[0]["code"]
        return self._codes[key]

    def _row(self, tx: Tx, code: str) -> dict[str, Any]:
        return tx.query("SELECT status, in_bin, holder_role, paid, supplements, resume_status FROM dossiers WHERE code = ?",
                        (code,))[0]

    def _update(self, tx: Tx, code: str, current: dict[str, Any], columns: dict[str, Any]) -> None:
        merged = current | columns
        columns["queue"] = queue_of(merged["status"], bool(merged["in_bin"]), merged["holder_role"])
        assignments = ", ".join(f"{name} = ?" for name in columns)
        tx.execute(f"UPDATE dossiers SET {assignments} WHERE code = ?", (*columns.values(), code))

    def _set(self, tx: Tx, e: Any, **columns: Any) -> dict[str, Any]:
        code = self._code(tx, e.originator_id)
        current = self._row(tx, code)
        self._update(tx, code, current, columns | {"version": e.originator_version, "updated_at": e.at})
        return current

    # ----- dossier events -------------------------------------------------------------------
    @on(D.Registered, D.Received)
    def _opened(self, tx: Tx, e: Any, position: int) -> None:
        try:
            procedure = self.catalogue.procedure(e.procedure_code)
            name, department, kind = procedure.name, procedure.department, procedure.result_kind.value
        except UnknownProcedureError:  # a procedure retired from the catalogue still shows its code
            name, department, kind = None, None, None
        status = "registered" if isinstance(e, D.Registered) else "received"
        tx.execute(
            "INSERT INTO dossiers (code, agency, procedure_code, procedure_name, department, result_kind, channel, status, "
            "queue, in_bin, received_at, due_on, fee, paid, shortfall, excess, supplements, applicant_masked, phone_masked, "
            "version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?, ?, ?, ?)",
            (e.code, e.code.rsplit("-", 2)[0], e.procedure_code, name, department, kind, e.channel.value, status,
             queue_of(status, False, None), False, e.at, e.due_on, mask_name(e.applicant.name),
             mask_phone(e.applicant.phone), e.originator_version, e.at))
        tx.execute("INSERT INTO dossier_ids (id, code) VALUES (?, ?)", (str(e.originator_id), e.code))
        self._codes[str(e.originator_id)] = e.code

    @on(D.Accepted)
    def _accepted(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="accepted", due_on=e.due_on, accepted_at=e.at)

    @on(D.Rejected, D.WithdrawalRequested, D.Withdrawn)
    def _closed_or_withdrawing(self, tx: Tx, e: Any, position: int) -> None:
        status = {D.Rejected: "rejected", D.WithdrawalRequested: "withdrawal_requested", D.Withdrawn: "withdrawn"}[type(e)]
        self._set(tx, e, status=status)

    @on(D.SupplementRequested)
    def _supplement_requested(self, tx: Tx, e: Any, position: int) -> None:
        code = self._code(tx, e.originator_id)
        current = self._row(tx, code)
        self._update(tx, code, current, {"status": "supplement_requested", "resume_status": current["status"],
                                         "supplements": current["supplements"] + 1,
                                         "version": e.originator_version, "updated_at": e.at})

    @on(D.SupplementProvided)
    def _supplement_provided(self, tx: Tx, e: Any, position: int) -> None:
        code = self._code(tx, e.originator_id)
        current = self._row(tx, code)
        self._update(tx, code, current, {"status": current["resume_status"] or "received", "resume_status": None,
                                         "due_on": e.due_on, "version": e.originator_version, "updated_at": e.at})

    @on(D.FeeAssessed)
    def _fee(self, tx: Tx, e: Any, position: int) -> None:
        code = self._code(tx, e.originator_id)
        paid = self._row(tx, code)["paid"]
        self._set(tx, e, fee=e.amount, shortfall=max(e.amount - paid, 0), excess=max(paid - e.amount, 0))

    @on(D.PaymentReceived)
    def _paid(self, tx: Tx, e: Any, position: int) -> None:
        paid = self._row(tx, self._code(tx, e.originator_id))["paid"]
        self._set(tx, e, paid=paid + e.amount, shortfall=e.shortfall, excess=e.excess)

    @on(D.Routed)
    def _routed(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="in_processing", department=e.department)

    @on(D.HandedOver)
    def _handed_over(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, holder_role=e.receiver.role.value, holder_unit=e.receiver.unit, in_bin=False)

    @on(D.ResultIssued)
    def _result(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="result_issued", result_issued_at=e.at)

    @on(D.LoadedIntoTray)
    def _loaded(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="in_tray", kiosk=e.kiosk, tray=e.tray)

    @on(D.NotificationRequested)
    def _notified(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, notified_at=e.at)

    @on(D.PulledBackFromTray)
    def _pulled_back(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="result_issued", kiosk=None, tray=None)

    @on(D.ResultDelivered)
    def _delivered(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, status="delivered", delivered_at=e.at, delivery_channel=e.channel.value, tray=None)

    @on(D.Rated)
    def _rated(self, tx: Tx, e: Any, position: int) -> None:
        level = e.rating.level.value if e.rating.level else None
        self._set(tx, e, status="rated", rating_stars=e.rating.stars, rating_level=level)

    # ----- kiosk events: the intake bin -------------------------------------------------------
    @on(Kiosk.EnvelopeAccepted)
    def _into_bin(self, tx: Tx, e: Any, position: int) -> None:
        code = e.envelope.dossier_code
        self._update(tx, code, self._row(tx, code), {"in_bin": True})

    @on(Kiosk.Collected)
    def _out_of_bin(self, tx: Tx, e: Any, position: int) -> None:
        for envelope in e.envelopes:
            code = envelope.dossier_code
            self._update(tx, code, self._row(tx, code), {"in_bin": False})
