"""The bank's side of the month: the agency account's statement as the bank exports it, the first half of the month
as CSV and the second half as ISO 20022 camt.053, holding every bank-QR payment of the scenario, one of them with a
reference the citizen mistyped, and one line the bank sent twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from xml.sax.saxutils import escape

from tests.acceptance.month_cases import Ledger, Payment

SPLIT_DAY = date(2026, 5, 16)  # lines booked before it are in the CSV file, the rest in the camt.053 file


@dataclass(frozen=True)
class BankLine:
    """One credit line: the payment it pays, and the outcome the scenario expects of it."""

    booked_on: date
    bank_reference: str
    amount: int
    text: str
    pays: Payment
    status: str  # matched / unmatched / disputed
    reason: str | None = None


def bank_lines(ledger: Ledger, vn_day: Callable[[datetime], date]) -> list[BankLine]:
    """Every bank-QR payment as the bank books it; the third district payment's reference mistyped (a digit of the
    dossier code dropped), and the last line sent twice."""
    paid = [p for p in ledger.payments if p.method == "bank_qr"]
    mistyped = [p for p in paid if p.agency == "H29.06"][2]
    lines = []
    for n, payment in enumerate(paid, 1):
        code, wrong = payment.code, payment is mistyped
        text = f"NOP PHI HO SO {code[:-4]}{code[-3:]}" if wrong else f"NOP PHI HO SO {code}"
        status = "unmatched" if wrong else "matched"
        lines.append(BankLine(vn_day(payment.at), f"FT26{n:06d}", payment.amount, text, payment, status))
    last = lines[-1]
    return [*lines, replace(last, status="disputed", reason="duplicate")]


def as_csv(lines: list[BankLine]) -> bytes:
    """A Vietnamese bank's CSV export: the account and period above the header, debits and a total line too."""
    rows = [
        "SAO KÊ TÀI KHOẢN;;;;",
        "Số tài khoản: 1234567890 - UBND QUAN 6;;;;",
        "Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung",
        "02/05/2026;FT26DEBIT1;15.000;;Phi dich vu SMS",
    ]
    rows += [f"{ln.booked_on:%d/%m/%Y};{ln.bank_reference};;{ln.amount:,};{ln.text}".replace(",", ".") for ln in lines]
    rows.append("Tổng cộng;;15.000")  # the bank's closing line, shorter than the header: skipped
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode()


def as_camt053(lines: list[BankLine]) -> bytes:
    """An ISO 20022 BkToCstmrStmt with one entry per line."""
    entries = "".join(
        f'<Ntry><Amt Ccy="VND">{ln.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>{ln.booked_on:%Y-%m-%d}</Dt>'
        f"</BookgDt><AcctSvcrRef>{ln.bank_reference}</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>{escape(ln.text)}"
        "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for ln in lines
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>Q6-2026-05</MsgId></GrpHdr><Stmt><Id>2026-05-B</Id>{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()
