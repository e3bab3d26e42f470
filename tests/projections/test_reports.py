"""Reports over the dossiers table, on SQLite and PostgreSQL: every figure against an independent count of crafted
rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from domain.codes import dossier_id
from projections.digitization import DigitizationReadModel
from projections.dossiers import DossierReadModel, queue_of
from projections.ports import ReadStore
from projections.reports import (
    NAMED_DEPARTMENTS,
    DepartmentRow,
    DigitizationRow,
    Figures,
    Report,
    ReportPeriodError,
    ReportsView,
    Share,
    Target,
    period_bounds,
    period_label,
)
from tests.conftest import read_store_for

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TP, CA, WARD, OTHER = "H29.06.TP", "H29.06.CA.QLHC", "H29.06.1.TPHT", "H29.07.TP"
QLDT, KT, TCKH, GDDT = NAMED_DEPARTMENTS
AGENCY_OF = {
    TP: "H29.06",
    CA: "H29.06.CA",
    WARD: "H29.06.1",
    OTHER: "H29.07",
    None: "H29.06",
    QLDT: "H29.06",
    KT: "H29.06",
    TCKH: "H29.06",
    GDDT: "H29.06",
}
TODAY = date(2026, 11, 26)


def at(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time."""
    return datetime(y, m, d, hour, minute, tzinfo=VN)


class Row(NamedTuple):
    department: str | None
    channel: str
    received: datetime
    due: date | None = None
    delivered: datetime | None = None
    via: str | None = None
    status: str | None = None
    supplements: int = 0
    stars: int | None = None
    level: str | None = None

    @property
    def cccd(self) -> bool:
        return self.department == CA


ROWS = [
    Row(TP, "kiosk", at(2026, 3, 2), date(2026, 3, 9), at(2026, 3, 9, 16), "kiosk", stars=5),
    Row(
        TP, "kiosk", at(2026, 3, 3), date(2026, 3, 10), at(2026, 3, 11, 6), "counter", level="satisfied"
    ),  # 10/3 in UTC: late
    Row(
        TP,
        "counter",
        at(2026, 3, 4),
        date(2026, 3, 11),
        at(2026, 3, 10, 23, 30),
        "counter",
        supplements=1,
        level="very_satisfied",
    ),
    Row(TP, "online", at(2026, 3, 5), date(2026, 3, 12), status="in_processing"),
    Row(TP, "postal", at(2026, 3, 6), date(2026, 4, 20), status="supplement_requested", supplements=2),
    Row(TP, "online", at(2026, 3, 7), date(2026, 3, 14), status="rejected"),
    Row(TP, "counter", at(2026, 3, 16), None, at(2026, 3, 17), "postal"),
    Row(TP, "counter", at(2026, 2, 28, 23, 30), date(2026, 3, 1), status="in_processing"),  # February in Vietnam
    Row(TP, "counter", at(2026, 4, 1, 0, 0), date(2026, 4, 8), status="received"),
    Row(TP, "kiosk", at(2026, 4, 2), date(2026, 4, 3), at(2026, 4, 3, 10), "kiosk", stars=4),
    Row(CA, "kiosk", at(2026, 3, 1, 0, 30), date(2026, 3, 10), at(2026, 3, 10), "kiosk", stars=4),  # 28/2 in UTC
    Row(CA, "counter", at(2026, 3, 9), date(2026, 3, 18), at(2026, 3, 20), "counter", level="dissatisfied"),
    Row(CA, "kiosk", at(2026, 2, 20), date(2026, 3, 2), at(2026, 3, 2), "kiosk", stars=2),
    Row(CA, "counter", at(2026, 2, 25), date(2026, 3, 5), at(2026, 4, 1, 0, 10), "counter"),  # 31/3 in UTC
    Row(CA, "online", at(2026, 3, 12), date(2026, 3, 19), at(2026, 3, 19), "kiosk", level="acceptable"),
    Row(WARD, "kiosk", at(2026, 3, 31, 23, 59), date(2026, 4, 7), status="received"),
    Row(OTHER, "kiosk", at(2026, 3, 15), date(2026, 3, 20), at(2026, 3, 20), "kiosk", stars=1),
    Row(None, "counter", at(2026, 3, 20), date(2026, 3, 25), status="withdrawn"),
    Row(TP, "kiosk", at(2025, 10, 1, 0, 5), date(2025, 10, 8), at(2025, 10, 8), "kiosk", stars=3),
    Row(CA, "counter", at(2025, 12, 31, 23, 50), date(2026, 1, 9), at(2026, 1, 9), "counter"),
    # May 2026: the departments seed 000 §4.1 names (GDDT has nothing: no verdict)
    Row(QLDT, "kiosk", at(2026, 5, 4), date(2026, 5, 11), at(2026, 5, 11), "kiosk", level="very_satisfied"),
    Row(QLDT, "counter", at(2026, 5, 5), date(2026, 5, 12), at(2026, 5, 12), "kiosk", level="satisfied"),
    Row(QLDT, "counter", at(2026, 5, 6), date(2026, 5, 13), at(2026, 5, 14), "counter", level="dissatisfied"),
    Row(QLDT, "online", at(2026, 5, 7), date(2026, 5, 14), status="in_processing"),
    Row(KT, "counter", at(2026, 5, 8), date(2026, 5, 15), status="in_processing"),
    Row(KT, "kiosk", at(2026, 4, 28), date(2026, 5, 5), at(2026, 5, 5), "counter"),  # kiosk in April, counter in May
    Row(TCKH, "kiosk", at(2026, 5, 31, 23, 30), date(2026, 6, 5), status="received"),
    Row(TCKH, "counter", at(2026, 4, 30, 23, 30), date(2026, 5, 7), status="in_processing"),  # 30/4 in VN
]
# (scans, vault reuses) recorded for a row (by its index in ROWS): the dossier_digitization read model
DIGITIZED = {
    0: (2, 0),
    1: (0, 1),
    2: (1, 1),
    3: (1, 0),
    6: (3, 0),
    10: (1, 0),
    20: (2, 0),
    21: (0, 2),
    23: (1, 0),
    24: (1, 1),
    26: (0, 1),
    27: (1, 0),
}

# Refused scans per row (ScanRefusal.Recorded): each online row, and a paper row whose verification result was not
# copied (counted in no online column).
REFUSED = {i: 1 + i % 2 for i, r in enumerate(ROWS) if r.channel == "online"} | {0: 1}


@pytest.fixture
def view(store_env, tmp_path, catalogue):
    store = read_store_for(store_env, tmp_path)
    fill(store, catalogue)
    yield ReportsView(store, {d.code: d.name for d in catalogue.departments})
    store.close()


def fill(store: ReadStore, catalogue) -> None:
    """Create the dossier read model's table and insert ROWS into it."""
    table, (digitization, refusals) = DossierReadModel(catalogue).table("dossiers"), DigitizationReadModel.tables
    rows = [dossier_row(n, row) for n, row in enumerate(ROWS, 1)]
    names = table.column_names
    scanned = [
        [rows[i]["code"], scans, scans, reuses, rows[i]["received_at"]] for i, (scans, reuses) in DIGITIZED.items()
    ]
    with store.transaction() as tx:
        tx.execute(store.ddl(table.ddl()))
        tx.execute(store.ddl(digitization.ddl()))
        tx.execute(store.ddl(refusals.ddl()))
        tx.executemany(
            "INSERT INTO dossier_scan_refusals (code, refused, first_at) VALUES (?, ?, ?)",
            [[rows[i]["code"], n, rows[i]["received_at"]] for i, n in REFUSED.items()],
        )
        tx.executemany(
            f"INSERT INTO dossiers ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [[row.get(name) for name in names] for row in rows],
        )
        tx.executemany(
            "INSERT INTO dossier_digitization (code, scans, scanned_pages, reuses, first_at) VALUES (?, ?, ?, ?, ?)",
            scanned,
        )


def dossier_row(n: int, row: Row) -> dict[str, object]:
    status = row.status or ("rated" if row.stars or row.level else "delivered")
    received, delivered = (t.astimezone(UTC) if t else None for t in (row.received, row.delivered))
    code = f"{AGENCY_OF[row.department]}-{row.received:%y%m%d}-{n:04d}"
    return {
        "id": str(dossier_id(code)),
        "code": code,
        "agency": AGENCY_OF[row.department],
        "procedure_code": "1.000000.000.00.00.H29",
        "department": row.department,
        "result_kind": "cccd_card" if row.cccd else "district_result",
        "channel": row.channel,
        "status": status,
        "queue": queue_of(status, False, None),
        "in_bin": False,
        "received_at": received,
        "due_on": row.due,
        "fee": 0,
        "paid": 0,
        "shortfall": 0,
        "excess": 0,
        "delivered_at": delivered,
        "delivery_channel": row.via,
        "supplements": row.supplements,
        "rating_stars": row.stars,
        "rating_level": row.level,
        "version": 1,
        "updated_at": delivered or received,
    }


def expected_figures(rows: list[Row], start: date, end: date, as_of: date) -> Figures:
    """The report's definitions, counted row by row in Vietnam dates."""

    def within(t: datetime | None) -> bool:
        return t is not None and start <= t.date() <= end

    # [14] An ID card is never submitted at the kiosk: a card row "received" there is a return registration, not intake.
    got = [r for r in rows if within(r.received) and not (r.cccd and r.channel == "kiosk")]
    out = [r for r in rows if within(r.delivered)]
    on_time = sum(r.due is not None and r.delivered.date() <= r.due for r in out)
    late = sum(r.due is not None and r.delivered.date() > r.due for r in out)
    cccd = [r for r in out if r.cccd]
    supplemented = sum(r.supplements > 0 for r in got)
    overdue = sum(
        r.received.date() <= as_of
        and (r.delivered is None or r.delivered.date() > as_of)
        and r.due is not None
        and r.due < as_of
        and r.status not in ("rejected", "withdrawn")
        for r in rows
    )

    def shares(pairs: list[tuple[str, str, int]]) -> list[Share]:
        whole = sum(n for *_, n in pairs)
        return [Share(key=k, label=label, count=n, share=n / whole if whole else None) for k, label, n in pairs]

    channels = [
        (c, label, sum(r.channel == c for r in got))
        for c, label in (
            ("kiosk", "Kiosk 24/7"),
            ("counter", "Tại quầy Một cửa"),
            ("online", "Trực tuyến"),
            ("postal", "Bưu chính công ích"),
        )
    ]
    levels = [
        (k, label, sum(r.level == k for r in out))
        for k, label in (
            ("very_satisfied", "Rất hài lòng"),
            ("satisfied", "Hài lòng"),
            ("acceptable", "Chấp nhận được"),
            ("dissatisfied", "Không hài lòng"),
        )
    ]
    kiosk_cccd = sum(r.via == "kiosk" for r in cccd)
    return Figures(
        received=len(got),
        channels=shares(channels),
        kiosk_share=channels[0][2] / len(got) if got else None,
        with_supplements=supplemented,
        supplement_rate=supplemented / len(got) if got else None,
        delivered=len(out),
        on_time=on_time,
        late=late,
        on_time_rate=on_time / (on_time + late) if on_time + late else None,
        overdue_open=overdue,
        cccd_delivered=len(cccd),
        cccd_via_kiosk=kiosk_cccd,
        cccd_kiosk_share=kiosk_cccd / len(cccd) if cccd else None,
        rated=sum(bool(r.stars or r.level) for r in out),
        stars=shares([(str(n), f"{n} sao", sum(r.stars == n for r in out)) for n in range(1, 6)]),
        levels=shares(levels),
        satisfied_rate=(levels[0][2] + levels[1][2]) / sum(n for *_, n in levels)
        if any(n for *_, n in levels)
        else None,
    )


def expected_report(view: ReportsView, kind: str, day: date, today: date, agency: str | None) -> tuple[Figures, list]:
    start, end = period_bounds(kind, day)
    as_of = min(end, today)
    rows = [
        r
        for r in ROWS
        if agency is None or AGENCY_OF[r.department] == agency or AGENCY_OF[r.department].startswith(agency + ".")
    ]
    departments = sorted({r.department for r in rows}, key=lambda d: (d is None, d or ""))
    per = [
        DepartmentRow(
            department=d,
            name=view.names.get(d or ""),
            figures=expected_figures([r for r in rows if r.department == d], start, end, as_of),
        )
        for d in departments
    ]
    return expected_figures(rows, start, end, as_of), [
        p for p in per if p.figures != expected_figures([], start, end, as_of)
    ]


@pytest.mark.parametrize(
    ("kind", "day", "today", "agency"),
    [
        ("month", date(2026, 3, 18), TODAY, "H29.06"),
        ("month", date(2026, 3, 1), TODAY, None),
        ("month", date(2026, 3, 31), date(2026, 3, 18), "H29.06"),  # an open period is reported as of today
        ("week", date(2026, 4, 2), TODAY, "H29.06"),  # 30/3 – 5/4 spans the end of March
        ("quarter", date(2026, 2, 14), TODAY, "H29.06.CA"),
        ("quarter", date(2025, 11, 15), TODAY, None),  # Q4: 1/10 – 31/12
    ],
)
def test_every_figure_matches_an_independent_count_of_the_rows(view, kind, day, today, agency) -> None:
    report = view.report(kind, day, today=today, agency=agency)
    totals, departments = expected_report(view, kind, day, today, agency)
    assert totals.received and totals.delivered and departments  # every case has rows to count
    assert (report.start, report.end) == period_bounds(kind, day) and report.as_of == min(report.end, today)
    assert report.totals == totals
    assert report.departments == departments
    assert report.agency == agency and report.period == kind


def test_march_misses_the_kiosk_target_and_meets_the_cccd_target(view) -> None:
    report = view.report("month", date(2026, 3, 18), today=TODAY, agency="H29.06")
    kiosk, cccd = report.targets
    # the police's "kiosk" row of 1 March is an ID-card return registration, not a dossier received there ([14])
    assert (kiosk.key, kiosk.numerator, kiosk.denominator, kiosk.target) == ("kiosk_intake", 3, 11, 0.40)
    assert kiosk.actual == 3 / 11 and kiosk.met is False
    assert (cccd.key, cccd.numerator, cccd.denominator, cccd.met) == ("cccd_kiosk_return", 3, 4, True)
    assert [row.name for row in report.departments][-1] is None  # the dossier without department comes last
    assert report.departments[0].name == "Bộ phận Tư pháp - Hộ tịch"


def test_the_week_across_the_month_end_meets_the_kiosk_target_and_misses_the_cccd_one(view) -> None:
    report = view.report("week", date(2026, 4, 2), today=TODAY)
    kiosk, cccd = report.targets
    assert (kiosk.numerator, kiosk.denominator, kiosk.met) == (2, 3, True)
    assert (cccd.numerator, cccd.denominator, cccd.actual, cccd.met) == (0, 1, 0.0, False)


def test_an_empty_period_has_no_shares_and_no_verdict(view) -> None:
    report = view.report("quarter", date(2025, 8, 1), today=TODAY)
    assert report.totals.received == 0 and report.totals.kiosk_share is None and report.departments == []
    assert [t.met for t in report.targets] == [None, None]


@pytest.mark.parametrize(
    ("kind", "day", "bounds", "label"),
    [
        ("week", date(2026, 4, 2), (date(2026, 3, 30), date(2026, 4, 5)), "Tuần 14/2026"),
        ("week", date(2026, 1, 1), (date(2025, 12, 29), date(2026, 1, 4)), "Tuần 1/2026"),
        ("week", date(2026, 3, 30), (date(2026, 3, 30), date(2026, 4, 5)), "Tuần 14/2026"),
        ("month", date(2028, 2, 10), (date(2028, 2, 1), date(2028, 2, 29)), "Tháng 2/2028"),
        ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31)), "Tháng 12/2026"),
        ("quarter", date(2025, 11, 15), (date(2025, 10, 1), date(2025, 12, 31)), "Quý IV/2025"),
        ("quarter", date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31)), "Quý I/2026"),
    ],
)
def test_period_bounds_and_labels(kind, day, bounds, label) -> None:
    assert period_bounds(kind, day) == bounds
    assert period_label(kind, bounds[0]) == label


def test_an_unknown_period_or_a_period_not_yet_begun_is_refused(view) -> None:
    with pytest.raises(ReportPeriodError, match="unknown period 'year'"):
        view.report("year", date(2026, 3, 1), today=TODAY)
    with pytest.raises(ReportPeriodError) as refused:
        view.report("month", date(2026, 12, 1), today=TODAY)
    assert "chưa diễn ra" in refused.value.message_vi
    assert isinstance(view.report("week", TODAY, today=TODAY), Report)


def expected_department_targets(view: ReportsView, start: date, end: date, agency: str | None) -> list[Target]:
    """Seed 000 §4.1, counted row by row: of the dossiers a named department received or returned in the period,
    those received at the kiosk in the period or returned from a kiosk tray in the period."""

    def within(t: datetime | None) -> bool:
        return t is not None and start <= t.date() <= end

    found = []
    for department in NAMED_DEPARTMENTS:
        rows = [
            r
            for r in ROWS
            if r.department == department and (agency is None or AGENCY_OF[department].startswith(agency))
        ]
        handled = [r for r in rows if within(r.received) or within(r.delivered)]
        via = sum(
            (r.channel == "kiosk" and within(r.received)) or (r.via == "kiosk" and within(r.delivered)) for r in handled
        )
        share = via / len(handled) if handled else None
        found.append(
            Target(
                key=f"kiosk_share:{department}",
                label=f"Tỷ lệ hồ sơ tiếp nhận/trả qua Kiosk 24/7 – {view.names[department]}",
                target=0.40,
                numerator=via,
                denominator=len(handled),
                actual=share,
                met=None if share is None else share >= 0.40,
            )
        )
    return found


def expected_digitization(view: ReportsView, start: date, end: date, agency: str | None) -> list[DigitizationRow]:
    """Seed 002, counted row by row per (Vietnam month of receipt, agency, department)."""
    groups: dict[tuple[str, str, str | None], list[tuple[Row, tuple[int, int, int]]]] = {}
    for i, r in enumerate(ROWS):
        unit = AGENCY_OF[r.department]
        if start <= r.received.date() <= end and (agency is None or unit == agency or unit.startswith(agency + ".")):
            groups.setdefault((f"{r.received:%Y-%m}", unit, r.department), []).append(
                (r, (*DIGITIZED.get(i, (0, 0)), REFUSED.get(i, 0)))
            )
    found = []
    for (month, unit, department), rows in sorted(
        groups.items(), key=lambda g: (g[0][0], g[0][1], g[0][2] is None, g[0][2] or "")
    ):
        paper = [(r, d) for r, d in rows if r.channel != "online"]
        online = [(r, d) for r, d in rows if r.channel == "online"]
        digitized = sum(d[:2] != (0, 0) for _, d in paper)
        found.append(
            DigitizationRow(
                month=month,
                agency=unit,
                department=department,
                name=view.names.get(department or ""),
                paper_received=len(paper),
                digitized=digitized,
                coverage=digitized / len(paper) if paper else None,
                scans=sum(d[0] for _, d in paper),
                reuses=sum(d[1] for _, d in paper),
                online_received=len(online),
                online_scanned=sum(d[0] > 0 for _, d in online),
                online_scans_refused=sum(d[2] for _, d in online),
            )
        )
    return found


@pytest.mark.parametrize(
    ("kind", "day", "agency"),
    [
        ("month", date(2026, 5, 10), "H29.06"),
        ("month", date(2026, 5, 10), None),
        ("month", date(2026, 4, 10), None),
        ("quarter", date(2026, 5, 1), "H29.06"),
        ("quarter", date(2026, 2, 1), None),
        ("week", date(2026, 5, 13), None),
        ("month", date(2026, 3, 3), "H29.06.CA"),
    ],
)
def test_kiosk_share_of_each_named_department_and_digitization_match_an_independent_count(
    view, kind, day, agency
) -> None:
    report = view.report(kind, day, today=TODAY, agency=agency)
    start, end = period_bounds(kind, day)
    assert report.department_targets == expected_department_targets(view, start, end, agency)
    assert report.digitization == expected_digitization(view, start, end, agency)


def test_in_may_urban_management_meets_forty_percent_economy_misses_it_and_education_has_no_verdict(view) -> None:
    report = view.report("month", date(2026, 5, 10), today=TODAY, agency="H29.06")
    by_department = {t.key.split(":")[1]: t for t in report.department_targets}
    assert (by_department[QLDT].numerator, by_department[QLDT].denominator, by_department[QLDT].met) == (2, 4, True)
    assert (by_department[KT].numerator, by_department[KT].denominator, by_department[KT].met) == (0, 2, False)
    assert (by_department[TCKH].numerator, by_department[TCKH].denominator, by_department[TCKH].met) == (1, 1, True)
    assert (by_department[GDDT].denominator, by_department[GDDT].met) == (0, None)
    assert report.totals.satisfied_rate == 2 / 3  # very satisfied + satisfied of the three level ratings
    qldt = next(d for d in report.digitization if d.department == QLDT)
    assert (qldt.paper_received, qldt.digitized, qldt.scans, qldt.reuses, qldt.online_scanned) == (3, 2, 2, 2, 1)
    assert qldt.coverage == 2 / 3  # the dissatisfied counter dossier was never scanned
    assert qldt.online_scans_refused == sum(
        REFUSED[i]
        for i, r in enumerate(ROWS)
        if r.channel == "online" and r.department == QLDT and r.received.month == 5
    )
