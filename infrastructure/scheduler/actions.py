"""The job bodies: each acts through the applications or reads the read models, and returns the ledger's detail.

Dependencies are injected (Protocols below) so tests drive the bodies with fakes. Reminder texts are Vietnamese;
until a notification port exists they go to `notify` (a log line) and into the ledger's detail.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import msgspec

from domain.clock import VIETNAM
from domain.values import Actor, Party, Role
from infrastructure.scheduler.jobs import Run, WorkingDays, is_working_day
from infrastructure.settings.areas import SchedulerSettings

log = logging.getLogger(__name__)
SCHEDULER = Actor(account_id="scheduler", role=Role.SYSTEM)
PARTY_VARIABLES = {
    "staff": ("MOTCUA_SCHEDULER_STAFF", Role.CONSULTANT),
    "one_stop": ("MOTCUA_SCHEDULER_ONE_STOP", Role.RECEPTION_OFFICER),
    "police": ("MOTCUA_SCHEDULER_POLICE", Role.POLICE_OFFICER),
}


class OverdueCommands(Protocol):
    def list_overdue(self, key: str, at: datetime | None = None) -> list[Any]: ...

    def remind_pickups(self, key: str, *, actor: Actor, at: datetime | None = None) -> list[str]: ...


class OfficeQueries(Protocol):
    def kiosk_keys(self) -> list[str]: ...

    def per_kiosk(self, queue: str, today: date) -> dict[str, int]: ...

    def due_by_department(self, today: date, until: date) -> dict[str, dict[str, int]]: ...


class RoutineDesk(Protocol):
    def schedule_day(self, kiosks: list[str], day: date, *, at: datetime) -> int: ...

    def remind_late(
        self, kiosks: list[str], day: date, now: datetime, *, to: str, alert: Callable[[str, str], None]
    ) -> list[str]: ...


class ReportMaker(Protocol):
    def report(self, kind: str, reference: date, *, today: date, agency: str | None = None) -> Any: ...


@dataclass(frozen=True)
class StaffParties:
    """The sides of the handovers the overdue sweep records."""

    staff: Party
    one_stop: Party
    police: Party

    @classmethod
    def from_settings(cls, settings: SchedulerSettings) -> StaffParties:
        """`MOTCUA_SCHEDULER_STAFF|ONE_STOP|POLICE` as `account_id|name|unit` (defaults: constant system parties)."""
        parties = {}
        for side, (variable, role) in PARTY_VARIABLES.items():
            value = getattr(settings, side)
            parts = value.split("|")
            if len(parts) != 3 or not all(p.strip() for p in parts):
                raise ValueError(f"{variable} must be 'account_id|name|unit', not {value!r}")
            parties[side] = Party(account_id=parts[0].strip(), name=parts[1].strip(), role=role, unit=parts[2].strip())
        return cls(**parties)


class ReadModelQueries:
    """The office's questions answered from the read models (`Views`)."""

    def __init__(self, views: Any) -> None:
        self.views = views

    def kiosk_keys(self) -> list[str]:
        return [row["kiosk"] for row in self.views.store.query("SELECT DISTINCT kiosk FROM kiosk_trays ORDER BY kiosk")]

    def per_kiosk(self, queue: str, today: date) -> dict[str, int]:
        return dict(Counter(item.kiosk or "" for item in self._all(queue, today)))

    def due_by_department(self, today: date, until: date) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for item in self._all("in_processing", today):
            if item.due_on is not None and item.due_on <= until:
                tally = counts.setdefault(item.department or "", {"due_soon": 0, "overdue": 0})
                tally["overdue" if item.due_on < today else "due_soon"] += 1
        return counts

    def _all(self, queue: str, today: date) -> Iterator[Any]:
        page = 1
        while items := self.views.queue(queue, today=today, page=page, page_size=500).items:
            yield from items
            page += 1


@dataclass
class Actions:
    """The bodies of the scheduled routines, by action name (see `jobs.CATALOGUE`)."""

    queries: OfficeQueries
    calendar: WorkingDays
    kiosks: OverdueCommands | None = None
    reports: ReportMaker | None = None
    parties: StaffParties = field(default_factory=lambda: StaffParties.from_settings(SchedulerSettings()))
    notify: Callable[[str], None] = log.info
    routines: RoutineDesk | None = None
    follow: Callable[[datetime], int] | None = None  # one round of the office's policies (routines done by the log)
    alert: Callable[[str, str], None] = lambda kiosk, problem: log.warning("kiosk %s: %s", kiosk, problem)
    alert_to: str = ""  # the kiosk team's `channel:address` (MOTCUA_FLEET_ALERT_TO), recorded with each reminder

    def body(self, action: str) -> Callable[[Run, datetime], str]:
        """The callable for a catalogue action name (`report:week` → a weekly report)."""
        if action.startswith("report:"):
            kind = action.split(":", 1)[1]
            return lambda run, now: self.report(kind, run, now)
        return getattr(self, action)

    def collection_reminder(self, run: Run, now: datetime) -> str:
        """08:00 and 14:00: open each kiosk, take out envelopes and cash, sort by department, hand over."""
        waiting = self.queries.per_kiosk("kiosk_bin", _day(now))
        lines = [f"Kiosk {key}: {waiting.get(key, 0)} phong bì hồ sơ trong thùng." for key in self.queries.kiosk_keys()]
        return self._remind(
            f"Nhắc việc {_clock(run)}: Tổ tư vấn mở kiosk, lấy phong bì hồ sơ và tiền mặt, phân loại "
            "theo phòng ban và bàn giao (ghi sổ giao nhận, hai bên ký).",
            lines,
        )

    def loading_reminder(self, run: Run, now: datetime) -> str:
        """16:00: load results into the trays with the rear screen and scanner; the kiosk prints the slip."""
        waiting = self.queries.per_kiosk("results_to_load", _day(now))
        lines = [f"Kiosk {key or '(chưa gán kiosk)'}: {n} kết quả chờ nạp." for key, n in sorted(waiting.items())]
        return self._remind(
            f"Nhắc việc {_clock(run)}: Tổ tư vấn nạp kết quả vào khay kiosk bằng màn hình phía sau và "
            "máy quét mã vạch; kiosk in phiếu nạp, công dân nhận tin nhắn.",
            lines,
        )

    def schedule_routines(self, run: Run, now: datetime) -> str:
        """Mornings: each kiosk's 08:00 and 14:00 collections and 16:00 loading on the day's task list."""
        desk, day = self._routines(), run.scheduled_for.astimezone(VIETNAM).date()
        added = desk.schedule_day(self.queries.kiosk_keys(), day, at=now)
        return f"Việc trong ngày {day:%d/%m/%Y}: {added} việc mới."

    def late_routines(self, run: Run, now: datetime) -> str:
        """30 minutes after each routine: the kiosk team is reminded once of every routine of the day not yet done
        (the policies first catch up with the collections and loadings already recorded)."""
        desk, day = self._routines(), run.scheduled_for.astimezone(VIETNAM).date()
        if self.follow is not None:
            self.follow(now)
        lines = desk.remind_late(self.queries.kiosk_keys(), day, now, to=self.alert_to or "log", alert=self.alert)
        return self._remind(f"Việc trễ {_clock(run)}: {len(lines)} nhắc nhở.", lines)

    def _routines(self) -> RoutineDesk:
        if self.routines is None:
            raise RuntimeError("the day's routines need the Routines service")
        return self.routines

    def overdue_sweep(self, run: Run, now: datetime) -> str:
        """Every kiosk: the overdue results staff must pull back (only when no tray is free; they stay otherwise).

        The sweep lists; it records nothing. The pull-back events are written when staff take the paper out of
        the tray and hand it over (POST /kiosks/{key}/overdue/pull-back), because that is when it happens.
        """
        if self.kiosks is None:
            raise RuntimeError("the overdue sweep needs the Kiosks application")
        p, lines = self.parties, []
        for key in self.queries.kiosk_keys():
            for item in self.kiosks.list_overdue(key, at=now):
                if item.action != "pull_back":
                    continue
                receiver = p.police if item.receiver == "police" else p.one_stop
                lines.append(
                    f"Kiosk {key}, khay {item.tray}: cần rút hồ sơ {item.dossier_code} "
                    f"({item.days_since_notification} ngày làm việc), bàn giao {receiver.unit}."
                )
        return self._remind(f"Rà soát quá hạn {_clock(run)}: {len(lines)} kết quả cần rút khỏi khay.", lines)

    def pickup_reminders(self, run: Run, now: datetime) -> str:
        """Every kiosk: remind the citizens whose result's last collection day in the tray is the next working day
        (one `Dossier.PickupReminderDue` each, once per loading; the notification policy sends the message)."""
        if self.kiosks is None:
            raise RuntimeError("the pickup reminders need the Kiosks application")
        lines: list[str] = []
        for key in self.queries.kiosk_keys():
            codes = self.kiosks.remind_pickups(key, actor=SCHEDULER, at=now)
            lines.extend(f"Kiosk {key}: nhắc công dân nhận kết quả hồ sơ {code}." for code in codes)
        return self._remind(f"Nhắc nhận kết quả {_clock(run)}: {len(lines)} công dân được nhắc.", lines)

    def due_soon_alerts(self, run: Run, now: datetime) -> str:
        """Per department: dossiers in processing due within one working day, and those already overdue."""
        today = _day(now)
        counts = self.queries.due_by_department(today, self._next_working_day(today))
        for department, tally in sorted(counts.items()):
            self.notify(
                f"Phòng {department or '(chưa phân công)'}: {tally['due_soon']} hồ sơ đến hạn trong 1 ngày "
                f"làm việc, {tally['overdue']} hồ sơ đã quá hạn."
            )
        return json.dumps({"date": today.isoformat(), "departments": counts}, ensure_ascii=False, sort_keys=True)

    def report(self, kind: str, run: Run, now: datetime) -> str:
        """The report of the period that ended the day before the scheduled run, as JSON."""
        if self.reports is None:
            raise RuntimeError("report generation needs the reports view")
        day = run.scheduled_for.astimezone(VIETNAM).date()
        report = self.reports.report(kind, day - timedelta(days=1), today=day)
        return msgspec.json.encode(report).decode()

    def _remind(self, headline: str, lines: list[str]) -> str:
        text = "\n".join([headline, *lines])
        self.notify(text)
        return text

    def _next_working_day(self, today: date) -> date:
        day = today + timedelta(days=1)
        while not is_working_day(self.calendar, day):
            day += timedelta(days=1)
        return day


def _day(at: datetime) -> date:
    return at.astimezone(VIETNAM).date()


def _clock(run: Run) -> str:
    return f"{run.scheduled_for.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y}"
