"""Stores each event's state as plain JSON typed by its class's annotations, with msgspec.

eventsourcing's JSONTranscoder tags every non-primitive value and decodes through json's object_hook;
typed decoding is several times faster (it matters for rebuilding read models and replaying for audits)
and the stored JSON stays readable by any SQL or BI tool: datetimes as RFC 3339, enums by value,
value objects as objects.

Personal data is the exception. Given a key ring (application/privacy.py), every PersonalData value and
personal text field is stored sealed, `{"enc": "v1", "kid": <data key id>, "ct": <base64 AES-GCM>}`, under its
subject's key; once that key is destroyed the value decodes to its erased placeholder. Values stored before
sealing was switched on (plain objects) still decode; a mapper without a key ring writes them plain. A new person's
key is made in memory and travels with the stored event to the recorder, which stores it in the append's own
transaction (keyed.py), where the recorder can (`deferred`); otherwise it is stored before sealing.

Events change shape the way eventsourcing's own Mapper allows: a class with `class_version = N > 1` stores
`"class_version": N` beside its state, and reading an older state runs the class's static
`upcast_vK_vK+1(state)` methods in turn before the typed decode (docs/ARCHITECTURE.md, "How to change an event").
Snapshots store their aggregate's attributes typed by the aggregate's nested `State` TypedDict; they are never
sealed, so only aggregates without personal data may be snapshotted.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from typing import Any, TypedDict, get_type_hints
from uuid import UUID

import msgspec
from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from application.privacy import PERSONAL_TEXT, PersonalDataKeys, erased, is_erased, subject_of
from domain.values import PersonalData
from infrastructure.eventstore.event_mac import body_of, seal
from infrastructure.eventstore.keyed import DeferringKeys, KeyedStoredEvent, NewKey

_ENVELOPE = ("originator_id", "originator_version")
_ERASED_ENVELOPE = {"enc": "erased"}
_KEY_ID = re.compile(rb'"kid":"([^"\\]+)"')  # a sealed value's key id as the encoder writes it (no spaces)


class _NoTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError("MsgspecMapper encodes events itself")

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError("MsgspecMapper decodes events itself")


@cache
def _personal_fields(event_class: type) -> tuple[tuple[str, Any, msgspec.json.Decoder], ...]:
    """(name, type, decoder) of the event's fields that hold personal data."""
    hints = get_type_hints(event_class)
    texts = next((names for cls, names in PERSONAL_TEXT.items() if issubclass(event_class, cls)), ())
    found = []
    for field in dataclasses.fields(event_class):
        hint = hints[field.name]
        struct = next(
            (t for t in (hint, *getattr(hint, "__args__", ())) if isinstance(t, type) and issubclass(t, PersonalData)),
            None,
        )
        if struct is not None or field.name in texts:
            found.append((field.name, struct or str, msgspec.json.Decoder(hint)))
    return tuple(found)


@cache
def _decoder(event_class: type) -> msgspec.json.Decoder:
    """A decoder of the event class's state (every dataclass field but the envelope), as a dict; personal
    fields are left untyped, to be opened by the mapper."""
    hints = get_type_hints(event_class)
    personal = {name for name, _, _ in _personal_fields(event_class)}
    fields = {
        f.name: Any if f.name in personal else hints[f.name]
        for f in dataclasses.fields(event_class)
        if f.name not in _ENVELOPE
    }
    # A TypedDict made at run time from the event's fields; mypy only understands ones with literal keys.
    state = TypedDict(f"{event_class.__qualname__}State", fields)  # type: ignore[misc]
    return msgspec.json.Decoder(state)


@cache
def _aggregate_state(aggregate_class: type[Any]) -> tuple[type, frozenset[str]]:
    """The typed state of a snapshot of `aggregate_class` (its `State` plus eventsourcing's timestamps), and its
    keys."""
    fields = {"_created_on": datetime, "_modified_on": datetime, **get_type_hints(aggregate_class.State)}
    # Made at run time, like the event states above.
    state = TypedDict(f"{aggregate_class.__qualname__}Snapshot", fields)  # type: ignore[misc]
    return state, frozenset(fields)


def _upcast(event_class: type, version: int, state: dict[str, Any]) -> None:
    """Bring a stored state up to the class's version with its upcasters, as eventsourcing's Mapper does."""
    from_version = state.pop("class_version", 1)
    while from_version < version:
        getattr(event_class, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1


def _personal_values(domain_event: Any) -> Iterator[tuple[str, Any]]:
    """(field name, value) of the event's personal-data fields that hold a value: what sealing encrypts."""
    event_class: type = type(domain_event)
    for name, _, _ in _personal_fields(event_class):
        value = getattr(domain_event, name)
        if value is not None:
            yield name, value


class MsgspecMapper(Mapper[UUID]):
    """Maps domain events to stored events and back with msgspec, sealing personal data when given keys."""

    def __init__(
        self, keys: PersonalDataKeys | None = None, *, opaque: bool = False, mac_key: bytes | None = None
    ) -> None:
        """`opaque`: sealed values decode to their envelope as stored (evidence bundles carry them like that);
        `mac_key`: every stored state carries an HMAC under it (infrastructure/eventstore/event_mac.py)."""
        super().__init__(transcoder=_NoTranscoder())
        self.keys, self.opaque, self.mac_key = keys, opaque, mac_key
        self.deferred: DeferringKeys | None = None  # set when the recorder stores new keys with the events (keyed.py)
        self._encoder = msgspec.json.Encoder()
        self._by_topic: dict[str, tuple[type, msgspec.json.Decoder, tuple[Any, ...]]] = {}

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id, originator_version = state.pop("originator_id"), state.pop("originator_version")
        if isinstance(domain_event, CanSnapshotAggregate):
            self._check_snapshot(domain_event)
        if getattr(type(domain_event), "class_version", 1) > 1:
            state["class_version"] = type(domain_event).class_version
        new_keys: list[NewKey] = []
        if self.keys is not None:
            for name, value in _personal_values(domain_event):
                state[name] = self._seal(value, originator_id, new_keys)
        topic, body = get_topic(type(domain_event)), self._encoder.encode(state)
        if self.mac_key is not None:
            body = seal(self.mac_key, originator_id, originator_version, topic, body)
        if new_keys:
            return KeyedStoredEvent(originator_id, originator_version, topic, body, tuple(new_keys))
        return StoredEvent(originator_id=originator_id, originator_version=originator_version, topic=topic, state=body)

    def keys_stored(self, key_ids: Iterable[str]) -> None:
        """The new keys of stored events committed (ResealingEventStore)."""
        if self.deferred is not None:
            self.deferred.stored(key_ids)

    def keys_lost(self, subjects: Iterable[str]) -> None:
        """Another writer's keys for these subjects won: the next sealing takes them (ResealingEventStore)."""
        if self.deferred is not None:
            self.deferred.lost(subjects)

    def prepare(self, domain_events: list[Any]) -> None:
        """Make the data keys that sealing these events will need (the group commit calls it in each caller's
        thread, so new people's keys are written concurrently, not one after another in the committing thread)."""
        if self.keys is None or self.deferred is not None:  # deferred keys are made in memory while sealing
            return
        for domain_event in domain_events:
            for _, value in _personal_values(domain_event):
                if not is_erased(value):
                    self.keys.prepare(subject_of(value, domain_event.originator_id))

    @staticmethod
    def _check_snapshot(snapshot: Any) -> None:
        """An attribute missing from the aggregate's State would be silently lost on reading the snapshot back."""
        _, names = _aggregate_state(resolve_topic(snapshot.topic))
        if set(snapshot.state) - {"class_version"} != names:
            raise ValueError(
                f"{snapshot.topic}.State must name exactly the aggregate's attributes: "
                f"{sorted(set(snapshot.state) ^ names)}"
            )

    def _seal(self, value: Any, stream: UUID, new_keys: list[NewKey]) -> dict[str, str]:
        if is_erased(value):  # an erased value stays erased if an aggregate carries it into a new event
            return _ERASED_ENVELOPE
        if self.deferred is not None:
            key_id, sealed, new = self.deferred.seal_deferred(subject_of(value, stream), self._encoder.encode(value))
            if new is not None:
                new_keys.append(new)
        else:
            assert self.keys is not None
            key_id, sealed = self.keys.seal(subject_of(value, stream), self._encoder.encode(value))
        return {"enc": "v1", "kid": key_id, "ct": base64.b64encode(sealed).decode()}

    def preload_keys(self, states: Iterable[bytes]) -> None:
        """Have the key ring fetch at once the keys that decoding these stored states will need (a log reader's
        batch), rather than one query per new key as each event is decoded."""
        if self.keys is None or self.opaque:
            return
        key_ids = {match.decode() for state in states for match in _KEY_ID.findall(state)}
        if key_ids:
            self.keys.preload(key_ids)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.event_from(
            stored_event.topic, stored_event.state, stored_event.originator_id, stored_event.originator_version
        )

    def event_from(self, topic: str, data: bytes, originator_id: Any, originator_version: int) -> Any:
        """The domain event stored under `topic` with this state (the fast path for log readers)."""
        known = self._by_topic.get(topic)
        if known is None:
            event_class = resolve_topic(topic)
            known = self._by_topic[topic] = (event_class, _decoder(event_class), _personal_fields(event_class))
        event_class, decoder, personal = known
        try:
            # The event's MAC is checked by the audit chainer, not here; the typed decoder skips its "~mac" key as
            # it skips any key it does not know, so only the upcast path strips it (a copy of every state otherwise).
            version = getattr(event_class, "class_version", 1)
            if version > 1:  # the stored state may be older: upcast it untyped, then decode it typed
                older = msgspec.json.decode(body_of(data))
                _upcast(event_class, version, older)
                data = self._encoder.encode(older)
            state = decoder.decode(data)
            for name, kind, plain in personal:
                state[name] = self._open(state[name], kind, plain)
            if issubclass(event_class, CanSnapshotAggregate):
                state["state"] = self._aggregate_state(state["topic"], state["state"])
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise MapperDeserialisationError(
                f"cannot decode {topic} v{originator_version} of {originator_id}: {error}"
            ) from error
        state["originator_id"] = originator_id if type(originator_id) is UUID else UUID(str(originator_id))
        state["originator_version"] = originator_version
        domain_event: Any = object.__new__(event_class)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event

    @staticmethod
    def _aggregate_state(topic: str, stored: dict[str, Any]) -> dict[str, Any]:
        """A snapshot's aggregate attributes, upcast to the aggregate's class version and typed."""
        aggregate_class = resolve_topic(topic)
        version = getattr(aggregate_class, "class_version", 1)
        _upcast(aggregate_class, version, stored)
        state_type, _ = _aggregate_state(aggregate_class)
        typed: dict[str, Any] = msgspec.convert(stored, state_type)
        if version > 1:  # Snapshot.mutate would otherwise upcast a second time
            typed["class_version"] = version
        return typed

    def _open(self, value: Any, kind: type, plain: msgspec.json.Decoder) -> Any:
        sealed = value.get("enc") if type(value) is dict else None
        if sealed is None:  # stored before sealing was switched on (or None)
            return plain.decode(self._encoder.encode(value))
        if self.opaque:
            return value
        if sealed == "erased":
            return erased(kind)
        if self.keys is None:
            raise MapperDeserialisationError(
                "personal data is sealed but this process has no key ring (MOTCUA_DATA_KEY)"
            )
        plaintext = self.keys.open(value["kid"], base64.b64decode(value["ct"]))
        return erased(kind) if plaintext is None else plain.decode(plaintext)

    def sealed_values(self, data: bytes) -> Iterator[tuple[str, bytes]]:
        """(key id, sealed bytes) of every sealed value in a stored state (to find what a key opens)."""
        state = msgspec.json.decode(data)
        for value in state.values() if isinstance(state, dict) else ():
            if isinstance(value, dict) and value.get("enc") == "v1":
                yield value["kid"], base64.b64decode(value["ct"])
