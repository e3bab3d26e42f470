"""Notification aggregate (thông báo): one message to an applicant, tried channel by channel until sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.copying import FlatCopy
from domain.errors import ActionNotAllowedError, InvalidValueError
from domain.timing import TimedEvent
from domain.values import Actor, PersonalData

FALLBACK = ("sms", "zalo", "email")
"""Every channel, in the order a failing one falls back to the next."""
MAX_ATTEMPTS = 5
"""Attempts per channel before falling back to the next one."""
BACKOFF = timedelta(minutes=1)
"""Wait after the first failure of a channel; it doubles after each further failure (1, 2, 4, 8 minutes)."""


class ErrorKind(StrEnum):
    """Why an attempt failed: transient errors are retried, the others move to the next channel at once."""

    TRANSIENT = "transient"
    REJECTED = "rejected"
    NO_ADDRESS = "no_address"


class NotificationStatus(StrEnum):
    """Pending until a provider accepted the message (sent) or every channel failed (gave up)."""

    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    GAVE_UP = "gave_up"


class DeliveryError(Exception):
    """A channel could not take the message; `kind` decides between retrying and falling back."""

    def __init__(self, kind: ErrorKind, detail: str) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind, self.detail = ErrorKind(kind), detail


class Recipient(PersonalData, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the applicant can be reached (personal data)."""

    phone: str | None = None
    email: str | None = None

    def address(self, channel: str) -> str | None:
        """The address this channel needs: the phone for SMS and Zalo, the e-mail address for e-mail."""
        return self.email if channel == "email" else self.phone


def notification_id(dossier_code: str, event_version: int) -> UUID:
    """The id of the notification asked for by version `event_version` of a dossier: one request, one notification."""
    return uuid5(NAMESPACE_URL, f"/notifications/{dossier_code}/{event_version}")


def split_template(template: str) -> tuple[str, int]:
    """'pickup_ready.v1' -> ('pickup_ready', 1)."""
    name, _, version = template.rpartition(".v")
    if not name or not version.isdigit():
        raise InvalidValueError("template", "must look like pickup_ready.v1", "mẫu tin phải có dạng pickup_ready.v1")
    return name, int(version)


def backoff(attempt: int) -> timedelta:
    """The wait after the `attempt`-th failure of a channel."""
    return BACKOFF * 2 ** (attempt - 1)


class Notification(FlatCopy, Aggregate):
    """A message to an applicant about a dossier: channels in order of preference, attempts, outcome."""

    class Event(TimedEvent):
        """Every notification event: when (the dispatcher's time)."""

    class Requested(Aggregate.Created, Event):
        """A message is due (the policy turned a dossier's request into this)."""

        channels: list[str]
        template: str
        template_version: int
        dossier_code: str
        params: dict[str, str]
        recipient: Recipient
        actor: Actor

    class Sent(Event):
        """A provider accepted the message."""

        channel: str
        attempt: int
        provider_id: str

    class Failed(Event):
        """An attempt failed; `next_attempt_at` is when the same or the next channel is tried."""

        channel: str
        attempt: int
        error_kind: ErrorKind
        next_attempt_at: datetime

    class Delivered(Event):
        """The provider reported the message delivered to the handset or mailbox."""

        channel: str

    class GaveUp(Event):
        """Every channel failed; a person must contact the applicant."""

    @classmethod
    def request(
        cls,
        *,
        id: UUID,
        channels: list[str],
        template: str,
        dossier_code: str,
        params: dict[str, str],
        recipient: Recipient,
        actor: Actor,
        at: datetime,
    ) -> Notification:
        """Ask for a message on the first of `channels` the recipient has an address for."""
        name, version = split_template(template)
        usable = [c for c in dict.fromkeys(channels) if c in FALLBACK and recipient.address(c)]
        notification = cls._create(
            cls.Requested,
            id=id,
            channels=usable,
            template=name,
            template_version=version,
            dossier_code=dossier_code,
            params=params,
            recipient=recipient,
            actor=actor,
            at=at,
        )
        if not usable:
            notification._gave_up(at=at)
        return notification

    @property
    def channel(self) -> str | None:
        """The channel to try next, None when none is left."""
        return self.channels[self.channel_index] if self.channel_index < len(self.channels) else None

    def is_due(self, now: datetime) -> bool:
        """Pending and its next attempt time has come."""
        return self.status is NotificationStatus.PENDING and self.next_attempt_at <= now

    def record_sent(self, *, provider_id: str, at: datetime) -> None:
        """The current channel's provider took the message."""
        channel = self._pending_channel("record_sent")
        self._sent(channel=channel, attempt=self.attempt + 1, provider_id=provider_id, at=at)

    def record_failure(self, *, kind: ErrorKind, at: datetime) -> None:
        """The current channel failed: retry later, fall back to the next channel, or give up."""
        channel = self._pending_channel("record_failure")
        attempt, kind = self.attempt + 1, ErrorKind(kind)
        retry = kind is ErrorKind.TRANSIENT and attempt < MAX_ATTEMPTS
        self._failed(
            channel=channel,
            attempt=attempt,
            error_kind=kind,
            next_attempt_at=at + backoff(attempt) if retry else at,
            at=at,
        )
        if self.channel is None:
            self._gave_up(at=at)

    def record_delivered(self, *, channel: str, at: datetime) -> None:
        """The provider's delivery receipt arrived."""
        if self.status is not NotificationStatus.SENT or channel != self.sent_channel:
            raise ActionNotAllowedError("record_delivered", self.status.value, [])
        self._delivered(channel=channel, at=at)

    def _pending_channel(self, action: str) -> str:
        """The channel being tried; refused unless pending (a pending notification always has one left)."""
        channel = self.channel
        if self.status is not NotificationStatus.PENDING or channel is None:
            raise ActionNotAllowedError(action, self.status.value, [])
        return channel

    def __init__(
        self,
        *,
        channels: list[str],
        template: str,
        template_version: int,
        dossier_code: str,
        params: dict[str, str],
        recipient: Recipient,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.channels, self.template, self.template_version = list(channels), template, template_version
        self.dossier_code, self.params, self.recipient = dossier_code, dict(params), recipient
        self.status, self.channel_index, self.attempt, self.next_attempt_at = NotificationStatus.PENDING, 0, 0, at
        self.sent_channel: str | None = None
        self.requested_at = at

    @event(Sent)
    def _sent(self, channel: str, attempt: int, provider_id: str, at: datetime) -> None:
        self.status, self.sent_channel, self.attempt, self.provider_id = (
            NotificationStatus.SENT,
            channel,
            attempt,
            provider_id,
        )

    @event(Failed)
    def _failed(
        self, channel: str, attempt: int, error_kind: ErrorKind, next_attempt_at: datetime, at: datetime
    ) -> None:
        self.next_attempt_at = next_attempt_at
        if error_kind is ErrorKind.TRANSIENT and attempt < MAX_ATTEMPTS:
            self.attempt = attempt
        else:
            self.channel_index, self.attempt = self.channel_index + 1, 0

    @event(Delivered)
    def _delivered(self, channel: str, at: datetime) -> None:
        self.status = NotificationStatus.DELIVERED

    @event(GaveUp)
    def _gave_up(self, at: datetime) -> None:
        self.status = NotificationStatus.GAVE_UP


def policy_position_id() -> UUID:
    """The one stream that remembers how far the notification policy has read the log."""
    return uuid5(NAMESPACE_URL, "/policies/notifications")


class PolicyPosition(FlatCopy, Aggregate):
    """How far the policy that turns dossiers' requests into Notifications has read the shared log."""

    class Started(Aggregate.Created):
        """The policy ran for the first time."""

    class Advanced(Aggregate.Event):
        """Requests up to this log position were turned into Notifications (saved in the same commit)."""

        position: int
        at: datetime

    class StepsFollowed(Aggregate.Event):
        """From after this log position on, every step of a dossier is told to the citizen; the steps before it
        happened before the step messages existed (only the tray requests were sent then), and stay untold."""

        position: int
        at: datetime

    @classmethod
    def start(cls, at: datetime) -> PolicyPosition:
        """A policy that has read nothing yet, and tells every step from the start of the log."""
        position = cls._create(cls.Started, id=policy_position_id())
        position.follow_steps(position=0, at=at)
        return position

    def follow_steps(self, *, position: int, at: datetime) -> None:
        """Tell every dossier step after `position` (once: a policy that already follows them keeps its start)."""
        if self.steps_from is None:
            self._steps_followed(position=position, at=at)

    def advance(self, *, position: int, at: datetime) -> None:
        """Record the position the notifications committed alongside cover."""
        if position > self.position:
            self._advanced(position=position, at=at)

    def __init__(self) -> None:
        self.position = 0
        self.steps_from: int | None = None  # None: a position stream of the time before the step messages

    @event(Advanced)
    def _advanced(self, position: int, at: datetime) -> None:
        self.position = position

    @event(StepsFollowed)
    def _steps_followed(self, position: int, at: datetime) -> None:
        self.steps_from = position
