"""How a dossier's citizen is told of each step: the messages sent (the `dossier_notifications` read model) and the
channels they chose (changed by an officer at the citizen's request)."""

from __future__ import annotations

from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from api.auth import OFFICERS, READERS, authorize, current_actor, rules
from api.controllers.views import After, wait_or_503
from api.routing import get, post
from api.schemas import MAX_COMMAND_BODY, ChannelsBody, CommandResult
from application.dossiers import Dossiers
from application.ports import ReadSide
from domain.codes import parse_code
from domain.values import Actor
from infrastructure.bootstrap import System
from projections.notifications import NotificationLine


class DossierContactController(Controller):
    """Thông báo cho công dân — a dossier's notifications and contact channels."""

    path = "/dossiers"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["dossiers"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @get(
        "/{code:str}/notifications",
        sync_to_thread=True,
        summary="Thông báo đã gửi công dân / Notifications of a dossier",
        opt=rules(READERS, "dossier"),
    )
    def notifications(
        self,
        code: FromPath[str],
        system: NamedDependency[System],
        read_side: NamedDependency[ReadSide],
        after: After = None,
    ) -> list[NotificationLine]:
        """Every message about the dossier, oldest first: the step it tells of, channel, status (pending, sent,
        delivered, gave_up), attempts and times. No address and no text."""
        parse_code(code)
        wait_or_503(read_side, "dossier_notifications", after)
        return system.views.notifications(code)

    @post(
        "/{code:str}/channels",
        sync_to_thread=True,
        summary="Đổi kênh nhận thông báo / Change the contact channels",
        opt=rules(OFFICERS, "dossier"),
    )
    def choose_channels(
        self,
        code: FromPath[str],
        data: JSONBody[ChannelsBody],
        dossiers: NamedDependency[Dossiers],
        actor: NamedDependency[Actor],
    ) -> CommandResult:
        """The channels the citizen wants the next messages on, first choice first; the others stay as fallbacks."""
        written = dossiers.choose_channels(
            code, channels=data.channels, actor=actor, expected_version=data.expected_version
        )
        return CommandResult(code=code, version=written.version, position=written.position)
