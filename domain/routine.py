"""The kiosk team's routines as tasks (việc trong ngày, seed 000 §4): per kiosk and working day, the 08:00 and 14:00
collections and the 16:00 loading.

A `Routine` is one slot of one kiosk on one day (`/routines/<kiosk>/<yyyy-mm-dd>/<slot>`). It is scheduled in the
morning, done when the matching collection or loading is recorded (the task names that event: stream and version),
and reminded once when it is late. A collection or loading recorded before the task was scheduled schedules it on
the spot, so the order in which the scheduler and the crew act never matters.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.clock import VIETNAM, aware_utc
from domain.errors import ActionNotAllowedError
from domain.timing import ActedEvent, MonotonicTime
from domain.values import Actor

LATE_AFTER = timedelta(minutes=30)
"""A routine not done this long after its time is late: the kiosk team is reminded, once."""
LEAD = timedelta(hours=1)
"""A collection or loading recorded up to this long before a slot's time counts for that slot."""


class Slot(StrEnum):
    """The three routines of a kiosk's working day; the names are the scheduler jobs that announce them."""

    COLLECTION_MORNING = "collection_morning"
    COLLECTION_AFTERNOON = "collection_afternoon"
    LOADING = "loading_round"

    @property
    def at(self) -> time:
        """The local time of the slot."""
        return SLOT_TIMES[self]

    @property
    def kind(self) -> str:
        """`collection` or `loading`: what recorded work completes it."""
        return "loading" if self is Slot.LOADING else "collection"


SLOT_TIMES = {Slot.COLLECTION_MORNING: time(8, 0), Slot.COLLECTION_AFTERNOON: time(14, 0), Slot.LOADING: time(16, 0)}


class RoutineStatus(StrEnum):
    """What the console shows: not done yet, done, or late (not done 30 minutes after its time)."""

    PENDING = "pending"
    DONE = "done"
    LATE = "late"


def routine_id(kiosk: str, day: date, slot: Slot | str) -> UUID:
    """The id of one routine of one kiosk on one local day."""
    return uuid5(NAMESPACE_URL, f"/routines/{kiosk}/{day.isoformat()}/{Slot(slot).value}")


def due_at(day: date, slot: Slot | str) -> datetime:
    """When the routine should happen (local business time, timezone-aware)."""
    return datetime.combine(day, Slot(slot).at, VIETNAM)


def slot_for(kind: str, at: datetime) -> Slot | None:
    """The slot a collection or loading recorded at `at` counts for: the latest of its kind whose time minus the lead
    has come; None before the first (a collection at 06:00 is no routine of the day)."""
    local = at.astimezone(VIETNAM)
    started = [s for s in Slot if s.kind == kind and due_at(local.date(), s) - LEAD <= local]
    return started[-1] if started else None


class Routine(MonotonicTime, Aggregate):
    """One routine of one kiosk on one day, with who did it, when, and the event that shows it."""

    class Event(ActedEvent):
        """Every routine event: who acted (the scheduler, the crew), and when."""

    class Scheduled(Aggregate.Created, Event):
        """The routine is on the day's list of the kiosk team."""

        kiosk: str
        agency: str
        day: date
        slot: Slot
        due_at: datetime

    class Done(Event):
        """The collection or loading was recorded: by whom, and which event (stream id and version) shows it."""

        by: str
        source_id: UUID
        source_version: int

    class Reminded(Event):
        """The kiosk team was reminded of the late routine (sent once)."""

        to: str

    def __init__(
        self, *, kiosk: str, agency: str, day: date, slot: Slot, due_at: datetime, actor: Actor, at: datetime
    ) -> None:
        self.kiosk, self.agency, self.day, self.slot, self.due_at = kiosk, agency, day, Slot(slot), due_at
        self.done_at: datetime | None = None
        self.done_by: str | None = None
        self.reminded = False

    @classmethod
    def schedule(cls, *, kiosk: str, agency: str, day: date, slot: Slot | str, actor: Actor, at: datetime) -> Routine:
        """A routine on the list of the kiosk (of `agency`) for `day`."""
        slot = Slot(slot)
        return cls._create(
            cls.Scheduled,
            id=routine_id(kiosk, day, slot),
            kiosk=kiosk,
            agency=agency,
            day=day,
            slot=slot,
            due_at=due_at(day, slot).astimezone(UTC),
            actor=actor,
            at=aware_utc(at),
        )

    def status(self, now: datetime) -> RoutineStatus:
        """Done, late (not done 30 minutes after its time), or pending."""
        if self.done_at is not None:
            return RoutineStatus.DONE
        return RoutineStatus.LATE if now >= self.due_at + LATE_AFTER else RoutineStatus.PENDING

    def complete(self, *, by: str, source_id: UUID, source_version: int, actor: Actor, at: datetime) -> bool:
        """Mark it done by the recorded work; False (nothing recorded) when it was done already."""
        if self.done_at is not None:
            return False
        self._done(by=by, source_id=source_id, source_version=source_version, actor=actor, at=aware_utc(at))
        return True

    def remind(self, *, to: str, actor: Actor, at: datetime) -> None:
        """Record the reminder of a late routine; refused when it is not late or was reminded before."""
        if self.reminded or self.status(aware_utc(at)) is not RoutineStatus.LATE:
            raise ActionNotAllowedError("remind", self.status(aware_utc(at)).value, [])
        self._reminded(to=to, actor=actor, at=aware_utc(at))

    @event(Done)
    def _done(self, by: str, source_id: UUID, source_version: int, actor: Actor, at: datetime) -> None:
        self.done_at, self.done_by = at, by

    @event(Reminded)
    def _reminded(self, to: str, actor: Actor, at: datetime) -> None:
        self.reminded = True
