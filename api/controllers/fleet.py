"""The kiosk fleet page's data: every kiosk of the caller's agency, online or not, and what needs the team."""

from __future__ import annotations

from functools import partial

from litestar.di import NamedDependency, Provide
from litestar.types import ControllerRouterHandler

from api.auth import ADMINS, CREW, authorize, current_principal, rules, within_agency
from api.routing import get
from application.tokens import Principal
from domain.values import Role
from infrastructure.bootstrap import System
from infrastructure.fleet import Fleet, KioskHealth
from infrastructure.fleet.process import fleet_for

FLEET_READERS = CREW | ADMINS | {Role.AUDITOR}


def fleet_route(system: System) -> ControllerRouterHandler:
    """`GET /views/kiosks/fleet` over the fleet store of `system`'s read store."""
    fleet: Fleet = fleet_for(system, system.settings.fleet)

    @get(
        "/views/kiosks/fleet",
        sync_to_thread=True,
        guards=[authorize],
        opt=rules(FLEET_READERS, "agency"),
        dependencies={"principal": Provide(current_principal, sync_to_thread=False)},
        summary="Tình trạng các kiosk / Kiosk fleet",
    )
    def kiosk_fleet(principal: NamedDependency[Principal]) -> list[KioskHealth]:
        """The kiosks of the caller's agency (a district sees its wards'): heartbeat, containers, problems."""
        return fleet.health(system.clock.now(), within=partial(within_agency, principal))

    return kiosk_fleet
