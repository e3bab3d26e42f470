"""The kiosk team's day as tasks: routines (08:00 and 14:00 collections, 16:00 loading) and follow-ups of results
pulled back from trays (liên hệ công dân).

- `Routines.schedule_day` puts each kiosk's three routines of a working day on the list (the scheduler, mornings);
  `RoutinePolicy` marks a routine done when its collection (`Kiosk.Collected`) or loading (`Tray.Loaded`) is in the
  log, naming that event; `Routines.remind_late` reminds the kiosk team once of each routine still not done 30
  minutes after its time.
- `FollowUpPolicy` opens a follow-up for every `Dossier.PulledBackFromTray` and closes it with the next
  `Dossier.ContactRecorded` of that dossier (recorded by `POST /counter/dossiers/{code}/contacts`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.base import OneStop
from application.policies import LogPolicy, Pending
from domain.clock import VIETNAM
from domain.dossier import Dossier
from domain.follow_up import FollowUp, follow_up_id
from domain.kiosk import Kiosk, kiosk_id
from domain.routine import Routine, RoutineStatus, Slot, routine_id, slot_for
from domain.tray import Tray
from domain.values import Actor, Role

log = logging.getLogger("motcua.routines")
SYSTEM = Actor(account_id="routine-policy", role=Role.SYSTEM)
SLOT_VI = {
    Slot.COLLECTION_MORNING: "thu hồ sơ và tiền lúc 08:00",
    Slot.COLLECTION_AFTERNOON: "thu hồ sơ và tiền lúc 14:00",
    Slot.LOADING: "nạp kết quả vào khay lúc 16:00",
}
Alert = Callable[[str, str], None]
"""alert(kiosk, problem): tell the kiosk team (infrastructure/fleet/process.py's `alerter`)."""


class Routines:
    """Schedules the day's routines and reminds the kiosk team of late ones."""

    def __init__(self, app: OneStop) -> None:
        self.app = app

    def schedule_day(self, kiosks: Sequence[str], day: date, *, at: datetime) -> int:
        """Each kiosk's three routines of `day` that are not on the list yet; returns how many were added."""
        added = 0
        for key in kiosks:
            kiosk: Kiosk = self.app.load(kiosk_id(key), ("kiosk", "kiosk"), key)
            for slot in Slot:
                if self._exists(routine_id(key, day, slot)):
                    continue
                routine = Routine.schedule(kiosk=key, agency=kiosk.agency, day=day, slot=slot, actor=SYSTEM, at=at)
                try:
                    self.app.commit(routine)
                except IntegrityError:  # the crew's work scheduled it meanwhile
                    continue
                added += 1
        return added

    def remind_late(self, kiosks: Sequence[str], day: date, now: datetime, *, to: str, alert: Alert) -> list[str]:
        """Remind the team of every routine of `day` late at `now` and not reminded before; the reminder is
        recorded before it is sent, so it goes out at most once. Returns the reminders' texts."""
        sent = []
        for key in kiosks:
            for slot in Slot:
                routine = self._routine(routine_id(key, day, slot))
                if routine is None or routine.reminded or routine.status(now) is not RoutineStatus.LATE:
                    continue
                routine.remind(to=to, actor=SYSTEM, at=now)
                if self.app.commit_or_evict(routine) is None:
                    continue  # another scheduler reminded it, or the crew just did it
                text = f"chưa {SLOT_VI[slot]} ngày {day:%d/%m/%Y} (trễ quá 30 phút)"
                alert(key, text)
                sent.append(f"Kiosk {key}: {text}.")
        return sent

    def get_status(self, key: str, day: date, slot: Slot | str, now: datetime) -> RoutineStatus | None:
        """The routine's status at `now`; None when it is not on the list."""
        routine = self._routine(routine_id(key, day, Slot(slot)))
        return routine.status(now) if routine is not None else None

    def _routine(self, aggregate_id: Any) -> Routine | None:
        if not self._exists(aggregate_id):
            return None
        routine: Routine = self.app.load(aggregate_id, ("routine", "việc"), str(aggregate_id), fresh=True)
        return routine

    def _exists(self, aggregate_id: Any) -> bool:
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))


class RoutinePolicy(LogPolicy):
    """A collection or loading in the log completes the routine of its slot (scheduling it first if need be)."""

    name = "routines"
    reacts_to = (Kiosk.Collected, Tray.Loaded)

    def react(self, event: Any, at: datetime, pending: Pending) -> Iterable[Aggregate]:
        if isinstance(event, Kiosk.Collected):
            kind, key, by = "collection", self._kiosk(event.originator_id).key, event.collector.name
        else:
            tray: Tray = self.app.repository.get(event.originator_id)
            kind, key, by = "loading", tray.kiosk_id, event.actor.account_id
        slot = slot_for(kind, event.at)
        if slot is None:
            return []
        day = event.at.astimezone(VIETNAM).date()
        routine: Routine | None = self.existing(routine_id(key, day, slot), pending)
        if routine is None:
            agency = self._kiosk(kiosk_id(key)).agency
            routine = Routine.schedule(kiosk=key, agency=agency, day=day, slot=slot, actor=SYSTEM, at=event.at)
        routine.complete(
            by=by, source_id=event.originator_id, source_version=event.originator_version, actor=SYSTEM, at=event.at
        )
        return [routine]

    def _kiosk(self, aggregate_id: Any) -> Kiosk:
        kiosk: Kiosk = self.app.repository.get(aggregate_id)  # key and agency never change: the cached copy serves
        return kiosk


class FollowUpPolicy(LogPolicy):
    """A pull-back opens a follow-up; the dossier's next contact outcome closes it."""

    name = "follow-ups"
    reacts_to = (Dossier.PulledBackFromTray, Dossier.ContactRecorded)

    def react(self, event: Any, at: datetime, pending: Pending) -> Iterable[Aggregate]:
        dossier: Dossier = self.app.repository.get(event.originator_id)  # only its code is read: it never changes
        if isinstance(event, Dossier.PulledBackFromTray):
            if self.existing(follow_up_id(dossier.code, event.originator_version), pending) is not None:
                return []
            return [
                FollowUp.open(
                    dossier_code=dossier.code,
                    kiosk=event.kiosk,
                    tray=event.tray,
                    pulled_back_version=event.originator_version,
                    actor=SYSTEM,
                    at=event.at,
                )
            ]
        pulled = [
            e.originator_version
            for e in self.app.events.get(event.originator_id, lte=event.originator_version)
            if isinstance(e, Dossier.PulledBackFromTray)
        ]
        follow_up: FollowUp | None = self.existing(follow_up_id(dossier.code, pulled[-1]), pending) if pulled else None
        if follow_up is None or not follow_up.close(
            outcome=event.outcome, contact_version=event.originator_version, actor=event.actor, at=event.at
        ):
            return []
        return [follow_up]
