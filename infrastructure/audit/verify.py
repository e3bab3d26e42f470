"""Walks the events and their links together and reports the first place where they disagree."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from infrastructure.audit.keys import PublicKey
from infrastructure.audit.links import GENESIS, checkpoint_message, next_link, row_digest
from infrastructure.audit.tables import AuditTables, Checkpoint, Tx

Progress = Callable[[int, int], None]
MESSAGES = {
    "payload_changed": "nội dung sự kiện đã bị sửa sau khi được xích",
    "order_changed": "thứ tự sự kiện đã bị đổi: sự kiện được xích ở vị trí {other} nay nằm ở đây",
    "event_missing": "sự kiện đã bị xóa: còn mắt xích nhưng không còn sự kiện",
    "event_inserted": "sự kiện được chèn thêm: có sự kiện nhưng không có mắt xích",
    "link_altered": "mắt xích hoặc mã băm lưu ở vị trí này đã bị sửa",
    "checkpoint_mismatch": "chuỗi đến điểm kiểm tra đã ký này bị viết lại (sự kiện sau vị trí {other} bị sửa, xóa hoặc chèn)",
    "checkpoint_signature_invalid": "chữ ký của điểm kiểm tra không hợp lệ",
    "checkpoint_unknown_key": "điểm kiểm tra được ký bằng khóa khác ({other})",
    "checkpoint_missing": "thiếu điểm kiểm tra đã ký: quá {other} mắt xích liên tiếp không có",
    "chain_truncated": "chuỗi bị cắt: điểm kiểm tra đã ký ở vị trí này nhưng chuỗi chỉ đến vị trí {other}",
}


@dataclass(frozen=True)
class Problem:
    """The first broken place: its position, a kind from MESSAGES and the Vietnamese explanation."""

    position: int
    kind: str
    message: str


def problem(position: int, kind: str, other: object = "") -> Problem:
    return Problem(position, kind, MESSAGES[kind].format(other=other))


@dataclass(frozen=True)
class Report:
    """What `verify` found."""

    head: int
    checked: int
    checkpoints: int
    unchained: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(tables: AuditTables, key: PublicKey, every: int, batch: int = 10000, progress: Progress | None = None) -> Report:
    """Check every checkpoint's signature and every link against its event, in one snapshot."""
    with tables.reading() as tx:
        head, _ = tables.chain_head(tx)
        checkpoints = tables.all_checkpoints(tx)
        checked, broken = _walk(tables, tx, head, checkpoints, every, batch, progress)
        found = [p for p in (_signatures(checkpoints, key, head), broken) if p is not None]
        unchained = tables.count_events_after(tx, head)
    return Report(head=head, checked=checked, checkpoints=len(checkpoints), unchained=unchained,
                  problem=min(found, key=lambda p: p.position, default=None))


def _signatures(checkpoints: list[Checkpoint], key: PublicKey, head: int) -> Problem | None:
    for checkpoint in checkpoints:
        if checkpoint.key_id != key.key_id:
            return problem(checkpoint.position, "checkpoint_unknown_key", checkpoint.key_id)
        message = checkpoint_message(checkpoint.position, checkpoint.link, checkpoint.signed_at, checkpoint.key_id)
        if not key.verifies(checkpoint.signature, message):
            return problem(checkpoint.position, "checkpoint_signature_invalid")
        if checkpoint.position > head:
            return problem(checkpoint.position, "chain_truncated", head)
    return None


def _walk(tables: AuditTables, tx: Tx, head: int, checkpoints: list[Checkpoint], every: int, batch: int,
          progress: Progress | None) -> tuple[int, Problem | None]:
    """How many links were found good before the first broken one, and that one (None if none)."""
    signed, checked = {c.position: c.link for c in checkpoints}, 0
    events = itertools.chain.from_iterable(tables.event_rows(tx, 0, head, batch))
    event, link, since, last_signed = next(events, None), GENESIS, 0, 0
    for rows in tables.link_rows(tx, 0, head, batch):
        for position, digest, stored in rows:
            if event is None or event[0] > position:
                return checked, problem(position, "event_missing")
            if event[0] < position:
                return checked, problem(event[0], "event_inserted")
            actual = row_digest(event[1], event[2], event[3], event[4])
            if actual != digest:
                other = tables.position_of_digest(tx, actual)
                return checked, problem(position, "order_changed", other) if other else problem(position, "payload_changed")
            link = next_link(link, position, digest)
            if link != stored:
                return checked, problem(position, "link_altered")
            if position in signed:
                if signed[position] != link:
                    return checked, problem(position, "checkpoint_mismatch", last_signed)
                since, last_signed = 0, position
            else:
                since += 1
                if since >= every:
                    return checked, problem(position, "checkpoint_missing", every)
            event, checked = next(events, None), checked + 1
        if progress:
            progress(rows[-1][0], head)
    return checked, problem(event[0], "event_inserted") if event is not None else None
