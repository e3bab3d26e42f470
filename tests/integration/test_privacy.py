"""Personal data sealed at rest and erased by destroying keys, on SQLite and PostgreSQL (docs/PRIVACY.md)."""

from __future__ import annotations

import base64
import sqlite3
from datetime import date

import psycopg
import pytest
from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import get_topic
from hypothesis import given
from hypothesis import settings as settings_of
from hypothesis import strategies as st

from application.base import OneStop
from application.errors import NotFoundError
from application.privacy import erased, is_erased
from domain.codes import dossier_id
from domain.dossier import Dossier
from domain.erasure import Erasure
from domain.tray import PickupMethod
from domain.values import ERASED, Actor, Applicant, Channel, DeliveryChannel, FaceCheck, Role, mask_name
from infrastructure.audit.__main__ import main as audit
from infrastructure.bootstrap import build, build_projector
from infrastructure.eventstore.mapper import MsgspecMapper
from infrastructure.privacy.__main__ import main as privacy
from infrastructure.privacy.master import MasterKeyError
from infrastructure.privacy.wiring import key_ring, seal
from infrastructure.settings import Settings
from infrastructure.signing.pki import ensure_dev_pki
from tests.application.test_kiosk_day import collect_and_hand_over, play_full_day, process
from tests.conftest import PG
from tests.fakes import FakeClock, FakeOtp, MemoryKeys
from tests.kiosk_support import CITIZEN, KIOSK_ACTOR, ONE_STOP, POLICE, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn

DAY = date(2026, 5, 20)
PROCEDURE = "1.001193.000.00.00.H29"  # birth registration: no fee, face check at submit and pickup
MATCH = FaceCheck(score=0.81, matched=True, model_id="arcface-test")
ADMIN = Actor(account_id="admin.privacy", role=Role.ADMINISTRATOR)
KEY, OTHER_KEY = (base64.b64encode(bytes([n]) * 32).decode() for n in (7, 9))
CODE = "246810"


def person(n: int, name: str) -> Citizen:
    """A citizen with a valid CCCD QR and a name nobody else in the test has."""
    citizen = Citizen(n)
    citizen.qr = citizen.qr.replace(citizen.name, name)
    citizen.name = name
    return citizen


ERASED_ONE, KEPT_ONE = person(301, "Lưu Thị Ngọc Diệp"), person(302, "Quách Văn Thành")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request, tmp_path, monkeypatch) -> Settings:
    env = {
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "MOTCUA_PROJECTIONS": "external",
        "MOTCUA_NOTIFICATIONS": "external",
        "MOTCUA_SECRET_KEY": "s" * 40,
        "MOTCUA_STORE": request.param,
        "MOTCUA_AUDIT_CHECKPOINT_EVERY": "20",
        "MOTCUA_EVENT_MAC_KEY": "privacy-test-mac",
    }
    if request.param == "postgres":
        schema = request.getfixturevalue("pg_schema")
        env |= {
            "POSTGRES_HOST": PG["host"],
            "POSTGRES_PORT": PG["port"],
            "POSTGRES_DBNAME": PG["dbname"],
            "POSTGRES_USER": PG["user"],
            "POSTGRES_SCHEMA": schema,
            "MOTCUA_READ_SCHEMA": schema,
            "MOTCUA_DATA_KEY": KEY,
            "MOTCUA_DEV_PKI_DIR": str(ensure_dev_pki(tmp_path / "pki").directory),
        }  # production makes no keys
    for name in ("MOTCUA_DATA_KEY", "MOTCUA_DATA_KEY_NEW", "POSTGRES_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def tables(settings: Settings) -> dict[str, str]:
    """Every table of the store (events, keys, audit, read models, anything else) and every file of the blob store
    (the only file storage, on SQLite and PostgreSQL alike) as text, bytes decoded."""
    blobs = settings.blob_dir
    found = {
        f"blob:{path.relative_to(blobs)}": _text([(path.read_bytes(),)]) for path in blobs.rglob("*") if path.is_file()
    }
    if settings.store == "sqlite":
        for path in settings.data_dir.glob("*.sqlite3"):
            with sqlite3.connect(path) as conn:
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                    found[f"{path.name}:{name}"] = _text(conn.execute(f'SELECT * FROM "{name}"').fetchall())
        return found
    schema = settings.postgres.schema
    with psycopg.connect(autocommit=True, **PG) as conn:
        for (name,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall():
            found[name] = _text(conn.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall())
    return found


def _text(rows: list) -> str:
    def one(value: object) -> str:
        if isinstance(value, memoryview):
            value = bytes(value)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    return "\n".join(" ".join(one(value) for value in row) for row in rows)


def events_text(settings: Settings) -> str:
    return next(
        content for table, content in tables(settings).items() if table.endswith(("stored_events", "onestop_events"))
    )


def leaks(settings: Settings, citizen: Citizen, only: str = "") -> dict[str, list[str]]:
    """Where the citizen's name (also masked), ID number or phone can be read, per table."""
    needles = (citizen.name, mask_name(citizen.name), citizen.id_number, citizen.phone)
    return {
        table: [n for n in needles if n in content]
        for table, content in tables(settings).items()
        if only in table and any(n in content for n in needles)
    }


def serve(system, clock: FakeClock) -> dict[str, str]:
    """Both citizens submit at the kiosk (CCCD, OTP, face), results are loaded, notified and the first picks up."""
    kiosks, codes = system.kiosks, {}
    system.otps.code_source = lambda: CODE
    clock.current = vn(DAY, 8)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=["Q6PB000001", "Q6PB000002"], actor=STAFF_ACTOR)
    for envelope, citizen in (("Q6PB000001", ERASED_ONE), ("Q6PB000002", KEPT_ONE)):
        kiosks.read_identity(citizen.qr)
        kiosks.request_otp(citizen.phone, kiosk="Q6-01")
        proof = kiosks.verify_phone(citizen.phone, CODE)
        codes[citizen.id_number] = kiosks.submit(
            "Q6-01",
            procedure_code=PROCEDURE,
            qr_payload=citizen.qr,
            phone=citizen.phone,
            phone_proof=proof,
            envelope=envelope,
            actor=KIOSK_ACTOR,
            face=MATCH,
        ).dossier_code
    collect_and_hand_over(kiosks, clock, vn(DAY, 14))
    process(system.dossiers, list(codes.values()), system.catalogue)
    clock.current = vn(DAY, 16)
    kiosks.load_results("Q6-01", list(codes.values()), staff=STAFF, actor=STAFF_ACTOR)
    assert system.notifications.follow_requests(clock.now()) == 4  # each: received, and in its tray
    code = codes[ERASED_ONE.id_number]
    ticket = kiosks.start_pickup_with_receipt("Q6-01", id_number=ERASED_ONE.id_number, code=code)
    kiosks.release("Q6-01", code, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=CITIZEN, face=MATCH)
    system.projector.catch_up()
    return codes


def test_the_full_day_plays_unchanged_with_personal_data_sealed(settings, catalogue) -> None:
    from application.dossiers import Dossiers
    from infrastructure.calendar import load_calendar

    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    env = settings.event_store_env()
    dossiers = Dossiers(OneStop(env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    keys = key_ring(settings)
    seal(keys, dossiers.app)
    try:
        codes = play_full_day(dossiers, kiosks, clock, otp, catalogue)
        assert dossiers.get_dossier(codes[5]).applicant.name == Citizen(5).name
    finally:
        dossiers.app.close()
        keys.close()
    events = events_text(settings)
    assert '"enc":"v1"' in events
    officers = {ONE_STOP.name, POLICE.name, STAFF.name}  # Citizen(35) shares a name with an officer
    assert not [
        n
        for n in range(40)
        if {Citizen(n).id_number, Citizen(n).phone, Citizen(n).name} - officers & set(_words(events))
    ]


def _words(text: str) -> list[str]:
    """The JSON strings of the stored states, to compare whole values (names are made of common words)."""
    return [part for part in text.split('"') if part]


def test_erasure_leaves_no_name_id_or_phone_anywhere_and_everything_still_verifies(settings) -> None:
    clock = FakeClock()
    system = build(settings, clock=clock)
    replica = build(settings, clock=clock)  # another API process, with its own caches
    try:
        codes = serve(system, clock)
        erased_code, kept_code = codes[ERASED_ONE.id_number], codes[KEPT_ONE.id_number]
        assert not leaks(settings, ERASED_ONE, only="events") and not leaks(settings, KEPT_ONE, only="events")
        assert "tracking_book" in "".join(leaks(settings, ERASED_ONE))  # the read models show them until erased
        assert replica.dossiers.get_dossier(erased_code).applicant.name == ERASED_ONE.name  # now cached there too
        assert audit(["keygen"]) == 0 and audit(["chain"]) == 0

        clock.advance(days=3)
        record = system.erasures.erase(ERASED_ONE.id_number, reason="Đơn yêu cầu xóa dữ liệu số 12/2026", actor=ADMIN)
        system.projector.catch_up()
        replica.erasures.keys.refresh()  # what its watch thread does every 2 s

        assert leaks(settings, ERASED_ONE) == {}
        assert record.keys_destroyed >= 3 and dossier_id(erased_code) in record.streams  # ID, phone, OTP, dossier
        assert ERASED_ONE.id_number not in str(list(system.app.events.get(record.id)))
        for app in (system, replica):
            erased = app.dossiers.get_dossier(erased_code)
            assert (erased.applicant.name, erased.applicant.phone, erased.status) == (ERASED, None, "delivered")
            assert app.dossiers.get_dossier(kept_code).applicant.name == KEPT_ONE.name
        assert audit(["chain"]) == 0 and audit(["verify"]) == 0
        assert audit(["replay-check"]) == 0
        with pytest.raises(NotFoundError):
            system.erasures.erase(ERASED_ONE.id_number, reason="lần hai", actor=ADMIN)
    finally:
        replica.close()
        system.close()

    projector = build_projector(settings)
    try:
        projector.rebuild()
    finally:
        projector.store.close()
    assert leaks(settings, ERASED_ONE) == {}
    assert KEPT_ONE.name in tables(settings)[next(t for t in tables(settings) if t.endswith("tracking_book"))]


def test_the_cli_erases_and_a_rotated_master_key_keeps_everything_readable(settings, monkeypatch, capsys) -> None:
    clock = FakeClock()
    system = build(settings, clock=clock)
    codes = serve(system, clock)
    system.close()
    assert privacy(["erase", "--id-number", KEPT_ONE.id_number, "--reason", "Đơn số 7/2026", "--by", "admin.a"]) == 0
    assert privacy(["erase", "--id-number", KEPT_ONE.id_number, "--reason", "Đơn số 7/2026"]) == 1
    assert privacy(["erase", "--id-number", "12345", "--reason", "Đơn số 7/2026"]) == 2
    out = capsys.readouterr().out
    assert KEPT_ONE.id_number not in out and KEPT_ONE.name not in out

    monkeypatch.setenv("MOTCUA_DATA_KEY_NEW", OTHER_KEY)
    assert privacy(["rotate"]) == 0
    monkeypatch.delenv("MOTCUA_DATA_KEY_NEW")
    monkeypatch.setenv("MOTCUA_DATA_KEY", OTHER_KEY)
    system = build(Settings.from_env(), clock=clock)
    try:
        assert system.dossiers.get_dossier(codes[ERASED_ONE.id_number]).applicant.name == ERASED_ONE.name
        assert system.dossiers.get_dossier(codes[KEPT_ONE.id_number]).applicant.name == ERASED
        found = system.app.recorder.select_notifications(1, 10_000, topics=(get_topic(Erasure.Recorded),))
        records = [system.app.mapper.to_domain_event(stored) for stored in found]
        assert [(r.actor.account_id, r.reason, r.keys_destroyed >= 3) for r in records] == [
            ("admin.a", "Đơn số 7/2026", True)
        ]
    finally:
        system.close()
    monkeypatch.setenv("MOTCUA_DATA_KEY", KEY)
    with pytest.raises(MasterKeyError, match="fingerprint"):
        build(Settings.from_env(), clock=clock)


CARD_RETURN = "2.001195.000.00.00.H29"  # cấp thẻ căn cước: the card comes back through the kiosk
CMND_HOLDER = person(303, "Vương Thị Kiều Oanh")
CMND = "023456789"


def test_a_cmnd_only_holder_is_erased_by_their_phone_and_others_are_kept(settings, capsys) -> None:
    clock = FakeClock()
    system = build(settings, clock=clock)
    try:
        codes = serve(system, clock)
        system.otps.code_source = lambda: CODE
        system.kiosks.request_otp(CMND_HOLDER.phone, kiosk="Q6-01")
        proof = system.kiosks.verify_phone(CMND_HOLDER.phone, CODE)
        slip = system.card_returns.register(
            "Q6-01",
            procedure_code=CARD_RETURN,
            cmnd=CMND,
            name=CMND_HOLDER.name,
            phone=CMND_HOLDER.phone,
            phone_proof=proof,
            actor=KIOSK_ACTOR,
        )
        assert system.dossiers.get_dossier(slip.dossier_code).applicant.name == CMND_HOLDER.name
    finally:
        system.close()
    assert privacy(["erase", "--id-number", "0" * 12, "--reason", "Đơn số 9/2026"]) == 1  # no ID number to go by
    assert privacy(["erase", "--phone", "12345", "--reason", "Đơn số 9/2026"]) == 2
    assert privacy(["erase", "--phone", CMND_HOLDER.phone, "--reason", "Đơn số 9/2026", "--by", "admin.a"]) == 0
    assert privacy(["erase", "--phone", CMND_HOLDER.phone, "--reason", "Đơn số 9/2026"]) == 1  # already erased
    out = capsys.readouterr().out
    assert CMND_HOLDER.phone not in out and CMND not in out and CMND_HOLDER.name not in out

    system = build(settings, clock=clock)
    try:
        holder = system.dossiers.get_dossier(slip.dossier_code).applicant
        assert (holder.name, holder.phone) == (ERASED, None)
        assert system.dossiers.get_dossier(codes[KEPT_ONE.id_number]).applicant.name == KEPT_ONE.name
    finally:
        system.close()
    stored = events_text(settings)
    assert CMND_HOLDER.name not in stored and CMND not in stored and CMND_HOLDER.phone not in stored


def test_a_missing_or_wrong_master_key_stops_the_start_with_the_reason(settings, monkeypatch) -> None:
    build(settings).close()
    monkeypatch.setenv("MOTCUA_DATA_KEY", OTHER_KEY)
    with pytest.raises(MasterKeyError, match="not the key this store was wrapped with"):
        build(Settings.from_env())
    monkeypatch.setenv("MOTCUA_DATA_KEY", "not base64!")
    with pytest.raises(MasterKeyError, match="base64 of 32 random bytes"):
        build(Settings.from_env())
    if settings.store == "postgres":
        monkeypatch.delenv("MOTCUA_DATA_KEY")
        with pytest.raises(MasterKeyError, match="set MOTCUA_DATA_KEY"):
            build(Settings.from_env())


ids = st.text("0123456789", min_size=12, max_size=12)
phones = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from(["03", "05", "07", "08", "09"]),
    st.text("0123456789", min_size=8, max_size=8),
)
words = st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12)
names = st.builds(lambda family, given: f"{family} {given}", words, words)  # never a bare JSON key like "at"
applicants = st.builds(Applicant, id_number=ids, name=names, phone=st.none() | phones)


def received(applicant: Applicant) -> Dossier:
    return Dossier.receive(
        code="H29.06-260520-0001",
        procedure_code=PROCEDURE,
        channel=Channel.COUNTER,
        applicant=applicant,
        components=[],
        due_on=DAY,
        actor=ADMIN,
        at=vn(DAY, 8),
    )


@settings_of(max_examples=60, deadline=None)
@given(applicants, st.none() | names)
def test_sealed_values_read_back_until_their_key_is_destroyed(applicant, receiver) -> None:
    keys, dossier = MemoryKeys(), received(applicant)
    delivered = Dossier.ResultDelivered(
        originator_id=dossier.id,
        originator_version=2,
        timestamp=vn(DAY, 9),
        channel=DeliveryChannel.COUNTER,
        receiver_name=receiver,
        actor=ADMIN,
        at=vn(DAY, 9),
    )
    mapper = MsgspecMapper(keys)
    stored = [mapper.to_stored_event(event) for event in (*dossier.collect_events(), delivered)]
    assert not {applicant.id_number, applicant.name, applicant.phone, receiver} - {None} & set(
        _words(b"".join(s.state for s in stored).decode())
    )
    opened = [mapper.to_domain_event(s) for s in stored]
    assert (opened[0].applicant, opened[1].receiver_name) == (applicant, receiver)
    assert MsgspecMapper(opaque=True).to_domain_event(stored[0]).applicant["enc"] == "v1"
    with pytest.raises(MapperDeserialisationError, match="no key ring"):
        MsgspecMapper().to_domain_event(stored[0])

    keys.destroyed = set(keys.by_subject.values())
    gone = [mapper.to_domain_event(s) for s in stored]
    assert (gone[0].applicant.name, gone[0].applicant.id_number, gone[0].applicant.phone) == (ERASED, ERASED, None)
    assert gone[1].receiver_name == (None if receiver is None else ERASED)
    assert is_erased(gone[0].applicant) and isinstance(gone[0].applicant, Applicant)
    again = mapper.to_stored_event(Dossier.Received(**{**vars(gone[0]), "originator_version": 1}))
    assert mapper.to_domain_event(again).applicant is erased(Applicant)


@settings_of(max_examples=30, deadline=None)
@given(applicants)
def test_events_stored_before_sealing_still_decode(applicant) -> None:
    plain = MsgspecMapper().to_stored_event(received(applicant).collect_events()[0])
    assert applicant.name.encode() in plain.state
    assert MsgspecMapper(MemoryKeys()).to_domain_event(plain).applicant == applicant


def test_only_an_administrator_erases_through_the_api_and_bad_input_changes_nothing(settings) -> None:
    from litestar import Litestar
    from litestar.datastructures import State
    from litestar.di import Provide
    from litestar.testing import TestClient

    from api.controllers.privacy import PrivacyController
    from api.errors import EXCEPTION_HANDLERS
    from tests.auth_support import bearer

    clock = FakeClock()
    system = build(settings, clock=clock)
    try:
        code = serve(system, clock)[KEPT_ONE.id_number]
        app = Litestar(
            [PrivacyController],
            dependencies={"system": Provide(lambda: system, sync_to_thread=False)},
            exception_handlers=EXCEPTION_HANDLERS,
            state=State({"system": system, "tokens": system.accounts.tokens, "clock": clock}),
        )
        admin = bearer(Role.ADMINISTRATOR, "admin.a", tokens=system.accounts.tokens, at=clock.now())
        officer = bearer(Role.RECEPTION_OFFICER, tokens=system.accounts.tokens, at=clock.now())
        body = {"id_number": KEPT_ONE.id_number, "reason": "Đơn số 9/2026"}
        with TestClient(app) as client:
            assert client.post("/privacy/erasures", json=body, headers=officer).status_code == 403
            assert client.post("/privacy/erasures", json=body | {"id_number": "0791"}, headers=admin).status_code == 400
            assert client.post("/privacy/erasures", json=body | {"reason": " "}, headers=admin).status_code == 422
            both = body | {"phone": KEPT_ONE.phone}
            assert client.post("/privacy/erasures", json=both, headers=admin).status_code == 422  # one of the two
            neither = {"reason": "Đơn số 9/2026"}
            assert client.post("/privacy/erasures", json=neither, headers=admin).status_code == 422
            unknown = {"phone": "0399999999", "reason": "Đơn số 9/2026"}
            assert client.post("/privacy/erasures", json=unknown, headers=admin).status_code == 404
            assert system.dossiers.get_dossier(code).applicant.name == KEPT_ONE.name
            answer = client.post("/privacy/erasures", json=body, headers=admin)
            assert answer.status_code == 201 and answer.json()["keys_destroyed"] >= 3
            assert KEPT_ONE.id_number not in answer.text and KEPT_ONE.name not in answer.text
            assert client.post("/privacy/erasures", json=body, headers=admin).status_code == 404
        assert system.dossiers.get_dossier(code).applicant.name == ERASED
    finally:
        system.close()
