"""The event MAC envelope: what the application seals reads back exactly, and any other bytes never verify nor crash."""

from __future__ import annotations

import uuid

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from infrastructure.eventstore.event_mac import body_of, mac_key, seal, split, verifies

KEY = mac_key("secret")
states = st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.integers(), st.text(max_size=20)), max_size=4)


@settings(max_examples=100, deadline=None)
@given(states, st.integers(1, 2**40), st.text(min_size=1, max_size=30))
def test_a_sealed_state_verifies_and_decodes_to_what_the_application_encoded(state, version, topic) -> None:
    originator, body = uuid.uuid4(), msgspec.json.encode(state)
    sealed = seal(KEY, originator, version, topic, body)
    assert body_of(sealed) == body and msgspec.json.decode(sealed)["~mac"] == split(sealed)[0].decode()
    assert verifies(KEY, originator.bytes, version, topic, sealed)
    assert not verifies(KEY, originator.bytes, version + 1, topic, sealed)
    assert not verifies(mac_key("other"), originator.bytes, version, topic, sealed)
    assert not verifies(KEY, originator.bytes, version, topic, body)  # the same state without a MAC


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120))
def test_arbitrary_bytes_never_verify_and_never_crash(data) -> None:
    assert not verifies(KEY, bytes(16), 1, "t", data)
    assert isinstance(body_of(data), bytes)
