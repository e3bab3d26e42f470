"""Bank statements as Vietnamese banks export them: CSV (UTF-8 with BOM, Windows-1258) and camt.053 XML."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.bank_statement import StatementError, parse_amount, parse_camt053, parse_csv, parse_statement
from domain.reconciliation import codes_in

AGENCIES = ["H29.06", "H29.06.1", "H29.06.10", "H29.06.2"]
CSV = """Ngân hàng TMCP Ngoại thương Việt Nam - Sao kê tài khoản
Số tài khoản: 0071000123456;;;;
Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung
20/05/2026 09:15:01;FT26140001;;50.000;CK H29.06-260520-0001 nop le phi
20/05/2026;FT26140002;1.000.000;;Phi dich vu
21/05/2026;FT26141003;;1,500,000.00;h29 06 1 260521 0002
Tổng cộng;;1.000.000;1.550.000
"""


def test_a_vietcombank_style_csv_with_bom_gives_its_credit_lines_only() -> None:
    lines = parse_csv(b"\xef\xbb\xbf" + CSV.encode())
    assert [(ln.booked_on, ln.bank_reference, ln.amount) for ln in lines] == [
        (date(2026, 5, 20), "FT26140001", 50_000),
        (date(2026, 5, 21), "FT26141003", 1_500_000),
    ]
    assert lines[0].text == "CK H29.06-260520-0001 nop le phi" and lines[0].line == 4


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters (with â, ê, ơ, ư …) precomposed, tone marks combining."""
    out = b""
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out += (base + "".join(c for c in decomposed if c in TONES)).encode("cp1258")
    return out


def test_a_windows_1258_export_is_read_too_and_its_words_compose_again() -> None:
    lines = parse_csv(cp1258(CSV.replace("nop le phi", "nộp lệ phí")))
    assert len(lines) == 2 and lines[0].text == "CK H29.06-260520-0001 nộp lệ phí"


def test_every_bad_line_is_named_and_the_file_is_refused_whole() -> None:
    bad = CSV.replace("50.000", "50.000,5").replace("21/05/2026", "31/02/2026")
    with pytest.raises(StatementError) as refused:
        parse_csv(bad.encode())
    assert [(e.line, e.column) for e in refused.value.errors] == [(4, "Số tiền ghi có"), (6, "Ngày giao dịch")]
    assert "dòng 4" in refused.value.message_vi and "không ghi nhận" in refused.value.message_vi


def test_a_file_without_the_expected_columns_says_which_are_needed() -> None:
    with pytest.raises(StatementError) as refused:
        parse_csv("Ngày;Số tiền\n20/05/2026;50000\n".encode())
    assert "Số tham chiếu" in refused.value.errors[0].reason


@given(st.integers(min_value=1, max_value=100_000_000))
def test_amounts_read_in_every_way_banks_write_them(amount: int) -> None:
    dotted = f"{amount:,}".replace(",", ".")
    for written in (str(amount), f"{amount:,}", dotted, f"{dotted},00", f"{amount:,}.00"):
        assert parse_amount(written) == amount


@given(st.text(max_size=30))
def test_any_amount_text_is_a_number_or_a_clear_refusal(raw: str) -> None:
    try:
        value = parse_amount(raw)
    except ValueError as error:
        assert "số tiền" in str(error)
    else:
        assert value is None or 0 < value <= 100_000_000


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>S1</MsgId></GrpHdr>
<Stmt><Id>1</Id>
<Ntry><Amt Ccy="VND">50000</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-05-20</Dt></BookgDt>
 <AcctSvcrRef>FT1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>H2906 2605200001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="VND">70000</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-05-20</Dt></BookgDt><AcctSvcrRef>FT2</AcctSvcrRef></Ntry>
<Ntry><Amt Ccy="VND">20000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><DtTm>2026-05-21T08:00:00+07:00</DtTm></BookgDt>
 <NtryDtls><TxDtls><Refs><AcctSvcrRef>FT3</AcctSvcrRef></Refs><RmtInf><Ustrd>le phi</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_a_camt053_statement_gives_its_credit_entries() -> None:
    form, lines = parse_statement(CAMT.encode())
    assert form == "camt053"
    assert [(ln.bank_reference, ln.amount, ln.booked_on, ln.text) for ln in lines] == [
        ("FT1", 50_000, date(2026, 5, 20), "H2906 2605200001"),
        ("FT3", 20_000, date(2026, 5, 21), "le phi"),
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><Document>&b;</Document>',
        '<?xml version="1.0"?><!DOCTYPE d SYSTEM "file:///etc/passwd"><Document/>',
    ],
)
def test_a_statement_declaring_a_dtd_or_entities_is_refused_before_parsing(hostile: str) -> None:
    with pytest.raises(StatementError) as refused:
        parse_camt053(hostile.encode())
    assert "DOCTYPE" in refused.value.message_vi


@pytest.mark.parametrize(
    "broken", [b"<Document>", b"<Other xmlns='x'/>", CAMT.replace('Ccy="VND">50000', 'Ccy="USD">50').encode()]
)
def test_broken_or_foreign_xml_is_a_clear_refusal(broken: bytes) -> None:
    with pytest.raises(StatementError):
        parse_camt053(broken)


@pytest.mark.parametrize(
    "reference",
    [
        "H29.06-260520-0001",
        "h29.06-260520-0001",
        "H2906 260520 0001",
        "CK H29062605200001 NOP PHI",
        "nop le phi h29 06-260520-0001",
        "H29.06–260520–0001 Nguyễn Văn A",
    ],
)
def test_a_dossier_code_is_found_however_the_bank_app_spaced_or_cased_it(reference: str) -> None:
    assert "H29.06-260520-0001" in codes_in(reference, AGENCIES)


def test_a_ward_code_is_not_mistaken_for_the_district_or_another_ward() -> None:
    assert codes_in("H29.06.10-260520-0001", AGENCIES) == ["H29.06.10-260520-0001"]
    assert codes_in("H2906.1 260520 0002", AGENCIES) == ["H29.06.1-260520-0002"]


def test_a_reference_without_a_valid_code_names_none() -> None:
    assert codes_in("H29.06-261340-0001 nop phi", AGENCIES) == []  # month 13 does not exist
    assert codes_in("chuyen tien", AGENCIES) == []


LINE = st.fixed_dictionaries(
    {
        "booked_on": st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
        "bank_reference": st.from_regex(r"FT[0-9A-Z]{1,20}", fullmatch=True),
        "amount": st.integers(min_value=1, max_value=100_000_000),
        "text": st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=80).map(
            lambda t: unicodedata.normalize("NFC", "".join(c for c in t if c.isprintable())).strip()
        ),
    }
)


@given(st.lists(LINE, min_size=1, max_size=20), st.sampled_from([";", ",", "\t"]), st.booleans())
def test_any_statement_written_as_a_bank_writes_it_reads_back_line_for_line(lines, delimiter, bom) -> None:
    import csv as csv_module

    out = io.StringIO()
    writer = csv_module.writer(out, delimiter=delimiter)
    writer.writerow(["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Nội dung"])
    for line in lines:
        writer.writerow(
            [
                f"{line['booked_on']:%d/%m/%Y}",
                line["bank_reference"],
                "",
                f"{line['amount']:,}".replace(",", "."),
                line["text"],
            ]
        )
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()
    parsed = parse_csv(data)
    assert [(p.booked_on, p.bank_reference, p.amount, p.text) for p in parsed] == [
        (ln["booked_on"], ln["bank_reference"], ln["amount"], ln["text"]) for ln in lines
    ]


@given(st.lists(LINE, min_size=1, max_size=10))
def test_any_camt053_statement_reads_back_its_credit_entries(lines) -> None:
    from xml.sax.saxutils import escape

    entries = "".join(
        f'<Ntry><Amt Ccy="VND">{ln["amount"]}</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>{ln["booked_on"]:%Y-%m-%d}</Dt>'
        f"</BookgDt><AcctSvcrRef>{ln['bank_reference']}</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>{escape(ln['text'])}"
        f"</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for ln in lines
    )
    document = (
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>'
        f"{entries}</Stmt></BkToCstmrStmt></Document>"
    )
    parsed = parse_camt053(document.encode())
    assert [(p.booked_on, p.bank_reference, p.amount) for p in parsed] == [
        (ln["booked_on"], ln["bank_reference"], ln["amount"]) for ln in lines
    ]


@given(
    st.sampled_from(AGENCIES),
    st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=1, max_value=9999),
    st.lists(st.sampled_from(["", " ", "-", ".", "  "]), min_size=3, max_size=3),
    st.booleans(),
    st.text(alphabet="abc xyz", max_size=10),
)
def test_a_code_is_found_whatever_the_separators_and_case(agency, day, sequence, separators, lower, noise) -> None:
    code = f"{agency}-{day:%y%m%d}-{sequence:04d}"
    written = agency.replace(".", separators[0]) + separators[1] + f"{day:%y%m%d}" + separators[2] + f"{sequence:04d}"
    found = codes_in(f"{noise} {written.lower() if lower else written} {noise}", AGENCIES)
    assert code in found
    # a wrong digit in the sequence names another code, never this one
    wrong = f"{(sequence % 9999) + 1:04d}"
    assert code not in codes_in(written.replace(f"{sequence:04d}", wrong), AGENCIES) or wrong == f"{sequence:04d}"
