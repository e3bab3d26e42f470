"""Collection with the cash split by department: the kiosk's `Collected` and the `CashSplit` in one commit."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from application.dossiers import Dossiers
from application.errors import NotFoundError
from application.kiosk_views import CollectedEnvelope, CollectionReport
from domain.cash_split import CashSplit, DepartmentCash
from domain.clock import aware_utc
from domain.codes import dossier_id
from domain.kiosk import Envelope, Kiosk, kiosk_id
from domain.procedures import Catalogue, UnknownDepartmentError
from domain.values import Actor, Party

UNKNOWN = "?"


class SplitCollectionReport(CollectionReport, frozen=True):
    """A collection report with the cash each department receives."""

    by_department: list[DepartmentCash] = []


class CashCollections:
    """Collect a kiosk's bin and cash box and split the cash by the department of each dossier it was paid for."""

    def __init__(self, dossiers: Dossiers, catalogue: Catalogue) -> None:
        self.dossiers, self.app, self.clock, self.catalogue = dossiers, dossiers.app, dossiers.clock, catalogue

    def collect(
        self, key: str, *, cash_counted: int, collector: Party, actor: Actor, at: datetime | None = None
    ) -> SplitCollectionReport:
        """As `Kiosks.collect`, and the split recorded in the same commit (a lost race retries both)."""
        at = aware_utc(at or self.clock.now())
        for _ in range(5):
            kiosk: Kiosk = self.app.load(kiosk_id(key), ("kiosk", "kiosk"), key)
            envelopes, expected = list(kiosk.bin), kiosk.cash_expected
            departments = self.split(self.cash_in_box(kiosk))
            kiosk.collect(cash_counted=cash_counted, collector=collector, actor=actor, at=at)
            split = CashSplit.record(
                kiosk=key, kiosk_version=kiosk.version, collector=collector, departments=departments, actor=actor, at=at
            )
            if self.app.commit_or_evict(kiosk, split) is not None:
                return SplitCollectionReport(
                    kiosk=key,
                    at=at,
                    envelopes=[self._collected(e) for e in envelopes],
                    cash_expected=expected,
                    cash_counted=cash_counted,
                    discrepancy=cash_counted - expected,
                    by_department=departments,
                )
        raise self.app.conflict(key)

    def cash_in_box(self, kiosk: Kiosk) -> dict[str, int]:
        """Cash per dossier put in since the kiosk's last collection, read backwards from its newest event."""
        amounts: dict[str, int] = defaultdict(int)
        recorder, mapper = self.app.recorder, self.app.mapper
        below = kiosk.version + 1
        while below > 1:
            page = recorder.select_events(kiosk.id, lte=below - 1, desc=True, limit=100)
            for stored in page:
                if stored.topic.endswith("Kiosk.Collected"):
                    return dict(amounts)
                if stored.topic.endswith("Kiosk.CashAccepted"):
                    accepted: Kiosk.CashAccepted = mapper.to_domain_event(stored)  # type: ignore[assignment]
                    amounts[accepted.dossier_code] += accepted.amount
            if len(page) < 100:
                break
            below = page[-1].originator_version
        return dict(amounts)

    def split(self, amounts: dict[str, int]) -> list[DepartmentCash]:
        """Sum per department (routed, else the procedure's as the dossier's agency handles it), by department code."""
        totals: dict[str, tuple[int, list[str]]] = {}
        for code, amount in sorted(amounts.items()):
            try:
                department = self.dossiers.scope_of(code)[1] or UNKNOWN
            except NotFoundError:
                department = UNKNOWN
            total, codes = totals.get(department, (0, []))
            totals[department] = (total + amount, [*codes, code])
        return [
            DepartmentCash(department=d, department_name=self._name(d), amount=a, dossiers=c)
            for d, (a, c) in sorted(totals.items())
        ]

    def _collected(self, envelope: Envelope) -> CollectedEnvelope:
        dossier = self.app.load(dossier_id(envelope.dossier_code), ("dossier", "hồ sơ"), envelope.dossier_code)
        return CollectedEnvelope(
            barcode=envelope.barcode,
            dossier_code=dossier.code,
            procedure_code=dossier.procedure_code,
            department=self.dossiers.handled_as(dossier).department,
        )

    def _name(self, department: str) -> str:
        try:
            return self.catalogue.department(department).name
        except UnknownDepartmentError:
            return "Chưa xác định phòng ban" if department == UNKNOWN else department


__all__ = ["CashCollections", "SplitCollectionReport"]
