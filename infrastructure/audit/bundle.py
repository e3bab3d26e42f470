"""Export one dossier's complete record as a zip an auditor verifies offline (see offline.py, docs/AUDIT.md)."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from application.ports import BlobStore
from application.privacy import DocumentErasedError
from domain.codes import parse_code
from infrastructure.audit.chain import Chainer
from infrastructure.audit.evidence import (
    EVENTS,
    FORMAT,
    HANDOVER,
    MANIFEST,
    PROOF,
    PUBLIC_KEY,
    ROWS,
    Entry,
    handover_lines,
    own_ids,
    pdf_name,
    signed_files,
)
from infrastructure.audit.keys import PublicKey
from infrastructure.audit.links import GENESIS
from infrastructure.audit.tables import AuditTables, Checkpoint, EventRow, Tx
from infrastructure.eventstore.mapper import MsgspecMapper


class BundleError(RuntimeError):
    """The bundle cannot be made complete; the message says why (in Vietnamese, for the person who asked for it)."""


class DossierNotFoundError(BundleError):
    """No event of the dossier with this code is stored."""


def export_bundle(
    tables: AuditTables, chainer: Chainer, key: PublicKey, blobs: BlobStore, code: str, target: Path
) -> dict[str, Any]:
    """Write the dossier's evidence bundle to `target`; returns its manifest."""
    parse_code(code)
    chainer.checkpoint()  # every event chained and the head signed, so each event has a checkpoint after it
    with tables.reading() as tx:
        head, _ = tables.chain_head(tx)
        rows = tables.dossier_events(tx, [UUID(i) for i in own_ids(code)], code.encode(), head)
        if not any(str(UUID(bytes=row[1])) == own_ids(code)[0] for row in rows):
            raise DossierNotFoundError(f"không tìm thấy hồ sơ {code} trong kho sự kiện")
        proof = chain_proof(tables, tx, [row[0] for row in rows])
    entries = decoded(rows)
    files = {
        ROWS: _json([raw_row(row) for row in rows]),
        EVENTS: _json(
            [
                {"position": p, "aggregate_id": o, "version": row[2], "topic": t, "data": d}
                for (p, o, t, d), row in zip(entries, rows, strict=True)
            ]
        ),
        HANDOVER: _json(handover_lines(code, entries)),
        PROOF: _json(proof),
        PUBLIC_KEY: key.pem,
    }
    for sha256, position in signed_files(code, entries).items():
        if not blobs.exists(sha256):
            raise BundleError(f"thiếu tệp đã ký {sha256} (sự kiện vị trí {position}) trong kho tệp")
        try:
            files[pdf_name(sha256)] = blobs.get(sha256)
        except DocumentErasedError:
            raise BundleError(
                f"tệp đã ký {sha256} (sự kiện vị trí {position}) đã bị xóa theo yêu cầu xóa dữ liệu cá nhân"
            ) from None
    manifest = {
        "format": FORMAT,
        "dossier_code": code,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "key_id": key.key_id,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json(manifest))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return manifest


def raw_row(row: EventRow) -> dict[str, Any]:
    """A stored row exactly as kept: the state base64-encoded byte for byte."""
    position, originator, version, topic, state = row
    return {
        "position": position,
        "originator_id": str(UUID(bytes=originator)),
        "originator_version": version,
        "topic": topic,
        "state": base64.b64encode(bytes(state)).decode(),
    }


def decoded(rows: list[EventRow]) -> list[Entry]:
    """Each row decoded by the application's mapper (typed, so a row it cannot read fails here), as plain data."""
    mapper, entries = MsgspecMapper(opaque=True), []  # personal data stays sealed as stored
    for position, originator, version, topic, state in rows:
        event = mapper.event_from(topic, bytes(state), UUID(bytes=originator), version)
        data = {k: v for k, v in vars(event).items() if k not in ("originator_id", "originator_version")}
        entries.append((position, str(event.originator_id), topic, msgspec.to_builtins(data)))
    return entries


def chain_proof(tables: AuditTables, tx: Tx, positions: list[int]) -> dict[str, Any]:
    """For each run of the dossier's events that share a next checkpoint: the link before the run, every
    (position, digest) up to the checkpoint, and the signed checkpoint."""
    checkpoints = tables.all_checkpoints(tx)
    segments: dict[int, dict[str, Any]] = {}
    for position in positions:
        checkpoint = next(c for c in checkpoints if c.position >= position)
        segments.setdefault(checkpoint.position, {"start": position, "checkpoint": checkpoint})
    proof = []
    for segment in segments.values():
        start, checkpoint = segment["start"], segment["checkpoint"]
        before = tables.link_before(tx, start)
        links = [row for rows in tables.link_rows(tx, start - 1, checkpoint.position, 5000) for row in rows]
        proof.append(
            {
                "previous_link": (before[1] if before else GENESIS).hex(),
                "links": [[position, bytes(digest).hex()] for position, digest, _ in links],
                "checkpoint": _checkpoint(checkpoint),
            }
        )
    return {"segments": proof}


def _checkpoint(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "position": checkpoint.position,
        "link": checkpoint.link.hex(),
        "signed_at": checkpoint.signed_at,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature.hex(),
    }


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()
