"""The receipt issuers' reference data (infrastructure/data/receipt_issuers.toml): tax codes and serial prefix."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import msgspec

DATA = Path(__file__).parent / "data" / "receipt_issuers.toml"


class ReceiptIssuers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Serial prefix (two capital letters) and each agency's tax code (10 or 13 digits with a dash)."""

    prefix: str
    tax_codes: dict[str, str] = {}

    def __post_init__(self) -> None:
        if not (len(self.prefix) == 2 and self.prefix.isascii() and self.prefix.isupper()):
            raise ValueError("receipt_issuers.toml: prefix must be two capital letters")
        for agency, code in self.tax_codes.items():
            if not (code.isdigit() and len(code) == 10 or len(code) == 14 and code[:10].isdigit() and code[10] == "-"):
                raise ValueError(f"receipt_issuers.toml: tax code of {agency} must be 10 digits or 10-3 digits")


@functools.cache
def load_receipt_issuers(path: Path = DATA) -> ReceiptIssuers:
    """The file, checked once per process."""
    return msgspec.convert(tomllib.loads(path.read_text(encoding="utf-8")), ReceiptIssuers)
