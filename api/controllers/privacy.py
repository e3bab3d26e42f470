"""Erasure of a person's personal data on a lawful request (administrators only); needs `system.erasures`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from api.auth import ADMINS, authorize, current_actor, rules
from api.routing import post
from api.schemas import MAX_COMMAND_BODY
from domain.errors import InvalidValueError
from domain.limits import MULTI_LINE
from domain.values import Actor
from infrastructure.bootstrap import System


class ErasureBody(msgspec.Struct, forbid_unknown_fields=True):
    """Whose data to erase, and the lawful request (its number and date: never the person's name)."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=MULTI_LINE)]
    id_number: (
        Annotated[str, msgspec.Meta(pattern=r"^\d{12}$", description="số định danh cá nhân 12 chữ số")] | None
    ) = None
    phone: (
        Annotated[
            str, msgspec.Meta(pattern=r"^0\d{9}$", description="chỉ khi không có số định danh (người chỉ có CMND)")
        ]
        | None
    ) = None


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
        events and the audit chain stay intact. A CMND-only holder, with no ID number on record, is named by the phone.
        404 when nothing is stored for that person."""
        assert system.erasures is not None, "the system was built without the erasure service"
        if (data.id_number is None) == (data.phone is None):
            raise InvalidValueError(
                "id_number",
                "give the ID number or, for a person with none on record (a CMND-only holder), the phone: one of them",
                "nhập số định danh, hoặc số điện thoại nếu người đó chưa có số định danh (chỉ có CMND): một trong hai",
            )
        if data.phone is not None:
            record = system.erasures.erase_by_phone(data.phone, reason=data.reason, actor=actor)
        else:
            record = system.erasures.erase(data.id_number or "", reason=data.reason, actor=actor)
        return ErasureRecord(
            id=record.id,
            subject=record.subject,
            keys_destroyed=record.keys_destroyed,
            streams=len(record.streams),
            at=record.at,
        )
