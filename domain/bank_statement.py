"""Bank statements (sao kê tài khoản) as banks export them: CSV and ISO 20022 camt.053 XML, credit lines only.

Parsing is all or nothing: a file with any bad line raises `StatementError` listing every bad line (line number,
column, Vietnamese reason), so a rejected file records nothing. Debit lines (money leaving the account) are skipped.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, datetime

import msgspec

from domain.errors import DomainError
from domain.money import MAX_AMOUNT

MAX_LINES = 20_000
MAX_TEXT = 500


class StatementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One credit to the agency's account: when, the bank's own reference, how much, and the payer's free text."""

    line: int
    booked_on: date
    bank_reference: str
    amount: int
    text: str


class LineError(msgspec.Struct, frozen=True):
    """Why one line of a statement was refused."""

    line: int
    column: str
    reason: str


class StatementError(DomainError):
    """The statement was refused as a whole; `errors` names each bad line."""

    code = "invalid_statement"

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        shown = "; ".join(f"dòng {e.line}, {e.column}: {e.reason}" for e in errors[:5])
        more = f" (và {len(errors) - 5} lỗi khác)" if len(errors) > 5 else ""
        super().__init__(
            f"{len(errors)} bad line(s) in the statement",
            f"Sao kê có {len(errors)} dòng lỗi, không ghi nhận dòng nào: {shown}{more}.",
        )


def _fold(text: str) -> str:
    """Lower case without accents or spaces, to recognise column names however a bank spells them."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


COLUMNS = {  # our column → the folded headers banks use for it
    "booked_on": {"ngaygiaodich", "ngaygd", "ngayhachtoan", "ngay", "transactiondate", "date"},
    "bank_reference": {"sothamchieu", "sogd", "magiaodich", "sobutoan", "reference", "refno", "transactionno"},
    "amount": {"sotienghico", "ghico", "phatsinhco", "sotienco", "credit", "creditamount"},
    "text": {"noidung", "noidunggiaodich", "diengiai", "mota", "description", "details"},
}


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258 (Vietnamese), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            # Windows-1258 writes tones as combining marks: composed again, "ả" compares equal to UTF-8's
            return unicodedata.normalize("NFC", data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_amount(raw: str) -> int | None:
    """'1.500.000', '1,500,000', '1500000', '1.500.000,00' or '1,500,000.00' → 1500000; '' → None (a debit line)."""
    value = raw.strip().replace(" ", "").replace("\u00a0", "").removesuffix("VND").removesuffix("đ")
    if not value:
        return None
    value = re.sub(r"[.,]00$", "", value)
    if not re.fullmatch(r"\d{1,3}([.,]\d{3})*|\d+", value):
        raise ValueError("số tiền không hợp lệ (phải là số đồng nguyên, ví dụ 1.500.000)")
    amount = int(value.replace(".", "").replace(",", ""))
    if amount == 0:
        return None
    if amount > MAX_AMOUNT:
        raise ValueError("số tiền vượt quá 100.000.000 đồng cho một khoản nộp")
    return amount


def parse_day(raw: str) -> date:
    """'20/05/2026', '20/05/2026 09:15:00', '20-05-2026' or '2026-05-20' → date."""
    value = raw.strip().split(" ")[0].split("T")[0]
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError("ngày không hợp lệ (dạng dd/mm/yyyy)")


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row (banks put the account and period above it) and where each of our columns is."""
    for index, row in enumerate(rows[:30]):
        folded = [_fold(cell) for cell in row]
        found = {ours: next((i for i, f in enumerate(folded) if f in names), -1) for ours, names in COLUMNS.items()}
        if all(i >= 0 for i in found.values()):
            return index, found
    missing = "Ngày giao dịch, Số tham chiếu, Số tiền ghi có, Nội dung"
    raise StatementError([LineError(1, "tiêu đề", f"không tìm thấy dòng tiêu đề có đủ các cột {missing}")])


def parse_csv(data: bytes) -> list[StatementLine]:
    """A CSV statement (comma, semicolon or tab separated; UTF-8 with BOM, Windows-1258 or -1252)."""
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    start, where = _header(rows)
    lines: list[StatementLine] = []
    errors: list[LineError] = []
    for number, row in enumerate(rows[start + 1 :], start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(where.values()):
            if _fold(" ".join(row)).startswith(("tong", "total", "cong")):
                continue  # the bank's closing total line
            errors.append(LineError(number, "dòng", "thiếu cột so với dòng tiêu đề"))
            continue
        cell = {ours: row[i].strip() for ours, i in where.items()}
        try:
            amount = parse_amount(cell["amount"])
        except ValueError as error:
            errors.append(LineError(number, "Số tiền ghi có", str(error)))
            continue
        if amount is None:
            continue  # a debit
        line = _line(number, cell, amount, errors)
        if line is not None:
            lines.append(line)
    return _checked(lines, errors)


def _line(number: int, cell: dict[str, str], amount: int, errors: list[LineError]) -> StatementLine | None:
    try:
        booked_on = parse_day(cell["booked_on"])
    except ValueError as error:
        errors.append(LineError(number, "Ngày giao dịch", str(error)))
        return None
    if not cell["bank_reference"] or len(cell["bank_reference"]) > 100:
        errors.append(LineError(number, "Số tham chiếu", "thiếu số tham chiếu hoặc quá 100 ký tự"))
        return None
    return StatementLine(
        line=number,
        booked_on=booked_on,
        bank_reference=cell["bank_reference"],
        amount=amount,
        text=_clean(cell["text"]),
    )


def _clean(text: str) -> str:
    return "".join(c for c in text if c.isprintable())[:MAX_TEXT]


def _checked(lines: list[StatementLine], errors: list[LineError]) -> list[StatementLine]:
    if len(lines) > MAX_LINES:
        errors.append(LineError(MAX_LINES + 1, "dòng", f"sao kê quá {MAX_LINES} dòng"))
    if errors:
        raise StatementError(errors)
    if not lines:
        raise StatementError([LineError(1, "dòng", "sao kê không có khoản ghi có nào")])
    return lines


CAMT = re.compile(r"\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d+\}")


def parse_camt053(data: bytes) -> list[StatementLine]:
    """ISO 20022 camt.053 (BkToCstmrStmt): the credit entries (`CdtDbtInd` CRDT) in VND.

    A document type declaration or an entity is refused before parsing (entity expansion, external entities),
    as defusedxml does; the standard library's parser then sees plain elements only."""
    head = data[:4096].lower()
    if b"<!doctype" in data.lower() or b"<!entity" in head:
        raise StatementError([LineError(1, "XML", "tệp XML có khai báo DOCTYPE/ENTITY: không được chấp nhận")])
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise StatementError([LineError(error.position[0], "XML", "tệp XML không đúng cú pháp")]) from None
    match = CAMT.match(root.tag)
    if not match or not root.tag.endswith("Document"):
        raise StatementError([LineError(1, "XML", "không phải sao kê ISO 20022 camt.053")])
    ns = {"c": match.group(0)[1:-1]}
    entries = root.findall("c:BkToCstmrStmt/c:Stmt/c:Ntry", ns)
    lines: list[StatementLine] = []
    errors: list[LineError] = []
    for number, entry in enumerate(entries, 1):
        if entry.findtext("c:CdtDbtInd", "", ns).strip() != "CRDT":
            continue
        line = _entry(number, entry, ns, errors)
        if line is not None:
            lines.append(line)
    return _checked(lines, errors)


def _entry(number: int, entry: ET.Element, ns: dict[str, str], errors: list[LineError]) -> StatementLine | None:
    amount_element = entry.find("c:Amt", ns)
    if amount_element is None or amount_element.get("Ccy") != "VND":
        errors.append(LineError(number, "Amt", "thiếu số tiền hoặc không phải VND"))
        return None
    raw = (amount_element.text or "").strip()
    if not re.fullmatch(r"\d+(\.0+)?", raw) or not 0 < int(raw.split(".")[0]) <= MAX_AMOUNT:
        errors.append(LineError(number, "Amt", "số tiền không hợp lệ (VND không có phần lẻ)"))
        return None
    day = entry.findtext("c:BookgDt/c:Dt", None, ns) or entry.findtext("c:BookgDt/c:DtTm", None, ns) or ""
    reference = (
        entry.findtext("c:AcctSvcrRef", None, ns)
        or entry.findtext("c:NtryDtls/c:TxDtls/c:Refs/c:AcctSvcrRef", None, ns)
        or ""
    ).strip()
    text = " ".join(
        t.strip() for t in (e.text or "" for e in entry.findall("c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd", ns))
    )
    return _line(number, {"booked_on": day, "bank_reference": reference, "text": text}, int(raw.split(".")[0]), errors)


def parse_statement(data: bytes) -> tuple[str, list[StatementLine]]:
    """The format ('camt053' or 'csv') and the credit lines of a statement file."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "camt053", parse_camt053(data)
    return "csv", parse_csv(data)
