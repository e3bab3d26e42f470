"""The second engine: zxing-cpp, tried where zbar read nothing (its Code 128 reader copes better with blur)."""

from __future__ import annotations

import numpy as np
import zxingcpp

from kiosk_edge.readers.payloads import Symbol, decode_qr_bytes

# Standard (model 2) QR only: asked for the whole QR family, zxing-cpp 3 also finds Micro QR codes in a QR's own
# modules (a misread, as a frame of a CCCD card showed in bench/decode_hard.py).
_FORMATS = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCodeModel2)
_QR = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.QRCodeModel2)


def zxing_scan(grey: np.ndarray, *, whole_frame: bool = True) -> list[Symbol]:
    """Code 128 and QR symbols zxing-cpp reads in an 8-bit grey image; on a prepared view, one pass only."""
    found = zxingcpp.read_barcodes(
        np.ascontiguousarray(grey),
        formats=_FORMATS,  # type: ignore[arg-type]  # zxing-cpp 3 takes a tuple (`|` is deprecated); stubs lag
        try_rotate=whole_frame,
        try_downscale=whole_frame,
        try_invert=False,
    )
    symbols = []
    for result in found:
        if not result.valid:
            continue
        if result.format in _QR:
            symbols.append(Symbol("qrcode", decode_qr_bytes(result.bytes, raw=True)))
        elif result.format == zxingcpp.BarcodeFormat.Code128:  # ISO 8859-1 by definition; ours are ASCII
            symbols.append(Symbol("code128", bytes(result.bytes).decode("latin-1")))
    return symbols
