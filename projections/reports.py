"""Weekly, monthly and quarterly reports on receipt and return of dossiers, from the `dossiers` read model.

Periods are Vietnam calendar periods (ISO week Monday–Sunday, month, quarter); their bounds are computed here
and passed to SQL as UTC instants, so the same statements run on SQLite (ISO text) and PostgreSQL (timestamptz).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

import msgspec

from domain.clock import VIETNAM
from domain.values import Channel, SatisfactionLevel
from projections.ports import ReadStore

PERIODS = ("week", "month", "quarter")
KIOSK_TARGET, CCCD_KIOSK_TARGET = 0.40, 0.20
# Seed 000 §4.1 names the departments that must reach 40% of their dossiers through the kiosk (received or returned):
# Quản lý đô thị, Kinh tế, Tài chính – Kế hoạch, Giáo dục và Đào tạo (codes of infrastructure/data/procedures.toml).
NAMED_DEPARTMENTS = ("H29.06.QLDT", "H29.06.KT", "H29.06.TCKH", "H29.06.GDDT")
SATISFIED_LEVELS = (SatisfactionLevel.VERY_SATISFIED, SatisfactionLevel.SATISFIED)
CHANNEL_LABELS = {
    Channel.KIOSK: "Kiosk 24/7",
    Channel.COUNTER: "Tại quầy Một cửa",
    Channel.ONLINE: "Trực tuyến",
    Channel.POSTAL: "Bưu chính công ích",
}
LEVEL_LABELS = {
    SatisfactionLevel.VERY_SATISFIED: "Rất hài lòng",
    SatisfactionLevel.SATISFIED: "Hài lòng",
    SatisfactionLevel.ACCEPTABLE: "Chấp nhận được",
    SatisfactionLevel.DISSATISFIED: "Không hài lòng",
}
ROMAN = ("I", "II", "III", "IV")
# Vietnam has kept UTC+7 without daylight saving since 1975, so SQLite can shift by a fixed 7 hours.
VN_DATE = {
    "sqlite": "date(delivered_at, '+7 hours')",
    "postgres": "CAST((delivered_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)",
}
IN_PERIOD = "{col} >= ? AND {col} < ?"
# [14] An ID card's return registered at the kiosk is not a dossier received there (the police took the application).
NOT_A_RETURN = " AND NOT (COALESCE(result_kind, '') = 'cccd_card' AND channel = 'kiosk')"
RECEIVED = (
    "SELECT department, channel, COUNT(*) AS n, SUM(CASE WHEN supplements > 0 THEN 1 ELSE 0 END) AS supplemented "
    "FROM dossiers WHERE "
    + IN_PERIOD.format(col="received_at")
    + NOT_A_RETURN
    + "{agency} GROUP BY department, channel"
)
DELIVERED = (
    "SELECT department, COUNT(*) AS delivered, "
    "SUM(CASE WHEN due_on IS NOT NULL AND {vn_date} <= due_on THEN 1 ELSE 0 END) AS on_time, "
    "SUM(CASE WHEN due_on IS NOT NULL AND {vn_date} > due_on THEN 1 ELSE 0 END) AS late, "
    "SUM(CASE WHEN result_kind = 'cccd_card' THEN 1 ELSE 0 END) AS cccd_delivered, "
    "SUM(CASE WHEN result_kind = 'cccd_card' AND delivery_channel = 'kiosk' THEN 1 ELSE 0 END) AS cccd_via_kiosk "
    "FROM dossiers WHERE " + IN_PERIOD.format(col="delivered_at") + "{agency} GROUP BY department"
)
RATINGS = (
    "SELECT department, rating_stars, rating_level, COUNT(*) AS n FROM dossiers WHERE "
    + IN_PERIOD.format(col="delivered_at")
    + " AND (rating_stars IS NOT NULL OR rating_level IS NOT NULL)"
    "{agency} GROUP BY department, rating_stars, rating_level"
)
# A dossier counts for a department's kiosk share when it was received or returned in the period; it is "via the kiosk"
# when it was received at the kiosk in the period or its result was returned from a kiosk tray in the period.
KIOSK_HANDLED = (
    "SELECT department, COUNT(*) AS handled, SUM(CASE WHEN (channel = 'kiosk' AND {received}) "
    "OR (delivery_channel = 'kiosk' AND {delivered}) THEN 1 ELSE 0 END) AS via_kiosk FROM dossiers "
    "WHERE ({received} OR {delivered}){agency} GROUP BY department"
).format(
    received="(received_at >= ? AND received_at < ?)",
    delivered="(delivered_at >= ? AND delivered_at < ?)",
    agency="{agency}",
)
VN_MONTH = {
    "sqlite": "strftime('%Y-%m', d.received_at, '+7 hours')",
    "postgres": "to_char(d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')",
}
# Seed 002: every paper dossier received is digitized (scanned, or its components reused from the vault); a dossier
# received electronically needs no scan.
DIGITIZED = (
    "SELECT {month} AS month, d.agency, d.department, "
    "SUM(CASE WHEN d.channel <> 'online' THEN 1 ELSE 0 END) AS paper, "
    "SUM(CASE WHEN d.channel <> 'online' AND (g.scans > 0 OR g.reuses > 0) THEN 1 ELSE 0 END) AS digitized, "
    "SUM(CASE WHEN d.channel <> 'online' THEN COALESCE(g.scans, 0) ELSE 0 END) AS scans, "
    "SUM(CASE WHEN d.channel <> 'online' THEN COALESCE(g.reuses, 0) ELSE 0 END) AS reuses, "
    "SUM(CASE WHEN d.channel = 'online' THEN 1 ELSE 0 END) AS online, "
    "SUM(CASE WHEN d.channel = 'online' AND g.scans > 0 THEN 1 ELSE 0 END) AS online_scanned, "
    "SUM(CASE WHEN d.channel = 'online' THEN COALESCE(r.refused, 0) ELSE 0 END) AS online_refused "
    "FROM dossiers d LEFT JOIN dossier_digitization g ON g.code = d.code "
    "LEFT JOIN dossier_scan_refusals r ON r.code = d.code "
    "WHERE d.received_at >= ? AND d.received_at < ?{agency} GROUP BY 1, d.agency, d.department"
)
OVERDUE = (
    "SELECT department, COUNT(*) AS overdue_open FROM dossiers WHERE received_at < ? "
    "AND (delivered_at IS NULL OR delivered_at >= ?) AND status NOT IN ('rejected', 'withdrawn') AND due_on < ?"
    "{agency} GROUP BY department"
)


class ReportPeriodError(ValueError):
    """A period kind or reference date a report cannot be made for."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message, self.message_vi = message, message_vi


class Share(msgspec.Struct, frozen=True):
    """One bar of a distribution: a key, its Vietnamese label, a count and its share of the whole (0..1)."""

    key: str
    label: str
    count: int
    share: float | None


class Figures(msgspec.Struct, frozen=True):
    """The report's figures for the whole scope or for one department."""

    received: int
    channels: list[Share]
    kiosk_share: float | None
    with_supplements: int
    supplement_rate: float | None
    delivered: int
    on_time: int
    late: int
    on_time_rate: float | None
    overdue_open: int
    cccd_delivered: int
    cccd_via_kiosk: int
    cccd_kiosk_share: float | None
    rated: int
    stars: list[Share]
    levels: list[Share]
    satisfied_rate: float | None  # "rất hài lòng" and "hài lòng" among the ratings given on Circular 01 levels


class DepartmentRow(msgspec.Struct, frozen=True):
    department: str | None
    name: str | None
    figures: Figures


class Target(msgspec.Struct, frozen=True):
    """A target of seed 000 (at least `target` of `denominator`) and whether the period met it (None: no data)."""

    key: str
    label: str
    target: float
    numerator: int
    denominator: int
    actual: float | None
    met: bool | None


class DigitizationRow(msgspec.Struct, frozen=True):
    """Số hóa for one unit in one month (YYYY-MM): paper dossiers received, how many were digitized, the scans and
    vault reuses made for them, the dossiers received electronically that were nevertheless scanned, and the scans of
    their components refused (seed 002: no copies of what arrived electronically)."""

    month: str
    agency: str
    department: str | None
    name: str | None
    paper_received: int
    digitized: int
    coverage: float | None
    scans: int
    reuses: int
    online_received: int
    online_scanned: int
    online_scans_refused: int = 0


class Report(msgspec.Struct, frozen=True):
    """Báo cáo tình hình tiếp nhận và trả kết quả for one period."""

    period: str
    label: str
    start: date
    end: date
    as_of: date
    agency: str | None
    totals: Figures
    targets: list[Target]
    departments: list[DepartmentRow]
    department_targets: list[Target]  # the 40% kiosk share of each department named in seed 000 §4.1
    digitization: list[DigitizationRow]


def period_bounds(kind: str, reference: date) -> tuple[date, date]:
    """First and last day of the week (ISO, Monday–Sunday), month or quarter holding `reference`."""
    if kind == "week":
        start = reference - timedelta(days=reference.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start, months = reference.replace(day=1), 1
    elif kind == "quarter":
        start, months = date(reference.year, (reference.month - 1) // 3 * 3 + 1, 1), 3
    else:
        raise ReportPeriodError(
            f"unknown period {kind!r}; periods: {', '.join(PERIODS)}",
            f"kỳ báo cáo {kind!r} không hợp lệ; chọn một trong: tuần (week), tháng (month), quý (quarter)",
        )
    month = start.month - 1 + months
    return start, date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def period_label(kind: str, start: date) -> str:
    """The Vietnamese name of the period: Tuần 10/2026, Tháng 3/2026, Quý I/2026."""
    if kind == "week":
        year, week, _ = start.isocalendar()
        return f"Tuần {week}/{year}"
    return (
        f"Tháng {start.month}/{start.year}" if kind == "month" else f"Quý {ROMAN[(start.month - 1) // 3]}/{start.year}"
    )


def utc_start_of(day: date) -> datetime:
    """The instant a Vietnam calendar day begins, in UTC."""
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class ReportsView:
    """Report computations over the `dossiers` table."""

    def __init__(self, store: ReadStore, department_names: Mapping[str, str] | None = None) -> None:
        self.store, self.names = store, dict(department_names or {})

    def report(self, kind: str, reference: date, *, today: date, agency: str | None = None) -> Report:
        """The report of the period holding `reference`; open periods are reported as of `today`."""
        start, end = period_bounds(kind, reference)
        if start > today:
            raise ReportPeriodError(
                f"the period starting {start.isoformat()} has not begun yet",
                f"kỳ báo cáo bắt đầu ngày {start:%d/%m/%Y} chưa diễn ra",
            )
        as_of = min(end, today)
        tallies = self._tallies(utc_start_of(start), utc_start_of(end + timedelta(days=1)), as_of, agency)
        totals = figures(sum(tallies.values(), Counter()))
        departments = [
            DepartmentRow(department=d, name=self.names.get(d or ""), figures=figures(tallies[d]))
            for d in sorted(tallies, key=lambda d: (d is None, d or ""))
        ]
        begin, until = utc_start_of(start), utc_start_of(end + timedelta(days=1))
        return Report(
            period=kind,
            label=period_label(kind, start),
            start=start,
            end=end,
            as_of=as_of,
            agency=agency,
            totals=totals,
            targets=targets(totals),
            departments=departments,
            department_targets=self._department_targets(begin, until, agency),
            digitization=self._digitization(begin, until, agency),
        )

    def _department_targets(self, begin: datetime, until: datetime, agency: str | None) -> list[Target]:
        where, extra = self._agency(agency)
        rows = {
            row["department"]: row
            for row in self.store.query(KIOSK_HANDLED.format(agency=where), [begin, until, begin, until] * 2 + extra)
        }
        found = [(d, rows.get(d, {})) for d in NAMED_DEPARTMENTS]
        return [
            target(
                f"kiosk_share:{d}",
                f"Tỷ lệ hồ sơ tiếp nhận/trả qua Kiosk 24/7 – {self.names.get(d, d)}",
                KIOSK_TARGET,
                int(row.get("via_kiosk") or 0),
                int(row.get("handled") or 0),
            )
            for d, row in found
        ]

    def _digitization(self, begin: datetime, until: datetime, agency: str | None) -> list[DigitizationRow]:
        where, extra = self._agency(agency)
        statement = DIGITIZED.format(month=VN_MONTH[self.store.dialect], agency=where.replace("agency", "d.agency"))
        return [
            DigitizationRow(
                month=r["month"],
                agency=r["agency"],
                department=r["department"],
                name=self.names.get(r["department"] or ""),
                paper_received=int(r["paper"]),
                digitized=int(r["digitized"]),
                coverage=ratio(int(r["digitized"]), int(r["paper"])),
                scans=int(r["scans"]),
                reuses=int(r["reuses"]),
                online_received=int(r["online"]),
                online_scanned=int(r["online_scanned"]),
                online_scans_refused=int(r["online_refused"] or 0),
            )
            for r in sorted(self.store.query(statement, [begin, until, *extra]), key=unit_order)
        ]

    def _tallies(self, begin: datetime, until: datetime, as_of: date, agency: str | None) -> dict[str | None, Counter]:
        where, extra = self._agency(agency)
        tallies: dict[str | None, Counter] = defaultdict(Counter)
        for row in self.store.query(RECEIVED.format(agency=where), [begin, until, *extra]):
            tally = tallies[row["department"]]
            tally["received"] += row["n"]
            tally[f"channel:{row['channel']}"] += row["n"]
            tally["with_supplements"] += row["supplemented"]
        delivered = DELIVERED.format(vn_date=VN_DATE[self.store.dialect], agency=where)
        for row in self.store.query(delivered, [begin, until, *extra]):
            tallies[row["department"]].update({k: v for k, v in row.items() if k != "department"})
        for row in self.store.query(RATINGS.format(agency=where), [begin, until, *extra]):
            key = f"stars:{row['rating_stars']}" if row["rating_stars"] is not None else f"level:{row['rating_level']}"
            tallies[row["department"]][key] += row["n"]
            tallies[row["department"]]["rated"] += row["n"]
        cutoff = utc_start_of(as_of + timedelta(days=1))
        for row in self.store.query(OVERDUE.format(agency=where), [cutoff, cutoff, as_of, *extra]):
            tallies[row["department"]]["overdue_open"] += row["overdue_open"]
        return tallies

    @staticmethod
    def _agency(agency: str | None) -> tuple[str, list[str]]:
        """An agency covers its own dossiers and those of its units (codes that extend it: H29.06 → H29.06.1)."""
        if not agency:
            return "", []
        escaped = agency.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        return " AND (agency = ? OR agency LIKE ? ESCAPE '!')", [agency, escaped + ".%"]


def unit_order(row: Mapping[str, str | None]) -> tuple[str, str, bool, str]:
    """Month, agency, then department with the dossiers without one last (as the department table orders them)."""
    return str(row["month"]), str(row["agency"]), row["department"] is None, row["department"] or ""


def distribution(tally: Counter, prefix: str, labels: Mapping[str, str]) -> list[Share]:
    """Counts and shares of each key, in the order of `labels`, zeros included."""
    counts = {key: tally[f"{prefix}:{key}"] for key in labels}
    whole = sum(counts.values())
    return [Share(key=key, label=labels[key], count=n, share=ratio(n, whole)) for key, n in counts.items()]


def figures(tally: Counter) -> Figures:
    """Figures from raw counts (keys as written by ReportsView._tallies)."""
    t = tally
    return Figures(
        received=t["received"],
        kiosk_share=ratio(t["channel:kiosk"], t["received"]),
        channels=[
            Share(
                key=c.value,
                label=CHANNEL_LABELS[c],
                count=t[f"channel:{c.value}"],
                share=ratio(t[f"channel:{c.value}"], t["received"]),
            )
            for c in Channel
        ],
        with_supplements=t["with_supplements"],
        supplement_rate=ratio(t["with_supplements"], t["received"]),
        delivered=t["delivered"],
        on_time=t["on_time"],
        late=t["late"],
        on_time_rate=ratio(t["on_time"], t["on_time"] + t["late"]),
        overdue_open=t["overdue_open"],
        cccd_delivered=t["cccd_delivered"],
        cccd_via_kiosk=t["cccd_via_kiosk"],
        cccd_kiosk_share=ratio(t["cccd_via_kiosk"], t["cccd_delivered"]),
        rated=t["rated"],
        stars=distribution(t, "stars", {str(n): f"{n} sao" for n in range(1, 6)}),
        levels=distribution(t, "level", {level.value: label for level, label in LEVEL_LABELS.items()}),
        satisfied_rate=ratio(
            sum(t[f"level:{level.value}"] for level in SATISFIED_LEVELS),
            sum(t[f"level:{level.value}"] for level in LEVEL_LABELS),
        ),
    )


def target(key: str, label: str, goal: float, part: int, whole: int) -> Target:
    """A target of at least `goal` of `whole`, met or not (None: nothing to count)."""
    actual = ratio(part, whole)
    return Target(
        key=key,
        label=label,
        target=goal,
        numerator=part,
        denominator=whole,
        actual=actual,
        met=None if actual is None else actual >= goal,
    )


def targets(totals: Figures) -> list[Target]:
    """The two kiosk targets of seed 000 against the period's totals."""
    return [
        target(
            "kiosk_intake",
            "Tỷ lệ hồ sơ tiếp nhận qua Kiosk 24/7",
            KIOSK_TARGET,
            next(c.count for c in totals.channels if c.key == Channel.KIOSK),
            totals.received,
        ),
        target(
            "cccd_kiosk_return",
            "Tỷ lệ thẻ Căn cước trả qua Kiosk 24/7",
            CCCD_KIOSK_TARGET,
            totals.cccd_via_kiosk,
            totals.cccd_delivered,
        ),
    ]
