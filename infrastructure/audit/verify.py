"""Walks the events and their links together, in one snapshot, and reports the first place where they disagree;
then checks what the walk alone cannot see (rows outside the chain, versions, erasures, anchors, lag)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infrastructure.audit import scope
from infrastructure.audit.keys import PublicKey
from infrastructure.audit.links import GENESIS, checkpoint_message, next_link, row_digest
from infrastructure.audit.tables import AuditTables, Checkpoint, Tx
from infrastructure.eventstore.event_mac import verifies

Progress = Callable[[int, int], None]
MESSAGES = {
    "payload_changed": "nội dung sự kiện đã bị sửa sau khi được xích",
    "order_changed": "thứ tự sự kiện đã bị đổi: sự kiện được xích ở vị trí {other} nay nằm ở đây",
    "event_missing": "sự kiện đã bị xóa: còn mắt xích nhưng không còn sự kiện",
    "event_inserted": "sự kiện được chèn thêm: có sự kiện nhưng không có mắt xích",
    "event_out_of_range": (
        "có sự kiện mang số thứ tự {other} (≤ 0), nằm ngoài chuỗi: được chèn trực tiếp vào cơ sở dữ liệu"
    ),
    "versions_broken": "phiên bản sự kiện của một đối tượng không liên tục từ 1 (bị xóa, trùng hoặc chèn thêm)",
    "event_unaccountable": "sự kiện không có mã xác thực (MAC) của ứng dụng: không do ứng dụng ghi",
    "link_altered": "mắt xích hoặc mã băm lưu ở vị trí này đã bị sửa",
    "chain_missing": "có sự kiện nhưng chuỗi trống: bảng chuỗi đã bị xóa hoặc chưa từng chạy bộ xích",
    "chain_lagging": "chuỗi chậm quá giới hạn: {other} sự kiện chưa được xích",
    "unsigned_tail": (
        "có mắt xích sau điểm kiểm tra đã ký cuối cùng: bộ xích luôn ký khi ghi, "
        "nên đây là mắt xích giả hoặc điểm kiểm tra bị xóa"
    ),
    "checkpoint_mismatch": (
        "chuỗi đến điểm kiểm tra đã ký này bị viết lại (sự kiện sau vị trí {other} bị sửa, xóa hoặc chèn)"
    ),
    "checkpoint_signature_invalid": "chữ ký của điểm kiểm tra không hợp lệ",
    "checkpoint_unknown_key": "điểm kiểm tra được ký bằng khóa khác ({other})",
    "checkpoint_missing": "thiếu điểm kiểm tra đã ký: quá {other} mắt xích liên tiếp không có",
    "chain_truncated": "chuỗi bị cắt: điểm kiểm tra đã ký ở vị trí này nhưng chuỗi chỉ đến vị trí {other}",
    "anchor_mismatch": (
        "chuỗi trong cơ sở dữ liệu không còn chứa điểm kiểm tra đã neo bên ngoài ở vị trí này (bị viết lại)"
    ),
    "anchor_beyond_head": (
        "điểm kiểm tra đã neo bên ngoài ở vị trí này nhưng chuỗi chỉ đến vị trí {other} (bị quay lui hoặc xóa)"
    ),
    "erasure_unrecorded": "{other} khóa dữ liệu cá nhân bị hủy mà không có sự kiện xóa dữ liệu hợp pháp nào ghi nhận",
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
    """What `verify` found; `last_signed_at`: events after that moment are covered by no signature yet."""

    head: int
    checked: int
    checkpoints: int
    unchained: int
    anchored: int
    last_signed_at: str | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(
    tables: AuditTables,
    key: PublicKey,
    every: int,
    batch: int = 10000,
    progress: Progress | None = None,
    *,
    anchors: Sequence[Checkpoint] = (),
    mac_key: bytes | None = None,
    mac_from: int = 1,
    max_lag: int = 10000,
) -> Report:
    """Check every checkpoint's (and anchor's) signature and every link against its event, in one snapshot."""
    with tables.reading() as tx:
        head, _ = tables.chain_head(tx)
        checkpoints = tables.all_checkpoints(tx)
        macs = (mac_key, mac_from)
        checked, broken = _walk(tables, tx, head, checkpoints, anchors, every, batch, macs, progress)
        unchained = tables.count_events_after(tx, head)
        found = [
            _signatures(checkpoints, key, head),
            _signatures(anchors, key, head, "anchor_beyond_head"),
            broken,
            _scope(tables, tx, head, checkpoints, unchained, max_lag),
            _above_head(tables, tx, head, batch, macs),
        ]
    problems = [p for p in found if p is not None]
    return Report(
        head=head,
        checked=checked,
        checkpoints=len(checkpoints),
        unchained=unchained,
        anchored=len(anchors),
        last_signed_at=checkpoints[-1].signed_at if checkpoints else None,
        problem=min(problems, key=lambda p: p.position, default=None),
    )


def _signatures(
    checkpoints: Sequence[Checkpoint], key: PublicKey, head: int, beyond: str = "chain_truncated"
) -> Problem | None:
    for checkpoint in checkpoints:
        if checkpoint.key_id != key.key_id:
            return problem(checkpoint.position, "checkpoint_unknown_key", checkpoint.key_id)
        message = checkpoint_message(checkpoint.position, checkpoint.link, checkpoint.signed_at, checkpoint.key_id)
        if not key.verifies(checkpoint.signature, message):
            return problem(checkpoint.position, "checkpoint_signature_invalid")
        if checkpoint.position > head:
            return problem(checkpoint.position, beyond, head)
    return None


def _scope(
    tables: AuditTables, tx: Tx, head: int, checkpoints: list[Checkpoint], unchained: int, max_lag: int
) -> Problem | None:
    """Rows and keys the walk does not reach."""
    if (position := scope.nonpositive_event(tables, tx)) is not None:
        return problem(position, "event_out_of_range", position)
    if (position := scope.broken_versions(tables, tx)) is not None:
        return problem(position, "versions_broken")
    if (destroyed := scope.unrecorded_erasures(tables, tx)) > 0:
        return problem(0, "erasure_unrecorded", destroyed)
    if head == 0 and (first := scope.first_event(tables, tx)) is not None:
        return problem(first, "chain_missing")
    if head and (not checkpoints or checkpoints[-1].position < head):
        return problem(checkpoints[-1].position + 1 if checkpoints else 1, "unsigned_tail")
    return problem(head + 1, "chain_lagging", unchained) if unchained > max_lag else None


def _above_head(tables: AuditTables, tx: Tx, head: int, batch: int, macs: tuple[bytes | None, int]) -> Problem | None:
    """Events not chained yet must carry the application's MAC too (a forged append is caught before it is linked)."""
    if macs[0] is None:
        return None
    for rows in tables.event_rows(tx, head, 2**62, batch):
        for row in rows:
            if not _accountable(row, macs):
                return problem(row[0], "event_unaccountable")
    return None


def _accountable(row: tuple, macs: tuple[bytes | None, int]) -> bool:
    key, start = macs
    return key is None or row[0] < start or verifies(key, row[1], row[2], row[3], bytes(row[4] or b""))


def _walk(
    tables: AuditTables,
    tx: Tx,
    head: int,
    checkpoints: list[Checkpoint],
    anchors: Sequence[Checkpoint],
    every: int,
    batch: int,
    macs: tuple[bytes | None, int],
    progress: Progress | None,
) -> tuple[int, Problem | None]:
    """How many links were found good before the first broken one, and that one (None if none)."""
    signed, anchored, checked = {c.position: c.link for c in checkpoints}, {a.position: a.link for a in anchors}, 0
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
                return checked, problem(position, "order_changed", other) if other else problem(
                    position, "payload_changed"
                )
            if not _accountable(event, macs):
                return checked, problem(position, "event_unaccountable")
            link = next_link(link, position, digest)
            if link != stored:
                return checked, problem(position, "link_altered")
            if anchored.get(position, link) != link:
                return checked, problem(position, "anchor_mismatch")
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
