"""One logging set-up for every process: JSON lines with the request id, exception types without their text."""

from __future__ import annotations

import io
import json
import logging
import os
import re
from pathlib import Path

import pytest

from infrastructure.logs import REQUEST_ID, request_headers, request_id_from, setup_logging

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "infrastructure", "projections", "api", "kiosk_edge")


@pytest.fixture
def stream():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    setup_logging("api", stream=out)
    yield out
    root.handlers[:], root.level = saved[0], saved[1]


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_the_request_id_in_hand(stream: io.StringIO) -> None:
    token = REQUEST_ID.set("req-1")
    try:
        logging.getLogger("motcua.api").info("loaded %d trays", 3)
    finally:
        REQUEST_ID.reset(token)
    logging.getLogger("motcua.api").info("outside a request")
    first, second = lines(stream)
    assert first["message"] == "loaded 3 trays" and first["request_id"] == "req-1"
    assert (first["level"], first["logger"], first["process"]) == ("INFO", "motcua.api", "api")
    assert "request_id" not in second


def test_a_request_id_given_with_the_record_wins_over_the_context(stream: io.StringIO) -> None:
    logging.getLogger("kiosk_edge.commands").info("command open_tray: ok", extra={"request_id": "from-nats"})
    assert lines(stream)[0]["request_id"] == "from-nats"


def test_an_exception_is_logged_by_type_and_frames_never_by_its_text(stream: io.StringIO) -> None:
    try:
        raise ValueError("079195000101 Nguyễn Văn A")  # e.g. a driver error quoting a statement's values
    except ValueError:
        logging.getLogger("motcua.api").exception("request failed")
    entry = lines(stream)[0]
    assert entry["exception"] == "ValueError" and "test_logs.py" in entry["stack"][-1]
    assert "079195000101" not in json.dumps(entry, ensure_ascii=False)


def test_setting_up_again_leaves_one_handler_of_ours_and_others_alone(stream: io.StringIO) -> None:
    other = logging.NullHandler()
    logging.getLogger().addHandler(other)
    setup_logging("api", stream=stream)
    logging.getLogger("x").warning("once")
    assert len(lines(stream)) == 1 and other in logging.getLogger().handlers


def test_the_nats_headers_carry_the_request_id_only_inside_a_request() -> None:
    assert request_headers() is None
    token = REQUEST_ID.set("req-2")
    try:
        assert request_headers() == {"X-Request-ID": "req-2"}
    finally:
        REQUEST_ID.reset(token)


def test_a_callers_request_id_is_kept_only_when_it_is_short_printable_ascii() -> None:
    assert request_id_from("4bf92f3577b34da6a3ce929d0e0e4736") == "4bf92f3577b34da6a3ce929d0e0e4736"
    for bad in (None, "", "a b", "x" * 129, "id\nforged-line", '"quoted"'):
        made = request_id_from(bad)
        assert made != bad and re.fullmatch(r"[0-9a-f]{32}", made)


def test_no_entry_point_sets_up_logging_by_itself() -> None:
    copies = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "basicConfig(" in path.read_text(encoding="utf-8")
    ]
    assert copies == []


def test_fresh_request_ids_are_never_repeated_in_a_process_nor_in_a_forked_child() -> None:
    made = [request_id_from(None) for _ in range(10_000)]
    assert len(set(made)) == len(made) and all(re.fullmatch(r"[0-9a-f]{32}", one) for one in made)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only reports what it made
        os.write(write, request_id_from(None).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    in_child = os.read(read, 64).decode()
    os.close(read)
    assert re.fullmatch(r"[0-9a-f]{32}", in_child) and in_child[:16] != made[0][:16]
