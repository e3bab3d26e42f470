"""Time travel over the [2] full-day scenario, on SQLite and on PostgreSQL: trays, cash box and dossiers as they
stood at several instants of business time (`at`), read both from the aggregates and from replayed read models."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.base import OneStop
from application.dossiers import Dossiers
from application.history import History, NotYetError, parse_instant
from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.errors import InvalidValueError
from domain.values import Actor, Applicant, PaymentMethod, Role
from domain.vault import DocumentMetadata, DocumentOrigin, Vault, VaultOwner
from infrastructure.calendar import load_calendar
from infrastructure.readstore.time_travel import positions_of, replay_as_of
from projections.book_queries import cash_box
from projections.books import CashLedgerReadModel
from projections.dossiers import DossierReadModel
from projections.queries import Views
from projections.trays import TrayReadModel
from tests.application.test_kiosk_day import DAY, play_full_day
from tests.conftest import COMMON, pg_connect, postgres_env
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import VN, Citizen, kiosks_app, vn

NEXT, THIRD, WEEK_AFTER = date(2026, 5, 21), date(2026, 5, 22), date(2026, 5, 29)


class Played(msgspec.Struct):
    dossiers: Dossiers
    kiosks: object
    codes: list[str]
    history: History


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def played(request, tmp_path_factory, catalogue):
    """The full day, played once per store for every test of this module."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        env = COMMON | {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path_factory.mktemp("day") / "events.sqlite3"),
        }
    else:
        with pg_connect() as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        env = postgres_env(schema)
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    try:
        codes = play_full_day(dossiers, kiosks, clock, otp, catalogue)
        yield Played(
            dossiers,
            kiosks,
            codes,
            History(dossiers.app, clock=clock, positions=partial(positions_of, dossiers.app.recorder)),
        )
    finally:
        dossiers.app.close()
        if request.param == "postgres":
            with pg_connect() as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def occupied_by_read_model(p: Played, instant: datetime) -> dict[int, str]:
    with replay_as_of(p.dossiers.app.recorder, p.dossiers.app.mapper, [TrayReadModel()], instant) as snapshot:
        rows = Views(snapshot.store, load_calendar()).trays("Q6-01")
    assert all((row.status == "loaded") == (row.dossier_code is not None) for row in rows)
    return {row.tray: row.dossier_code for row in rows if row.dossier_code}


def occupied_by_aggregates(p: Played, instant: datetime) -> dict[int, str]:
    trays = p.history.state_as_of("kiosk", "Q6-01", instant).state["trays"]
    return {t["number"]: t["dossier_code"] for t in trays if t["status"] == "loaded"}


def test_tray_occupancy_as_of_several_instants(played: Played) -> None:
    codes = played.codes
    # the two ID cards, received at the police counter (return only at the kiosk), were loaded after the 40 envelopes
    cards = {tray: code for tray, code in occupied_by_aggregates(played, vn(NEXT, 16, 5)).items() if tray > 40}
    assert sorted(cards) == [41, 42] and all(code.startswith("H29.06.CA-") for code in cards.values())
    picked_up_on_third = [
        code
        for code in codes + list(cards.values())
        for e in played.dossiers.app.events.get(dossier_id(code))
        if isinstance(e, Dossier.ResultDelivered) and e.at.astimezone(VN).date() == THIRD
    ]
    loaded = {n + 1: code for n, code in enumerate(codes)} | cards
    expectations = {
        vn(NEXT, 15, 59): {},
        vn(NEXT, 16, 5): loaded,
        vn(THIRD, 8, 59): loaded,
        vn(THIRD, 10): {tray: code for tray, code in loaded.items() if code not in picked_up_on_third},
    }
    assert len(picked_up_on_third) == 3 and {codes[1], cards[41]} <= set(picked_up_on_third)
    for instant, expected in expectations.items():
        assert occupied_by_read_model(played, instant) == expected, instant
        assert occupied_by_aggregates(played, instant) == expected, instant
    full = occupied_by_read_model(played, vn(THIRD, 16, 5))
    assert len(full) == 90 and not set(picked_up_on_third) & set(full.values())
    after_pull_back = occupied_by_read_model(played, vn(WEEK_AFTER, 9))
    # the 51 counter results loaded on the third day stay; the first batch (envelopes and the unpicked ID card) went
    # back
    assert len(after_pull_back) == 90 - 42 + 3 and not (set(codes) | set(cards.values())) & set(
        after_pull_back.values()
    )
    assert after_pull_back == occupied_by_aggregates(played, vn(WEEK_AFTER, 9))


def cash_paid(p: Played, start: datetime, end: datetime) -> int:
    """Cash the dossiers record as paid at the kiosk in [start, end): an independent source for the cash box."""
    return sum(
        e.amount
        for code in p.codes
        for e in p.dossiers.app.events.get(dossier_id(code))
        if isinstance(e, Dossier.PaymentReceived) and e.method is PaymentMethod.CASH and start <= e.at < end
    )


def box(p: Played, instant: datetime):
    with replay_as_of(p.dossiers.app.recorder, p.dossiers.app.mapper, [CashLedgerReadModel()], instant) as snapshot:
        return cash_box(snapshot.store, "Q6-01")


def test_the_cash_box_before_and_after_each_collection(played: Played) -> None:
    morning = cash_paid(played, vn(DAY, 0), vn(DAY, 14))
    afternoon = cash_paid(played, vn(DAY, 14), vn(NEXT, 8))
    assert morning > 0 and afternoon > 0
    before = box(played, vn(DAY, 13, 59))
    assert (before.cash_in_box, before.collections, before.last_collection) == (morning, 0, None)
    assert {e.dossier_code for e in before.entries} <= set(played.codes[:20])
    kiosk = played.history.state_as_of("kiosk", "Q6-01", vn(DAY, 13, 59)).state
    assert kiosk["cash_expected"] == morning and kiosk["bin"] == played.codes[:20]
    collected = box(played, vn(DAY, 14))
    assert (collected.cash_in_box, collected.collections, collected.entries) == (0, 1, [])
    assert collected.last_collection.cash_expected == collected.last_collection.cash_counted == morning
    assert played.history.state_as_of("kiosk", "Q6-01", vn(DAY, 14)).state["bin"] == []
    evening = box(played, vn(DAY, 18))
    assert (evening.cash_in_box, evening.collections) == (afternoon, 1)
    assert played.history.state_as_of("kiosk", "Q6-01", vn(DAY, 18)).state["bin"] == played.codes[20:]
    assert box(played, vn(NEXT, 8)).cash_in_box == 0 and box(played, vn(NEXT, 8)).collections == 2


def test_a_dossiers_status_as_of_several_instants(played: Played) -> None:
    code = played.codes[1]  # submitted at 07:11, processed on the 21st at 15:00, picked up and rated on the 22nd
    with pytest.raises(NotYetError):
        played.history.state_as_of("dossier", code, vn(DAY, 7, 10))
    statuses = {
        vn(DAY, 7, 11): "received",
        vn(NEXT, 14, 59): "received",
        vn(NEXT, 15): "result_issued",
        vn(NEXT, 16, 5): "in_tray",
        vn(THIRD, 9): "rated",
    }
    for instant, status in statuses.items():
        assert played.history.state_as_of("dossier", code, instant).state["status"] == status, instant
    then = played.history.state_as_of("dossier", code, vn(NEXT, 16, 5))
    assert then.later_events > 0 and then.state["holder"]["role"] == "consultant"
    now = played.history.state_as_of("dossier", code, played.dossiers.clock.now())
    assert now.later_events == 0 and now.state == msgspec.to_builtins(played.dossiers.get_dossier(code))


def test_history_names_actor_role_time_and_vietnamese_label_without_personal_data(played: Played) -> None:
    code, citizen = played.codes[1], Citizen(1)
    entries = played.history.history("dossier", code).entries
    assert [(e.label, e.account_id, e.role_label) for e in entries[:2]] == [
        ("Tiếp nhận hồ sơ giấy", "kiosk-Q6-01", "Kiosk"),
        ("Xác định lệ phí", "kiosk-Q6-01", "Kiosk"),
    ]
    assert "Giao nhận hồ sơ giấy" in [e.label for e in entries] and entries[-1].label == "Đánh giá mức độ hài lòng"
    assert [e.version for e in entries] == list(range(1, len(entries) + 1))
    assert [e.position for e in entries] == sorted(e.position for e in entries)
    for e in entries:
        assert played.dossiers.app.recorder.select_notifications(e.position, 1)[0].originator_version == e.version
        assert (
            not {citizen.name, citizen.phone, citizen.id_number} & set(e.summary.split(", "))
            and citizen.name not in e.summary
        )
    tray = played.history.history("tray", "Q6-01:2").entries
    assert [e.label for e in tray] == [
        "Lắp khay",
        "Nạp kết quả",
        "Mở khay trả kết quả",
        "Nạp kết quả",
    ]  # refilled on the 22nd
    assert tray[2].summary == f"Hồ sơ {code}, xác thực bằng số CCCD và biên nhận, có đối chiếu khuôn mặt"
    kiosk = played.history.history("kiosk", "Q6-01").entries
    assert sum(e.label == "Nhận phong bì vào thùng" for e in kiosk) == 40 and kiosk[0].role == "consultant"


def test_an_out_of_order_clock_cuts_the_stream_at_the_first_later_event(dossiers: Dossiers, clock: FakeClock) -> None:
    """A fee stamped 10:30 after an acceptance stamped 11:00: as of 10:45 the dossier is as received, without the
    fee."""
    citizen, officer = Citizen(5), Actor(account_id="officer.a", role=Role.RECEPTION_OFFICER)
    start = vn(date(2026, 5, 20), 10)
    code, _ = dossiers.receive(
        procedure_code="2.000635.000.00.00.H29",
        channel="counter",
        components=[],
        actor=officer,
        applicant=Applicant(id_number=citizen.id_number, name=citizen.name),
        at=start,
    )
    dossiers.accept(code, actor=officer, at=start + timedelta(hours=1))
    dossiers.assess_fee(code, amount=50000, actor=officer, at=start + timedelta(minutes=30))
    history = History(dossiers.app, clock=clock, positions=partial(positions_of, dossiers.app.recorder))
    then = history.state_as_of("dossier", code, start + timedelta(minutes=45))
    assert (then.state["status"], then.state["fee"], then.later_events) == ("received", 0, 2)
    with replay_as_of(
        dossiers.app.recorder,
        dossiers.app.mapper,
        [DossierReadModel(dossiers.catalogue)],
        start + timedelta(minutes=45),
    ) as snapshot:
        row = snapshot.store.query("SELECT status, fee FROM dossiers WHERE code = ?", (code,))[0]
        assert (row["status"], row["fee"], snapshot.applied) == ("received", 0, 1)


def test_a_vault_as_of_an_instant_and_its_history_without_document_contents(
    dossiers: Dossiers, clock: FakeClock
) -> None:
    officer, owner = (
        Actor(account_id="officer.a", role=Role.RECEPTION_OFFICER),
        VaultOwner(kind="citizen", id_number="079195000101"),
    )
    vault = Vault.open(owner=owner, actor=officer, at=vn(DAY, 9))
    vault.store(
        origin=DocumentOrigin.RESULT,
        metadata=DocumentMetadata(type_code="KQ.KS", name="Trích lục khai sinh của Lê Văn Bình"),
        pages=1,
        sha256="ab" * 32,
        size=1000,
        signed_by=["UBND Phường 5"],
        dossier_code=None,
        actor=officer,
        at=vn(DAY, 10),
    )
    dossiers.app.save(vault)
    history = History(dossiers.app, clock=clock, positions=partial(positions_of, dossiers.app.recorder))
    key = "citizen:079195000101"
    assert history.state_as_of("vault", key, vn(DAY, 9, 30)).state["documents"] == []
    [document] = history.state_as_of("vault", key, vn(DAY, 10, 30)).state["documents"]
    assert document["metadata"]["type_code"] == "KQ.KS" and document["sha256"] == "ab" * 32
    entries = history.history("vault", key).entries
    assert [(e.label, e.summary) for e in entries] == [
        ("Mở kho dữ liệu", "Kho của công dân"),
        ("Lưu giấy tờ", "Loại KQ.KS, kết quả giải quyết, 1 trang"),
    ]


moments = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([timezone(timedelta(minutes=m)) for m in range(-720, 841, 15)]),
)


@given(moments)
def test_any_rfc3339_instant_parses_to_the_same_moment(moment: datetime) -> None:
    assert parse_instant(moment.isoformat()) == moment
    assert parse_instant(moment.isoformat().replace("+", " ")) == moment  # a '+' a query string decoded as a space
    assert parse_instant(moment.astimezone(UTC).isoformat().replace("+00:00", "Z")) == moment


@given(st.text(max_size=40))
def test_any_other_text_is_refused_with_a_vietnamese_reason(text: str) -> None:
    try:
        parse_instant(text)
    except InvalidValueError as error:
        assert error.field == "at" and error.message_vi.startswith("at: ")


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-20T16:05:00",
        "2026-05-20",
        "16:05",
        "2026-02-30T10:00:00+07:00",
        "2026-05-20T24:00:00Z",
        "2026-05-20T10:00:00+24:00",
        "2026-05-20T10:00:00+07:60",
        "0001-01-01T00:00:00+01:00",
        "2026-05-20T10:00:00.1234567Z",
    ],
)
def test_instants_without_offset_or_impossible_are_refused(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_instant(text)


def test_an_instant_in_the_future_is_refused(dossiers: Dossiers, clock: FakeClock) -> None:
    history = History(dossiers.app, clock=clock, positions=partial(positions_of, dossiers.app.recorder))
    assert history.instant(clock.now().isoformat()) == clock.now()
    with pytest.raises(InvalidValueError, match="future"):
        history.instant((clock.now() + timedelta(seconds=1)).isoformat())
