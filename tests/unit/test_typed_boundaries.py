"""The places where the type-checking pass (item 8 of [11]) replaced a silent assumption with a check or a real type."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.idempotency import _held_answer
from application.base import mutate
from domain.errors import InvalidValueError
from domain.kiosk_wire import (
    DEVICE_EVENTS,
    OpenTray,
    TrayOpened,
    decode_command,
    decode_device_event,
    encode,
    event_type,
)
from domain.vault import OwnerKind, VaultOwner
from projections.books import columns

ROOT = Path(__file__).resolve().parents[2]


def test_a_stored_event_that_changes_no_aggregate_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="does not change an aggregate"):
        mutate(object(), None)  # type: ignore[arg-type]


def test_a_vault_owner_named_by_text_gets_the_enum_kind_or_a_clear_refusal() -> None:
    owner = VaultOwner.named("citizen", "079195000101")
    assert type(owner.kind) is OwnerKind and owner.kind is OwnerKind.CITIZEN
    with pytest.raises(InvalidValueError) as refused:
        VaultOwner.named("robot", "079195000101")
    assert refused.value.field == "kind"


def test_wire_decoders_return_the_message_types_and_tags_are_text() -> None:
    opened = TrayOpened(event_id=str(uuid4()), kiosk="Q6-01", at=datetime(2026, 5, 20, 1, tzinfo=UTC), tray=3)
    assert decode_device_event(encode(opened)) == opened
    assert event_type(opened) == "tray_opened"
    assert decode_command(encode(OpenTray(tray=4))) == OpenTray(tray=4)
    assert len(DEVICE_EVENTS) == 10


@given(st.lists(st.binary(max_size=20), max_size=5), st.integers(100, 599))
def test_the_idempotency_middleware_remembers_the_status_type_and_whole_body_it_held(
    chunks: list[bytes], status: int
) -> None:
    held: list[Any] = [
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/x")]},
        *({"type": "http.response.body", "body": c, "more_body": True} for c in chunks),
        {"type": "http.response.start", "status": 200, "headers": []},
    ]  # only the first start counts
    assert _held_answer(held) == (status, "text/x", b"".join(chunks))


def test_an_answer_the_app_never_started_counts_as_a_server_error() -> None:
    assert _held_answer([]) == (500, "", b"")


def test_column_specs_split_at_the_first_space() -> None:
    assert columns("code TEXT NOT NULL", "at TS") == (("code", "TEXT NOT NULL"), ("at", "TS"))


def test_make_test_runs_the_linters_of_the_dev_extra_first() -> None:
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe is not None
    steps = recipe.group(1).splitlines()
    assert "scripts/lint.sh" in steps[0] and "pytest" in steps[-1]
    dev = re.search(r"^dev = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S)
    assert dev is not None and '"ruff' in dev.group(1) and '"mypy' in dev.group(1)
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".mypy_cache/" in ignored and ".ruff_cache/" in ignored
