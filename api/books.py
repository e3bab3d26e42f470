"""The ledger books as files: CSV for Excel (UTF-8 with BOM) and printable Vietnamese PDFs with signature columns."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import msgspec

from domain.clock import VIETNAM
from infrastructure.pdf import FONT_FAMILY, Column, TableDocument, render_table_document, titled_landscape
from projections.book_queries import CashLedger, HandoverBook, HandoverLine, TrackingBook

Cell = str | int | None  # an int is an amount of đồng: dotted thousands in the PDF, a plain number in the CSV
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # Excel would run such a cell as a formula
EMPTY = "Không có số liệu trong kỳ"
BOOKKEEPER = "Người lập sổ (Ký, ghi rõ họ tên)"
ROLE_VI = {  # job titles; the unit follows them in the book
    "reception_officer": "Công chức một cửa",
    "department_officer": "Cán bộ chuyên môn",
    "consultant": "Nhân viên tư vấn",
    "police_officer": "Cán bộ Công an",
    "signer": "Lãnh đạo ký duyệt",
    "auditor": "Kiểm soát viên",
    "analyst": "Chuyên viên phân tích",
    "administrator": "Quản trị hệ thống",
    "citizen": "Công dân",
    "kiosk": "Kiosk 24/7",
    "system": "Hệ thống",
}
DELIVERY_VI = {
    "kiosk": "Nhận tại Hệ thống 24/7",
    "counter": "Nhận trực tiếp tại Bộ phận Một cửa",
    "postal": "Nhận qua dịch vụ bưu chính",
    "online": "Nhận trực tuyến",
}
# Widths are millimetres of the 267 mm between the margins of landscape A4: codes and dates fit on one line.
TRACKING_COLUMNS = [
    Column("STT", 8, "C"),
    Column("Mã hồ sơ", 37),
    Column("TTHC", 38),
    Column("Tên tổ chức, cá nhân", 22),
    Column("Số điện thoại", 20),
    Column("Cơ quan chủ trì giải quyết", 22),
    Column("Nhận hồ sơ", 19, "C"),
    Column("Hẹn trả kết quả", 19, "C"),
    Column("Trả kết quả", 19, "C"),
    Column("Phương thức nhận kết quả", 19),
    Column("Người giao (Ký tên, ghi rõ họ tên)", 22),
    Column("Người nhận (Ký tên, ghi rõ họ tên)", 22),
]
HANDOVER_COLUMNS = [
    Column("STT", 8, "C"),
    Column("Thời gian", 19, "C"),
    Column("Mã hồ sơ", 37),
    Column("Mã TTHC", 38),
    Column("Nội dung giao nhận", 33),
    Column("Người giao (Ký, ghi rõ họ tên)", 30),
    Column("Chức vụ, đơn vị bên giao", 36),
    Column("Người nhận (Ký, ghi rõ họ tên)", 30),
    Column("Chức vụ, đơn vị bên nhận", 36),
]
COLLECTION_COLUMNS = [
    Column("STT", 10, "C"),
    Column("Thời gian", 30, "C"),
    Column("Kiosk", 20),
    Column("Người thu (Ký, ghi rõ họ tên)", 60),
    Column("Số phong bì", 22, "R"),
    Column("Tiền theo hệ thống (đồng)", 42, "R"),
    Column("Tiền kiểm đếm (đồng)", 42, "R"),
    Column("Chênh lệch (đồng)", 41, "R"),
]
DOSSIER_MONEY_COLUMNS = [
    Column("STT", 10, "C"),
    Column("Mã hồ sơ", 38),
    Column("Mã TTHC", 40),
    Column("Kiosk", 18),
    Column("Thời gian tiếp nhận", 31, "C"),
    Column("Lệ phí (đồng)", 25, "R"),
    Column("Tiền mặt (đồng)", 25, "R"),
    Column("Chuyển khoản QR (đồng)", 30, "R"),
    Column("Còn thiếu (đồng)", 25, "R"),
    Column("Nộp thừa (đồng)", 25, "R"),
]
BANK_QR_COLUMNS = [
    Column("STT", 10, "C"),
    Column("Mã giao dịch", 62),
    Column("Mã hồ sơ", 55),
    Column("Thời gian", 45, "C"),
    Column("Số tiền (đồng)", 50, "R"),
    Column("Đã đối soát", 45, "C"),
]

REFUND_COLUMNS = [
    Column("STT", 10, "C"),
    Column("Mã hồ sơ", 55),
    Column("Thời gian", 45, "C"),
    Column("Số tiền (đồng)", 45, "R"),
    Column("Hình thức", 40),
    Column("Lý do", 50),
    Column("Số tham chiếu chuyển khoản", 45),
]
DEPARTMENT_CASH_COLUMNS = [
    Column("STT", 10, "C"),
    Column("Kiosk", 25),
    Column("Lần thu", 20, "C"),
    Column("Thời gian", 45, "C"),
    Column("Phòng ban nhận tiền", 80),
    Column("Số hồ sơ", 20, "R"),
    Column("Số tiền (đồng)", 45, "R"),
]
REFUND_METHOD_VI = {"cash": "Tiền mặt tại quầy", "bank_transfer": "Chuyển khoản"}
REFUND_REASON_VI = {"excess": "Tiền nộp thừa", "rejected": "Hồ sơ bị từ chối", "withdrawn": "Hồ sơ đã rút"}


class Section(msgspec.Struct, frozen=True):
    """One table of a book; `key` names it in the API, `slug` in file names."""

    key: str
    slug: str
    heading: str
    columns: list[Column]
    rows: list[list[Cell]]


class Book(msgspec.Struct, frozen=True):
    """A printable book: title, period lines, one or more tables, signature blocks at the end."""

    title: str
    slug: str
    subtitle_lines: list[str]
    sections: list[Section]
    signature_titles: list[str]


def when(moment: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""


def day(value: date | None) -> str:
    """dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def _period(kiosk: str | None, start: date, end: date, kiosk_name: str | None = None) -> list[str]:
    where = f"Kiosk: {kiosk_name} ({kiosk})" if kiosk_name else (f"Kiosk: {kiosk}" if kiosk else "Tất cả kiosk")
    return [where, f"Từ ngày {day(start)} đến ngày {day(end)}"]


def _party(role: str, unit: str) -> str:
    return f"{ROLE_VI.get(role, role)}, {unit}"


def _received(line: HandoverLine) -> str:
    """The receiver's name, marked while they have not confirmed the handover on their own login."""
    return line.receiver_name if line.confirmed_at else f"{line.receiver_name} (chưa xác nhận)"


def handover_document(book: HandoverBook) -> Book:
    """The handover book (sổ giao nhận): who gave what to whom, when; both sides sign each line."""
    rows: list[list[Cell]] = [
        [
            str(n),
            when(line.at),
            line.dossier_code,
            line.procedure_code,
            line.item,
            line.giver_name,
            _party(line.giver_role, line.giver_unit),
            _received(line),
            _party(line.receiver_role, line.receiver_unit),
        ]
        for n, line in enumerate(book.lines, start=1)
    ]
    return Book(
        title="Sổ giao nhận hồ sơ, kết quả giải quyết thủ tục hành chính",
        slug="so-giao-nhan",
        subtitle_lines=_period(book.kiosk, book.start, book.end),
        sections=[Section("lines", "", "", HANDOVER_COLUMNS, rows)],
        signature_titles=[BOOKKEEPER, "Thủ trưởng đơn vị (Ký tên, đóng dấu)"],
    )


def tracking_document(book: TrackingBook) -> Book:
    """The tracking book (sổ theo dõi hồ sơ) in the columns of the template attached to Notice 18/TB-UBND."""
    rows: list[list[Cell]] = [
        [
            str(line.number),
            line.dossier_code,
            line.procedure_name or line.procedure_code,
            line.applicant,
            line.phone,
            line.lead_agency,
            when(line.received_at),
            day(line.appointment_date),
            when(line.delivered_at),
            DELIVERY_VI.get(line.delivery_method or "", line.delivery_method),
            line.deliverer,
            line.receiver,
        ]
        for line in book.lines
    ]
    return Book(
        title="Sổ theo dõi hồ sơ quy trình sử dụng dịch vụ công tại Hệ thống tiếp nhận và trả hồ sơ tự động 24/7",
        slug="so-theo-doi-ho-so",
        subtitle_lines=_period(book.kiosk, book.start, book.end, book.kiosk_name),
        sections=[Section("lines", "", "", TRACKING_COLUMNS, rows)],
        signature_titles=[BOOKKEEPER, "Thủ trưởng đơn vị (Ký tên, đóng dấu)"],
    )


def cash_document(ledger: CashLedger) -> Book:
    """The cash ledger (sổ quỹ): collections with their count, fees and payments per dossier, bank-QR payments."""
    collections: list[list[Cell]] = [
        [
            str(n),
            when(c.at),
            c.kiosk,
            f"{c.collector_name} ({ROLE_VI.get(c.collector_role, c.collector_role)})",
            str(c.envelopes),
            c.cash_expected,
            c.cash_counted,
            c.discrepancy,
        ]
        for n, c in enumerate(ledger.collections, start=1)
    ]
    dossiers: list[list[Cell]] = [
        [
            str(n),
            d.dossier_code,
            d.procedure_code,
            d.kiosk,
            when(d.received_at),
            d.fee,
            d.paid_cash,
            d.paid_bank_qr,
            d.shortfall,
            d.excess,
        ]
        for n, d in enumerate(ledger.dossiers, start=1)
    ]
    bank_qr: list[list[Cell]] = [
        [str(n), q.reference, q.dossier_code, when(q.at), q.amount, "Đã đối soát" if q.reconciled else "Chưa"]
        for n, q in enumerate(ledger.bank_qr, start=1)
    ]
    refunds: list[list[Cell]] = [
        [
            str(n),
            r.dossier_code,
            when(r.at),
            r.amount,
            REFUND_METHOD_VI.get(r.method, r.method),
            REFUND_REASON_VI.get(r.reason, r.reason),
            r.bank_reference,
        ]
        for n, r in enumerate(ledger.refunds, start=1)
    ]
    departments: list[list[Cell]] = [
        [str(n), d.kiosk, str(d.collection_number), when(d.at), d.department_name, str(d.dossiers), d.amount]
        for n, d in enumerate(ledger.department_cash, start=1)
    ]
    t = ledger.totals
    summary = (
        f"Tiền mặt nhận vào máy: {money(t.cash_in)} đồng; đã kiểm đếm khi thu: {money(t.cash_counted)} đồng "
        f"(chênh lệch {money(t.discrepancy)} đồng); còn trong máy: {money(t.cash_not_collected)} đồng."
    )
    return Book(
        title="Sổ quỹ thu phí, lệ phí tại Hệ thống tiếp nhận và trả hồ sơ tự động 24/7",
        slug="so-quy",
        subtitle_lines=[*_period(ledger.kiosk, ledger.start, ledger.end), summary],
        sections=[
            Section(
                "collections", "thu-tien", "I. Các lần thu phong bì và tiền tại kiosk", COLLECTION_COLUMNS, collections
            ),
            Section("dossiers", "le-phi", "II. Phí, lệ phí và thanh toán theo hồ sơ", DOSSIER_MONEY_COLUMNS, dossiers),
            Section("bank_qr", "doi-soat-qr", "III. Thanh toán QR ngân hàng cần đối soát", BANK_QR_COLUMNS, bank_qr),
            Section("refunds", "hoan-tra", "IV. Hoàn trả tiền cho công dân", REFUND_COLUMNS, refunds),
            Section(
                "departments",
                "phan-loai-tien",
                "V. Tiền giao từng phòng ban khi thu tại kiosk",
                DEPARTMENT_CASH_COLUMNS,
                departments,
            ),
        ],
        signature_titles=[BOOKKEEPER, "Thủ quỹ (Ký, ghi rõ họ tên)", "Kế toán (Ký, ghi rõ họ tên)"],
    )


def money(amount: int) -> str:
    """8000 → "8.000"; -5000 → "-5.000"."""
    return f"{amount:,}".replace(",", ".")


def file_name(
    book: Book, kiosk: str | None, start: date, end: date, extension: str, section: Section | None = None
) -> str:
    """e.g. so-theo-doi-ho-so_Q6-01_2026-05-20_2026-05-31.pdf; a cash-ledger CSV names its table."""
    stem = f"{book.slug}-{section.slug}" if section is not None and section.slug else book.slug
    return f"{stem}_{kiosk or 'tat-ca'}_{start.isoformat()}_{end.isoformat()}.{extension}"


def to_csv(section: Section) -> bytes:
    """One table as CSV: UTF-8 with a BOM so Excel shows Vietnamese, Vietnamese headers, amounts as plain numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in section.columns])
    for row in section.rows:
        writer.writerow(
            ["" if v is None else f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _pdf_cells(rows: list[list[Cell]]) -> list[list[str]]:
    return [["" if v is None else money(v) if isinstance(v, int) else v for v in row] for row in rows]


def to_pdf(book: Book) -> bytes:
    """Landscape A4: repeated header rows, page numbers, signature blocks after the last table."""
    if len(book.sections) == 1:
        section = book.sections[0]
        return render_table_document(
            TableDocument(
                title=book.title,
                columns=section.columns,
                rows=_pdf_cells(section.rows),
                subtitle_lines=book.subtitle_lines,
                signature_titles=book.signature_titles,
            )
        )
    pdf = titled_landscape(book.title, book.subtitle_lines)
    for section in book.sections:
        pdf.ln(4)
        pdf.line_of_text(section.heading, size=11, bold=True)
        pdf.set_font(FONT_FAMILY, size=8)
        # fpdf2's defaults: bold header row, repeated on top of every page.
        with pdf.table(
            col_widths=tuple(c.width for c in section.columns),
            text_align=tuple(c.align for c in section.columns),
            line_height=4.5,
            padding=1,
        ) as table:
            header = table.row()
            for column in section.columns:
                header.cell(column.header, align="C")
            for values in _pdf_cells(section.rows):
                table.row(values)
            if not section.rows:  # one cell across the whole table, not squeezed into the first column
                table.row().cell(EMPTY, colspan=len(section.columns), align="C")
    pdf.signature_columns(book.signature_titles)
    return pdf.to_bytes()
