"""VietQR: the EMVCo merchant-presented QR of NAPAS that every Vietnamese banking app reads.

`payload()` builds the text (tags 00, 01, 38 with the NAPAS GUID, the bank BIN and the account, 53=704, 54 the
amount, 58=VN, 59/60 names, 62 with the dossier code as purpose and reference, 63 the CRC-16/CCITT-FALSE of all
before it); `parse()` reads one back and checks its CRC (tests decode the screen's and the receipt's QR with the
kiosk's own reader and parse them here); `svg()` renders it with segno for the screen.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import segno

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"  # NAPAS 247 service code: transfer to an account


class BadVietQrError(ValueError):
    """Not a well-formed VietQR payload, or its CRC does not match."""


@dataclass(frozen=True)
class BankAccount:
    """Where transfers go: the agency's account (kiosk settings; a demo default)."""

    bin: str  # the bank's 6-digit NAPAS BIN
    number: str
    name: str  # the account holder, upper case without diacritics as banks show it
    city: str = "HO CHI MINH"

    def __post_init__(self) -> None:
        if not (len(self.bin) == 6 and self.bin.isdigit()):
            raise BadVietQrError(f"the bank BIN must be 6 digits, not {self.bin!r}")
        if not (1 <= len(self.number) <= 19 and self.number.isalnum() and self.number.isascii()):
            raise BadVietQrError("the account number must be 1-19 letters or digits")
        if not plain(self.name).strip():
            raise BadVietQrError("the account holder's name is empty")


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as 4 upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _tlv(tag: str, value: str) -> str:
    if not 0 < len(value) <= 99:
        raise BadVietQrError(f"tag {tag}: a value of 1-99 characters, not {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def plain(text: str) -> str:
    """Upper-case ASCII as banks print names ('Ủy ban' -> 'UY BAN')."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if c.isascii()).upper()


def payload(account: BankAccount, amount: int, reference: str) -> str:
    """A dynamic VietQR for `amount` đồng with `reference` (the dossier code) as purpose of the transfer."""
    if not 0 < amount <= 100_000_000:
        raise BadVietQrError("the amount must be 1 to 100.000.000 đồng")
    beneficiary = _tlv("00", account.bin) + _tlv("01", account.number)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", TO_ACCOUNT)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("38", merchant)
        + _tlv("53", "704")
        + _tlv("54", str(amount))
        + _tlv("58", "VN")
        + _tlv("59", plain(account.name)[:25])
        + _tlv("60", plain(account.city)[:15])
        + _tlv("62", _tlv("01", reference) + _tlv("08", plain(f"NOP PHI HO SO {reference}")[:50]))
        + "6304"
    )
    return body + crc16(body)


def fields(text: str) -> dict[str, str]:
    """The top-level tags of a TLV string (nested templates stay text: call again on them)."""
    found, at = {}, 0
    while at < len(text):
        tag, size = text[at : at + 2], text[at + 2 : at + 4]
        if len(tag) < 2 or not size.isdigit() or at + 4 + int(size) > len(text):
            raise BadVietQrError(f"broken TLV at position {at}")
        found[tag] = text[at + 4 : at + 4 + int(size)]
        at += 4 + int(size)
    return found


def parse(text: str) -> dict[str, str]:
    """Checks the CRC and returns the fields a test or a bank app cares about."""
    if len(text) < 8 or text[-8:-4] != "6304" or crc16(text[:-4]) != text[-4:].upper():
        raise BadVietQrError("the CRC does not match")
    top = fields(text)
    merchant = fields(top["38"])
    beneficiary = fields(merchant["01"])
    extra = fields(top.get("62", ""))
    return {
        "version": top["00"],
        "method": top["01"],
        "guid": merchant["00"],
        "bin": beneficiary["00"],
        "account": beneficiary["01"],
        "service": merchant.get("02", ""),
        "currency": top["53"],
        "amount": top.get("54", ""),
        "country": top["58"],
        "name": top.get("59", ""),
        "city": top.get("60", ""),
        "reference": extra.get("01", ""),
        "purpose": extra.get("08", ""),
        "crc": top["63"],
    }


def svg(text: str, *, scale: int = 8) -> str:
    """The QR as inline SVG markup (inline: the screen's CSP allows no data: images)."""
    qr = segno.make(text, error="m", micro=False)
    return qr.svg_inline(scale=scale, border=4, dark="#000", light="#fff", omitsize=True)


def png(text: str, *, scale: int = 6) -> bytes:
    """The QR as PNG, for the printed receipt."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
