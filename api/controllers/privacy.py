"""Erasure of a person's personal data on a lawful request (administrators only); needs `system.erasures`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from api.auth import ADMINS, authorize, current_actor, rules
from api.schemas import MAX_COMMAND_BODY
from domain.limits import MULTI_LINE
from domain.values import Actor
from infrastructure.bootstrap import System


class ErasureBody(msgspec.Struct, forbid_unknown_fields=True):
    """Whose data to erase, and the lawful request (its number and date: never the person's name)."""

    id_number: Annotated[str, msgspec.Meta(pattern=r"^\d{12}$", description="số định danh cá nhân 12 chữ số")]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=MULTI_LINE)]


class ErasureRecord(msgspec.Struct, frozen=True):
    """What was erased: the record's id, the person only as a keyed hash, how many keys and streams."""

    id: UUID
    subject: str
    keys_destroyed: int
    streams: int
    at: datetime


class PrivacyController(Controller):
    """Bảo vệ dữ liệu cá nhân — personal data protection."""

    path = "/privacy"
    request_max_body_size = MAX_COMMAND_BODY
    tags = ["privacy"]
    guards = [authorize]
    dependencies = {"actor": Provide(current_actor, sync_to_thread=False)}

    @post(
        "/erasures",
        sync_to_thread=True,
        status_code=201,
        opt=rules(ADMINS, "global"),
        summary="Xóa dữ liệu cá nhân theo yêu cầu hợp pháp / Erase a person's personal data",
    )
    def erase(
        self, data: JSONBody[ErasureBody], system: NamedDependency[System], actor: NamedDependency[Actor]
    ) -> ErasureRecord:
        """Destroy the person's data keys: their name, ID number and phone can no longer be read anywhere; the
        events and the audit chain stay intact. 404 when nothing is stored for the ID number."""
        assert system.erasures is not None, "the system was built without the erasure service"
        record = system.erasures.erase(data.id_number, reason=data.reason, actor=actor)
        return ErasureRecord(
            id=record.id,
            subject=record.subject,
            keys_destroyed=record.keys_destroyed,
            streams=len(record.streams),
            at=record.at,
        )
