"""The report endpoint: the same report as JSON, CSV (BOM, Vietnamese headers) and a printable page; bad input → 400."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import msgspec
import openpyxl
import pytest
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.testing import TestClient

from api.controllers.reports import ReportsController
from api.errors import EXCEPTION_HANDLERS
from api.reports import TITLE, department_names, percent
from domain.clock import VIETNAM
from infrastructure.readstore.store import SqliteReadStore
from projections.reports import ReportsView
from tests.api.test_books_api import pdf_text
from tests.auth_support import TOKENS, bearer
from tests.fakes import FakeClock
from tests.projections.test_reports import fill

MARCH = "/views/reports/month?date=2026-03-18&agency=H29.06"


@pytest.fixture
def store(tmp_path, catalogue):
    store = SqliteReadStore(tmp_path / "readmodels.sqlite3")
    fill(store, catalogue)
    yield store
    store.close()


@pytest.fixture
def client(store, catalogue):
    app = Litestar(
        route_handlers=[ReportsController],
        exception_handlers=EXCEPTION_HANDLERS,
        dependencies={
            "views_store": Provide(lambda: store, sync_to_thread=False),
            "department_names": Provide(lambda: department_names(catalogue), sync_to_thread=False),
        },
        state=State({"tokens": TOKENS, "clock": FakeClock()}),
    )
    with TestClient(app) as client:
        client.headers.update(bearer("auditor", "auditor-1"))
        yield client


def march(store, catalogue) -> dict:
    today = datetime.now(VIETNAM).date()
    report = ReportsView(store, department_names(catalogue)).report(
        "month", date(2026, 3, 18), today=today, agency="H29.06"
    )
    return msgspec.to_builtins(report)


def test_json_is_the_report_of_the_period(client, store, catalogue) -> None:
    answer = client.get(MARCH)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body == march(store, catalogue)
    assert (body["label"], body["start"], body["end"]) == ("Tháng 3/2026", "2026-03-01", "2026-03-31")
    assert body["departments"][0]["name"] == "Bộ phận Tư pháp - Hộ tịch"


def test_csv_has_a_bom_vietnamese_headers_and_one_section_per_table(client, store, catalogue) -> None:
    answer = client.get(MARCH + "&format=csv")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == [TITLE]
    titles = [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if row == []]
    assert titles == [
        "Chỉ tiêu",
        "Chỉ tiêu Kiosk 24/7 theo phòng ban (mục 4.1 Thông báo của UBND Quận 6)",
        "Tổng hợp",
        "Hồ sơ tiếp nhận theo kênh",
        "Đánh giá theo số sao",
        "Đánh giá theo mức độ hài lòng (Thông tư 01/2018/TT-VPCP)",
        "Theo phòng ban",
        "Số hóa hồ sơ theo đơn vị và tháng",
    ]
    expected = march(store, catalogue)
    channels = rows[rows.index(["Hồ sơ tiếp nhận theo kênh"]) + 1 :][:5]
    assert channels[0] == ["Mục", "Số lượng", "Tỷ lệ"]
    assert [(r[0], int(r[1])) for r in channels[1:]] == [
        (c["label"], c["count"]) for c in expected["totals"]["channels"]
    ]
    targets = rows[rows.index(["Chỉ tiêu"]) + 2 :][:2]
    assert [(t[0], t[5]) for t in targets] == [
        (t["label"], "Đạt" if t["met"] else "Không đạt") for t in expected["targets"]
    ]
    departments = rows[rows.index(["Theo phòng ban"]) + 1 :]
    departments = departments[: departments.index([])]  # the digitization table follows
    assert departments[0][:3] == ["Mã phòng ban", "Tên phòng ban", "Hồ sơ tiếp nhận"]
    assert [r[0] for r in departments[1:]] == [d["department"] or "" for d in expected["departments"]]
    assert all(len(r) == len(departments[0]) for r in departments)


def test_html_is_a_printable_vietnamese_page_with_svg_charts_and_highlighted_targets(client) -> None:
    answer = client.get(MARCH + "&format=html")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/html; charset=utf-8"
    page = answer.text
    assert TITLE in page and '<html lang="vi">' in page and "Tháng 3/2026" in page
    assert page.count("<svg") == 4 and "@media print" in page
    assert 'class="target missed"' in page and 'class="target met"' in page and "Không đạt" in page
    assert "Mục tiêu 40,0%" in page and "Rất hài lòng" in page
    assert not any(tag in page for tag in ("<script", "<link", "src=", "@import", "url("))


def csv_rows(client, query: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(query + "&format=csv").content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "query", [MARCH, "/views/reports/month?date=2026-05-10&agency=H29.06", "/views/reports/quarter?date=2026-02-10"]
)
def test_the_xlsx_opens_with_openpyxl_and_holds_the_same_numbers_as_the_csv(client, query) -> None:
    answer = client.get(query + "&format=xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    expected = csv_rows(client, query)
    assert sheet.max_row == len(expected)
    numbers = 0
    for got, want in zip(sheet.iter_rows(), expected, strict=True):
        assert all(cell.value is None for cell in got[len(want) :])
        for cell, text in zip(got, want, strict=False):  # the sheet's row may be wider than the CSV's
            if cell.number_format == "0.0%":  # a share: a fraction in the sheet, a percentage in the CSV
                assert percent(cell.value) == text and 0 <= cell.value <= 1
                numbers += 1
            elif isinstance(cell.value, int):
                assert str(cell.value) == text
                numbers += 1
            else:
                assert (cell.value or "") == text
    assert numbers > 50


def test_the_xlsx_formats_shares_as_percentages_and_counts_as_integers(client) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(MARCH + "&format=xlsx").content)).active
    row = next(r for r in sheet.iter_rows() if r[0].value == "Tỷ lệ tiếp nhận qua Kiosk 24/7")
    assert isinstance(row[1].value, float) and row[1].number_format == "0.0%"
    row = next(r for r in sheet.iter_rows() if r[0].value == "Hồ sơ tiếp nhận")
    assert isinstance(row[1].value, int)


def test_the_pdf_shows_the_period_the_targets_and_the_digitization_table(client, tmp_path) -> None:
    answer = client.get(MARCH + "&format=pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].endswith('.pdf"')
    text = pdf_text(answer.content, tmp_path)
    assert "Tháng 3/2026" in text and "Tỷ lệ thẻ Căn cước trả qua Kiosk 24/7" in text
    assert "Số hóa hồ sơ theo đơn vị và tháng" in text and "Phòng Quản lý đô thị" in text


def test_without_a_date_the_report_covers_today(client) -> None:
    body = client.get("/views/reports/week").json()
    today = datetime.now(VIETNAM).date()
    assert body["as_of"] == today.isoformat() and date.fromisoformat(body["start"]) <= today


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("/views/reports/year?date=2026-03-18", "unknown period 'year'"),
        ("/views/reports/month?date=2026-02-30", "calendar date"),
        ("/views/reports/month?date=18/03/2026", "calendar date"),
        ("/views/reports/month?date=20260318", "calendar date"),
        ("/views/reports/month?date=2026-03-18&format=docx", "unknown format 'docx'"),
        ("/views/reports/month?date=2026-03-18&agency=H29'06", "agency code"),
        ("/views/reports/quarter?date=2999-01-01", "has not begun"),
    ],
)
def test_bad_requests_get_400_with_a_clear_message(client, query, words) -> None:
    answer = client.get(query)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["error"] == "invalid_report_request" and words in body["message"] and body["message_vi"]


def test_the_openapi_schema_documents_the_query_parameters(client) -> None:
    schema = client.get("/schema/openapi.json").json()
    parameters = schema["paths"]["/views/reports/{period}"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"period", "date", "agency", "format"}
