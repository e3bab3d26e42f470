"""Office work around the kiosk (seed 000, sections 4-5): set-up, collection, loading, overdue pull-back."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec
from eventsourcing.persistence import IntegrityError

from application.base import command
from application.card_returns import require_face_template
from application.dossiers import DOSSIER, Dossiers
from application.errors import KioskFullError, KioskRefusal, ProcedureNotAtKioskError
from application.kiosk_views import (
    CollectedEnvelope,
    CollectionReport,
    KioskView,
    LoadingSlip,
    OverdueItem,
    SlipLine,
    TrayView,
    pickup_sms,
    rejected_sms,
    rejection_notice,
    slip_text,
)
from domain.clock import VIETNAM
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier, Status
from domain.envelope import envelope_id
from domain.errors import DomainError
from domain.handovers import NotTheReceiverError
from domain.kiosk import Kiosk, already_registered, kiosk_id
from domain.procedures import ResultKind
from domain.tray import Tray, TrayStatus, tray_id
from domain.values import Actor, Party

if TYPE_CHECKING:
    from application.base import OneStop, Written
    from application.ports import KioskDoors


class KioskOffice:
    """Mixin of Kiosks with the consultant team's commands. Relies on Kiosks' loaders, clock and doors."""

    app: OneStop
    dossiers: Dossiers
    doors: KioskDoors
    overdue_days: int

    # ----- set-up -----------------------------------------------------------------------
    def install_kiosk(
        self, key: str, *, name: str, agency: str, actor: Actor, tray_count: int = 90, at: datetime | None = None
    ) -> Written:
        """A kiosk and its trays, all in one commit."""
        at = self._at(at)
        kiosk = Kiosk.install(key=key, name=name, agency=agency, tray_count=tray_count, actor=actor, at=at)
        trays = [Tray.install(kiosk_id=key, number=n, actor=actor, at=at) for n in range(1, tray_count + 1)]
        if self.app.recorder.select_events(kiosk.id, limit=1):
            raise KioskRefusal(f"kiosk {key} is already installed", f"Kiosk {key} đã được lắp đặt.", kiosk=key)
        return self.app.commit(kiosk, *trays)

    @command
    def register_envelopes(self, key: str, *, barcodes: list[str], actor: Actor, at: datetime | None = None) -> Written:
        """A printed batch of envelope barcodes becomes valid for intake."""
        at = self._at(at)
        for _ in range(5):
            kiosk = self._kiosk(key)
            envelopes = kiosk.register_envelopes(barcodes=barcodes, actor=actor, at=at)
            try:
                return self.app.commit(kiosk, *envelopes)
            except IntegrityError:
                self.app.evict(kiosk.id)
                known = next(
                    (b for b in barcodes if self.app.recorder.select_events(envelope_id(key, b), limit=1)), None
                )
                if known is not None:
                    raise already_registered(known) from None
        raise self.app.conflict(key)

    @command
    def set_tray_service(
        self, key: str, number: int, *, in_service: bool, actor: Actor, reason: str = "", at: datetime | None = None
    ) -> Written:
        """Take a tray out of service (door fault) or put it back."""
        at = self._at(at)
        tray = self._tray(key, number)

        def command(t: Tray) -> None:
            if in_service:
                t.return_to_service(actor=actor, at=at)
            else:
                t.take_out_of_service(reason=reason or "Lỗi cửa khay", actor=actor, at=at)

        return self.app.update(tray.id, ("tray", "khay"), f"{key}/{number}", None, command)

    def get_kiosk(self, key: str) -> KioskView:
        """The kiosk's bin, cash box, envelope stock and trays."""
        kiosk = self._kiosk(key, fresh=True)
        return KioskView(
            key=key,
            name=kiosk.name,
            agency=kiosk.agency,
            bin=[e.dossier_code for e in kiosk.bin],
            cash_expected=kiosk.cash_expected,
            unused_envelopes=kiosk.unused_count,
            trays=[
                TrayView(number=t.number, status=t.status.value, dossier_code=t.dossier_code, loaded_at=t.loaded_at)
                for t in self._trays(key, fresh=True)
            ],
        )

    # ----- collection at 08:00 and 14:00 ---------------------------------------------------
    @command
    def collect(
        self, key: str, *, cash_counted: int, collector: Party, actor: Actor, at: datetime | None = None
    ) -> CollectionReport:
        """Empty the bin and the cash box; the count is recorded beside what the events expect, never hidden."""
        at = self._at(at)
        for _ in range(5):
            kiosk = self._kiosk(key)
            envelopes, expected = list(kiosk.bin), kiosk.cash_expected
            kiosk.collect(cash_counted=cash_counted, collector=collector, actor=actor, at=at)
            if self.app.commit_or_evict(kiosk) is not None:
                return CollectionReport(
                    kiosk=key,
                    at=at,
                    envelopes=[self._collected(e) for e in envelopes],
                    cash_expected=expected,
                    cash_counted=cash_counted,
                    discrepancy=cash_counted - expected,
                )
        raise self.app.conflict(key)

    @command
    def hand_over_batch(
        self, codes: list[str], *, item: str, giver: Party, receiver: Party, actor: Actor, at: datetime | None = None
    ) -> Written:
        """Several dossiers change hands at once: one handover-book line each, all in one commit."""
        at = self._at(at)
        for _ in range(5):
            dossiers = [self._dossier(code) for code in codes]
            for dossier in dossiers:
                dossier.hand_over(item=item, giver=giver, receiver=receiver, actor=actor, at=at)
            written = self.app.commit_or_evict(*dossiers)
            if written is not None:
                return written
        raise self.app.conflict(",".join(codes))

    @command
    def confirm_handovers(self, codes: list[str], *, actor: Actor, at: datetime | None = None) -> Written:
        """The receiver of a batch confirms, in one commit, every handover line to them in these dossiers."""
        at = self._at(at)
        for _ in range(5):
            dossiers = [self._dossier(code) for code in codes]
            for dossier in dossiers:
                lines = dossier.unconfirmed_for(actor.account_id)
                if not lines:
                    raise NotTheReceiverError(dossier.code)
                for line in lines:
                    dossier.confirm_handover(line=line, actor=actor, at=at)
            written = self.app.commit_or_evict(*dossiers)
            if written is not None:
                return written
        raise self.app.conflict(",".join(codes))

    # ----- loading at 16:00 ---------------------------------------------------------------
    def load_results(
        self, key: str, codes: list[str], *, staff: Party, actor: Actor, at: datetime | None = None
    ) -> LoadingSlip:
        """Load each result into the lowest free tray, ask for its SMS, and print the loading slip."""
        at = self._at(at)
        loaded, refused = [], {}
        for code in codes:
            try:
                loaded.append(self.load_result(key, code, actor=actor, at=at))
            except DomainError as error:
                refused[code] = error.message_vi
        return LoadingSlip(
            kiosk=key, at=at, loaded=loaded, refused=refused, text=slip_text(key, at, staff.name, loaded, refused)
        )

    def load_results_and_open(
        self, key: str, codes: list[str], *, staff: Party, actor: Actor, at: datetime | None = None
    ) -> LoadingSlip:
        """The 16:00 loading at the rear screen: `load_results`, then each loaded tray's door opened at the kiosk
        (`doors` on the slip: opened, not_answering or the kiosk's fault; a door that stays shut keeps the load)."""
        slip = self.load_results(key, codes, staff=staff, actor=actor, at=at)
        if not slip.loaded:
            return slip
        return msgspec.structs.replace(slip, doors=self.doors.open_trays(key, [line.tray for line in slip.loaded]))

    @command
    def load_result(self, key: str, code: str, *, actor: Actor, at: datetime | None = None) -> SlipLine:
        """One result (or a rejected dossier with its notice, to be given back) into one free tray; two staff loading
        at once never share a tray (the loser takes the next)."""
        at = self._at(at)
        for attempt in range(30):
            kiosk, dossier = self._kiosk(key), self._dossier(code)
            procedure = self.dossiers.procedure(dossier.procedure_code)
            if not procedure.kiosk_return:
                raise ProcedureNotAtKioskError(
                    f"results of {procedure.code} are not returned through the kiosk",
                    "Kết quả của thủ tục này không trả qua kiosk, vui lòng trả tại quầy Một cửa.",
                )
            require_face_template(dossier, procedure.high_legal_value)  # [14] counter results need a template
            free = [t for t in self._trays(key) if t.free]
            if not free:
                raise KioskFullError(f"kiosk {key} has no free tray", "Kiosk đã hết khay trống.", kiosk=key)
            # The lowest free tray first; a loser of a race tries one of the next few so racers spread out.
            tray = free[0] if attempt == 0 else random.choice(free[:8])
            agency = self._agency_name(kiosk.agency)
            notice = None
            if dossier.status is Status.REJECTED:
                sms = rejected_sms(agency, code, kiosk.name, self.overdue_days)
                dossier.load_for_return(kiosk=key, tray=tray.number, notification=sms, actor=actor, at=at)
                notice = rejection_notice(agency, code, procedure.name, dossier.reason or "", at)
            else:
                sms = pickup_sms(agency, code, kiosk.name, self.overdue_days)
                dossier.load_into_tray(kiosk=key, tray=tray.number, notification=sms, actor=actor, at=at)
            tray.load(dossier_code=code, actor=actor, at=at)
            if self.app.commit_or_evict(dossier, tray) is not None:
                return SlipLine(tray=tray.number, dossier_code=code, procedure_name=procedure.name, notice=notice)
        raise self.app.conflict(code)

    # ----- overdue --------------------------------------------------------------------------
    def list_overdue(self, key: str, at: datetime | None = None) -> list[OverdueItem]:
        """Results not collected within the limit since their SMS, with the tray and where they would go."""
        at, calendar = self._at(at), self.dossiers.calendar
        today, items, trays = self._local_day(at), [], self._trays(key, fresh=True)
        full = not any(t.free for t in trays)
        for tray in trays:
            if tray.status is not TrayStatus.LOADED or tray.dossier_code is None:
                continue
            dossier = self._dossier(tray.dossier_code, fresh=True)
            if dossier.notified_at is None:  # no SMS yet: the collection limit has not started
                continue
            days = calendar.working_days_between(self._local_day(dossier.notified_at), today)
            if days > self.overdue_days:
                police = self.dossiers.procedure(dossier.procedure_code).result_kind is ResultKind.CCCD_CARD
                items.append(
                    OverdueItem(
                        tray=tray.number,
                        dossier_code=dossier.code,
                        procedure_code=dossier.procedure_code,
                        days_since_notification=days,
                        receiver="police" if police else "one_stop",
                        action="pull_back" if full else "keep",
                    )
                )
        return items

    @command
    def pull_back_overdue(
        self, key: str, *, staff: Party, one_stop: Party, police: Party, actor: Actor, at: datetime | None = None
    ) -> list[OverdueItem]:
        """When no tray is free, hand overdue results to the one-stop officer or the police; otherwise they stay."""
        at = self._at(at)
        pulled = []
        for item in self.list_overdue(key, at):
            if item.action != "pull_back":
                continue
            receiver = police if item.receiver == "police" else one_stop
            for _ in range(5):
                dossier, tray = self._dossier(item.dossier_code), self._tray(key, item.tray)
                tray.pull_back(dossier_code=dossier.code, receiver=receiver, actor=actor, at=at)
                dossier.pull_back(giver=staff, receiver=receiver, actor=actor, at=at)
                if self.app.commit_or_evict(dossier, tray) is not None:
                    pulled.append(item)
                    break
        return pulled

    def remind_pickups(self, key: str, *, actor: Actor, at: datetime | None = None) -> list[str]:
        """Results in this kiosk's trays whose last collection day (`overdue_days` working days after the pickup
        SMS) is the next working day, or today when that run was missed, and whose applicant has not been reminded
        since loading: record one `PickupReminderDue` each (the notification policy sends it). Returns their codes."""
        at, calendar = self._at(at), self.dossiers.calendar
        today, reminded = self._local_day(at), []
        for tray in self._trays(key, fresh=True):
            if tray.status is not TrayStatus.LOADED or tray.dossier_code is None:
                continue
            dossier = self._dossier(tray.dossier_code, fresh=True)
            if dossier.notified_at is None or dossier.reminded:
                continue
            notified = self._local_day(dossier.notified_at)
            if not self.overdue_days - 1 <= calendar.working_days_between(notified, today) <= self.overdue_days:
                continue
            deadline = notified
            while calendar.working_days_between(notified, deadline) < self.overdue_days:
                deadline += timedelta(days=1)
            if not dossier.remind_pickup(deadline=deadline, actor=actor, at=at):
                continue
            if self.app.commit_or_evict(dossier) is not None:  # None: changed meanwhile, the next run looks again
                reminded.append(dossier.code)
        return reminded

    # ----- helpers ------------------------------------------------------------------------
    def _collected(self, envelope: Any) -> CollectedEnvelope:
        dossier = self._dossier(envelope.dossier_code)
        department = self.dossiers.handled_as(dossier).department
        return CollectedEnvelope(
            barcode=envelope.barcode,
            dossier_code=dossier.code,
            procedure_code=dossier.procedure_code,
            department=department,
        )

    def _trays(self, key: str, fresh: bool = False) -> list[Tray]:
        return [self._tray(key, n, fresh) for n in range(1, self._kiosk(key).tray_count + 1)]

    def _agency_name(self, agency: str) -> str:
        return self.dossiers.catalogue.agency(agency).name

    @staticmethod
    def _local_day(at: datetime) -> Any:
        return at.astimezone(VIETNAM).date()

    # ----- loaders shared with Kiosks -------------------------------------------------------
    def _kiosk(self, key: str, fresh: bool = False) -> Kiosk:
        return self.app.load(kiosk_id(key), ("kiosk", "kiosk"), key, fresh=fresh)

    def _tray(self, key: str, number: int, fresh: bool = False) -> Tray:
        return self.app.load(tray_id(key, number), ("tray", "khay"), f"{key}/{number}", fresh=fresh)

    def _dossier(self, code: str, fresh: bool = False) -> Dossier:
        parse_code(code)
        return self.app.load(dossier_id(code), DOSSIER, code, fresh=fresh)

    def _at(self, at: datetime | None) -> datetime:
        return at if at is not None else self.dossiers._at(None)
