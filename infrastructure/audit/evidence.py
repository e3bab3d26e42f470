"""The contents of an evidence bundle, as both the exporter and the offline verifier derive them from events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.codes import dossier_id
from domain.signatures import register_id

FORMAT = "motcua-evidence/1"
MANIFEST, ROWS, EVENTS, HANDOVER, PROOF, PUBLIC_KEY = (
    "manifest.json",
    "rows.json",
    "events.json",
    "handover.json",
    "chain_proof.json",
    "public_key.pem",
)
PDF_DIR = "pdfs/"
HANDED_OVER, FILE_SIGNED, DOCUMENT_STORED = (
    ":Dossier.HandedOver",
    ":SignatureRegister.FileSigned",
    ":Vault.DocumentStored",
)

Entry = tuple[int, str, str, dict[str, Any]]
"""(position, originator id as text, topic, event data)."""


def own_ids(code: str) -> tuple[str, str]:
    """The ids of the dossier's own aggregates: the dossier and its signature register."""
    return str(dossier_id(code)), str(register_id(code))


def handover_lines(code: str, entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """The dossier's lines of the handover book (sổ giao nhận), oldest first."""
    dossier = own_ids(code)[0]
    return [
        {
            "position": position,
            "at": data["at"],
            "item": data["item"],
            "giver": data["giver"],
            "receiver": data["receiver"],
        }
        for position, originator, topic, data in entries
        if originator == dossier and topic.endswith(HANDED_OVER)
    ]


def signed_files(code: str, entries: Iterable[Entry]) -> dict[str, int]:
    """The signed PDFs the events name for the dossier: sha256 → position of the first event naming it."""
    register, named = own_ids(code)[1], dict[str, int]()
    for position, originator, topic, data in entries:
        if (originator == register and topic.endswith(FILE_SIGNED)) or (
            topic.endswith(DOCUMENT_STORED) and data.get("dossier_code") == code
        ):
            named.setdefault(data["sha256"], position)
    return named


def pdf_name(sha256: str) -> str:
    return f"{PDF_DIR}{sha256}.pdf"
