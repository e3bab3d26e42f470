"""Stored events and snapshots keep loading after their class changes shape (class_version and upcasters)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TypedDict

import pytest
from eventsourcing import utils
from eventsourcing.domain import Aggregate, event

from application.base import OneStop

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class Ticket(Aggregate):
    """Version 1: a note is only its text."""

    class State(TypedDict):
        title: str
        notes: list[str]

    class Noted(Aggregate.Event):
        text: str

    @event("Opened")
    def __init__(self, title: str) -> None:
        self.title, self.notes = title, []

    @event(Noted)
    def note(self, text: str) -> None:
        self.notes.append(text)


TicketV1 = Ticket
del Ticket  # eventsourcing refuses a second class of the same name while the first is bound to it


class Ticket(Aggregate):  # type: ignore[no-redef]  # the same topics as version 1, as after an edit of the file
    """Version 2: a note has a priority, and the ticket keeps the highest one."""

    class_version = 2

    class State(TypedDict):
        title: str
        notes: list[str]
        top_priority: int

    class Noted(Aggregate.Event):
        text: str
        priority: int
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["priority"] = 3  # notes before priorities existed count as normal

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["top_priority"] = 3 if state["notes"] else 0

    @event("Opened")
    def __init__(self, title: str) -> None:
        self.title, self.notes, self.top_priority = title, [], 0

    @event(Noted)
    def note(self, text: str, priority: int) -> None:
        self.notes.append(text)
        self.top_priority = max(self.top_priority, priority)


TicketV2 = Ticket


Tickets = OneStop  # the process's application itself: its tables `onestop_events` and `onestop_snapshots`


@pytest.fixture
def as_version(monkeypatch: pytest.MonkeyPatch):
    """Make the module's `Ticket` (so its stored topics) resolve to the given version, as deploying new code does."""

    def use(cls: type) -> None:
        monkeypatch.setattr(sys.modules[__name__], "Ticket", cls)
        for topic in [t for t in utils._topic_cache if t.startswith(f"{__name__}:")]:
            monkeypatch.delitem(utils._topic_cache, topic)

    return use


def test_version_1_events_read_back_upgraded_by_the_upcaster(store_env, as_version) -> None:
    as_version(TicketV1)
    app = Tickets(store_env)
    ticket = TicketV1("Máy in kẹt giấy")
    ticket.note("Đã gọi kỹ thuật")
    app.save(ticket)
    app.close()

    as_version(TicketV2)
    app = Tickets(store_env)
    stored = app.recorder.select_events(ticket.id)
    assert b"class_version" not in stored[1].state  # really a version-1 state in the table
    upgraded = app.repository.get(ticket.id)
    assert isinstance(upgraded, TicketV2) and upgraded.notes == ["Đã gọi kỹ thuật"] and upgraded.top_priority == 3
    noted = list(app.events.get(ticket.id))[1]
    assert isinstance(noted, TicketV2.Noted) and noted.priority == 3
    upgraded.note("Khẩn", priority=1)
    app.save(upgraded)
    app.repository.cache = None
    assert list(app.events.get(ticket.id))[2].priority == 1  # version-2 events keep their own value
    app.close()


def test_version_1_snapshot_reads_back_upgraded_with_later_events(store_env, as_version) -> None:
    as_version(TicketV1)
    app = Tickets(store_env)
    ticket = TicketV1("Cửa khay 12")
    ticket.note("Kẹt")
    app.save(ticket)
    app.take_snapshot(ticket.id)
    app.close()

    as_version(TicketV2)
    app = Tickets(store_env)
    later = app.repository.get(ticket.id)
    assert later.top_priority == 3 and later.created_on == ticket.created_on  # the version-1 snapshot, upcast and typed
    later.note("Đã sửa", priority=5)
    app.save(later)
    app.take_snapshot(ticket.id)
    reader = Tickets(store_env)
    reader.repository.cache = None
    loaded = reader.repository.get(ticket.id)
    assert isinstance(loaded, TicketV2) and (loaded.notes, loaded.top_priority) == (["Kẹt", "Đã sửa"], 5)
    app.close()
    reader.close()
