"""Notifications: messages to applicants through a transactional outbox, a policy and a dispatcher.

The policy reads the dossier events the citizen is told of (`citizen_steps.STEP_TOPICS`: received, accepted online,
supplement needed, rejected, result ready, result in a tray — the older `Dossier.NotificationRequested` —, pickup
reminder, pulled back) from the shared log and requests one `Notification` each, with the step's template, in the
channels the citizen chose first (`Dossier.ContactChannelsChosen`), then the others. The id is derived from the
dossier event (code and version), and the policy's position is saved in the same commit: exactly once. SMS go out
under the brandname of the dossier's agency (the catalogue's `sms_brandname`).
The dispatcher sends what is due through the `Notifier` port, records the outcome, retries with backoff and
falls back to the next channel. One dispatcher process at a time: a crash between a send and its commit sends
that message once more (at least once).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from application.base import OneStop, Written
from application.citizen_steps import STEP_TOPICS, CitizenSteps
from application.ports import Calendar, Notifier
from domain.codes import parse_code
from domain.dossier import Dossier
from domain.errors import InvalidValueError
from domain.notification import (
    FALLBACK,
    DeliveryError,
    Notification,
    NotificationStatus,
    PolicyPosition,
    Recipient,
    notification_id,
    policy_position_id,
)
from domain.procedures import Catalogue
from domain.values import Actor, Role

log = logging.getLogger("motcua.notifications")
NOTIFICATION = ("notification", "thông báo")
SYSTEM = Actor(account_id="notification-policy", role=Role.SYSTEM)
TRAY_REQUEST_TOPIC = get_topic(Dossier.NotificationRequested)  # told whenever it is read (it predates the steps)
OPEN_TOPICS = (get_topic(Notification.Requested), get_topic(Notification.Failed))
CLOSED_TOPICS = (get_topic(Notification.Sent), get_topic(Notification.GaveUp))
BATCH = 500


def preference(first: str | list[str]) -> list[str]:
    """The chosen channel(s) first, then the others in fallback order (sms → zalo → email)."""
    chosen = [first] if isinstance(first, str) else list(first)
    return [*chosen, *(channel for channel in FALLBACK if channel not in chosen)]


class Notifications:
    """Requests, sends and tracks messages to applicants (SMS, Zalo, e-mail)."""

    def __init__(
        self,
        app: OneStop,
        *,
        notifier: Notifier,
        catalogue: Catalogue,
        calendar: Calendar,
        overdue_days: int = 5,
        supplement_days: int = 10,
    ) -> None:
        self.app, self.notifier, self.catalogue = app, notifier, catalogue
        self.steps = CitizenSteps(
            app, catalogue=catalogue, calendar=calendar, overdue_days=overdue_days, supplement_days=supplement_days
        )
        self._scanned = 0  # log position up to which the pending index is complete
        self._policy_seen = 0  # log position up to which the policy found nothing more to request
        self._pending: dict[UUID, None] = {}

    # ----- commands ---------------------------------------------------------------------
    def request(
        self,
        *,
        id: UUID,
        channels: list[str],
        template: str,
        dossier_code: str,
        params: Mapping[str, str],
        recipient: Recipient,
        actor: Actor,
        at: datetime,
    ) -> Written | None:
        """Ask for a message; None if this id was requested before (a request is processed once)."""
        notification = Notification.request(
            id=id,
            channels=channels,
            template=template,
            dossier_code=dossier_code,
            params=dict(params),
            recipient=recipient,
            actor=actor,
            at=at,
        )
        try:
            return self.app.commit(notification)
        except IntegrityError:
            return None

    def confirm_delivered(self, id: UUID, channel: str, at: datetime) -> Written:
        """A provider's delivery receipt."""
        return self.app.update(id, NOTIFICATION, str(id), None, lambda n: n.record_delivered(channel=channel, at=at))

    def follow_requests(self, at: datetime) -> int:
        """The policy: turn each new step of a dossier the citizen is told of into one Notification; returns how
        many were requested."""
        head, made = self.app.recorder.max_notification_id() or 0, 0
        tracker = self._policy_position(head, at)
        if tracker is None:
            return 0  # another policy recorded where the steps start meanwhile: the next round follows it
        steps_from = tracker.steps_from or 0
        start = max(tracker.position, self._policy_seen)
        while start < head:
            found = self.app.recorder.select_notifications(start + 1, BATCH, stop=head, topics=STEP_TOPICS)
            last = found[-1].id if len(found) == BATCH else head
            told = [s for s in found if s.id > steps_from or s.topic == TRAY_REQUEST_TOPIC]
            made_now = [self._from_dossier(self.app.mapper.to_domain_event(stored), at) for stored in told]
            requests = [r for r in made_now if r is not None and not self._exists(r.id)]
            if requests:  # the notifications and the position in one commit: exactly once
                tracker.advance(position=last, at=at)
                if self.app.commit_or_evict(tracker, *requests) is None:
                    return made  # another policy run won: the next round starts from its position
                made += len(requests)
            start = self._policy_seen = last  # without requests, only skip ahead in memory
        return made

    def dispatch_due(self, now: datetime) -> int:
        """Send every notification whose next attempt is due; returns how many attempts were made."""
        self._scan_pending()
        attempts = 0
        for nid in list(self._pending):
            attempts += self._dispatch(nid, now)
        return attempts

    # ----- queries ----------------------------------------------------------------------
    def get_status(self, id: UUID) -> tuple[NotificationStatus, str | None, int]:
        """Status, the channel in use (or that sent it) and its attempt count."""
        n = self.app.load(id, NOTIFICATION, str(id), fresh=True)
        return n.status, n.sent_channel or n.channel, n.attempt

    def list_pending(self) -> list[UUID]:
        """The notifications not yet sent nor given up."""
        self._scan_pending()
        return list(self._pending)

    # ----- helpers ----------------------------------------------------------------------
    def _dispatch(self, nid: UUID, now: datetime) -> int:
        """Attempts on one notification: a refused channel falls back to the next one in the same round."""
        attempts = 0
        notification = self.app.load(nid, NOTIFICATION, str(nid))
        while notification.is_due(now):
            self._attempt(notification, now)
            attempts += 1
            if self.app.commit_or_evict(notification) is None:
                break  # another dispatcher got there first; the next round sees its outcome
        if notification.status is not NotificationStatus.PENDING:
            self._pending.pop(nid, None)
        return attempts

    def _attempt(self, notification: Notification, now: datetime) -> None:
        channel, attempt = notification.channel, notification.attempt + 1
        address = notification.recipient.address(channel) if channel is not None else None
        if channel is None or address is None:  # `request` keeps only channels with an address; a due one has one left
            raise RuntimeError(f"notification {notification.id} is due but has no channel left to try")
        try:
            provider_id = self.notifier.send(
                channel,
                address,
                notification.template,
                notification.template_version,
                notification.params,
                sender=self._sender(notification.dossier_code),
            )
        except DeliveryError as error:
            notification.record_failure(kind=error.kind, at=now)
            log.warning(
                "notification %s: %s attempt %d failed (%s)", notification.id, channel, attempt, error.kind.value
            )
        else:
            notification.record_sent(provider_id=provider_id, at=now)
            log.info("notification %s sent by %s (attempt %d)", notification.id, channel, attempt)

    def _scan_pending(self) -> None:
        head = self.app.recorder.max_notification_id() or 0
        while self._scanned < head:
            found = self.app.recorder.select_notifications(
                self._scanned + 1, BATCH, stop=head, topics=OPEN_TOPICS + CLOSED_TOPICS
            )
            for stored in found:
                if stored.topic in CLOSED_TOPICS:
                    self._pending.pop(_uuid(stored.originator_id), None)
                else:
                    self._pending[_uuid(stored.originator_id)] = None
            self._scanned = found[-1].id if len(found) == BATCH else head

    def _from_dossier(self, event: DomainEventProtocol[UUID], at: datetime) -> Notification | None:
        step = self.steps.message(event)
        if step is None:
            return None
        code = step.params["code"]
        return Notification.request(
            id=notification_id(code, event.originator_version),
            channels=preference(step.channels or step.first_channel),
            template=step.template,
            dossier_code=code,
            params=step.params,
            recipient=step.recipient,
            actor=SYSTEM,
            at=at,
        )

    def _sender(self, dossier_code: str) -> str | None:
        """The SMS brandname of the dossier's agency (None: the gateway's default sender)."""
        try:
            return self.catalogue.sms_brandname(parse_code(dossier_code)[0])
        except InvalidValueError:
            return None

    def _exists(self, nid: UUID) -> bool:
        return next(iter(self.app.events.get(nid, limit=1)), None) is not None

    def _policy_position(self, head: int, at: datetime) -> PolicyPosition | None:
        """The saved position; a stream saved before the step messages first records that they start after the
        log's head (the older steps are not told days late; tray requests still are). None if another policy
        recorded that first."""
        self.app.evict(policy_position_id())  # another process may have moved it
        try:
            tracker: PolicyPosition = self.app.repository.get(policy_position_id())
        except AggregateNotFoundError:  # the policy never ran: every step from the start of the log
            return PolicyPosition.start(at)
        if tracker.steps_from is None:
            tracker.follow_steps(position=head, at=at)
            if self.app.commit_or_evict(tracker) is None:
                return None
        return tracker


def _uuid(originator_id: UUID | str) -> UUID:
    """A stored event's originator id as a UUID (recorders may hand back its text)."""
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
