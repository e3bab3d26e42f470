"""The ledger books over HTTP: JSON, CSV that Excel reads in Vietnamese, printable PDFs, and 400 for bad parameters."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from PIL import Image

from api.app import create_app
from api.books import TRACKING_COLUMNS
from api.controllers.books import BooksController
from application.base import OneStop
from application.dossiers import Dossiers
from infrastructure.calendar import load_calendar
from infrastructure.guards import GuardStore
from infrastructure.idempotency import IdempotencyStore
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.store import SqliteReadStore
from projections.books import book_read_models
from projections.models import read_models
from tests.application.test_kiosk_day import DAY, play_full_day
from tests.auth_support import accounts_for, bearer
from tests.conftest import COMMON
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import STAFF, kiosks_app, vn
from tests.onestop_support import system_of

PERIOD = {"kiosk": "Q6-01", "from": "2026-05-20", "to": "2026-05-31"}


@pytest.fixture(scope="module")
def client(catalogue, tmp_path_factory) -> Iterator[TestClient]:
    """The full day played once on SQLite, every read model caught up, the books controller mounted."""
    tmp = tmp_path_factory.mktemp("books_api")
    env = COMMON | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp / "events.sqlite3")}
    clock, otp, calendar = FakeClock(vn(DAY, 7)), FakeOtp(), load_calendar()
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=calendar, clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    store = SqliteReadStore(tmp / "readmodels.sqlite3")
    projector = Projector(
        dossiers.app.recorder, dossiers.app.mapper, store, [*read_models(catalogue), *book_read_models(catalogue)]
    )
    play_full_day(dossiers, kiosks, clock, otp, catalogue)
    projector.catch_up()
    system = system_of(
        dossiers.app,
        catalogue=catalogue,
        calendar=calendar,
        clock=clock,
        otp=otp,
        store=store,
        guards=GuardStore(SqliteReadStore(tmp / "guards.sqlite3")),
        idempotency=IdempotencyStore(SqliteReadStore(tmp / "idempotency.sqlite3")),
        accounts=accounts_for(dossiers.app, clock),
        projector=projector,
    )
    app = create_app(system)
    if not any(route.path == "/views/books/tracking" for route in app.routes):  # until api/app.py mounts it
        app.register(BooksController)
    with TestClient(app) as client:
        client.headers.update(bearer("auditor", "auditor-1"))
        yield client


def rows_of(answer) -> list[list[str]]:
    assert answer.content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "book.pdf"
    path.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > 500, "page 1 is blank"
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())  # cells wrap their text over several lines


def test_the_tracking_book_answers_json_with_the_template_columns(client: TestClient) -> None:
    book = client.get("/views/books/tracking", params={**PERIOD, "to": "2026-05-20"}).json()
    assert book["kiosk"] == "Q6-01" and book["kiosk_name"] == "Kiosk 24/7 UBND Quận 6" and len(book["lines"]) == 40
    first = book["lines"][0]
    assert first["number"] == 1 and first["received_at"].startswith("2026-05-20T00:10:00") and first["appointment_date"]
    assert (
        sum(1 for line in book["lines"] if line["delivery_method"] == "kiosk") == 2
    )  # + 1 ID card, in a later day's book


def test_the_tracking_book_downloads_as_csv_with_vietnamese_headers(client: TestClient) -> None:
    answer = client.get("/views/books/tracking", params={**PERIOD, "format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert (
        answer.headers["content-disposition"]
        == 'attachment; filename="so-theo-doi-ho-so_Q6-01_2026-05-20_2026-05-31.csv"'
    )
    header, *rows = rows_of(answer)
    assert header == [column.header for column in TRACKING_COLUMNS]
    assert header[3] == "Tên tổ chức, cá nhân" and header[-1] == "Người nhận (Ký tên, ghi rõ họ tên)"
    assert len(rows) == 93 and rows[0][0] == "1" and rows[0][6] == "20/05/2026 07:10"
    delivered = [row for row in rows if row[8]]
    assert len(delivered) == 3 and {row[9] for row in delivered} == {"Nhận tại Hệ thống 24/7"}
    assert {row[10] for row in delivered} == {"Kiosk 24/7 UBND Quận 6"} and all(row[11] == row[3] for row in delivered)


def test_the_tracking_book_prints_as_a_pdf_with_signature_columns(client: TestClient, tmp_path) -> None:
    answer = client.get("/views/books/tracking", params={**PERIOD, "format": "pdf"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].endswith(
        'filename="so-theo-doi-ho-so_Q6-01_2026-05-20_2026-05-31.pdf"'
    )
    text = pdf_text(answer.content, tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ QUY TRÌNH SỬ DỤNG DỊCH VỤ CÔNG TẠI HỆ THỐNG TIẾP NHẬN VÀ TRẢ HỒ SƠ TỰ ĐỘNG 24/7" in text
    assert "Kiosk: Kiosk 24/7 UBND Quận 6 (Q6-01)" in text and "Từ ngày 20/05/2026 đến ngày 31/05/2026" in text
    assert "Người giao (Ký tên, ghi rõ họ tên)" in text and "Người nhận (Ký tên, ghi rõ họ tên)" in text
    assert "Người lập sổ (Ký, ghi rõ họ tên)" in text and "Trang 1/" in text


def test_the_handover_book_lists_both_parties_in_json_csv_and_pdf(client: TestClient, tmp_path) -> None:
    lines = client.get("/views/books/handover", params=PERIOD).json()["lines"]
    assert lines and all(line["giver_name"] and line["receiver_name"] for line in lines)
    header, *rows = rows_of(client.get("/views/books/handover", params={**PERIOD, "format": "csv"}))
    assert header[5:] == [
        "Người giao (Ký, ghi rõ họ tên)",
        "Chức vụ, đơn vị bên giao",
        "Người nhận (Ký, ghi rõ họ tên)",
        "Chức vụ, đơn vị bên nhận",
    ]
    assert len(rows) == len(lines) and rows[0][5] == STAFF.name and rows[0][6] == "Nhân viên tư vấn, " + STAFF.unit
    text = pdf_text(client.get("/views/books/handover", params={**PERIOD, "format": "pdf"}).content, tmp_path)
    assert "SỔ GIAO NHẬN HỒ SƠ, KẾT QUẢ" in text and "Người nhận (Ký, ghi rõ họ tên)" in text and STAFF.name in text
    assert "Thủ trưởng đơn vị (Ký tên, đóng dấu)" in text


def test_the_cash_ledger_answers_each_table_as_csv_and_all_of_them_in_the_pdf(client: TestClient, tmp_path) -> None:
    ledger = client.get("/views/books/cash", params=PERIOD).json()
    assert len(ledger["collections"]) == 2 and ledger["totals"]["discrepancy"] == 0 and ledger["bank_qr"]
    collections = client.get("/views/books/cash", params={**PERIOD, "format": "csv"})
    assert 'filename="so-quy-thu-tien_Q6-01_2026-05-20_2026-05-31.csv"' in collections.headers["content-disposition"]
    header, *rows = rows_of(collections)
    assert header[6] == "Tiền kiểm đếm (đồng)"
    assert [int(row[6]) for row in rows] == [c["cash_counted"] for c in ledger["collections"]]
    header, *rows = rows_of(client.get("/views/books/cash", params={**PERIOD, "format": "csv", "section": "bank_qr"}))
    assert header[1] == "Mã giao dịch" and len(rows) == len(ledger["bank_qr"]) and {row[5] for row in rows} == {"Chưa"}
    text = pdf_text(client.get("/views/books/cash", params={**PERIOD, "format": "pdf"}).content, tmp_path)
    assert "SỔ QUỸ THU PHÍ, LỆ PHÍ" in text and "III. Thanh toán QR ngân hàng cần đối soát" in text
    assert "Thủ quỹ (Ký, ghi rõ họ tên)" in text and "Người thu (Ký, ghi rõ họ tên)" in text


@pytest.mark.parametrize(
    ("path", "params", "problem"),
    [
        ("tracking", {"from": "2026-05-31", "to": "2026-05-20"}, "after"),
        ("tracking", {"from": "2026-02-30", "to": "2026-05-20"}, "YYYY-MM-DD"),
        ("handover", {"from": "2026-05-20", "to": "hôm nay"}, "YYYY-MM-DD"),
        ("handover", {"from": "2026-05-20", "to": "2026-05-31", "format": "xlsx"}, "json, csv, pdf"),
        ("cash", {"from": "2026-05-20", "to": "2026-05-31", "section": "all"}, "collections, dossiers, bank_qr"),
        ("cash", {"from": "2026-05-20", "to": "2026-05-31", "kiosk": "q6 01"}, "Q6-01"),
        ("cash", {"from": "2025-01-01", "to": "2026-05-31"}, "366 days"),
        ("cash", {"from": "9999-12-31", "to": "9999-12-31"}, "between 2000-01-01 and 2999-12-31"),
        ("tracking", {"to": "2026-05-31"}, "from"),
    ],
)
def test_bad_book_parameters_are_refused_with_400_and_a_clear_message(
    client: TestClient, path, params, problem
) -> None:
    answer = client.get(f"/views/books/{path}", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request" and problem in answer.json()["message"]
