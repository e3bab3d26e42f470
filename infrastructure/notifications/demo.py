"""The demo outbox: the last messages the console channel "sent", for the demo page (GET /demo/messages).

Only with MOTCUA_DEMO=1 and no real gateway configured. The messages carry OTP codes, so they never go to a log;
they are kept in one small file in the data dir (mode 0600) because the dispatcher may run in its own process
(`make stack`) while the page is served by the API.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from infrastructure.settings import Settings

FILE = "demo-messages.jsonl"
KEEP = 50


class DemoMessage(msgspec.Struct, frozen=True):
    """One message as the console channel would have sent it; the address masked."""

    at: datetime
    channel: str
    to: str
    template: str
    subject: str
    text: str


class DemoMessages:
    """The last KEEP messages, newest last, in a JSON-lines file readable by the service user only."""

    def __init__(self, path: Path | str) -> None:
        self.path, self._lock = Path(path), threading.Lock()

    def add(self, message: DemoMessage) -> None:
        with self._lock:
            kept = [*self.last(KEEP - 1), message]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".incoming")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(b"".join(msgspec.json.encode(m) + b"\n" for m in kept))
            os.replace(temporary, self.path)

    def last(self, count: int = KEEP) -> list[DemoMessage]:
        """The newest `count` messages, oldest first."""
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        return [msgspec.json.decode(line, type=DemoMessage) for line in lines[-count:] if line] if count > 0 else []


def for_settings(settings: Settings) -> DemoMessages | None:
    """The deployment's demo outbox under MOTCUA_DEMO=1; None otherwise (the console channel then keeps nothing)."""
    return DemoMessages(settings.data_dir / FILE) if settings.demo else None


def now() -> datetime:
    return datetime.now(UTC)
