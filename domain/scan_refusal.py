"""A refused scan (seed 002: "Không thực hiện sao chụp giấy tờ đối với trường hợp tiếp nhận hồ sơ thực hiện thủ tục
hành chính trên môi trường điện tử và các giấy tờ là kết quả thẩm tra, xác minh..."): an officer asked to scan a
component that must not be copied records the refusal and its reason instead. One per dossier component
(`/scan-refusals/<dossier code>/<component>`), so recording it twice is refused."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.clock import aware_utc
from domain.errors import DomainError
from domain.timing import ActedEvent
from domain.values import Actor


class ScanRefusalReason(StrEnum):
    """Why a component is not scanned (the two cases of seed 002)."""

    RECEIVED_ONLINE = "received_online"  # the dossier was received electronically: its files are the originals
    VERIFICATION_RESULT = "verification_result"  # results of checks and opinions of the agencies taking part


def scan_refusal_id(dossier_code: str, component: str) -> UUID:
    """The id of the refusal to scan one component of one dossier."""
    return uuid5(NAMESPACE_URL, f"/scan-refusals/{dossier_code}/{component}")


class ScanRefusedBeforeError(DomainError):
    """The refusal of this component's scan is recorded already."""

    code = "scan_refused_before"

    def __init__(self, component: str) -> None:
        super().__init__(
            f"the refusal to scan {component!r} is recorded already",
            f"Đã ghi nhận từ chối sao chụp thành phần “{component}” trước đó.",
        )


class ScanRefusal(Aggregate):
    """The refusal to scan one component of a dossier."""

    class Event(ActedEvent):
        """Every refusal event: which officer, and when."""

    class Recorded(Aggregate.Created, Event):
        """The component was not scanned, for this reason."""

        dossier_code: str
        component: str
        reason: ScanRefusalReason

    def __init__(
        self, *, dossier_code: str, component: str, reason: ScanRefusalReason, actor: Actor, at: datetime
    ) -> None:
        self.dossier_code, self.component, self.reason = dossier_code, component, reason

    @classmethod
    def record(
        cls, *, dossier_code: str, component: str, reason: ScanRefusalReason, actor: Actor, at: datetime
    ) -> ScanRefusal:
        """The refusal to scan `component` of the dossier."""
        return cls._create(
            cls.Recorded,
            id=scan_refusal_id(dossier_code, component),
            dossier_code=dossier_code,
            component=component,
            reason=ScanRefusalReason(reason),
            actor=actor,
            at=aware_utc(at),
        )
