"""The chainer: follows the event log in notification-id order and appends one link per event, signing a
checkpoint every `every` links (and on demand), in the same transaction as the links it covers."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

from infrastructure.audit.keys import SigningKey
from infrastructure.audit.links import GENESIS, checkpoint_message, next_link, row_digest
from infrastructure.audit.tables import AuditTables, Checkpoint
from infrastructure.settings import SettingsError

EVERY_ENV, BATCH_ENV = "MOTCUA_AUDIT_CHECKPOINT_EVERY", "MOTCUA_AUDIT_BATCH"
log = logging.getLogger("motcua.audit")
Progress = Callable[[int, int], None]


def positive_setting(environ: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from the environment; SettingsError naming the variable otherwise."""
    value = environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a positive whole number, not {value!r}")
    return int(value)


def sign_checkpoint(key: SigningKey, position: int, link: bytes) -> Checkpoint:
    """A checkpoint of the chain at `position`, signed now."""
    signed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Checkpoint(position, link, signed_at, key.key_id,
                      key.sign(checkpoint_message(position, link, signed_at, key.key_id)))


class Chainer:
    """Appends links for new events; one chainer writes at a time (the chain table is locked while it does)."""

    def __init__(self, tables: AuditTables, key: Callable[[], SigningKey], every: int = 1000, batch: int = 10000) -> None:
        self.tables, self._key, self.every, self.batch = tables, key, every, batch
        self._stop = threading.Event()

    @classmethod
    def from_env(cls, tables: AuditTables, key: Callable[[], SigningKey], environ: Mapping[str, str] = os.environ) -> Chainer:
        """With MOTCUA_AUDIT_CHECKPOINT_EVERY (default 1000) and MOTCUA_AUDIT_BATCH (default 10000)."""
        return cls(tables, key, positive_setting(environ, EVERY_ENV, 1000), positive_setting(environ, BATCH_ENV, 10000))

    def catch_up(self, progress: Progress | None = None) -> int:
        """Chain every event up to the safe head; returns how many links were added."""
        head, added = self.tables.safe_head(), 0
        while not self._stop.is_set():
            count, position = self._chain_batch(head)
            added += count
            if progress and count:
                progress(position, head)
            if count < self.batch:
                return added
        return added

    def _chain_batch(self, head: int) -> tuple[int, int]:
        tables = self.tables
        with tables.writing() as tx:
            position, link = tables.chain_head(tx)
            link = link or GENESIS
            since = tables.count_links(tx, tables.last_checkpoint_position(tx))
            links, signed = [], []
            # One batch per transaction, so a long first chaining commits as it goes.
            for notification_id, originator, version, topic, state in tables.next_events(tx, position, head, self.batch):
                digest = row_digest(originator, version, topic, state)
                link = next_link(link, notification_id, digest)
                links.append((notification_id, digest, link))
                since += 1
                if since == self.every:
                    signed.append(sign_checkpoint(self._key(), notification_id, link))
                    since = 0
            tables.append(tx, links, signed)
        return len(links), links[-1][0] if links else position

    def checkpoint(self) -> Checkpoint:
        """Chain everything, then sign the head (unless a checkpoint is already there); returns the head's checkpoint."""
        self.catch_up()
        with self.tables.writing() as tx:
            position, link = self.tables.chain_head(tx)
            checkpoints = self.tables.all_checkpoints(tx)
            if checkpoints and checkpoints[-1].position == position:
                return checkpoints[-1]
            if not position:
                raise ValueError("the event log is empty: nothing to sign")
            checkpoint = sign_checkpoint(self._key(), position, link)
            self.tables.append(tx, [], [checkpoint])
        return checkpoint

    def run_forever(self, poll: float = 1.0) -> None:
        """Chain new events every `poll` seconds until stopped."""
        while not self._stop.is_set():
            try:
                self.catch_up()
            except Exception:  # keep running: the next round starts again from the stored head
                log.exception("chaining failed; retrying")
            self._stop.wait(poll)

    def stop(self) -> None:
        """Stop `run_forever` (and a `catch_up` between batches)."""
        self._stop.set()
