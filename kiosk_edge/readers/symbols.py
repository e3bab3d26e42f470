"""Symbol reading for the kiosk cameras: envelope Code128 barcodes and CCCD QR codes (zbar via pyzbar)."""

from __future__ import annotations

import ctypes
import logging
from typing import Literal

import msgspec
import numpy as np
from pyzbar import wrapper as zbar
from pyzbar.pyzbar import ZBarSymbol

log = logging.getLogger(__name__)

_L800 = 808466521  # zbar's fourcc for 8-bit grey ("Y800")
_CFG_BINARY = 4  # ZBAR_CFG_BINARY (zbar >= 0.23): hand back QR bytes without guessing a charset


class Symbol(msgspec.Struct, frozen=True):
    """One decoded symbol: its kind and the raw payload text."""

    kind: Literal["code128", "qrcode"]
    payload: str


def scan(grey: np.ndarray) -> list[Symbol]:
    """One zbar pass over an 8-bit grey image, Code128 and QR only."""
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    scanner = zbar.zbar_image_scanner_create()
    try:
        zbar.zbar_image_scanner_set_config(scanner, 0, zbar.ZBarConfig.CFG_ENABLE, 0)
        for kind in (ZBarSymbol.CODE128, ZBarSymbol.QRCODE):
            zbar.zbar_image_scanner_set_config(scanner, kind, zbar.ZBarConfig.CFG_ENABLE, 1)
        raw = zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _CFG_BINARY, 1) == 0
        image = zbar.zbar_image_create()
        try:
            zbar.zbar_image_set_format(image, _L800)
            zbar.zbar_image_set_size(image, grey.shape[1], grey.shape[0])
            zbar.zbar_image_set_data(image, grey.ctypes.data_as(ctypes.c_void_p), grey.size, None)
            zbar.zbar_scan_image(scanner, image)
            return list(_symbols(image, raw))
        finally:
            zbar.zbar_image_destroy(image)
    finally:
        zbar.zbar_image_scanner_destroy(scanner)


def decode_qr_bytes(data: bytes, *, raw: bool) -> str:
    """CCCD QR text from zbar's bytes: UTF-8, with clear fall-backs when that is not what we got.

    `raw` bytes (binary mode) that are not UTF-8 are kept byte-for-byte as Latin-1, so the CCCD parser
    rejects them visibly instead of us guessing. Older zbar (no binary mode) re-encodes what it guessed
    was Shift-JIS or Latin-1 into UTF-8; Vietnamese UTF-8 is often mis-guessed that way, so undo it.
    """
    if raw:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("QR payload is not UTF-8; kept as Latin-1: %r", data[:40])
            return data.decode("latin-1")
    text = data.decode("utf-8", errors="replace")
    for guessed in ("shift_jis", "latin-1"):
        try:
            return text.encode(guessed).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _symbols(image, raw: bool):
    symbol = zbar.zbar_image_first_symbol(image)
    while symbol:
        data = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
        if symbol.contents.type == ZBarSymbol.QRCODE:
            yield Symbol("qrcode", decode_qr_bytes(data, raw=raw))
        else:  # Code128 carries ISO 8859-1 by definition; envelope codes are ASCII
            yield Symbol("code128", data.decode("latin-1"))
        symbol = zbar.zbar_symbol_next(symbol)
def read_symbols(image): return scan(image if image.ndim == 2 else image[:, :, 1])
