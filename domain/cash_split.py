"""The cash of one kiosk collection split by department (phân loại hồ sơ và tiền, seed 000 §4).

Recorded in the same commit as the kiosk's `Collected`, as its own aggregate (`/cash-splits/<kiosk>/<kiosk version
after the collection>`), so the kiosk's stored shape and snapshots stay as they are.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate

from domain.clock import aware
from domain.timing import ActedEvent
from domain.values import Actor, Party


class DepartmentCash(msgspec.Struct, frozen=True, kw_only=True):
    """Cash of one department in a collection: the sum of the notes put in for its dossiers."""

    department: str
    department_name: str
    amount: int
    dossiers: list[str]


def split_id(kiosk: str, kiosk_version: int) -> UUID:
    """The id of the split of the collection that brought the kiosk to `kiosk_version`."""
    return uuid5(NAMESPACE_URL, f"/cash-splits/{kiosk}/{kiosk_version}")


class CashSplit(Aggregate):
    """Who receives which part of a collection's cash."""

    class Event(ActedEvent):
        """Every split event: who collected, and when."""

    class Recorded(Aggregate.Created, Event):
        """The collection's cash, split by department; the collector hands each part to that department."""

        kiosk: str
        kiosk_version: int
        collector: Party
        departments: list[DepartmentCash]

    def __init__(
        self,
        *,
        kiosk: str,
        kiosk_version: int,
        collector: Party,
        departments: list[DepartmentCash],
        actor: Actor,
        at: datetime,
    ) -> None:
        self.kiosk, self.kiosk_version, self.departments = kiosk, kiosk_version, list(departments)

    @classmethod
    def record(
        cls,
        *,
        kiosk: str,
        kiosk_version: int,
        collector: Party,
        departments: list[DepartmentCash],
        actor: Actor,
        at: datetime,
    ) -> CashSplit:
        """The split of the collection that brought the kiosk to `kiosk_version`."""
        return cls._create(
            cls.Recorded,
            id=split_id(kiosk, kiosk_version),
            kiosk=kiosk,
            kiosk_version=kiosk_version,
            collector=collector,
            departments=list(departments),
            actor=actor,
            at=aware(at),
        )
