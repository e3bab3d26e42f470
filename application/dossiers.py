"""Dossiers: the commands and queries of the dossier lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.base import MAX_RETRIES, OneStop, Written, command
from application.codes import CodeAllocator, CodeSequences
from application.errors import UnknownReferenceError, VersionConflictError
from application.ports import Calendar, Clock
from application.views import DossierDetails, HistoryEntry, details_of, history_of
from domain.clock import VIETNAM, aware_utc
from domain.codes import dossier_id, parse_code
from domain.dossier import ContactOutcome, Dossier
from domain.errors import InvalidValueError
from domain.procedures import Catalogue, Procedure, ResultKind, UnknownDepartmentError, UnknownProcedureError
from domain.values import Actor, Applicant, Channel, Component, DeliveryChannel, Party, PaymentMethod, Rating

DOSSIER = ("dossier", "hồ sơ")


class Dossiers:
    """Receive, process and deliver dossiers. The application, catalogue, calendar and clock come from the
    composition root."""

    def __init__(
        self,
        app: OneStop,
        *,
        catalogue: Catalogue,
        calendar: Calendar,
        clock: Clock,
        sequences: CodeSequences | None = None,
    ) -> None:
        self.app, self.catalogue, self.calendar, self.clock = app, catalogue, calendar, clock
        self.codes = CodeAllocator(
            lambda code: bool(self.app.recorder.select_events(dossier_id(code), limit=1)), sequences
        )

    # ----- creating -------------------------------------------------------------------
    def register_online(
        self,
        *,
        procedure_code: str,
        applicant: Applicant,
        components: list[Component],
        actor: Actor,
        at: datetime | None = None,
        channels: list[str] | None = None,
    ) -> tuple[str, Written]:
        """A dossier submitted on the portal; returns its code (a ward procedure goes to the applicant's ward).
        `channels`: how the applicant wants to be told of each step, first choice first (default: SMS first)."""
        procedure, at = self.procedure_for(procedure_code, applicant.address), self._at(at)
        return self.create(
            procedure.agency,
            at,
            lambda code: [
                with_channels(
                    Dossier.register_online(
                        code=code,
                        procedure_code=procedure.code,
                        applicant=applicant,
                        components=components,
                        actor=actor,
                        at=at,
                    ),
                    channels,
                    actor,
                    at,
                )
            ],
        )

    def receive(
        self,
        *,
        procedure_code: str,
        channel: Channel,
        applicant: Applicant,
        components: list[Component],
        actor: Actor,
        at: datetime | None = None,
        ward: str | None = None,
        channels: list[str] | None = None,
        allowed: Callable[[Procedure], None] | None = None,
    ) -> tuple[str, Written]:
        """A paper dossier received at the kiosk, the counter or by post; returns its code (a ward procedure goes to
        `ward`, the receiving ward, else to the applicant's ward). `channels`: how the applicant wants to be told of
        each step, first choice first, recorded in the same commit (default: SMS first). `allowed` is called with
        the procedure as the agency that handles it sees it, before anything else is checked; it raises to refuse
        (the caller's access check, without a second lookup of the procedure)."""
        procedure, at = self.procedure_for(procedure_code, applicant.address, ward), self._at(at)
        if allowed is not None:
            allowed(procedure)
        if not applicant.id_number and procedure.result_kind is not ResultKind.CCCD_CARD:
            # Every other result is kept in the holder's vault under the 12-digit number.
            raise InvalidValueError(
                "applicant.id_number",
                "only an ID-card procedure may be received for a holder known by a CMND alone",
                "cần số định danh 12 chữ số; chỉ thủ tục cấp thẻ Căn cước được nhận với số CMND 9 chữ số",
            )
        due_on = self.appointment(procedure, at)
        return self.create(
            procedure.agency,
            at,
            lambda code: [
                with_channels(
                    Dossier.receive(
                        code=code,
                        procedure_code=procedure.code,
                        channel=Channel(channel),
                        applicant=applicant,
                        components=components,
                        due_on=due_on,
                        actor=actor,
                        at=at,
                    ),
                    channels,
                    actor,
                    at,
                )
            ],
        )

    def create(self, agency: str, at: datetime, make: Callable[[str], Sequence[Aggregate]]) -> tuple[str, Written]:
        """Commit what `make(code)` builds (a new Dossier first, then any aggregates it changed) under a fresh code."""
        for _ in range(MAX_RETRIES * 10):
            dossier, *others = make(self.codes.propose(agency, at.astimezone(VIETNAM).date()))
            if not isinstance(dossier, Dossier):
                raise TypeError(f"make() must build the new Dossier first, not a {type(dossier).__name__}")
            try:
                return dossier.code, self.app.commit(dossier, *others)
            except IntegrityError:
                for other in others:
                    self.app.evict(other.id)
                continue  # the code or another aggregate was taken meanwhile: build again from fresh state
        raise VersionConflictError(f"{agency} codes", None, None)

    # ----- acting -----------------------------------------------------------------------
    @command
    def accept(
        self, code: str, *, actor: Actor, expected_version: int | None = None, at: datetime | None = None
    ) -> Written:
        """Accept for processing; the appointment date is fixed now if it was not at receipt."""
        at = self._at(at)

        def command(dossier: Dossier) -> None:
            due_on = dossier.due_on or self.appointment(self.procedure(dossier.procedure_code), at)
            dossier.accept(due_on=due_on, actor=actor, at=at)

        return self._act(code, expected_version, command)

    @command
    def choose_channels(
        self,
        code: str,
        *,
        channels: list[str],
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Change the channels the applicant is told on (an officer, at the citizen's request)."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.choose_channels(channels=channels, actor=actor, at=at))

    @command
    def reject(
        self, code: str, *, reason: str, actor: Actor, expected_version: int | None = None, at: datetime | None = None
    ) -> Written:
        """Refuse with a reason."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.reject(reason=reason, actor=actor, at=at))

    @command
    def request_supplement(
        self,
        code: str,
        *,
        items: list[str],
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Ask the applicant to add or correct components."""
        at = self._at(at)
        return self._act(
            code, expected_version, lambda d: d.request_supplement(items=items, reason=reason, actor=actor, at=at)
        )

    @command
    def provide_supplement(
        self,
        code: str,
        *,
        components: list[Component],
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Record supplemented components; the appointment date restarts from now."""
        at = self._at(at)

        def command(dossier: Dossier) -> None:
            due_on = self.appointment(self.procedure(dossier.procedure_code), at)
            dossier.provide_supplement(components=components, due_on=due_on, actor=actor, at=at)

        return self._act(code, expected_version, command)

    @command
    def request_withdrawal(
        self, code: str, *, reason: str, actor: Actor, expected_version: int | None = None, at: datetime | None = None
    ) -> Written:
        """The applicant asks to withdraw."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.request_withdrawal(reason=reason, actor=actor, at=at))

    @command
    def withdraw(
        self, code: str, *, actor: Actor, expected_version: int | None = None, at: datetime | None = None
    ) -> Written:
        """Carry out a requested withdrawal."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.withdraw(actor=actor, at=at))

    @command
    def assess_fee(
        self,
        code: str,
        *,
        actor: Actor,
        amount: int | None = None,
        quantity: int = 1,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Set the fee; by default the catalogue's fee for `quantity` units (pages, copies, rooms) of the procedure."""
        at = self._at(at)

        def command(dossier: Dossier) -> None:
            fee = self.procedure(dossier.procedure_code).fee_for(quantity) if amount is None else amount
            dossier.assess_fee(amount=fee, actor=actor, at=at)

        return self._act(code, expected_version, command)

    @command
    def record_payment(
        self,
        code: str,
        *,
        method: PaymentMethod,
        amount: int,
        actor: Actor,
        reference: str | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Record cash or a bank-QR transfer."""
        at = self._at(at)
        return self._act(
            code,
            expected_version,
            lambda d: d.record_payment(method=method, amount=amount, reference=reference, actor=actor, at=at),
        )

    @command
    def route(
        self,
        code: str,
        *,
        department: str,
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Send to a department of the catalogue."""
        at = self._at(at)
        self.department(department)
        return self._act(code, expected_version, lambda d: d.route(department=department, actor=actor, at=at))

    @command
    def hand_over(
        self,
        code: str,
        *,
        item: str,
        giver: Party,
        receiver: Party,
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Record one handover-book line."""
        at = self._at(at)
        return self._act(
            code, expected_version, lambda d: d.hand_over(item=item, giver=giver, receiver=receiver, actor=actor, at=at)
        )

    @command
    def confirm_handover(
        self, code: str, *, line: int, actor: Actor, expected_version: int | None = None, at: datetime | None = None
    ) -> Written:
        """The receiver of a handover line confirms they hold the paper."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.confirm_handover(line=line, actor=actor, at=at))

    @command
    def issue_result(
        self,
        code: str,
        *,
        summary: str,
        actor: Actor,
        document_number: str | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """The result is ready."""
        at = self._at(at)
        return self._act(
            code,
            expected_version,
            lambda d: d.issue_result(summary=summary, document_number=document_number, actor=actor, at=at),
        )

    @command
    def deliver_result(
        self,
        code: str,
        *,
        channel: DeliveryChannel,
        actor: Actor,
        receiver_name: str | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """The result reached the applicant."""
        at = self._at(at)
        return self._act(
            code,
            expected_version,
            lambda d: d.deliver_result(channel=channel, receiver_name=receiver_name, actor=actor, at=at),
        )

    @command
    def refund_excess(
        self, code: str, *, actor: Actor, expected_version: int | None = None, at: datetime | None = None
    ) -> Written:
        """Hand back at the counter what was paid beyond the fee (recorded in the cash ledger)."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.refund_excess(actor=actor, at=at))

    @command
    def record_contact(
        self,
        code: str,
        *,
        outcome: ContactOutcome,
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """The outcome of calling the applicant about an overdue result."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.record_contact(outcome=outcome, actor=actor, at=at))

    @command
    def rate(
        self,
        code: str,
        *,
        rating: Rating,
        actor: Actor,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Written:
        """Record the applicant's satisfaction."""
        at = self._at(at)
        return self._act(code, expected_version, lambda d: d.rate(rating=rating, actor=actor, at=at))

    # ----- queries ----------------------------------------------------------------------
    def get_dossier(self, code: str) -> DossierDetails:
        """The dossier's current state."""
        return details_of(self._load(code, fresh=True))

    def list_history(self, code: str) -> list[HistoryEntry]:
        """Every event of the dossier, oldest first."""
        self._load(code)
        return history_of(self.app.events.get(dossier_id(code)))

    def applicant_of(self, code: str) -> Applicant:
        """Who the dossier is for (set at receipt, never changed), from the cached aggregate."""
        return self._load(code).applicant

    def scope_of(self, code: str) -> tuple[str, str | None]:
        """The agency and department a dossier belongs to (routed department, else its procedure's), for access
        checks."""
        dossier = self._load(code)
        department = dossier.department or self.handled_as(dossier).department
        return parse_code(code)[0], department

    # ----- helpers ----------------------------------------------------------------------
    def procedure(self, code: str) -> Procedure:
        """The catalogue entry, or UnknownReferenceError."""
        try:
            return self.catalogue.procedure(code)
        except UnknownProcedureError:
            raise UnknownReferenceError(f"unknown procedure {code!r}", f"Không có thủ tục mã {code}.") from None

    def department(self, code: str) -> None:
        """Check that the department exists."""
        try:
            self.catalogue.department(code)
        except UnknownDepartmentError:
            raise UnknownReferenceError(f"unknown department {code!r}", f"Không có phòng ban mã {code}.") from None

    def appointment(self, procedure: Procedure, at: datetime) -> date:
        """The appointment date: receipt plus the procedure's working days."""
        return self.calendar.add_working_days(at, procedure.processing_days)

    def procedure_for(self, code: str, address: str | None, ward: str | None = None) -> Procedure:
        """The catalogue entry as the agency that handles it: a ward procedure goes to `ward` when given (the ward
        whose officer receives it), else to the ward the address names (Catalogue.for_ward), else to the default
        ward."""
        procedure = self.procedure(code)
        catalogue = self.catalogue
        try:
            return catalogue.for_ward(procedure, ward or catalogue.ward_of_address(address or ""))
        except UnknownDepartmentError:
            raise UnknownReferenceError(f"unknown ward {ward!r}", f"Không có phường {ward} trong danh mục.") from None

    def handled_as(self, dossier: Dossier) -> Procedure:
        """The dossier's procedure as its agency handles it: a ward dossier's department is that ward's section."""
        return self.catalogue.as_handled_by(self.procedure(dossier.procedure_code), parse_code(dossier.code)[0])

    def _at(self, at: datetime | None) -> datetime:
        if at is None:
            at = self.clock.now()
        return aware_utc(at)  # UTC in storage; business rules convert to Vietnam time

    def _load(self, code: str, fresh: bool = False) -> Dossier:
        parse_code(code)
        return self.app.load(dossier_id(code), DOSSIER, code, fresh=fresh)

    def _act(self, code: str, expected_version: int | None, command: Any) -> Written:
        parse_code(code)
        return self.app.update(dossier_id(code), DOSSIER, code, expected_version, command)


def with_channels(dossier: Dossier, channels: list[str] | None, actor: Actor, at: datetime) -> Dossier:
    """The new dossier with the applicant's channel choice recorded right after its first event (None: no choice)."""
    if channels:
        dossier.choose_channels(channels=channels, actor=actor, at=at)
    return dossier


__all__ = ["Dossiers", "UUID"]
