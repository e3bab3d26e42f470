"""Dossier endpoints: receive, act on, read and list the history of dossiers."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.access import read_purpose
from api.auth import (
    COUNTER,
    DELIVERY,
    OFFICERS,
    ONLINE,
    PROCESSING,
    READERS,
    RESULTS,
    authorize,
    check_agency,
    current_actor,
    current_principal,
    rules,
)
from api.routing import get, post
from api.schemas import (
    MAX_COMMAND_BODY,
    ActionBody,
    CommandResult,
    DeliveryBody,
    FeeBody,
    HandoverBody,
    PaymentBody,
    RatingBody,
    ReasonBody,
    ReceiveBody,
    RegisterBody,
    ResultBody,
    RouteBody,
    SupplementBody,
    SupplementRequestBody,
)
from application.accounts import Accounts
from application.base import Written
from application.dossiers import Dossiers
from application.handovers import Handovers, Receiver
from application.personal_reads import PersonalReads
from application.tokens import Principal
from application.views import DossierDetails, HistoryEntry
from domain.values import Actor, Channel, Role
from infrastructure.bootstrap import System


def result(code: FromPath[str], written: Written) -> CommandResult:
    return CommandResult(code=code, version=written.version, position=written.position)


class NamedHistoryEntry(HistoryEntry, frozen=True):
    """A history entry with the acting account's display name (officers read names, not login ids)."""

    actor_name: str | None = None


def with_names(history: list[HistoryEntry], accounts: Accounts) -> list[NamedHistoryEntry]:
    """Each entry with its actor's name; None for accounts that are not staff logins (the portal, the system)."""
    names = {a: accounts.display_name(a) for a in {e.actor.account_id for e in history}}
    return [NamedHistoryEntry(**msgspec.structs.asdict(e), actor_name=names[e.actor.account_id]) for e in history]


def handovers(system: NamedDependency[System]) -> Handovers:
    """Handover parties resolved from the system's accounts."""
    return Handovers(system.accounts, system.catalogue)


class DossierController(Controller):
    """Hồ sơ — dossiers."""

    path = "/dossiers"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["dossiers"]
    guards = [authorize]
    dependencies = {
        "actor": Provide(current_actor, sync_to_thread=False),
        "purpose": Provide(read_purpose, sync_to_thread=False),
        "principal": Provide(current_principal, sync_to_thread=False),
        "handovers": Provide(handovers, sync_to_thread=False),
    }

    @post(
        "/", sync_to_thread=True, summary="Tiếp nhận hồ sơ giấy / Receive a paper dossier", opt=rules(COUNTER, "agency")
    )
    def receive(
        self, data: JSONBody[ReceiveBody], dossiers: NamedDependency[Dossiers], request: Request
    ) -> CommandResult:
        """Receive a paper dossier at the kiosk, the counter or by post; the code and appointment date are assigned.
        Only for a procedure of your own agency or its wards."""
        # The actor from the principal in hand, not a second dependency: Litestar resolves two or more in a task
        # group of their own (a tenth of this route's CPU in the event loop).
        principal = current_principal(request)
        wards = dossiers.catalogue.ward_codes() if dossiers.catalogue else frozenset()
        ward = principal.agency if principal.agency in wards else None  # a ward's officer receives for that ward
        code, written = dossiers.receive(
            procedure_code=data.procedure_code,
            channel=Channel(data.channel),
            applicant=data.applicant,
            components=data.components,
            actor=principal.actor,
            ward=ward,
            channels=data.channels,
            allowed=lambda procedure: check_agency(principal, procedure.agency),
        )
        return result(code, written)

    @post(
        "/online",
        sync_to_thread=True,
        summary="Đăng ký hồ sơ trực tuyến / Register a dossier online",
        opt=rules(ONLINE, "agency"),
    )
    def register_online(
        self,
        data: JSONBody[RegisterBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
        request: Request,
    ) -> CommandResult:
        """Register a dossier submitted on the portal; it waits for an officer to accept it. The portal (system
        account) registers for every agency, an officer for their own."""
        principal = current_principal(request)
        if principal.role is not Role.SYSTEM:
            check_agency(principal, dossiers.procedure_for(data.procedure_code, data.applicant.address).agency)
        code, written = dossiers.register_online(
            procedure_code=data.procedure_code,
            applicant=data.applicant,
            components=data.components,
            actor=actor,
            channels=data.channels,
        )
        return result(code, written)

    @get("/{code:str}", sync_to_thread=True, summary="Xem hồ sơ / Get a dossier", opt=rules(READERS, "dossier"))
    def get_dossier(
        self,
        code: FromPath[str],
        reads: NamedDependency[PersonalReads],
        actor: NamedDependency[Actor],
        purpose: NamedDependency[str | None],
    ) -> DossierDetails:
        """The dossier as it stands, with its version and the actions allowed next. The read is recorded in the
        applicant's access log with the `X-Purpose` header as the reason."""
        return reads.dossier(code, actor=actor, purpose=purpose)

    @get(
        "/{code:str}/history",
        sync_to_thread=True,
        summary="Lịch sử hồ sơ / Dossier history",
        opt=rules(READERS, "dossier"),
    )
    def history(
        self,
        code: FromPath[str],
        reads: NamedDependency[PersonalReads],
        actor: NamedDependency[Actor],
        purpose: NamedDependency[str | None],
        accounts: NamedDependency[Accounts],
    ) -> list[NamedHistoryEntry]:
        """Every event of the dossier, oldest first, with actor (login and name), role and time (the read is
        recorded)."""
        return with_names(reads.dossier_history(code, actor=actor, purpose=purpose), accounts)

    @post("/{code:str}/accept", sync_to_thread=True, summary="Tiếp nhận / Accept", opt=rules(PROCESSING, "dossier"))
    def accept(
        self,
        code: FromPath[str],
        data: JSONBody[ActionBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Accept the dossier for processing."""
        return result(code, dossiers.accept(code, actor=actor, expected_version=data.expected_version))

    @post("/{code:str}/reject", sync_to_thread=True, summary="Từ chối / Reject", opt=rules(PROCESSING, "dossier"))
    def reject(
        self,
        code: FromPath[str],
        data: JSONBody[ReasonBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Refuse the dossier, with the reason."""
        return result(
            code, dossiers.reject(code, reason=data.reason, actor=actor, expected_version=data.expected_version)
        )

    @post(
        "/{code:str}/supplement-request",
        sync_to_thread=True,
        summary="Yêu cầu bổ sung / Request a supplement",
        opt=rules(PROCESSING, "dossier"),
    )
    def request_supplement(
        self,
        code: FromPath[str],
        data: JSONBody[SupplementRequestBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Ask the applicant to add or correct components."""
        return result(
            code,
            dossiers.request_supplement(
                code, items=data.items, reason=data.reason, actor=actor, expected_version=data.expected_version
            ),
        )

    @post(
        "/{code:str}/supplement",
        sync_to_thread=True,
        summary="Bổ sung hồ sơ / Provide a supplement",
        opt=rules(COUNTER, "dossier"),
    )
    def provide_supplement(
        self,
        code: FromPath[str],
        data: JSONBody[SupplementBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Record the supplemented components; the appointment date restarts."""
        return result(
            code,
            dossiers.provide_supplement(
                code, components=data.components, actor=actor, expected_version=data.expected_version
            ),
        )

    @post(
        "/{code:str}/withdrawal-request",
        sync_to_thread=True,
        summary="Xin rút hồ sơ / Request withdrawal",
        opt=rules(COUNTER, "dossier"),
    )
    def request_withdrawal(
        self,
        code: FromPath[str],
        data: JSONBody[ReasonBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """The applicant asks to withdraw the dossier."""
        return result(
            code,
            dossiers.request_withdrawal(code, reason=data.reason, actor=actor, expected_version=data.expected_version),
        )

    @post("/{code:str}/withdraw", sync_to_thread=True, summary="Rút hồ sơ / Withdraw", opt=rules(PROCESSING, "dossier"))
    def withdraw(
        self,
        code: FromPath[str],
        data: JSONBody[ActionBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Carry out the requested withdrawal."""
        return result(code, dossiers.withdraw(code, actor=actor, expected_version=data.expected_version))

    @post(
        "/{code:str}/fee",
        sync_to_thread=True,
        summary="Xác định lệ phí / Assess the fee",
        opt=rules(COUNTER, "dossier"),
    )
    def assess_fee(
        self,
        code: FromPath[str],
        data: JSONBody[FeeBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Set the fee owed; without an amount, the catalogue's fee for `quantity` units (pages, copies, rooms)."""
        return result(
            code,
            dossiers.assess_fee(
                code, amount=data.amount, quantity=data.quantity, actor=actor, expected_version=data.expected_version
            ),
        )

    @post(
        "/{code:str}/payments",
        sync_to_thread=True,
        summary="Ghi nhận thanh toán / Record a payment",
        opt=rules(COUNTER, "dossier"),
    )
    def record_payment(
        self,
        code: FromPath[str],
        data: JSONBody[PaymentBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Record cash or a bank-QR transfer; the response version reflects the new balance."""
        return result(
            code,
            dossiers.record_payment(
                code,
                method=data.method,
                amount=data.amount,
                reference=data.reference,
                actor=actor,
                expected_version=data.expected_version,
            ),
        )

    @post(
        "/{code:str}/route",
        sync_to_thread=True,
        summary="Chuyển phòng ban / Route to a department",
        opt=rules(PROCESSING, "dossier"),
    )
    def route(
        self,
        code: FromPath[str],
        data: JSONBody[RouteBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Send the dossier to a department of the catalogue."""
        return result(
            code, dossiers.route(code, department=data.department, actor=actor, expected_version=data.expected_version)
        )

    @post(
        "/{code:str}/handovers",
        sync_to_thread=True,
        summary="Giao nhận hồ sơ / Hand over",
        opt=rules(OFFICERS, "dossier"),
    )
    def hand_over(
        self,
        code: FromPath[str],
        data: JSONBody[HandoverBody],
        dossiers: NamedDependency[Dossiers],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
    ) -> CommandResult:
        """Record one line of the handover book from the caller to an account picked from `handover-receivers`;
        it stays unconfirmed until the receiver confirms it."""
        receiver = handovers.receiver(principal, data.receiver, dossiers.scope_of(code))
        return result(
            code,
            dossiers.hand_over(
                code,
                item=data.item,
                giver=handovers.giver(principal),
                receiver=receiver,
                actor=principal.actor,
                expected_version=data.expected_version,
            ),
        )

    @get(
        "/{code:str}/handover-receivers",
        sync_to_thread=True,
        summary="Người nhận được chọn / Handover receivers",
        opt=rules(OFFICERS, "dossier"),
    )
    def handover_receivers(
        self,
        code: FromPath[str],
        dossiers: NamedDependency[Dossiers],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
    ) -> list[Receiver]:
        """Active staff accounts of the caller's agency (and its wards) who may take this dossier, to pick from."""
        return handovers.list_receivers(principal, dossiers.scope_of(code))

    @post(
        "/{code:str}/handovers/{line:int}/confirm",
        sync_to_thread=True,
        summary="Xác nhận đã nhận / Confirm a handover",
        opt=rules(OFFICERS, "dossier"),
    )
    def confirm_handover(
        self,
        code: FromPath[str],
        line: FromPath[int],
        data: JSONBody[ActionBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """The receiver named by handover line `line` (1-based) confirms they hold the paper; anyone else gets 403."""
        return result(
            code, dossiers.confirm_handover(code, line=line, actor=actor, expected_version=data.expected_version)
        )

    @post(
        "/{code:str}/result",
        sync_to_thread=True,
        summary="Có kết quả / Issue the result",
        opt=rules(RESULTS, "dossier"),
    )
    def issue_result(
        self,
        code: FromPath[str],
        data: JSONBody[ResultBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """The result is ready."""
        return result(
            code,
            dossiers.issue_result(
                code,
                summary=data.summary,
                document_number=data.document_number,
                actor=actor,
                expected_version=data.expected_version,
            ),
        )

    @post(
        "/{code:str}/delivery",
        sync_to_thread=True,
        summary="Trả kết quả / Deliver the result",
        opt=rules(DELIVERY, "dossier"),
    )
    def deliver_result(
        self,
        code: FromPath[str],
        data: JSONBody[DeliveryBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Hand the result to the applicant; refused while a shortfall is owed."""
        return result(
            code,
            dossiers.deliver_result(
                code,
                channel=data.channel,
                receiver_name=data.receiver_name,
                actor=actor,
                expected_version=data.expected_version,
            ),
        )

    @post("/{code:str}/rating", sync_to_thread=True, summary="Đánh giá / Rate", opt=rules(COUNTER, "dossier"))
    def rate(
        self,
        code: FromPath[str],
        data: JSONBody[RatingBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """Record the applicant's satisfaction (1–5 stars or a Circular 01 level)."""
        return result(
            code, dossiers.rate(code, rating=data.rating, actor=actor, expected_version=data.expected_version)
        )
