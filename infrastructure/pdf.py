"""Vietnamese PDF documents over fpdf2: ledger-style tables and the receipt form."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import msgspec
import segno
from fpdf import FPDF
from fpdf.enums import TableHeadingsDisplay, XPos, YPos
from fpdf.fonts import FontFace

from domain.clock import VIETNAM, aware
from domain.money import format_dong as format_money

FONT_DIR_ENV = "MOTCUA_FONT_DIR"
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class FontNotFoundError(FileNotFoundError):
    """A font file needed for Vietnamese glyphs is missing; the message names it."""


_font_dir = Path(DEFAULT_FONT_DIR)


def use_font_dir(directory: Path) -> None:
    """Where the fonts are (MOTCUA_FONT_DIR): set once by the composition root, because every renderer of every
    PDF needs it and none should take it as an argument."""
    global _font_dir
    _font_dir = Path(directory)


def font_paths() -> dict[str, Path]:
    """Regular and bold DejaVu Sans paths in the configured font directory, checked to exist."""
    paths = {style: _font_dir / name for style, name in FONT_FILES.items()}
    for path in paths.values():
        if not path.is_file():
            raise FontNotFoundError(
                f"font file not found: {path} (set {FONT_DIR_ENV} to a directory holding "
                f"{', '.join(FONT_FILES.values())}, or install the Debian package fonts-dejavu-core)"
            )
    return paths


class VietnameseDocument(FPDF):
    """An A4 FPDF with DejaVu Sans registered and a "Trang x/y" footer."""

    def __init__(self, orientation: str = "P", *, page_numbers: bool = True) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, path in font_paths().items():
            self.add_font(FONT_FAMILY, style, str(path))
        self.page_numbers = page_numbers
        self.set_lang("vi")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_font(FONT_FAMILY, size=10)

    def footer(self) -> None:
        if not self.page_numbers:
            return
        self.set_y(-13)
        self.set_font(FONT_FAMILY, size=8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")

    def line_of_text(self, text: str, *, size: float = 10, bold: bool = False, align: str = "L") -> None:
        """Write one wrapped paragraph and move to the next line."""
        self.set_font(FONT_FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def signature_columns(self, titles: Sequence[str], *, space_below: float = 28) -> None:
        """Side-by-side signature blocks; "Người nhận (ký, ghi rõ họ tên)" puts the brackets on line 2."""
        if not titles:
            return
        if self.get_y() + 12 + space_below > self.page_break_trigger:
            self.add_page()
        self.ln(6)
        width = self.epw / len(titles)
        top = self.get_y()
        for index, title in enumerate(titles):
            head, _, note = title.partition(" (")
            self.set_xy(self.l_margin + index * width, top)
            self.set_font(FONT_FAMILY, "B", 10)
            self.cell(width, 5, head, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            if note:
                self.set_font(FONT_FAMILY, "", 9)
                self.cell(width, 5, f"({note}", align="C")
        self.set_xy(self.l_margin, top + 10 + space_below)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


class Column(msgspec.Struct, frozen=True):
    """A table column: header text, relative width and text alignment (L, C, R)."""

    header: str
    width: float = 1.0
    align: str = "L"


class TableDocument(msgspec.Struct, frozen=True):
    """A titled table, e.g. a ledger book (sổ theo dõi hồ sơ, sổ giao nhận)."""

    title: str
    columns: list[Column]
    rows: list[list[str]]
    subtitle_lines: list[str] = []
    signature_titles: list[str] = []


def titled_landscape(title: str, subtitle_lines: Sequence[str]) -> VietnameseDocument:
    """A landscape A4 document whose first page starts with the centred title and subtitle lines."""
    pdf = VietnameseDocument("L")
    pdf.set_title(title)
    pdf.add_page()
    pdf.line_of_text(title.upper(), size=14, bold=True, align="C")
    for line in subtitle_lines:
        pdf.line_of_text(line, size=10, align="C")
    return pdf


def render_table_document(document: TableDocument) -> bytes:
    """Landscape A4 table whose header row repeats on every page, signatures at the end."""
    if any(len(row) != len(document.columns) for row in document.rows):
        raise ValueError(f"every row must have {len(document.columns)} cells")
    pdf = titled_landscape(document.title, document.subtitle_lines)
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=8)
    with pdf.table(
        col_widths=tuple(column.width for column in document.columns),
        text_align=tuple(column.align for column in document.columns),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        line_height=4.5,
        padding=1,
    ) as table:
        header = table.row()
        for column in document.columns:
            header.cell(column.header, align="C")
        for values in document.rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.signature_columns(document.signature_titles)
    return pdf.to_bytes()


class ReceiptComponent(msgspec.Struct, frozen=True):
    """One received dossier component: name, form (bản chính / bản sao) and count."""

    name: str
    form: str
    count: int


class ReceiptForm(msgspec.Struct, frozen=True):
    """Data printed on the receipt (phiếu tiếp nhận và hẹn trả kết quả)."""

    dossier_code: str
    procedure_name: str
    applicant_name: str
    components: list[ReceiptComponent]
    received_at: datetime
    appointment_date: date
    fee: int
    paid: int
    receiving_officer: str
    verification_url: str
    agency_name: str = "Bộ phận Một cửa"
    parent_agency_name: str = "Ủy ban nhân dân"

    @property
    def balance(self) -> int:
        """Paid minus fee: negative is a shortfall (còn thiếu), positive an excess (thừa)."""
        return self.paid - self.fee


def format_datetime(moment: datetime) -> str:
    """Vietnamese wording of an aware datetime in Asia/Ho_Chi_Minh time."""
    local = aware(moment, "datetime").astimezone(VIETNAM)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def qr_png(data: str, *, scale: int = 6) -> bytes:
    """PNG bytes of a QR code (medium error correction) for `data`."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def balance_text(receipt: ReceiptForm) -> str:
    """The receipt line on the fee balance, settled later at pickup or at the counter."""
    if receipt.balance < 0:
        return f"Còn thiếu: {format_money(-receipt.balance)} (nộp bổ sung khi nhận kết quả)"
    if receipt.balance > 0:
        return f"Nộp thừa: {format_money(receipt.balance)}"
    return "Đã nộp đủ lệ phí."


def _receipt_heading(pdf: VietnameseDocument, receipt: ReceiptForm) -> None:
    top, half = pdf.get_y(), pdf.epw / 2
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.cell(half - 20, 5, receipt.parent_agency_name.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.cell(half - 20, 5, receipt.agency_name.upper(), align="C")
    pdf.set_xy(pdf.l_margin + half - 20, top)
    pdf.cell(half + 20, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.cell(half + 20, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)


def render_receipt(receipt: ReceiptForm) -> bytes:
    """Portrait A4 receipt with a QR code of the verification URL at the top right."""
    pdf = VietnameseDocument("P", page_numbers=False)
    pdf.set_title(f"Phiếu tiếp nhận và hẹn trả kết quả {receipt.dossier_code}")
    pdf.add_page()
    _receipt_heading(pdf, receipt)
    qr_size, qr_top = 30, pdf.get_y()
    pdf.image(io.BytesIO(qr_png(receipt.verification_url)), x=pdf.w - pdf.r_margin - qr_size, y=qr_top, w=qr_size)
    pdf.line_of_text("PHIẾU TIẾP NHẬN VÀ HẸN TRẢ KẾT QUẢ", size=14, bold=True, align="C")
    pdf.line_of_text(f"Mã hồ sơ: {receipt.dossier_code}", size=11, bold=True, align="C")
    pdf.set_y(max(pdf.get_y(), qr_top + qr_size + 2))
    pdf.line_of_text("Quét mã QR để tra cứu tình trạng hồ sơ", size=7, align="R")
    pdf.ln(2)
    pdf.line_of_text(f"{receipt.agency_name} đã tiếp nhận hồ sơ của: {receipt.applicant_name}", size=11)
    pdf.line_of_text(f"Thủ tục: {receipt.procedure_name}", size=11)
    pdf.line_of_text("Thành phần hồ sơ gồm:", size=11, bold=True)
    pdf.set_font(FONT_FAMILY, size=10)
    with pdf.table(col_widths=(8, 60, 20, 12), text_align=("C", "L", "C", "C"), line_height=5.5, padding=1) as table:
        header = table.row()
        for text in ("STT", "Tên giấy tờ", "Hình thức", "Số lượng"):
            header.cell(text)
        for number, component in enumerate(receipt.components, start=1):
            table.row([str(number), component.name, component.form, str(component.count)])
    pdf.ln(3)
    pdf.line_of_text(f"Thời gian nhận hồ sơ: {format_datetime(receipt.received_at)}", size=11)
    pdf.line_of_text(f"Ngày hẹn trả kết quả: ngày {receipt.appointment_date:%d/%m/%Y}", size=11, bold=True)
    pdf.line_of_text(f"Lệ phí: {format_money(receipt.fee)}. Đã nộp: {format_money(receipt.paid)}.", size=11)
    pdf.line_of_text(balance_text(receipt), size=11)
    pdf.signature_columns(
        ["Người nộp hồ sơ (ký, ghi rõ họ tên)", "Người tiếp nhận (ký, ghi rõ họ tên)"], space_below=18
    )
    half = pdf.epw / 2
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.cell(half, 5, receipt.applicant_name, align="C")
    pdf.cell(half, 5, receipt.receiving_officer, align="C")
    return pdf.to_bytes()
