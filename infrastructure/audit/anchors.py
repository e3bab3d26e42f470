"""Anchors: every signed checkpoint is also written where a database administrator cannot rewrite it.

An anchor is the checkpoint itself (position, head link, time, key id, signature) as one JSON object. Sinks: an
append-only file (on another volume, MOTCUA_AUDIT_ANCHOR_FILE) and a NATS JetStream stream that denies deletes and
purges (MOTCUA_AUDIT_ANCHOR_NATS=nats://host:port/STREAM). `verify --anchor` reads them back: the database must
still extend every anchored checkpoint, so a rollback, truncation or wipe of the chain is caught.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from infrastructure.audit.tables import Checkpoint
from infrastructure.settings.areas import AuditSettings


class AnchorError(ValueError):
    """An anchor cannot be read or written; the message names it."""


class Anchor(Protocol):
    def publish(self, checkpoints: Sequence[Checkpoint]) -> None: ...
    def read(self) -> list[Checkpoint]: ...


def encode(checkpoint: Checkpoint) -> bytes:
    return json.dumps(
        {
            "position": checkpoint.position,
            "link": checkpoint.link.hex(),
            "signed_at": checkpoint.signed_at,
            "key_id": checkpoint.key_id,
            "signature": checkpoint.signature.hex(),
        }
    ).encode()


def decode(data: bytes, where: str) -> Checkpoint:
    try:
        item = json.loads(data)
        return Checkpoint(
            int(item["position"]),
            bytes.fromhex(item["link"]),
            str(item["signed_at"]),
            str(item["key_id"]),
            bytes.fromhex(item["signature"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise AnchorError(f"{where}: not an anchor ({type(error).__name__})") from None


class FileAnchor:
    """An append-only JSON-lines file; each write is flushed to disk before the chainer goes on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def publish(self, checkpoints: Sequence[Checkpoint]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as file:
            file.write(b"".join(encode(c) + b"\n" for c in checkpoints))
            file.flush()
            os.fsync(file.fileno())

    def read(self) -> list[Checkpoint]:
        if not self.path.is_file():
            raise AnchorError(f"no anchor file {self.path}")
        lines = self.path.read_bytes().splitlines()
        return [decode(line, f"{self.path}:{n}") for n, line in enumerate(lines, 1) if line.strip()]

    def last(self) -> Checkpoint | None:
        """The newest anchored checkpoint (None before the first)."""
        return self.read()[-1] if self.path.is_file() and self.path.stat().st_size else None


class NatsAnchor:
    """A JetStream stream created with deny-delete and deny-purge: once published, an anchor stays."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.stream = parts.path.strip("/")
        if parts.scheme != "nats" or not parts.hostname or not self.stream.replace("_", "").replace("-", "").isalnum():
            raise AnchorError(f"{url!r} is not nats://host:port/STREAM")
        self.server, self.subject = (
            f"nats://{parts.hostname}:{parts.port or 4222}",
            f"motcua.audit.anchor.{self.stream}",
        )

    def publish(self, checkpoints: Sequence[Checkpoint]) -> None:
        asyncio.run(self._publish(checkpoints))

    def read(self) -> list[Checkpoint]:
        return asyncio.run(self._read())

    async def _publish(self, checkpoints: Sequence[Checkpoint]) -> None:
        from nats.js.api import StreamConfig  # lazily: `verify` without NATS must start fast

        client = await self._connect()
        try:
            js = client.jetstream()
            await js.add_stream(
                StreamConfig(name=self.stream, subjects=[self.subject], deny_delete=True, deny_purge=True)
            )
            for checkpoint in checkpoints:
                await js.publish(self.subject, encode(checkpoint))
        finally:
            await client.close()

    async def _read(self) -> list[Checkpoint]:
        from nats.js.errors import NotFoundError

        client = await self._connect()
        try:
            js = client.jetstream()
            try:
                info = await js.stream_info(self.stream)
            except NotFoundError:
                raise AnchorError(f"no anchor stream {self.stream} on {self.server}") from None
            if not (info.config.deny_delete and info.config.deny_purge):
                raise AnchorError(f"anchor stream {self.stream} allows deleting or purging: it proves nothing")
            found = []
            for sequence in range(info.state.first_seq, info.state.last_seq + 1):
                message = await js.get_msg(self.stream, sequence)
                found.append(decode(message.data, f"{self.stream}#{sequence}"))
            return found
        finally:
            await client.close()

    async def _connect(self):
        import nats

        try:
            return await nats.connect(self.server, connect_timeout=5, max_reconnect_attempts=0, allow_reconnect=False)
        except Exception as error:  # nats raises several kinds; each means the same here
            raise AnchorError(f"cannot reach {self.server}: {type(error).__name__}") from None


def anchor_at(where: str) -> FileAnchor | NatsAnchor:
    """The anchor a `--anchor` argument names: nats://host:port/STREAM, or a file path."""
    return NatsAnchor(where) if where.startswith("nats://") else FileAnchor(Path(where))


def anchor_file(settings: AuditSettings, data_dir: Path) -> FileAnchor:
    """MOTCUA_AUDIT_ANCHOR_FILE, or <data dir>/audit/anchors.jsonl."""
    return FileAnchor(settings.anchor_file or data_dir / "audit" / "anchors.jsonl")


def configured_anchors(settings: AuditSettings, data_dir: Path) -> list[FileAnchor | NatsAnchor]:
    """The chainer's sinks: the anchor file and the NATS stream if set."""
    sinks: list[FileAnchor | NatsAnchor] = [anchor_file(settings, data_dir)]
    if settings.anchor_nats:
        sinks.append(NatsAnchor(settings.anchor_nats))
    return sinks
