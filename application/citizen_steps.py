"""What the citizen is told at each step of a dossier (seed 003 Đ4.2đ, Đ5.2, Đ8.3, Đ9.2b, Đ17.5).

`STEP_EVENTS` are the dossier events the notification policy follows; `CitizenSteps.message` gives for one of them
the template and the values of its message, or None when that step tells the citizen nothing (a paper dossier's
acceptance: the receipt already said it; a result that goes back through a kiosk tray: the tray message will).
The values are only what the message needs: the dossier code, dates, the agency, kiosk and tray, the items to add
or the reason of a refusal — never a name, an ID number or a phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

from application.base import OneStop
from application.ports import Calendar
from domain.dossier import Dossier
from domain.kiosk import Kiosk, kiosk_id
from domain.notification import Recipient
from domain.procedures import AgencyKind, Catalogue
from domain.values import Channel, Role

STEP_EVENTS: tuple[type, ...] = (
    Dossier.Received,
    Dossier.Accepted,
    Dossier.SupplementRequested,
    Dossier.Rejected,
    Dossier.ResultIssued,
    Dossier.NotificationRequested,
    Dossier.PickupReminderDue,
    Dossier.PulledBackFromTray,
)
STEP_TOPICS = tuple(get_topic(event_class) for event_class in STEP_EVENTS)
TEMPLATES = {
    "received": "received.v1",
    "accepted": "accepted.v1",
    "supplement": "supplement.v1",
    "rejected": "rejected.v1",
    "result_ready": "result_ready.v1",
    "pickup_reminder": "pickup_reminder.v1",
    "pulled_back": "pulled_back.v1",
}
"""Step → the template version requested now (a new wording is a new version; the tray step's version is named by
the dossier's own `NotificationRequested`)."""
ITEMS_MAX, REASON_MAX = 55, 55
"""Characters of the supplement items and of a refusal's reason put into a message (an SMS holds 160)."""


@dataclass(frozen=True)
class Step:
    """One message to request: its template (`name.vN`), values and the channel to try first."""

    template: str
    params: dict[str, str]
    recipient: Recipient
    first_channel: str = "sms"
    channels: list[str] = field(default_factory=list)
    """The citizen's chosen channels, first choice first (empty: none chosen)."""


def day(value: date) -> str:
    """'2026-05-27' -> '27/05/2026', as a Vietnamese reader writes dates."""
    return f"{value:%d/%m/%Y}"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and marked with '...' when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{cut}..."


class CitizenSteps:
    """Turns a followed dossier event into the message it asks for."""

    def __init__(
        self, app: OneStop, *, catalogue: Catalogue, calendar: Calendar, overdue_days: int, supplement_days: int
    ) -> None:
        self.app, self.catalogue, self.calendar = app, catalogue, calendar
        self.overdue_days, self.supplement_days = overdue_days, supplement_days

    def message(self, event: DomainEventProtocol[UUID]) -> Step | None:
        """The step's message, or None when this event tells the citizen nothing."""
        dossier: Dossier = self.app.repository.get(event.originator_id, version=event.originator_version)
        base = {"code": dossier.code, "agency": self._agency_name(dossier.agency)}
        step = self._step(event, dossier, base)
        if step is None:
            return None
        template, params, first = step
        now: Dossier = self.app.repository.get(event.originator_id)  # the citizen's latest contact and channels
        recipient = Recipient(phone=now.applicant.phone, email=now.applicant.email)
        return Step(
            template=template, params=params, recipient=recipient, first_channel=first, channels=now.contact_channels
        )

    def _step(
        self, e: DomainEventProtocol[UUID], dossier: Dossier, base: dict[str, str]
    ) -> tuple[str, dict[str, str], str] | None:
        if isinstance(e, Dossier.Received):
            return TEMPLATES["received"], base | {"due_on": day(e.due_on) if e.due_on else "-"}, "sms"
        if isinstance(e, Dossier.Accepted):
            if dossier.channel is not Channel.ONLINE:
                return None
            return TEMPLATES["accepted"], base | {"due_on": day(e.due_on)}, "sms"
        if isinstance(e, Dossier.SupplementRequested):
            by = self.calendar.add_working_days(e.at, self.supplement_days)
            items = shorten("; ".join(e.items), ITEMS_MAX)
            return TEMPLATES["supplement"], base | {"items": items, "by": day(by)}, "sms"
        if isinstance(e, Dossier.Rejected):
            return TEMPLATES["rejected"], base | {"reason": shorten(e.reason, REASON_MAX)}, "sms"
        if isinstance(e, Dossier.ResultIssued):
            procedure = self.catalogue.procedure(dossier.procedure_code)
            if dossier.channel is Channel.KIOSK and procedure.kiosk_return:
                return None  # it goes back through a tray: the tray message tells the citizen
            return TEMPLATES["result_ready"], base, "sms"
        if isinstance(e, Dossier.NotificationRequested):
            if dossier.tray is None:
                return None
            machine: Kiosk = self.app.repository.get(kiosk_id(dossier.tray[0]))
            params = base | {  # the kiosk's agency speaks here, as it did before the other steps were told
                "agency": self._agency_name(machine.agency),
                "tray": str(dossier.tray[1]),
                "kiosk": machine.name,
                "days": str(self.overdue_days),
            }
            return e.template, params, e.channel
        if isinstance(e, Dossier.PickupReminderDue):
            params = base | {"tray": str(e.tray), "kiosk": self._kiosk_name(e.kiosk), "deadline": day(e.deadline)}
            return TEMPLATES["pickup_reminder"], params, "sms"
        if isinstance(e, Dossier.PulledBackFromTray):
            return TEMPLATES["pulled_back"], base | {"place": self._where_now(e)}, "sms"
        raise TypeError(f"{type(e).__name__} is not a step the citizen is told of")

    def _where_now(self, e: Dossier.PulledBackFromTray) -> str:
        """Where a pulled-back result waits: the police of the kiosk's district for an ID card, else that agency's
        one-stop counter (the kiosk team hands it over there)."""
        after: Dossier = self.app.repository.get(e.originator_id, version=e.originator_version + 1)
        machine: Kiosk = self.app.repository.get(kiosk_id(e.kiosk))
        if after.holder is not None and after.holder.role is Role.POLICE_OFFICER:
            district = machine.agency.split(".")
            for agency in self.catalogue.agencies:
                if agency.kind is AgencyKind.POLICE and agency.code.split(".")[: len(district)] == district:
                    return agency.name
            return after.holder.unit
        return f"Bộ phận Một cửa {self._agency_name(machine.agency)}"

    def _agency_name(self, code: str) -> str:
        return self.catalogue.agency(code).name

    def _kiosk_name(self, key: str) -> str:
        kiosk: Kiosk = self.app.repository.get(kiosk_id(key))
        return kiosk.name
