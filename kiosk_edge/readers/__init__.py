"""Kiosk camera readers: frames in, raw symbol payloads out."""

from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.symbols import read_symbols

__all__ = ["Symbol", "read_symbols"]
