"""Consultant-team endpoints: set up kiosks, collect, hand over, load trays, pull back overdue results."""

from __future__ import annotations

from litestar import Controller, Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import (
    CREW,
    OFFICERS,
    PULL_BACK,
    READERS,
    STAFF,
    authorize,
    check_agency,
    check_dossier,
    current_actor,
    current_principal,
    rules,
)
from api.controllers.dossiers import handovers
from api.kiosk_schemas import (
    BatchConfirmBody,
    BatchHandoverBody,
    CollectionBody,
    EnvelopeBatchBody,
    InstallBody,
    LoadBody,
    PullBackBody,
    TrayServiceBody,
    Versioned,
)
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY
from application.cash_split import SplitCollectionReport
from application.handovers import Handovers
from application.kiosk_views import KioskView, LoadingSlip, OverdueItem
from application.kiosks import Kiosks
from application.tokens import Principal
from domain.values import Actor
from infrastructure.bootstrap import System


class KioskStaffController(Controller):
    """Tổ tư vấn — kiosk staff."""

    path = "/kiosks"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["kiosk staff"]
    guards = [authorize]
    dependencies = {
        "actor": Provide(current_actor, sync_to_thread=False),
        "principal": Provide(current_principal, sync_to_thread=False),
        "handovers": Provide(handovers, sync_to_thread=False),
    }

    @post("/", sync_to_thread=True, summary="Lắp đặt kiosk / Install a kiosk", opt=rules(STAFF, "agency"))
    def install(
        self,
        data: JSONBody[InstallBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
        request: Request,
    ) -> Versioned:
        """A kiosk with its trays (90 by default), all empty; only for your own agency or its wards."""
        check_agency(current_principal(request), data.agency)
        written = kiosks.install_kiosk(
            data.key, name=data.name, agency=data.agency, tray_count=data.tray_count, actor=actor
        )
        return Versioned(version=written.version, position=written.position)

    @get(
        "/{key:str}", sync_to_thread=True, summary="Tình trạng kiosk / Kiosk state", opt=rules(STAFF | READERS, "kiosk")
    )
    def state(self, key: FromPath[str], kiosks: NamedDependency[Kiosks]) -> KioskView:
        """Bin, cash box, envelope stock and every tray."""
        return kiosks.get_kiosk(key)

    @post(
        "/{key:str}/envelope-batches",
        sync_to_thread=True,
        summary="Nạp phong bì / Register envelopes",
        opt=rules(CREW, "kiosk"),
    )
    def envelopes(
        self,
        key: FromPath[str],
        data: JSONBody[EnvelopeBatchBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> Versioned:
        """A printed batch of envelope barcodes becomes valid for intake."""
        written = kiosks.register_envelopes(key, barcodes=data.barcodes, actor=actor)
        return Versioned(version=written.version, position=written.position)

    @post(
        "/{key:str}/collections",
        sync_to_thread=True,
        summary="Thu hồ sơ và tiền / Collect envelopes and cash",
        opt=rules(CREW, "kiosk"),
    )
    def collect(
        self,
        key: FromPath[str],
        data: JSONBody[CollectionBody],
        kiosks: NamedDependency[Kiosks],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
        system: NamedDependency[System],
    ) -> SplitCollectionReport:
        """The caller empties the bin and cash box; the count is recorded beside what is expected, and the cash is
        split by the department of each dossier it was paid for."""
        # money: the cash is split by department in the same commit (application/cash_split.py)
        return system.cash_collections.collect(
            key, cash_counted=data.cash_counted, collector=handovers.giver(principal), actor=principal.actor
        )

    @post(
        "/handovers",
        sync_to_thread=True,
        summary="Giao nhận nhiều hồ sơ / Hand over several dossiers",
        opt=rules(OFFICERS, "agency"),
    )
    def hand_over(
        self,
        data: JSONBody[BatchHandoverBody],
        kiosks: NamedDependency[Kiosks],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
        request: Request,
    ) -> Versioned:
        """One unconfirmed handover-book line per dossier from the caller to one picked account, in one commit; every
        dossier must be in your scope and the receiver must be able to take every dossier of the batch."""
        scopes = [check_dossier(request, principal, code) for code in data.codes]
        written = kiosks.hand_over_batch(
            data.codes,
            item=data.item,
            giver=handovers.giver(principal),
            receiver=handovers.receiver(principal, data.receiver, *scopes),
            actor=principal.actor,
        )
        return Versioned(version=written.version, position=written.position)

    @post(
        "/handovers/confirmations",
        sync_to_thread=True,
        summary="Xác nhận nhận nhiều hồ sơ / Confirm a batch",
        opt=rules(OFFICERS, "agency"),
    )
    def confirm(
        self, data: JSONBody[BatchConfirmBody], kiosks: NamedDependency[Kiosks], actor: NamedDependency[Actor]
    ) -> Versioned:
        """The caller confirms every handover to them in these dossiers, in one commit (403 if one has none)."""
        written = kiosks.confirm_handovers(data.codes, actor=actor)
        return Versioned(version=written.version, position=written.position)

    @post(
        "/{key:str}/loads",
        sync_to_thread=True,
        summary="Nạp kết quả vào khay / Load results into trays",
        opt=rules(CREW, "kiosk"),
    )
    def load(
        self,
        key: FromPath[str],
        data: JSONBody[LoadBody],
        kiosks: NamedDependency[Kiosks],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
        request: Request,
    ) -> LoadingSlip:
        """Each result into a free tray; the loading slip lists trays and any refused codes. The core then opens each
        loaded tray's door at the kiosk (`doors`: opened, not_answering, or the kiosk's fault)."""
        for code in data.codes:
            check_dossier(request, principal, code)
        return kiosks.load_results_and_open(key, data.codes, staff=handovers.giver(principal), actor=principal.actor)

    @get(
        "/{key:str}/overdue",
        sync_to_thread=True,
        summary="Kết quả quá hạn / Overdue results",
        opt=rules(STAFF | READERS, "kiosk"),
    )
    def overdue(self, key: FromPath[str], kiosks: NamedDependency[Kiosks]) -> list[OverdueItem]:
        """Results not collected within the limit since the SMS, with tray numbers and the suggested action."""
        return kiosks.list_overdue(key)

    @post(
        "/{key:str}/overdue/pull-back",
        sync_to_thread=True,
        summary="Thu hồi kết quả quá hạn / Pull back overdue results",
        opt=rules(PULL_BACK, "kiosk"),
    )
    def pull_back(
        self,
        key: FromPath[str],
        data: JSONBody[PullBackBody],
        kiosks: NamedDependency[Kiosks],
        principal: NamedDependency[Principal],
        handovers: NamedDependency[Handovers],
    ) -> list[OverdueItem]:
        """When no tray is free, overdue results go from the caller to the one-stop officer or the police (accounts
        of the kiosk's agency, any department); otherwise they stay."""
        scope = (kiosks.get_kiosk(key).agency, None)
        one_stop, police = (handovers.receiver(principal, name, scope) for name in (data.one_stop, data.police))
        return kiosks.pull_back_overdue(
            key, staff=handovers.giver(principal), one_stop=one_stop, police=police, actor=principal.actor
        )

    @post(
        "/{key:str}/trays/{number:int}/service",
        sync_to_thread=True,
        summary="Bảo trì khay / Tray service",
        opt=rules(CREW, "kiosk"),
    )
    def tray_service(
        self,
        key: FromPath[str],
        number: FromPath[int],
        data: JSONBody[TrayServiceBody],
        kiosks: NamedDependency[Kiosks],
        actor: NamedDependency[Actor],
    ) -> Versioned:
        """Take a tray out of service (door fault) or put it back."""
        written = kiosks.set_tray_service(key, number, in_service=data.in_service, reason=data.reason, actor=actor)
        return Versioned(version=written.version, position=written.position)
