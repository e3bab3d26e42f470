"""Dossier aggregate (hồ sơ): the whole lifecycle of one application as immutable events."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.clock import aware_utc as _aware  # the one aware-time check, kept under its old name here
from domain.codes import dossier_id, parse_code
from domain.copying import FlatCopy
from domain.errors import ActionNotAllowedError, InvalidValueError, PaymentOutstandingError
from domain.handovers import HandoverConfirmedError, NotTheReceiverError
from domain.limits import check_count, check_text
from domain.timing import ActedEvent, MonotonicTime
from domain.values import (
    Actor,
    Applicant,
    Channel,
    Component,
    DeliveryChannel,
    FaceCheck,
    FaceTemplate,
    Party,
    PaymentMethod,
    Rating,
    check_amount,
    check_components,
    check_intake,
)

CONTACT_CHANNELS = ("sms", "zalo", "email")
"""The channels a citizen may choose to be told on (the notification fallback order is the same)."""


class ContactOutcome(StrEnum):
    """What came of calling a citizen whose result is overdue in a tray (liên hệ công dân)."""

    WILL_COME = "will_come"
    ASKED_COUNTER = "asked_counter"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"


class RefundMethod(StrEnum):
    """How money is handed back (hình thức hoàn trả)."""

    CASH = "cash"  # tiền mặt tại quầy
    BANK_TRANSFER = "bank_transfer"  # chuyển khoản


class RefundReason(StrEnum):
    """Why money is handed back: an overpayment, or the fee of a dossier that will not be resolved."""

    EXCESS = "excess"  # tiền nộp thừa
    REJECTED = "rejected"  # hồ sơ bị từ chối: hoàn lệ phí
    WITHDRAWN = "withdrawn"  # hồ sơ đã rút: hoàn lệ phí


class Status(StrEnum):
    """Where a dossier stands in its lifecycle."""

    REGISTERED = "registered"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    IN_PROCESSING = "in_processing"
    RESULT_ISSUED = "result_issued"
    IN_TRAY = "in_tray"
    DELIVERED = "delivered"
    RATED = "rated"
    REJECTED = "rejected"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWN = "withdrawn"
    # [14] the police ID-card return path: the holder registered, the card has not reached the office yet
    RETURN_REGISTERED = "return_registered"


S = Status
_OPEN = {S.REGISTERED, S.RECEIVED, S.ACCEPTED, S.SUPPLEMENT_REQUESTED, S.IN_PROCESSING}
_PAPER = {S.RECEIVED, S.ACCEPTED, S.SUPPLEMENT_REQUESTED, S.IN_PROCESSING, S.WITHDRAWAL_REQUESTED, S.RESULT_ISSUED}

ALLOWED: dict[str, frozenset[Status]] = {
    "accept": frozenset({S.REGISTERED, S.RECEIVED}),
    "reject": frozenset(_OPEN),
    "request_supplement": frozenset({S.REGISTERED, S.RECEIVED, S.ACCEPTED, S.IN_PROCESSING}),
    "provide_supplement": frozenset({S.SUPPLEMENT_REQUESTED}),
    "request_withdrawal": frozenset(_OPEN),
    "withdraw": frozenset({S.WITHDRAWAL_REQUESTED}),
    "assess_fee": frozenset(_OPEN | {S.RESULT_ISSUED, S.IN_TRAY}),
    "record_payment": frozenset(_OPEN | {S.RESULT_ISSUED, S.IN_TRAY, S.WITHDRAWAL_REQUESTED}),
    "route": frozenset({S.ACCEPTED, S.IN_PROCESSING}),
    "hand_over": frozenset(_PAPER | {S.REJECTED}),  # a rejected dossier's originals go back hand to hand
    "issue_result": frozenset({S.IN_PROCESSING}),
    "load_into_tray": frozenset({S.RESULT_ISSUED}),
    "pull_back": frozenset({S.IN_TRAY}),
    "deliver_result": frozenset({S.RESULT_ISSUED, S.IN_TRAY}),
    "rate": frozenset({S.DELIVERED}),
    # [14] kiosk flows: the police hand over the card; a face template enrolled at the counter; a portal code
    "record_card": frozenset({S.RETURN_REGISTERED}),
    "enrol_face": frozenset({S.RECEIVED, S.ACCEPTED, S.SUPPLEMENT_REQUESTED, S.IN_PROCESSING, S.RESULT_ISSUED}),
    "link_portal": frozenset({S.REGISTERED}),
}
"""Action -> the states in which it is allowed. Checked by the commands only, never on replay."""
_REFUNDABLE = frozenset({S.RESULT_ISSUED, S.DELIVERED, S.RATED, S.WITHDRAWN, S.REJECTED})
"""Where an excess may be refunded at the counter: the result is out of every tray, or the dossier has ended."""


def allowed_actions(status: Status) -> list[str]:
    """The actions allowed in a state, sorted."""
    return sorted(action for action, states in ALLOWED.items() if status in states)


class Dossier(MonotonicTime, FlatCopy, Aggregate):
    """One application for one procedure, from receipt to delivery and rating."""

    class Event(ActedEvent):
        """Every dossier event: who acted, and when; the dossier keeps both."""

        def apply(self, aggregate: Any) -> None:
            aggregate.last_actor = self.actor
            super().apply(aggregate)

    class Registered(Aggregate.Created, Event):
        """Registered online on the portal ("Mới đăng ký")."""

        code: str
        procedure_code: str
        channel: Channel
        applicant: Applicant
        components: list[Component]
        due_on: date | None

    class Received(Aggregate.Created, Event):
        """Paper received at the kiosk, the counter or by post (tiếp nhận); the kiosk adds its face check."""

        code: str
        procedure_code: str
        channel: Channel
        applicant: Applicant
        components: list[Component]
        due_on: date | None
        face: FaceCheck | None

    class Accepted(Event):
        """Checked and accepted for processing; fixes the appointment date."""

        due_on: date

    class Rejected(Event):
        """Refused, with the reason given to the applicant."""

        reason: str

    class SupplementRequested(Event):
        """The applicant is asked to add or correct components (yêu cầu bổ sung)."""

        items: list[str]
        reason: str

    class SupplementProvided(Event):
        """The requested components arrived; the appointment date restarts."""

        components: list[Component]
        due_on: date

    class WithdrawalRequested(Event):
        """The applicant asked to withdraw the dossier."""

        reason: str

    class Withdrawn(Event):
        """The withdrawal was carried out by an officer."""

    class FeeAssessed(Event):
        """The fee owed for the dossier, in đồng."""

        amount: int

    class PaymentReceived(Event):
        """A payment, with the running shortfall and excess after it."""

        method: PaymentMethod
        amount: int
        reference: str | None
        shortfall: int
        excess: int

    class Routed(Event):
        """Sent to a department for processing."""

        department: str

    class HandedOver(Event):
        """Paper passed from hand to hand: one line of the handover book (sổ giao nhận)."""

        item: str
        giver: Party
        receiver: Party

    class HandoverConfirmed(Event):
        """The receiver of handover line `line` (1-based, in the dossier's order) confirmed with their own login."""

        line: int

    class ResultIssued(Event):
        """The result (decision, certificate, card) is ready."""

        summary: str
        document_number: str | None

    class LoadedIntoTray(Event):
        """The result was put in a kiosk tray for pickup."""

        kiosk: str
        tray: int

    class NotificationRequested(Event):
        """A message to the applicant is due (transactional outbox; the dispatcher looks up the contact)."""

        channel: str
        template: str
        text: str

    class PulledBackFromTray(Event):
        """An overdue result was taken out of its tray."""

        kiosk: str
        tray: int

    class ResultDelivered(Event):
        """The result reached the applicant."""

        channel: DeliveryChannel
        receiver_name: str | None

    class ExcessRefunded(Event):
        """Money paid beyond the fee was handed back to the applicant at the counter (hoàn trả tiền nộp thừa)."""

        amount: int

    class Refunded(Event):
        """Money handed back (hoàn trả) in cash at the counter or by bank transfer: the excess, or everything paid
        when the dossier was rejected or withdrawn (then no fee is owed any more)."""

        amount: int
        method: RefundMethod
        reason: RefundReason
        bank_reference: str | None

    class ContactChannelsChosen(Event):
        """The channels the applicant wants to be told on, first choice first (at receipt, or changed by an officer
        later); the notifications of later steps try them in this order, then the others."""

        channels: list[str]

    class PickupReminderDue(Event):
        """The result has waited in its tray until one working day before `deadline`, the last day to collect it
        before it may be pulled back; the applicant is reminded (recorded once per loading by the scheduler)."""

        kiosk: str
        tray: int
        deadline: date

    class ContactRecorded(Event):
        """Staff called the applicant about an overdue result; only the outcome is kept (no number, no words)."""

        outcome: ContactOutcome

    class Rated(Event):
        """The applicant's satisfaction rating (Circular 01/2018/TT-VPCP)."""

        rating: Rating

    # ----- [14] kiosk flows: ID-card return, counter face template, online corner ----------------
    class ReturnRegistered(Aggregate.Created, Event):
        """The holder of an ID card being issued by the police registered at the kiosk to collect it there
        (đăng ký nhận thẻ Căn cước qua kiosk, seed 000 §2.2); no paper is received."""

        code: str
        procedure_code: str
        channel: Channel
        applicant: Applicant
        components: list[Component]
        due_on: date | None
        kiosk: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = Status.RETURN_REGISTERED
            super().apply(aggregate)

    class CardRecorded(Event):
        """The police handed over the card for kiosk return, under the police's own dossier code (kept verbatim)."""

        police_code: str

    class FaceEnrolled(Event):
        """The counter officer enrolled the applicant's face template (personal data, sealed at rest)."""

        template: FaceTemplate

    class PortalSubmitted(Event):
        """Submitted on the national portal from the kiosk's online corner; the portal's own dossier code."""

        portal_code: str
        kiosk: str

    # ----- a rejected dossier given back at the kiosk (seed 000 §2; issue [14]) -------------------
    class ReturnLoadedIntoTray(Event):
        """The original documents of a rejected dossier and its rejection notice were put in a kiosk tray, to be
        given back to the applicant (trả lại hồ sơ bị từ chối); the status stays rejected."""

        kiosk: str
        tray: int

    class RejectedReturned(Event):
        """The applicant took back the rejected dossier and its notice; the status stays rejected."""

        channel: DeliveryChannel
        receiver_name: str | None

    def __init__(
        self,
        *,
        code: str,
        procedure_code: str,
        channel: Channel,
        applicant: Applicant,
        components: list[Component],
        due_on: date | None,
        actor: Actor,
        at: datetime,
        face: FaceCheck | None = None,
    ) -> None:
        self.code, self.procedure_code, self.channel = code, procedure_code, channel
        self.agency = parse_code(code)[0]
        self.applicant, self.components, self.due_on = applicant, list(components), due_on
        self.status = Status.REGISTERED if channel is Channel.ONLINE else Status.RECEIVED
        self.received_at, self.face = at, face
        self.fee = self.paid = 0
        self.department: str | None = None
        self.holder: Party | None = None
        self.result: str | None = None
        self.rating: Rating | None = None
        self.reason: str | None = None
        self.supplement_items: list[str] = []
        self.resume_status: Status | None = None
        self.delivered_at: datetime | None = None
        self.returned_at: datetime | None = None  # a rejected dossier given back at the kiosk
        self.tray: tuple[str, int] | None = None
        self.notified_at: datetime | None = None
        self.reminded = False  # a pickup reminder was recorded for the result now in a tray
        self.contact_channels: list[str] = []
        self.handovers: list[str] = []  # receiver account of each handover line; confirmed lines in `confirmed`
        self.confirmed: set[int] = set()
        self.police_code: str | None = None  # [14] the police's dossier code of an ID card returned at the kiosk
        self.face_template: FaceTemplate | None = None  # [14] enrolled at the counter, for a kiosk pickup
        self.portal_code: str | None = None  # [14] the national portal's code of a dossier sent from the kiosk

    @classmethod
    def register_online(
        cls,
        *,
        code: str,
        procedure_code: str,
        applicant: Applicant,
        components: list[Component],
        actor: Actor,
        at: datetime,
    ) -> Dossier:
        """A dossier registered on the portal, waiting for an officer."""
        check_intake(applicant, components)
        return cls._create(
            cls.Registered,
            id=dossier_id(code),
            code=code,
            procedure_code=procedure_code,
            channel=Channel.ONLINE,
            applicant=applicant,
            components=components,
            due_on=None,
            actor=actor,
            at=_aware(at),
        )

    @classmethod
    def receive(
        cls,
        *,
        code: str,
        procedure_code: str,
        channel: Channel,
        applicant: Applicant,
        components: list[Component],
        due_on: date,
        actor: Actor,
        at: datetime,
        face: FaceCheck | None = None,
    ) -> Dossier:
        """A paper dossier received at the kiosk, the counter or by post."""
        if channel is Channel.ONLINE:
            raise InvalidValueError(
                "channel",
                "online dossiers are registered, not received",
                "hồ sơ trực tuyến được đăng ký, không tiếp nhận giấy",
            )
        check_intake(applicant, components)
        return cls._create(
            cls.Received,
            id=dossier_id(code),
            code=code,
            procedure_code=procedure_code,
            channel=channel,
            applicant=applicant,
            components=components,
            due_on=due_on,
            face=face,
            actor=actor,
            at=_aware(at),
        )

    # ----- derived state -------------------------------------------------------------
    @property
    def shortfall(self) -> int:
        """Đồng still owed."""
        return max(self.fee - self.paid, 0)

    @property
    def excess(self) -> int:
        """Đồng paid beyond the fee (not returned at the kiosk)."""
        return max(self.paid - self.fee, 0)

    def allowed_actions(self) -> list[str]:
        """What may be done next."""
        return allowed_actions(self.status)

    def _require(self, action: str) -> None:
        if self.status not in ALLOWED[action]:
            raise ActionNotAllowedError(action, self.status.value, self.allowed_actions())

    # ----- commands: check, then record ------------------------------------------------
    def accept(self, *, due_on: date, actor: Actor, at: datetime) -> None:
        """Accept for processing."""
        self._require("accept")
        self._accepted(due_on=due_on, actor=actor, at=_aware(at))

    def reject(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """Refuse the dossier with a reason."""
        self._require("reject")
        self._rejected(reason=_text("reason", reason), actor=actor, at=_aware(at))

    def request_supplement(self, *, items: list[str], reason: str, actor: Actor, at: datetime) -> None:
        """Ask the applicant for more or corrected components."""
        self._require("request_supplement")
        if not items or not all(item.strip() for item in items):
            raise InvalidValueError(
                "items", "list at least one component to supplement", "cần nêu ít nhất một thành phần cần bổ sung"
            )
        check_count("items", items)
        self._supplement_requested(
            items=[check_text("items", item) for item in items],
            reason=_text("reason", reason),
            actor=actor,
            at=_aware(at),
        )

    def provide_supplement(self, *, components: list[Component], due_on: date, actor: Actor, at: datetime) -> None:
        """Record the supplemented components; the processing time restarts."""
        self._require("provide_supplement")
        if not components:
            raise InvalidValueError("components", "list the components provided", "cần nêu thành phần đã bổ sung")
        check_components(components)
        self._supplement_provided(components=list(components), due_on=due_on, actor=actor, at=_aware(at))

    def request_withdrawal(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """The applicant asks to withdraw."""
        self._require("request_withdrawal")
        self._withdrawal_requested(reason=_text("reason", reason), actor=actor, at=_aware(at))

    def withdraw(self, *, actor: Actor, at: datetime) -> None:
        """An officer carries out the requested withdrawal."""
        self._require("withdraw")
        self._withdrawn(actor=actor, at=_aware(at))

    def assess_fee(self, *, amount: int, actor: Actor, at: datetime) -> None:
        """Set the fee owed (0 for free procedures)."""
        self._require("assess_fee")
        self._fee_assessed(amount=check_amount("amount", amount, minimum=0), actor=actor, at=_aware(at))

    def record_payment(
        self, *, method: PaymentMethod, amount: int, reference: str | None, actor: Actor, at: datetime
    ) -> None:
        """Record money received, with the running shortfall and excess."""
        self._require("record_payment")
        paid = self.paid + check_amount("amount", amount)
        self._payment_received(
            method=PaymentMethod(method),
            amount=amount,
            reference=reference,
            shortfall=max(self.fee - paid, 0),
            excess=max(paid - self.fee, 0),
            actor=actor,
            at=_aware(at),
        )

    def route(self, *, department: str, actor: Actor, at: datetime) -> None:
        """Send to a department."""
        self._require("route")
        self._routed(department=_text("department", department), actor=actor, at=_aware(at))

    def hand_over(self, *, item: str, giver: Party, receiver: Party, actor: Actor, at: datetime) -> None:
        """Record a hand-to-hand transfer of paper."""
        self._require("hand_over")
        _check_parties(giver, receiver)
        self._handed_over(item=_text("item", item), giver=giver, receiver=receiver, actor=actor, at=_aware(at))

    def confirm_handover(self, *, line: int, actor: Actor, at: datetime) -> None:
        """The receiver confirms they hold what handover line `line` gave them; in any state, once."""
        if not 1 <= line <= len(self.handovers):
            raise InvalidValueError("line", f"no handover line {line}", f"không có lượt giao nhận số {line}")
        if self.handovers[line - 1] != actor.account_id:
            raise NotTheReceiverError(self.code, line)
        if line in self.confirmed:
            raise HandoverConfirmedError(line)
        self._handover_confirmed(line=line, actor=actor, at=_aware(at))

    def unconfirmed_for(self, account_id: str) -> list[int]:
        """The handover lines naming this account as receiver that it has not confirmed yet."""
        return [n for n, receiver in enumerate(self.handovers, 1) if receiver == account_id and n not in self.confirmed]

    def issue_result(self, *, summary: str, document_number: str | None, actor: Actor, at: datetime) -> None:
        """The result is ready."""
        self._require("issue_result")
        self._result_issued(
            summary=_text("summary", summary), document_number=document_number, actor=actor, at=_aware(at)
        )

    def load_into_tray(self, *, kiosk: str, tray: int, notification: str, actor: Actor, at: datetime) -> None:
        """Put the result in a kiosk tray and ask for the pickup SMS."""
        self._require("load_into_tray")
        self._loaded_into_tray(kiosk=kiosk, tray=tray, actor=actor, at=_aware(at))
        self._notification_requested(
            channel="sms", template="pickup_ready.v2", text=_text("notification", notification), actor=actor, at=at
        )

    def pull_back(self, *, giver: Party, receiver: Party, actor: Actor, at: datetime) -> None:
        """Take an overdue result (or a rejected dossier waiting to be given back) out of its tray and hand it to the
        one-stop officer or the police."""
        if not self.returning_rejected:
            self._require("pull_back")
        _check_parties(giver, receiver)
        assert self.tray is not None
        kiosk, tray = self.tray
        self._pulled_back_from_tray(kiosk=kiosk, tray=tray, actor=actor, at=_aware(at))
        self.hand_over(
            item=f"Kết quả thu hồi từ khay {tray} kiosk {kiosk}", giver=giver, receiver=receiver, actor=actor, at=at
        )

    def deliver_result(
        self, *, channel: DeliveryChannel, receiver_name: str | None, actor: Actor, at: datetime
    ) -> None:
        """Hand the result to the applicant; any shortfall must be paid first."""
        self._require("deliver_result")
        if (self.status is Status.IN_TRAY) != (channel == DeliveryChannel.KIOSK):
            raise InvalidValueError(
                "channel",
                "a result in a tray is delivered by the kiosk, and only then",
                "kết quả trong khay chỉ được trả qua kiosk",
            )
        if self.shortfall:
            raise PaymentOutstandingError(self.shortfall)
        self._result_delivered(
            channel=DeliveryChannel(channel), receiver_name=receiver_name, actor=actor, at=_aware(at)
        )

    # ----- a rejected dossier given back at the kiosk ------------------------------------------
    @property
    def returning_rejected(self) -> bool:
        """A rejected dossier waiting in a kiosk tray for its applicant."""
        return self.status is Status.REJECTED and self.tray is not None

    def load_for_return(self, *, kiosk: str, tray: int, notification: str, actor: Actor, at: datetime) -> None:
        """Put a rejected dossier's originals and its notice in a kiosk tray and ask for the SMS telling the
        applicant to take them back; refused unless rejected and not already in a tray or given back."""
        if self.status is not Status.REJECTED or self.tray is not None or self.returned_at is not None:
            raise ActionNotAllowedError("load_for_return", self.status.value, self.allowed_actions())
        self._return_loaded_into_tray(kiosk=kiosk, tray=tray, actor=actor, at=_aware(at))
        self._notification_requested(
            channel="sms", template="rejected_return.v1", text=_text("notification", notification), actor=actor, at=at
        )

    def return_rejected(self, *, receiver_name: str | None, actor: Actor, at: datetime) -> None:
        """The applicant takes the rejected dossier out of its tray (nothing is owed for a dossier not resolved)."""
        if not self.returning_rejected:
            raise ActionNotAllowedError("return_rejected", self.status.value, self.allowed_actions())
        self._rejected_returned(channel=DeliveryChannel.KIOSK, receiver_name=receiver_name, actor=actor, at=_aware(at))

    def refund_excess(self, *, actor: Actor, at: datetime) -> int:
        """Hand back all money paid beyond the fee, at the counter; refused when nothing is owed back."""
        if self.status not in _REFUNDABLE:
            raise ActionNotAllowedError("refund_excess", self.status.value, self.allowed_actions())
        if not self.excess:
            raise InvalidValueError(
                "amount", "nothing was paid beyond the fee", "hồ sơ không có tiền nộp thừa để hoàn trả"
            )
        amount = self.excess
        self._excess_refunded(amount=amount, actor=actor, at=_aware(at))
        return amount

    def refund(self, *, method: RefundMethod, bank_reference: str | None, actor: Actor, at: datetime) -> int:
        """Hand back the excess, or all that was paid for a rejected or withdrawn dossier; a bank transfer names its
        reference. Refused when nothing is owed back."""
        if self.status not in _REFUNDABLE:
            raise ActionNotAllowedError("refund", self.status.value, self.allowed_actions())
        method = RefundMethod(method)
        if (method is RefundMethod.BANK_TRANSFER) != bool(bank_reference and bank_reference.strip()):
            raise InvalidValueError(
                "bank_reference",
                "a bank transfer refund names its reference, a cash one none",
                "hoàn trả bằng chuyển khoản phải ghi số tham chiếu giao dịch; tiền mặt thì không",
            )
        ended = {Status.REJECTED: RefundReason.REJECTED, Status.WITHDRAWN: RefundReason.WITHDRAWN}.get(self.status)
        amount = self.paid if ended else self.excess
        if not amount:
            raise InvalidValueError("amount", "nothing is owed back", "hồ sơ không có khoản tiền nào cần hoàn trả")
        reference = check_text("bank_reference", bank_reference.strip()) if bank_reference else None
        self._refunded(
            amount=amount,
            method=method,
            reason=ended or RefundReason.EXCESS,
            bank_reference=reference,
            actor=actor,
            at=_aware(at),
        )
        return amount

    def choose_channels(self, *, channels: list[str], actor: Actor, at: datetime) -> None:
        """Record the channels the applicant wants to be told on, first choice first (SMS, Zalo, e-mail)."""
        chosen = list(dict.fromkeys(channels))
        if not chosen or any(channel not in CONTACT_CHANNELS for channel in chosen):
            raise InvalidValueError(
                "channels",
                f"choose one or more of {', '.join(CONTACT_CHANNELS)}",
                "chọn một hoặc nhiều kênh nhận thông báo: sms, zalo, email",
            )
        # the first choice must reach the applicant; a later one without an address is skipped when sending
        if chosen[0] == "email" and not self.applicant.email:
            raise InvalidValueError(
                "channels",
                "e-mail was chosen first but the applicant gave no address",
                "công dân chưa có địa chỉ email",
            )
        if chosen[0] != "email" and not self.applicant.phone:
            raise InvalidValueError(
                "channels",
                "SMS or Zalo was chosen first but the applicant gave no phone",
                "công dân chưa có số điện thoại",
            )
        self._contact_channels_chosen(channels=chosen, actor=actor, at=_aware(at))

    def remind_pickup(self, *, deadline: date, actor: Actor, at: datetime) -> bool:
        """Record that the applicant is to be reminded of the result in the tray; False (nothing recorded) when it is
        not in a tray or was already reminded since it was loaded."""
        if self.status is not Status.IN_TRAY or self.tray is None or self.reminded:
            return False
        kiosk, tray = self.tray
        self._pickup_reminder_due(kiosk=kiosk, tray=tray, deadline=deadline, actor=actor, at=_aware(at))
        return True

    def record_contact(self, *, outcome: ContactOutcome, actor: Actor, at: datetime) -> None:
        """Record the outcome of a call about an overdue result (in a tray, or pulled back from one)."""
        if self.status not in (Status.IN_TRAY, Status.RESULT_ISSUED):
            raise ActionNotAllowedError("record_contact", self.status.value, self.allowed_actions())
        self._contact_recorded(outcome=ContactOutcome(outcome), actor=actor, at=_aware(at))

    def rate(self, *, rating: Rating, actor: Actor, at: datetime) -> None:
        """Record the applicant's satisfaction (once)."""
        self._require("rate")
        self._rated(rating=rating, actor=actor, at=_aware(at))

    # ----- mutators: run on every replay, no checks, no clock ------------------------------
    @event(Accepted)
    def _accepted(self, due_on: date, actor: Actor, at: datetime) -> None:
        self.status, self.due_on = Status.ACCEPTED, due_on

    @event(Rejected)
    def _rejected(self, reason: str, actor: Actor, at: datetime) -> None:
        self.status, self.reason = Status.REJECTED, reason

    @event(SupplementRequested)
    def _supplement_requested(self, items: list[str], reason: str, actor: Actor, at: datetime) -> None:
        self.resume_status, self.status = self.status, Status.SUPPLEMENT_REQUESTED
        self.supplement_items, self.reason = list(items), reason

    @event(SupplementProvided)
    def _supplement_provided(self, components: list[Component], due_on: date, actor: Actor, at: datetime) -> None:
        self.status, self.resume_status = self.resume_status or Status.RECEIVED, None
        self.components = self.components + list(components)
        self.supplement_items, self.due_on = [], due_on

    @event(WithdrawalRequested)
    def _withdrawal_requested(self, reason: str, actor: Actor, at: datetime) -> None:
        self.status, self.reason = Status.WITHDRAWAL_REQUESTED, reason

    @event(Withdrawn)
    def _withdrawn(self, actor: Actor, at: datetime) -> None:
        self.status = Status.WITHDRAWN

    @event(FeeAssessed)
    def _fee_assessed(self, amount: int, actor: Actor, at: datetime) -> None:
        self.fee = amount

    @event(PaymentReceived)
    def _payment_received(
        self,
        method: PaymentMethod,
        amount: int,
        reference: str | None,
        shortfall: int,
        excess: int,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.paid += amount

    @event(Routed)
    def _routed(self, department: str, actor: Actor, at: datetime) -> None:
        self.status, self.department = Status.IN_PROCESSING, department

    @event(HandedOver)
    def _handed_over(self, item: str, giver: Party, receiver: Party, actor: Actor, at: datetime) -> None:
        self.holder = receiver
        self.handovers.append(receiver.account_id)

    @event(HandoverConfirmed)
    def _handover_confirmed(self, line: int, actor: Actor, at: datetime) -> None:
        self.confirmed.add(line)

    @event(ResultIssued)
    def _result_issued(self, summary: str, document_number: str | None, actor: Actor, at: datetime) -> None:
        self.status, self.result = Status.RESULT_ISSUED, summary

    @event(LoadedIntoTray)
    def _loaded_into_tray(self, kiosk: str, tray: int, actor: Actor, at: datetime) -> None:
        self.status, self.tray, self.reminded = Status.IN_TRAY, (kiosk, tray), False

    @event(NotificationRequested)
    def _notification_requested(self, channel: str, template: str, text: str, actor: Actor, at: datetime) -> None:
        self.notified_at = at

    @event(PulledBackFromTray)
    def _pulled_back_from_tray(self, kiosk: str, tray: int, actor: Actor, at: datetime) -> None:
        if self.status is Status.IN_TRAY:  # a rejected dossier pulled back stays rejected
            self.status = Status.RESULT_ISSUED
        self.tray = None

    @event(ResultDelivered)
    def _result_delivered(
        self, channel: DeliveryChannel, receiver_name: str | None, actor: Actor, at: datetime
    ) -> None:
        self.status, self.delivered_at, self.tray = Status.DELIVERED, at, None

    @event(ExcessRefunded)
    def _excess_refunded(self, amount: int, actor: Actor, at: datetime) -> None:
        self.paid -= amount

    @event(Refunded)
    def _refunded(
        self,
        amount: int,
        method: RefundMethod,
        reason: RefundReason,
        bank_reference: str | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.paid -= amount
        if reason is not RefundReason.EXCESS:
            self.fee = 0

    @event(ContactChannelsChosen)
    def _contact_channels_chosen(self, channels: list[str], actor: Actor, at: datetime) -> None:
        self.contact_channels = list(channels)

    @event(PickupReminderDue)
    def _pickup_reminder_due(self, kiosk: str, tray: int, deadline: date, actor: Actor, at: datetime) -> None:
        self.reminded = True

    @event(ContactRecorded)
    def _contact_recorded(self, outcome: ContactOutcome, actor: Actor, at: datetime) -> None:
        pass

    @event(Rated)
    def _rated(self, rating: Rating, actor: Actor, at: datetime) -> None:
        self.status, self.rating = Status.RATED, rating

    # ----- [14] kiosk flows ---------------------------------------------------------------
    @classmethod
    def register_return(
        cls, *, code: str, procedure_code: str, applicant: Applicant, kiosk: str, actor: Actor, at: datetime
    ) -> Dossier:
        """An ID-card holder registered at `kiosk` to collect the card there."""
        check_intake(applicant, [])
        return cls._create(
            cls.ReturnRegistered,
            id=dossier_id(code),
            code=code,
            procedure_code=procedure_code,
            channel=Channel.KIOSK,
            applicant=applicant,
            components=[],
            due_on=None,
            kiosk=kiosk,
            actor=actor,
            at=_aware(at),
        )

    def record_card(self, *, police_code: str, actor: Actor, at: datetime) -> None:
        """The card arrived from the police: the result is ready to be loaded into a tray."""
        self._require("record_card")
        self._card_recorded(police_code=check_police_code(police_code), actor=actor, at=_aware(at))

    def enrol_face(self, *, template: FaceTemplate, actor: Actor, at: datetime) -> None:
        """Keep the applicant's face template so that a high-legal-value result can be collected at the kiosk."""
        self._require("enrol_face")
        if template.id_number != self.applicant.id_number:
            raise InvalidValueError("template", "belongs to another person", "mẫu khuôn mặt không phải của người nộp")
        self._face_enrolled(template=template, actor=actor, at=_aware(at))

    def link_portal(self, *, portal_code: str, kiosk: str, actor: Actor, at: datetime) -> None:
        """The dossier was sent to the national portal from the kiosk; keep the portal's code."""
        self._require("link_portal")
        portal_code = check_police_code(portal_code, "portal_code")
        self._portal_submitted(portal_code=portal_code, kiosk=kiosk, actor=actor, at=_aware(at))

    @event(CardRecorded)
    def _card_recorded(self, police_code: str, actor: Actor, at: datetime) -> None:
        self.status, self.police_code, self.result = Status.RESULT_ISSUED, police_code, "Thẻ Căn cước"

    @event(FaceEnrolled)
    def _face_enrolled(self, template: FaceTemplate, actor: Actor, at: datetime) -> None:
        self.face_template = template

    @event(PortalSubmitted)
    def _portal_submitted(self, portal_code: str, kiosk: str, actor: Actor, at: datetime) -> None:
        self.portal_code = portal_code

    @event(ReturnLoadedIntoTray)
    def _return_loaded_into_tray(self, kiosk: str, tray: int, actor: Actor, at: datetime) -> None:
        self.tray = (kiosk, tray)

    @event(RejectedReturned)
    def _rejected_returned(
        self, channel: DeliveryChannel, receiver_name: str | None, actor: Actor, at: datetime
    ) -> None:
        self.tray, self.returned_at = None, at


def check_police_code(value: str, field: str = "police_code") -> str:
    """Another system's dossier code, kept verbatim: 1-40 printable characters, not only spaces."""
    if not isinstance(value, str) or not 0 < len(value) <= 40 or not value.isprintable() or not value.strip():
        raise InvalidValueError(
            field,
            "must be 1-40 printable characters",
            "mã hồ sơ phải gồm 1-40 ký tự in được",
        )
    return value


def _check_parties(giver: Party, receiver: Party) -> None:
    if giver.account_id == receiver.account_id:
        raise InvalidValueError("receiver", "giver and receiver must differ", "người giao và người nhận phải khác nhau")


def _text(field: str, value: str) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidValueError(field, "must not be empty", "không được để trống")
    return check_text(field, value)


DossierId = UUID
