"""[14] item 4 part B in the core: the police ID-card return through the kiosk, the counter's face template for a
high-legal-value result, and the kiosk's online corner (a dossier registered online with the portal's code)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.card_returns import CardReturns, FaceImageError, FaceTemplateMissingError
from application.errors import ProcedureNotAtKioskError
from application.online_corner import OnlineCorner, PortalUnavailableError
from domain.codes import dossier_id
from domain.dossier import Dossier, Status, check_police_code
from domain.errors import ActionNotAllowedError, InvalidValueError
from domain.tray import PickupMethod
from domain.values import Actor, Applicant, Channel, Role
from infrastructure.calendar import load_calendar
from infrastructure.faces import CounterFaces
from infrastructure.portal import SimulatedPortal
from tests.application.test_kiosk_day import process
from tests.fakes import FakeClock, FakeOtp, MemoryKeys
from tests.kiosk_support import KIOSK_ACTOR, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn
from tests.onestop_support import dossiers_on

DAY = date(2026, 5, 20)
CARD, BIRTH, COPY = "2.001195.000.00.00.H29", "1.001193.000.00.00.H29", "2.000815.000.00.00.H29"
POLICE = Actor(account_id="congan.hung", role=Role.POLICE_OFFICER)
CLERK = Actor(account_id="motcua.lan", role=Role.RECEPTION_OFFICER)
EMBEDDING = [0.25] * 16


class Embedder:
    """Stands in for the insightface adapter: any non-empty photo gives the same embedding."""

    def __call__(self, image: bytes) -> tuple[list[float], str]:
        if image == b"no face":
            raise ValueError("no face")
        return EMBEDDING, "test-model"


@pytest.fixture
def day(store_env, catalogue):
    clock, otp = FakeClock(vn(DAY, 9)), FakeOtp()
    dossiers = dossiers_on(store_env, catalogue, load_calendar(), clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR, tray_count=4)
    returns = CardReturns(
        dossiers.app, dossiers=dossiers, proofs=kiosks.proofs, clock=clock, faces=CounterFaces(Embedder())
    )
    portal = SimulatedPortal()
    corner = OnlineCorner(dossiers.app, dossiers=dossiers, proofs=kiosks.proofs, clock=clock, portal=portal)
    yield dossiers, kiosks, returns, corner, portal, otp
    dossiers.app.close()


def proof_for(kiosks, otp, citizen: Citizen) -> str:
    kiosks.request_otp(citizen.phone)
    return kiosks.verify_phone(citizen.phone, otp.code_for(citizen.phone, "submit"))


def test_an_id_card_registered_at_the_kiosk_is_recorded_by_the_police_loaded_and_picked_up_by_code_and_otp(day):
    dossiers, kiosks, returns, _, _, otp = day
    citizen = Citizen(1)
    slip = returns.register(
        "Q6-01",
        procedure_code=CARD,
        qr_payload=citizen.qr,
        phone=citizen.phone,
        phone_proof=proof_for(kiosks, otp, citizen),
        actor=KIOSK_ACTOR,
    )
    code = slip.dossier_code
    assert code.startswith("H29.06.CA-") and slip.masked_phone == citizen.phone[:3] + "****" + citizen.phone[-3:]
    assert code in slip.text and "PHIẾU ĐĂNG KÝ NHẬN THẺ CĂN CƯỚC" in slip.text
    assert dossiers.get_dossier(code).status == Status.RETURN_REGISTERED
    with pytest.raises(ActionNotAllowedError):  # nothing to load before the police hand the card over
        kiosks.load_result("Q6-01", code, actor=STAFF_ACTOR)
    returns.record_card(code, police_code="CA-Q6/2026 000123", actor=POLICE)
    dossier: Dossier = dossiers.app.repository.get(dossier_id(code))
    assert (dossier.status, dossier.police_code) == (Status.RESULT_ISSUED, "CA-Q6/2026 000123")
    line = kiosks.load_result("Q6-01", code, actor=STAFF_ACTOR)
    kiosks.request_pickup_otp("Q6-01", code)
    ticket = kiosks.start_pickup_with_otp("Q6-01", code=code, otp_code=otp.code_for(citizen.phone, f"pickup:{code}"))
    assert (ticket.tray, ticket.face_required, ticket.shortfall) == (line.tray, False, 0)
    kiosks.release("Q6-01", code, ticket=ticket.token, method=PickupMethod.CODE_AND_OTP, actor=KIOSK_ACTOR)
    assert dossiers.get_dossier(code).status == Status.DELIVERED


def test_a_typed_id_number_registers_a_return_and_a_wrong_proof_or_procedure_records_nothing(day):
    dossiers, kiosks, returns, _, _, otp = day
    citizen = Citizen(2)
    proof = proof_for(kiosks, otp, citizen)
    head = dossiers.app.recorder.max_notification_id()
    with pytest.raises(ProcedureNotAtKioskError):  # a district procedure is not a card return
        returns.register(
            "Q6-01",
            procedure_code=COPY,
            id_number=citizen.id_number,
            phone=citizen.phone,
            phone_proof=proof,
            actor=KIOSK_ACTOR,
        )
    with pytest.raises(Exception, match="proof|Proof|xác"):
        returns.register(
            "Q6-01",
            procedure_code=CARD,
            id_number=citizen.id_number,
            phone="0912345678",
            phone_proof=proof,
            actor=KIOSK_ACTOR,
        )
    assert dossiers.app.recorder.max_notification_id() == head
    slip = returns.register(
        "Q6-01",
        procedure_code=CARD,
        id_number=citizen.id_number,
        name="Lê Văn Bình",
        phone=citizen.phone,
        phone_proof=proof,
        actor=KIOSK_ACTOR,
    )
    assert dossiers.applicant_of(slip.dossier_code).id_number == citizen.id_number


def test_id_card_procedures_are_returned_at_the_kiosk_and_never_offered_for_submission(day, catalogue):
    _, _, returns, _, _, _ = day
    cards = {p.code for p in returns.card_procedures()}
    assert len(cards) == 3 and CARD in cards
    assert not cards & {p.code for p in catalogue.procedures if p.kiosk_submission}


@given(st.text(max_size=60))
def test_a_police_code_is_kept_verbatim_when_it_is_1_to_40_printable_characters(value: str) -> None:
    fits = 0 < len(value) <= 40 and value.isprintable() and bool(value.strip())
    if fits:
        assert check_police_code(value) == value
    else:
        with pytest.raises(InvalidValueError):
            check_police_code(value)


def counter_birth(dossiers) -> str:
    applicant = Applicant(
        id_number="079195000101",
        name="Nguyễn Thị Hồng Nhung",
        phone="0901000101",
        address="12 Bình Tiên, Phường 7, Quận 6",
    )
    code, _ = dossiers.receive(
        procedure_code=BIRTH, channel=Channel.COUNTER, applicant=applicant, components=[], actor=CLERK
    )
    return code


def test_a_high_legal_value_counter_result_without_a_face_template_is_refused_for_loading(day, catalogue):
    dossiers, kiosks, returns, _, _, _ = day
    code = counter_birth(dossiers)
    process(dossiers, [code], catalogue)
    with pytest.raises(FaceTemplateMissingError) as refused:
        kiosks.load_result("Q6-01", code, actor=STAFF_ACTOR)
    assert refused.value.code == "face_template_missing"
    assert refused.value.message_vi.startswith("Hồ sơ chưa có mẫu khuôn mặt")
    slip = kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    assert not slip.loaded and slip.refused[code].startswith("Hồ sơ chưa có mẫu khuôn mặt")
    assert dossiers.get_dossier(code).status == Status.RESULT_ISSUED


def test_a_face_enrolled_at_the_counter_lets_the_result_be_loaded_and_is_kept_sealed_as_personal_data(day, catalogue):
    dossiers, kiosks, returns, _, _, _ = day
    keys = dossiers.app.mapper.keys = MemoryKeys()  # as infrastructure.privacy.wiring.seal does in every process
    code = counter_birth(dossiers)
    with pytest.raises(FaceImageError):
        returns.enrol_face(code, image=b"no face", actor=CLERK)
    returns.enrol_face(code, image=b"\xff\xd8 a photo", actor=CLERK)
    process(dossiers, [code], catalogue)
    assert kiosks.load_result("Q6-01", code, actor=STAFF_ACTOR).tray == 1
    template = dossiers.app.repository.get(dossier_id(code)).face_template
    assert (template.embedding, template.model_id, template.id_number) == (EMBEDDING, "test-model", "079195000101")
    assert "0.25" not in repr(template)
    stored = [n for n in dossiers.app.recorder.select_events(dossier_id(code)) if n.topic.endswith("FaceEnrolled")]
    assert len(stored) == 1 and b"0.25" not in stored[0].state and b"079195000101" not in stored[0].state
    assert "id:079195000101" in keys.by_subject  # sealed under the person's key: erasing the person erases the face


def test_without_a_face_model_the_counter_is_told_so_and_nothing_is_recorded(day):
    dossiers, kiosks, _, _, _, _ = day
    code = counter_birth(dossiers)
    returns = CardReturns(
        dossiers.app, dossiers=dossiers, proofs=kiosks.proofs, clock=dossiers.clock, faces=CounterFaces(None)
    )
    version = dossiers.get_dossier(code).version
    with pytest.raises(FaceImageError, match="no face model"):
        returns.enrol_face(code, image=b"photo", actor=CLERK)
    assert dossiers.get_dossier(code).version == version


def test_the_online_corner_registers_the_dossier_online_with_the_portals_code_and_its_fee(day):
    dossiers, kiosks, _, corner, portal, otp = day
    citizen = Citizen(3)
    sent = corner.submit(
        "Q6-01",
        procedure_code=COPY,
        qr_payload=citizen.qr,
        phone=citizen.phone,
        phone_proof=proof_for(kiosks, otp, citizen),
        pages=3,
        form={"email": "a@b.vn"},
        actor=KIOSK_ACTOR,
    )
    assert sent.portal_code == "000.00.13.H29-260520-0001" and portal.received == [(sent.portal_code, COPY, 3)]
    dossier: Dossier = dossiers.app.repository.get(dossier_id(sent.dossier_code))
    assert (dossier.channel, dossier.status, dossier.portal_code) == (
        Channel.ONLINE,
        Status.REGISTERED,
        sent.portal_code,
    )
    assert dossier.fee == sent.fee > 0


def test_the_online_corner_records_nothing_when_the_portal_is_down_or_nothing_was_scanned(day):
    dossiers, kiosks, _, corner, portal, otp = day
    citizen = Citizen(4)
    proof = proof_for(kiosks, otp, citizen)
    head = dossiers.app.recorder.max_notification_id()
    with pytest.raises(Exception, match="scanned pages"):
        corner.submit(
            "Q6-01",
            procedure_code=COPY,
            qr_payload=citizen.qr,
            phone=citizen.phone,
            phone_proof=proof,
            pages=0,
            form={},
            actor=KIOSK_ACTOR,
        )
    portal.down = True
    with pytest.raises(PortalUnavailableError):
        corner.submit(
            "Q6-01",
            procedure_code=COPY,
            qr_payload=citizen.qr,
            phone=citizen.phone,
            phone_proof=proof,
            pages=2,
            form={},
            actor=KIOSK_ACTOR,
        )
    assert dossiers.app.recorder.max_notification_id() == head
