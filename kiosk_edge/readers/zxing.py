"""The second engine: zxing-cpp, tried where zbar read nothing (its Code 128 reader copes better with blur)."""

from __future__ import annotations

import numpy as np
import zxingcpp

from kiosk_edge.readers.payloads import Symbol, decode_qr_bytes

_FORMATS = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)


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
        if result.format == zxingcpp.BarcodeFormat.QRCode:
            symbols.append(Symbol("qrcode", decode_qr_bytes(result.bytes, raw=True)))
        else:  # Code 128 is ISO 8859-1 by definition; envelopes and dossier codes use ASCII
            symbols.append(Symbol("code128", bytes(result.bytes).decode("latin-1")))
    return symbols
