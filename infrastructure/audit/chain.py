"""The chainer: follows the event log in notification-id order and appends one link per event. Every
transaction that adds links ends with a signed checkpoint at its last link (and one every `every` links within
it), so no link is ever committed unsigned; each checkpoint is then written to the anchors outside the database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from infrastructure.audit.anchors import Anchor, FileAnchor
from infrastructure.audit.keys import SigningKey
from infrastructure.audit.links import GENESIS, checkpoint_message, next_link, row_digest
from infrastructure.audit.tables import AuditTables, Checkpoint
from infrastructure.eventstore.event_mac import verifies
from infrastructure.settings import AuditSettings

log = logging.getLogger("motcua.audit")
Progress = Callable[[int, int], None]


class ChainHaltError(RuntimeError):
    """The chainer must stop, not retry: linking on would seal tampered history with the real key."""


class UnaccountableEventError(ChainHaltError):
    """An event without the application's MAC: someone without the MAC key wrote it."""


class ChainRollbackError(ChainHaltError):
    """The last checkpoint this chainer knows of is gone or changed in the database."""


def sign_checkpoint(key: SigningKey, position: int, link: bytes) -> Checkpoint:
    """A checkpoint of the chain at `position`, signed now."""
    signed_at = datetime.now(UTC).isoformat(timespec="seconds")
    return Checkpoint(
        position, link, signed_at, key.key_id, key.sign(checkpoint_message(position, link, signed_at, key.key_id))
    )


class Chainer:
    """Appends links for new events; one chainer writes at a time (the chain table is locked while it does)."""

    def __init__(
        self,
        tables: AuditTables,
        key: Callable[[], SigningKey],
        every: int = 1000,
        batch: int = 10000,
        *,
        mac_key: bytes | None = None,
        mac_from: int = 1,
        anchors: Sequence[Anchor] = (),
    ) -> None:
        """`mac_key`: link only events carrying the application's MAC from notification id `mac_from` on (rows
        below it predate the MAC); `anchors`: where each checkpoint is also written, the first file one also
        telling a restarted chainer the last checkpoint it made."""
        self.tables, self._key, self.every, self.batch = tables, key, every, batch
        self.mac_key, self.mac_from, self.anchors = mac_key, mac_from, list(anchors)
        self._stop = threading.Event()
        self._unpublished: list[Checkpoint] = []
        self._known = next((a.last() for a in self.anchors if isinstance(a, FileAnchor)), None)

    @classmethod
    def from_settings(
        cls,
        tables: AuditTables,
        key: Callable[[], SigningKey],
        settings: AuditSettings,
        *,
        mac_key: bytes | None = None,
        anchors: Sequence[Anchor] = (),
    ) -> Chainer:
        """With MOTCUA_AUDIT_CHECKPOINT_EVERY, MOTCUA_AUDIT_BATCH and MOTCUA_AUDIT_MAC_FROM."""
        return cls(
            tables,
            key,
            settings.checkpoint_every,
            settings.batch,
            mac_key=mac_key,
            mac_from=settings.mac_from,
            anchors=anchors,
        )

    def catch_up(self, progress: Progress | None = None) -> int:
        """Chain every event up to the safe head and sign it; returns how many links were added."""
        head, added = self.tables.safe_head(), 0
        try:
            while not self._stop.is_set():
                count, position = self._chain_batch(head)
                added += count
                if progress and count:
                    progress(position, head)
                if count < self.batch:
                    return added
            return added
        finally:
            self._publish()

    def _chain_batch(self, head: int) -> tuple[int, int]:
        tables = self.tables
        with tables.writing() as tx:
            self._check_known(tx)
            position, link = tables.chain_head(tx)
            link, last_signed = link or GENESIS, tables.last_checkpoint_position(tx)
            since = tables.count_links(tx, last_signed)
            links, signed = [], []
            # One batch per transaction, so a long first chaining commits as it goes.
            for notification_id, originator, version, topic, state in tables.next_events(
                tx, position, head, self.batch
            ):
                self._accountable(notification_id, originator, version, topic, state)
                digest = row_digest(originator, version, topic, state)
                link = next_link(link, notification_id, digest)
                links.append((notification_id, digest, link))
                since += 1
                if since == self.every:
                    signed.append(sign_checkpoint(self._key(), notification_id, link))
                    since = 0
            end = links[-1][0] if links else position
            if end > max(last_signed, signed[-1].position if signed else 0):  # no link stays unsigned
                signed.append(sign_checkpoint(self._key(), end, link))
            tables.append(tx, links, signed)
        self._remember(signed)
        return len(links), end

    def _accountable(self, position: int, originator: bytes, version: int, topic: str, state: bytes) -> None:
        if (
            self.mac_key is not None
            and position >= self.mac_from
            and not verifies(self.mac_key, originator, version, topic, bytes(state or b""))
        ):
            raise UnaccountableEventError(
                f"event {position} has no valid MAC: the application did not write it; "
                "not linking it or anything after it"
            )

    def _check_known(self, tx) -> None:
        known = self._known
        if known is not None and self.tables.checkpoint_link(tx, known.position) != known.link:
            raise ChainRollbackError(
                f"the checkpoint at position {known.position} signed {known.signed_at} is gone or "
                "changed: the chain was rolled back or wiped; not re-sealing it"
            )

    def _remember(self, signed: list[Checkpoint]) -> None:
        if signed:
            self._known = signed[-1]
            self._unpublished.extend(signed)

    def _publish(self) -> None:
        """Write new checkpoints to every anchor; kept for the next round if one fails."""
        if not self._unpublished:
            return
        for anchor in self.anchors:
            anchor.publish(self._unpublished)
        self._unpublished = []

    def checkpoint(self) -> Checkpoint:
        """Chain everything (which signs the head); returns the head's checkpoint."""
        self.catch_up()
        with self.tables.reading() as tx:
            checkpoints = self.tables.all_checkpoints(tx)
        if not checkpoints:
            raise ValueError("the event log is empty: nothing to sign")
        return checkpoints[-1]

    def run_forever(self, poll: float = 1.0) -> None:
        """Chain new events every `poll` seconds until stopped; a ChainHaltError ends it (the process exits)."""
        while not self._stop.is_set():
            try:
                self.catch_up()
            except ChainHaltError:
                log.critical("the chainer stops: the audit chain needs an investigation (docs/AUDIT.md)")
                raise
            except Exception:  # keep running: the next round starts again from the stored head
                log.exception("chaining failed; retrying")
            self._stop.wait(poll)

    def stop(self) -> None:
        """Stop `run_forever` (and a `catch_up` between batches)."""
        self._stop.set()
