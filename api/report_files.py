"""Reports as files officers file: XLSX (numbers stay numbers, shares formatted as percentages) and PDF (landscape A4,
the same tables; the wide per-department table keeps its main columns). Both lay out api/reports.py's tables."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from api.reports import TITLE, Cell, Ratio, report_rows, scope, sections, vn
from infrastructure.pdf import FONT_FAMILY, titled_landscape
from projections.reports import Report

PERCENT_FORMAT = "0.0%"
NO_DATA = "—"
PDF_MAX_COLUMNS = 11  # wider tables are cut to their first columns (the per-department one: name and main figures)


def render_xlsx(report: Report) -> bytes:
    """One sheet laid out as the CSV, row for row: counts as integers, shares as fractions shown as percentages."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    titles = {title for title, _, _ in sections(report)} | {TITLE}
    for row in report_rows(report):
        sheet.append([_xlsx_value(cell) for cell in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):  # the sheet's row may be wider
            if isinstance(value, Ratio) and value.value is not None:
                cell.number_format = PERCENT_FORMAT
            if len(row) == 1 and value in titles:
                cell.font = Font(bold=True, size=13 if value == TITLE else 11)
    sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell: Cell) -> object:
    if isinstance(cell, Ratio):
        return NO_DATA if cell.value is None else cell.value
    return cell


def render_pdf(report: Report) -> bytes:
    """Landscape A4 with the report's tables, headers repeated on every page."""
    subtitle = [
        f"{report.label} (từ ngày {vn(report.start)} đến ngày {vn(report.end)}; số liệu đến hết ngày "
        f"{vn(report.as_of)})",
        scope(report),
    ]
    pdf = titled_landscape(TITLE, subtitle)
    for title, header, rows in sections(report):
        pdf.ln(4)
        pdf.line_of_text(title, size=11, bold=True)
        pdf.set_font(FONT_FAMILY, size=7)
        width = min(len(header), PDF_MAX_COLUMNS)
        with pdf.table(col_widths=(3.0, *[1.0] * (width - 1)), line_height=4, padding=1) as table:
            head = table.row()
            for text in header[:width]:
                head.cell(text, align="C")
            for row in rows:
                table.row([str(cell) for cell in row[:width]])
            if not rows:
                table.row().cell("Không có số liệu", colspan=width, align="C")
    return pdf.to_bytes()
