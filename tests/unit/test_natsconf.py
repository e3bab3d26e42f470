"""The kiosk bus's generated permissions: a kiosk's NKEY user reaches only its own subjects; configs hold no seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.natsconf.config import Node, server_config
from infrastructure.natsconf.credentials import core_user, kiosk_user, new_seed, public_key

KEYS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}", fullmatch=True)
SEED_A, SEED_B = new_seed(), new_seed()


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` one token, `>` one or more trailing tokens."""
    parts, tokens = pattern.split("."), subject.split(".")
    for index, part in enumerate(parts):
        if part == ">":
            return len(tokens) > index
        if index >= len(tokens) or (part != "*" and part != tokens[index]):
            return False
    return len(parts) == len(tokens)


@given(KEYS, KEYS)
def test_a_kiosks_user_can_publish_and_listen_only_on_its_own_subjects(own: str, other: str) -> None:
    user = kiosk_user(own, SEED_A, "kiosk")
    assert any(matches(p, f"kiosk.{own}.events.cash_inserted") for p in user.publish)
    assert any(matches(p, f"kiosk.{own}.heartbeat") for p in user.publish)
    assert any(matches(s, f"kiosk.{own}.commands") for s in user.subscribe)
    if other != own:
        for subject in (
            f"kiosk.{other}.events.cash_inserted",
            f"kiosk.{other}.heartbeat",
            f"kiosk.{other}.commands",
            f"_INBOX.{other}.x",
        ):
            assert not any(matches(p, subject) for p in user.publish + user.subscribe)


@pytest.mark.parametrize("bad", ["Q6.01", "Q6-*", ">", "Q6 01", "", "Q6-01.events"])
def test_a_kiosk_key_that_is_not_one_subject_token_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="subject token"):
        kiosk_user(bad, SEED_A)


def test_the_server_config_names_public_keys_and_permissions_never_seeds(tmp_path: Path) -> None:
    users = [core_user(SEED_A), kiosk_user("Q6-01", SEED_B, "kiosk")]
    nodes = [
        Node(name=f"n{i}", port=4222 + i, monitor_port=8222 + i, cluster_port=6222 + i, store_dir=tmp_path / f"n{i}")
        for i in range(3)
    ]
    text = server_config(nodes[0], users, peers=nodes)
    assert public_key(SEED_A) in text and public_key(SEED_B) in text
    assert SEED_A not in text and SEED_B not in text
    assert '"kiosk.Q6-01.events.>"' in text and '"allow_responses": true' in text
    assert "nats-route://127.0.0.1:6223" in text and "nats-route://127.0.0.1:6222" not in text  # not itself
