"""The one logging set-up of every process: one JSON object per line, with the request id of the work in hand.

The request id is a context variable: the API's middleware sets it from `X-Request-ID` (or makes one), the handler's
thread inherits it, the kiosk command line copies it into the NATS headers, and the kiosk logs it with the command
(`extra={"request_id": ...}`, which wins over the context). Messages keep their `%s` arguments: no personal data
is formatted into a log line by this module, which only adds the time, level, logger, process and request id.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

REQUEST_ID: ContextVar[str | None] = ContextVar("motcua_request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is echoed into logs and headers: printable ASCII without spaces or quotes, bounded.
ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is acceptable, else a fresh one (a bad id is replaced, never refused)."""
    if header and ACCEPTABLE_ID.fullmatch(header):
        return header
    return f"{_made.prefix}{next(_made.count):016x}"


class _Made:
    """Fresh request ids: 32 hex digits, a random half per process and a counter (a uuid4 per request read the
    system's random source on every write the API answered; an id needs to be unique, not unguessable)."""

    def __init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        self.prefix, self.count = os.urandom(8).hex(), itertools.count()


_made = _Made()
os.register_at_fork(after_in_child=_made.restart)  # a forked child counts under its own prefix


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, process name, message, request id, exception type."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": self.process,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info and record.exc_info[0] is not None:
            # The type and where only: exception texts may quote values (driver errors quote statements).
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}" for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(process: str, level: str | int = "INFO", stream: TextIO | None = None) -> None:
    """Log JSON lines at `level` to `stream` (stderr) for the process named `process`. Calling it again replaces its
    own earlier handler and leaves others alone (a test's log capture, when an entry point runs in a test)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(process))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning becomes a JSON line too (logger "py.warnings")


def server_log_config() -> dict[str, Any]:
    """uvicorn's `log_config`: its loggers keep no handler of their own, so their records reach the JSON handler of
    `setup_logging` (uvicorn's default writes plain text, and exception texts, which may quote values, in full).
    The access log writes nothing: request paths carry dossier codes and citizens' ID numbers."""
    through_ours = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            "uvicorn": through_ours,
            "uvicorn.error": through_ours,
            "uvicorn.asgi": through_ours,
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def request_headers() -> dict[str, str] | None:
    """The headers that carry the current request id onto a NATS message (None outside a request)."""
    request_id = REQUEST_ID.get()
    return {REQUEST_ID_HEADER: request_id} if request_id else None
