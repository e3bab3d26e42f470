"""Verify an evidence bundle with nothing but the zip: no database, no blob store, no network.

Each check adds one plain-words line to the report; a failure names the file (and position) that is wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infrastructure.audit.evidence import (
    EVENTS,
    FORMAT,
    HANDOVER,
    MANIFEST,
    PDF_DIR,
    PROOF,
    PUBLIC_KEY,
    ROWS,
    Entry,
    handover_lines,
    own_ids,
    pdf_name,
    signed_files,
)
from infrastructure.audit.keys import AuditKeyError, PublicKey
from infrastructure.audit.links import checkpoint_message, id_bytes, next_link, row_digest
from infrastructure.eventstore.event_mac import body_of

MALFORMED = (ValueError, KeyError, TypeError, IndexError, AttributeError, binascii.Error)


class BundleInvalid(Exception):
    """One check failed; the message names the file."""


@dataclass
class BundleReport:
    """What was checked, in plain words, and the failure that stopped the check (if any)."""

    checked: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def verify_bundle(path: Path, pinned_key: bytes | None = None) -> BundleReport:
    """Check the bundle at `path`; `pinned_key` is the PEM public key the auditor trusts (else the bundle's own)."""
    report = BundleReport()
    try:
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        _check(files, pinned_key, report.checked)
    except BundleInvalid as failure:
        report.failure = str(failure)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        report.failure = f"{path.name}: không đọc được tệp zip ({type(error).__name__}: {error})"
    return report


def _parsed(files: dict[str, bytes], name: str) -> Any:
    if name not in files:
        raise BundleInvalid(f"{name}: thiếu trong gói")
    try:
        return json.loads(files[name])
    except ValueError as error:
        raise BundleInvalid(f"{name}: không phải JSON hợp lệ ({error})") from None


def _check(files: dict[str, bytes], pinned_key: bytes | None, checked: list[str]) -> None:
    manifest = _parsed(files, MANIFEST)
    steps = (
        (MANIFEST, _manifest),
        (PUBLIC_KEY, _key),
        (ROWS, _rows),
        (PROOF, _proof),
        (EVENTS, _events),
        (HANDOVER, _handover),
        (PDF_DIR, _pdfs),
    )
    state: dict[str, Any] = {"manifest": manifest, "pinned": pinned_key}
    for name, step in steps:
        try:
            checked.append(step(files, state))
        except MALFORMED as error:
            raise BundleInvalid(f"{name}: sai định dạng ({type(error).__name__}: {error})") from None


def _manifest(files: dict[str, bytes], state: dict[str, Any]) -> str:
    manifest = state["manifest"]
    if manifest.get("format") != FORMAT:
        raise BundleInvalid(f"{MANIFEST}: định dạng {manifest.get('format')!r} không được hỗ trợ (cần {FORMAT})")
    listed: dict[str, str] = manifest["files"]
    for name in sorted(set(files) - {MANIFEST} | set(listed)):
        if name not in files:
            raise BundleInvalid(f"{name}: có trong manifest nhưng thiếu trong gói")
        if name not in listed:
            raise BundleInvalid(f"{name}: có trong gói nhưng không có trong manifest")
        if hashlib.sha256(files[name]).hexdigest() != listed[name]:
            raise BundleInvalid(f"{name}: mã băm SHA-256 không khớp với manifest (tệp đã bị sửa)")
    state["code"] = manifest["dossier_code"]
    return f"Gói của hồ sơ {state['code']}: {len(listed)} tệp, mã băm SHA-256 của từng tệp khớp với {MANIFEST}."


def _key(files: dict[str, bytes], state: dict[str, Any]) -> str:
    try:
        key = PublicKey(files[PUBLIC_KEY])
        pinned = PublicKey(state["pinned"]) if state["pinned"] is not None else None
    except AuditKeyError as error:
        raise BundleInvalid(f"{PUBLIC_KEY}: {error}") from None
    if pinned is not None and pinned.key_id != key.key_id:
        raise BundleInvalid(f"{PUBLIC_KEY}: khóa {key.key_id} không phải khóa được chỉ định {pinned.key_id}")
    state["key"] = key
    trust = (
        "trùng với khóa công khai được chỉ định"
        if pinned
        else "lấy từ chính gói; hãy đối chiếu dấu vân tay này với khóa đã công bố (hoặc dùng --public-key)"
    )
    return f"Khóa ký điểm kiểm tra: Ed25519, dấu vân tay {key.key_id}, {trust}."


def _rows(files: dict[str, bytes], state: dict[str, Any]) -> str:
    rows = _parsed(files, ROWS)
    digests: dict[int, bytes] = {}
    versions: dict[str, list[int]] = {}
    for row in rows:
        state_bytes = base64.b64decode(row["state"], validate=True)
        digests[row["position"]] = row_digest(
            id_bytes(row["originator_id"]), row["originator_version"], row["topic"], state_bytes
        )
        versions.setdefault(row["originator_id"], []).append(row["originator_version"])
        row["data"] = json.loads(body_of(state_bytes))  # the event MAC is the store's, not the event's
    if own_ids(state["code"])[0] not in versions:
        raise BundleInvalid(f"{ROWS}: không có sự kiện nào của hồ sơ {state['code']}")
    for aggregate in own_ids(state["code"]):  # a dropped event of the dossier or its register leaves a hole
        found = versions.get(aggregate, [])
        if found != list(range(1, len(found) + 1)):
            raise BundleInvalid(f"{ROWS}: các phiên bản của {aggregate} không liên tục từ 1 (thiếu sự kiện)")
    state["rows"], state["digests"] = rows, digests
    return f"Dữ liệu gốc: {len(rows)} sự kiện lưu trữ; mã băm của từng sự kiện được tính lại từ đúng các byte đã lưu."


def _proof(files: dict[str, bytes], state: dict[str, Any]) -> str:
    key, digests, covered, links = state["key"], state["digests"], set(), 0
    for segment in _parsed(files, PROOF)["segments"]:
        checkpoint = segment["checkpoint"]
        position, link = checkpoint["position"], bytes.fromhex(checkpoint["link"])
        message = checkpoint_message(position, link, checkpoint["signed_at"], checkpoint["key_id"])
        if checkpoint["key_id"] != key.key_id or not key.verifies(bytes.fromhex(checkpoint["signature"]), message):
            raise BundleInvalid(f"{PROOF}: chữ ký điểm kiểm tra ở vị trí {position} không hợp lệ")
        current = bytes.fromhex(segment["previous_link"])
        for entry_position, digest_hex in segment["links"]:
            digest = bytes.fromhex(digest_hex)
            if entry_position in digests:
                if digests[entry_position] != digest:
                    raise BundleInvalid(f"{ROWS}: sự kiện ở vị trí {entry_position} khác với sự kiện đã được xích")
                covered.add(entry_position)
            current = next_link(current, entry_position, digest)
            links += 1
        if current != link or segment["links"][-1][0] != position:
            raise BundleInvalid(f"{PROOF}: chuỗi mắt xích không dẫn đến điểm kiểm tra đã ký ở vị trí {position}")
    missing = sorted(set(digests) - covered)
    if missing:
        raise BundleInvalid(f"{PROOF}: không có bằng chứng cho sự kiện ở vị trí {missing[0]}")
    return (
        f"Chuỗi băm: {len(digests)} sự kiện được tính lại qua {links} mắt xích đến các điểm kiểm tra, "
        f"chữ ký của từng điểm kiểm tra hợp lệ."
    )


def _entries(state: dict[str, Any]) -> list[Entry]:
    return [(row["position"], row["originator_id"], row["topic"], row["data"]) for row in state["rows"]]


def _events(files: dict[str, bytes], state: dict[str, Any]) -> str:
    events = _parsed(files, EVENTS)
    expected = [
        {"position": p, "aggregate_id": o, "version": row["originator_version"], "topic": t, "data": d}
        for (p, o, t, d), row in zip(_entries(state), state["rows"], strict=True)
    ]
    if events != expected:
        first = next((e for e, x in zip(events, expected, strict=False) if e != x), None)  # or a count mismatch
        where = f"vị trí {first['position']}" if isinstance(first, dict) and "position" in first else "số lượng sự kiện"
        raise BundleInvalid(f"{EVENTS}: sự kiện giải mã không khớp với dữ liệu gốc ({where})")
    return f"Sự kiện giải mã ({EVENTS}) khớp với dữ liệu gốc ({ROWS})."


def _handover(files: dict[str, bytes], state: dict[str, Any]) -> str:
    lines = handover_lines(state["code"], _entries(state))
    if _parsed(files, HANDOVER) != lines:
        raise BundleInvalid(f"{HANDOVER}: sổ giao nhận không khớp với các sự kiện bàn giao")
    return f"Sổ giao nhận: {len(lines)} dòng khớp với các sự kiện bàn giao đã xích."


def _pdfs(files: dict[str, bytes], state: dict[str, Any]) -> str:
    named = signed_files(state["code"], _entries(state))
    present = {name for name in files if name.startswith(PDF_DIR)}
    for sha256, position in named.items():
        name = pdf_name(sha256)
        if name not in files:
            raise BundleInvalid(f"{name}: thiếu tệp đã ký mà sự kiện ở vị trí {position} ghi nhận")
        if hashlib.sha256(files[name]).hexdigest() != sha256:
            raise BundleInvalid(f"{name}: nội dung không khớp mã băm ghi trong sự kiện ở vị trí {position}")
    extra = sorted(present - {pdf_name(sha256) for sha256 in named})
    if extra:
        raise BundleInvalid(f"{extra[0]}: tệp không được sự kiện nào của hồ sơ ghi nhận")
    return f"Tệp PDF đã ký: {len(named)} tệp, đúng mã băm ghi trong các sự kiện đã xích."
