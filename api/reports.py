"""Rendering of reports: CSV (UTF-8 with BOM, so spreadsheet programs read Vietnamese) and a printable HTML page
with bar charts drawn as inline SVG (no script, stylesheet or font from outside: it works offline and prints).
XLSX and PDF (api/report_files.py) lay out the same `report_rows` / `sections` as the CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape

from domain.procedures import Catalogue
from projections.reports import KIOSK_TARGET, Figures, Report, Share, Target


@dataclass(frozen=True)
class Ratio:
    """A share in a report cell: text as 42,5% (— without data), a number in a spreadsheet."""

    value: float | None

    def __str__(self) -> str:
        return percent(self.value)


Cell = str | int | Ratio
Section = tuple[str, list[str], list[list[Cell]]]
TITLE = "Báo cáo tình hình tiếp nhận và trả kết quả"
FIGURE_ROWS: list[tuple[str, Callable[[Figures], Cell]]] = [
    ("Hồ sơ tiếp nhận", lambda f: f.received),
    ("Tỷ lệ tiếp nhận qua Kiosk 24/7", lambda f: Ratio(f.kiosk_share)),
    ("Hồ sơ phải bổ sung", lambda f: f.with_supplements),
    ("Tỷ lệ hồ sơ phải bổ sung", lambda f: Ratio(f.supplement_rate)),
    ("Hồ sơ đã trả kết quả", lambda f: f.delivered),
    ("Trả đúng hạn", lambda f: f.on_time),
    ("Trả quá hạn", lambda f: f.late),
    ("Tỷ lệ trả đúng hạn", lambda f: Ratio(f.on_time_rate)),
    ("Quá hạn chưa trả", lambda f: f.overdue_open),
    ("Thẻ Căn cước đã trả", lambda f: f.cccd_delivered),
    ("Thẻ Căn cước trả qua Kiosk 24/7", lambda f: f.cccd_via_kiosk),
    ("Tỷ lệ thẻ Căn cước trả qua Kiosk 24/7", lambda f: Ratio(f.cccd_kiosk_share)),
    ("Lượt đánh giá", lambda f: f.rated),
    ("Tỷ lệ hài lòng (rất hài lòng và hài lòng, Thông tư 01/2018/TT-VPCP)", lambda f: Ratio(f.satisfied_rate)),
]
TARGET_HEADER = ["Chỉ tiêu", "Mục tiêu", "Thực hiện", "Tử số", "Mẫu số", "Kết quả"]
DIGITIZATION_HEADER = [
    "Tháng",
    "Mã cơ quan",
    "Mã phòng ban",
    "Tên phòng ban",
    "Hồ sơ giấy tiếp nhận",
    "Đã số hóa",
    "Tỷ lệ số hóa",
    "Lượt quét",
    "Lượt tái sử dụng từ kho dữ liệu",
    "Hồ sơ trực tuyến tiếp nhận",
    "Hồ sơ trực tuyến vẫn bị quét",
    "Lượt từ chối sao chụp hồ sơ trực tuyến",
]
DISTRIBUTIONS: list[tuple[str, Callable[[Figures], list[Share]]]] = [
    ("Hồ sơ tiếp nhận theo kênh", lambda f: f.channels),
    ("Đánh giá theo số sao", lambda f: f.stars),
    ("Đánh giá theo mức độ hài lòng (Thông tư 01/2018/TT-VPCP)", lambda f: f.levels),
]
NO_DEPARTMENT = "(chưa xác định phòng ban)"


def department_names(catalogue: Catalogue) -> dict[str, str]:
    """Department code → name, from the procedure catalogue the system runs with."""
    return {d.code: d.name for d in catalogue.departments}


def percent(value: float | None) -> str:
    """A share as Vietnamese text: 0.425 → 42,5%; no data → —."""
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def verdict(target: Target) -> str:
    return "Chưa có dữ liệu" if target.met is None else ("Đạt" if target.met else "Không đạt")


def scope(report: Report) -> str:
    return f"Đơn vị: {report.agency} và các đơn vị trực thuộc" if report.agency else "Đơn vị: tất cả"


# ----- the tables every file format lays out ---------------------------------------------------
def target_row(t: Target) -> list[Cell]:
    return [t.label, Ratio(t.target), Ratio(t.actual), t.numerator, t.denominator, verdict(t)]


def sections(report: Report) -> list[Section]:
    """The report's tables: (title, header, rows), in the order every format shows them."""
    return [
        ("Chỉ tiêu", TARGET_HEADER, [target_row(t) for t in report.targets]),
        (
            "Chỉ tiêu Kiosk 24/7 theo phòng ban (mục 4.1 Thông báo của UBND Quận 6)",
            TARGET_HEADER,
            [target_row(t) for t in report.department_targets],
        ),
        ("Tổng hợp", ["Chỉ số", "Giá trị"], [[label, get(report.totals)] for label, get in FIGURE_ROWS]),
        *[(title, ["Mục", "Số lượng", "Tỷ lệ"], share_rows(get(report.totals))) for title, get in DISTRIBUTIONS],
        ("Theo phòng ban", department_header(report), department_rows(report)),
        ("Số hóa hồ sơ theo đơn vị và tháng", DIGITIZATION_HEADER, digitization_rows(report)),
    ]


def share_rows(shares: list[Share]) -> list[list[Cell]]:
    return [[s.label, s.count, Ratio(s.share)] for s in shares]


def heading_rows(report: Report) -> list[list[Cell]]:
    return [
        [TITLE],
        [
            "Kỳ báo cáo",
            report.label,
            "Từ ngày",
            vn(report.start),
            "Đến ngày",
            vn(report.end),
            "Số liệu đến ngày",
            vn(report.as_of),
        ],
        [scope(report)],
    ]


def report_rows(report: Report) -> list[list[Cell]]:
    """The heading, then one block per table (an empty row, its title, its header, its rows): CSV and XLSX alike."""
    rows = heading_rows(report)
    for title, header, body in sections(report):
        rows.extend([[], [title], list(header), *body])
    return rows


def digitization_rows(report: Report) -> list[list[Cell]]:
    return [
        [
            d.month,
            d.agency,
            d.department or "",
            d.name or NO_DEPARTMENT,
            d.paper_received,
            d.digitized,
            Ratio(d.coverage),
            d.scans,
            d.reuses,
            d.online_received,
            d.online_scanned,
            d.online_scans_refused,
        ]
        for d in report.digitization
    ]


# ----- CSV ------------------------------------------------------------------------------------
def render_csv(report: Report) -> bytes:
    """One section per table, each with a title row and a header row, separated by an empty row."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[str(cell) for cell in row] for row in report_rows(report)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def department_header(report: Report) -> list[str]:
    shares = [s.label for _, get in DISTRIBUTIONS for s in get(report.totals)]
    return ["Mã phòng ban", "Tên phòng ban", *[label for label, _ in FIGURE_ROWS], *shares]


def department_rows(report: Report) -> list[list[Cell]]:
    return [
        [
            row.department or "",
            row.name or NO_DEPARTMENT,
            *[get(row.figures) for _, get in FIGURE_ROWS],
            *[s.count for _, get in DISTRIBUTIONS for s in get(row.figures)],
        ]
        for row in report.departments
    ]


# ----- HTML -----------------------------------------------------------------------------------
STYLE = """
body{font-family:"Times New Roman",Times,serif;color:#111;margin:2em auto;max-width:60em;padding:0 1em}
h1{font-size:1.5em;text-align:center;text-transform:uppercase;margin-bottom:.2em}
.sub{text-align:center;margin:.2em 0}
h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.95em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#eee}
.targets{display:flex;gap:1em;flex-wrap:wrap}
.target{flex:1;border:3px solid #999;padding:.6em 1em;min-width:16em}
.target.met{border-color:#1b7f3b;background:#e8f5ec}
.target.missed{border-color:#b3261e;background:#fbeaea}
.target b{font-size:1.6em;display:block}
.verdict{font-weight:bold;text-transform:uppercase}
svg{max-width:100%;height:auto}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none}section,table,svg{break-inside:avoid}
.target,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def bar_chart(title: str, bars: list[tuple[str, float, str]], scale: float, target: float | None = None) -> str:
    """Horizontal bars (label, value, text) on a 0..scale axis; an optional dashed target line."""
    left, width, row = 320, 300, 26
    height = row * len(bars) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 120} {height}" '
        f'width="{left + width + 120}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, text) in enumerate(bars):
        y, length = 10 + i * row, (value / scale * width) if scale else 0
        short = label if len(label) <= 46 else label[:45] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="13">{escape(short)}'
            f"<title>{escape(label)}</title></text>"
            f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="18" fill="#2f5d8a"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 15}" font-size="13">{escape(text)}</text>'
        )
    if target is not None and scale:
        x = left + target / scale * width
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 14}" stroke="#b3261e" stroke-width="2" '
            f'stroke-dasharray="6 3"/><text x="{x:.1f}" y="{height - 2}" text-anchor="middle" font-size="12" '
            f'fill="#b3261e">Mục tiêu {percent(target)}</text>'
        )
    return "".join(parts) + "</svg>"


def share_chart(title: str, shares: list[Share]) -> str:
    top = max([s.count for s in shares] + [1])
    return bar_chart(title, [(s.label, s.count, f"{s.count} ({percent(s.share)})") for s in shares], top)


def target_card(target: Target) -> str:
    css = {None: "", True: " met", False: " missed"}[target.met]
    return (
        f'<div class="target{css}"><div>{escape(target.label)}</div><b>{percent(target.actual)}</b>'
        f"<div>{target.numerator}/{target.denominator} · mục tiêu ≥ {percent(target.target)}</div>"
        f'<div class="verdict">{verdict(target)}</div></div>'
    )


def table(header: list[str], rows: list[list[Cell]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    """The printable page: targets first, then the summary, charts and the table per department."""
    named = [(row.name or row.department or NO_DEPARTMENT, row.figures) for row in report.departments]
    kiosk_by_department = [(name, f.kiosk_share or 0.0, percent(f.kiosk_share)) for name, f in named]
    charts = [share_chart(title, get(report.totals)) for title, get in DISTRIBUTIONS]
    departments: list[list[Cell]]
    departments = [
        [
            name,
            f.received,
            percent(f.kiosk_share),
            f.delivered,
            percent(f.on_time_rate),
            f.overdue_open,
            percent(f.supplement_rate),
            percent(f.cccd_kiosk_share),
            f.rated,
        ]
        for name, f in [*named, ("Tổng cộng", report.totals)]
    ]
    return "".join(
        [
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">',
            f"<title>{TITLE} – {escape(report.label)}</title>",
            f"<style>{STYLE}</style></head><body>",
            f'<h1>{TITLE}</h1><p class="sub"><b>{escape(report.label)}</b> (từ ngày {vn(report.start)} đến ngày '
            f'{vn(report.end)}; số liệu đến hết ngày {vn(report.as_of)})</p><p class="sub">{escape(scope(report))}</p>',
            '<section><h2>Chỉ tiêu Kiosk 24/7</h2><div class="targets">',
            *[target_card(t) for t in report.targets],
            "</div></section>",
            "<section><h2>Chỉ tiêu Kiosk 24/7 theo phòng ban (mục 4.1 Thông báo của UBND Quận 6)</h2>",
            table(TARGET_HEADER, [target_row(t) for t in report.department_targets]),
            "</section>",
            "<section><h2>Tổng hợp</h2>",
            table(["Chỉ số", "Giá trị"], [[k, get(report.totals)] for k, get in FIGURE_ROWS]),
            "</section>",
            *[
                f"<section><h2>{escape(title)}</h2>{chart}</section>"
                for (title, _), chart in zip(DISTRIBUTIONS, charts, strict=True)
            ],
            "<section><h2>Tỷ lệ tiếp nhận qua Kiosk 24/7 theo phòng ban</h2>",
            bar_chart("Tỷ lệ tiếp nhận qua Kiosk 24/7 theo phòng ban", kiosk_by_department, 1.0, KIOSK_TARGET),
            "</section>",
            "<section><h2>Theo phòng ban</h2>",
            table(
                [
                    "Phòng ban",
                    "Tiếp nhận",
                    "Tỷ lệ qua Kiosk",
                    "Đã trả",
                    "Tỷ lệ đúng hạn",
                    "Quá hạn chưa trả",
                    "Tỷ lệ phải bổ sung",
                    "Tỷ lệ thẻ CC qua Kiosk",
                    "Lượt đánh giá",
                ],
                departments,
            ),
            "</section>",
            "<section><h2>Số hóa hồ sơ theo đơn vị và tháng</h2>",
            table(DIGITIZATION_HEADER, digitization_rows(report)),
            "</section></body></html>",
        ]
    )
