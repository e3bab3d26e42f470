"""What the kiosk readers return: a symbol's kind and raw payload, and how QR bytes become text."""

from __future__ import annotations

import logging
from typing import Literal

import msgspec

log = logging.getLogger(__name__)
SymbolKind = Literal["code128", "qrcode"]


class Symbol(msgspec.Struct, frozen=True):
    """One decoded symbol: its kind and the raw payload text."""

    kind: SymbolKind
    payload: str


def decode_qr_bytes(data: bytes, *, raw: bool) -> str:
    """CCCD QR text from zbar's bytes: UTF-8, with clear fall-backs when that is not what we got.

    Raw (binary mode) bytes that are not UTF-8 stay byte for byte as Latin-1 for the CCCD parser to
    reject visibly. Without binary mode, undo zbar's Shift-JIS or Latin-1 guess at Vietnamese UTF-8.
    """
    if raw:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # The payload itself stays out of the log: a CCCD QR holds the ID number and the name.
            log.warning("QR payload of %d bytes is not UTF-8; kept as Latin-1", len(data))
            return data.decode("latin-1")
    text = data.decode("utf-8", errors="replace")
    for guessed in ("shift_jis", "latin-1"):
        try:
            return text.encode(guessed).decode("utf-8")
        except UnicodeError:
            continue
    return text
