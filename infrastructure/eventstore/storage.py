"""The event storage the applications use (application/ports.py EventStorage), selected by topic in
application/base.py."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from infrastructure.eventstore import factory as factories
from infrastructure.eventstore.event_mac import MAC_KEY_ENV, mac_key
from infrastructure.eventstore.group_commit import GroupCommit
from infrastructure.eventstore.keyed import ResealingEventStore
from infrastructure.eventstore.mapper import MsgspecMapper


class EventStore:
    """The infrastructure factory, the msgspec mapper and group commit."""

    def factory(self, env: Any) -> Any:
        return factories.new_factory(env)

    def mapper(self, env: Any) -> MsgspecMapper:
        """With MOTCUA_EVENT_MAC_KEY set, every stored event carries its MAC (the audit chainer links no other)."""
        secret = env.get(MAC_KEY_ENV)
        return MsgspecMapper(mac_key=mac_key(secret) if secret else None)

    def event_store(self, mapper: MsgspecMapper, recorder: Any) -> ResealingEventStore:
        """The events' store: it reseals and retries an append whose new data key lost to another writer's."""
        return ResealingEventStore(mapper, recorder)

    def schema_lock(self, factory: Any) -> AbstractContextManager[None]:
        return factories.schema_lock(factory)

    def group_commit(
        self, save_events: Callable[..., list[Any]], saved: Callable[[Any], None], mapper: MsgspecMapper
    ) -> GroupCommit:
        """Each caller's events get their personal-data keys in the caller's thread, before the shared commit."""
        return GroupCommit(save_events, saved, prepare=mapper.prepare)


STORAGE = EventStore()
