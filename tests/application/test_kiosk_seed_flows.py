"""The seed flows the kiosk lacked (issue [14]): a supplement handed in at the kiosk, a rejected dossier given back
with its notice, and pickup by the old 9-digit ID card (CMND) with the receipt and a code to the dossier's phone."""

from __future__ import annotations

from datetime import date

import pytest

from application.base import OneStop
from application.dossiers import Dossiers
from application.errors import PickupRefusedError, WrongOtpError
from application.kiosk_supplements import SupplementNotAwaitedError, SupplementRefusedError
from application.proofs import ProofError
from domain.cccd import BadCmndError
from domain.codes import dossier_id
from domain.dossier import Dossier, Status
from domain.errors import ActionNotAllowedError
from domain.kiosk import UnknownEnvelopeError
from domain.tray import PickupMethod, TrayStatus
from domain.values import Applicant
from infrastructure.calendar import load_calendar
from tests.application.test_kiosk_day import CLERK, KIOSK_PROCEDURES, process, submit
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import KIOSK_ACTOR, ONE_STOP, STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn

DAY = date(2026, 5, 20)  # a Wednesday
CMND = "023456789"


@pytest.fixture
def kiosk(store_env, catalogue):
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = Dossiers(OneStop(store_env), catalogue=catalogue, calendar=load_calendar(), clock=clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, 11)], actor=STAFF_ACTOR)
    yield dossiers, kiosks, clock, otp
    dossiers.app.close()


def events_of(dossiers: Dossiers, code: str) -> list[type]:
    return [type(e) for e in dossiers.app.events.get(dossier_id(code))]


def test_a_supplement_is_handed_in_at_the_kiosk_with_a_new_appointment(kiosk, catalogue) -> None:
    dossiers, kiosks, clock, otp = kiosk
    citizen, stranger = Citizen(1), Citizen(2)
    code = submit(kiosks, otp, catalogue, citizen, KIOSK_PROCEDURES[4], "Q6PB000001", [])
    with pytest.raises(SupplementNotAwaitedError):  # nothing asked yet
        kiosks.request_supplement_otp("Q6-01", id_number=citizen.id_number, code=code)
    dossiers.request_supplement(code, items=["Bản sao sổ hộ khẩu", "Tờ khai có chữ ký"], reason="Thiếu", actor=CLERK)
    first_due = dossiers.get_dossier(code).due_on
    clock.advance(days=2)
    with pytest.raises(SupplementRefusedError):  # someone else's card
        kiosks.request_supplement_otp("Q6-01", id_number=stranger.id_number, code=code)
    with pytest.raises(SupplementRefusedError):  # an unknown code looks the same
        kiosks.request_supplement_otp("Q6-01", id_number=citizen.id_number, code="H29.06-260520-9999")
    assert kiosks.request_supplement_otp("Q6-01", id_number=citizen.id_number, code=code) == "090****001"
    with pytest.raises(WrongOtpError):
        kiosks.check_supplement_otp("Q6-01", code=code, otp_code="000000")
    kiosks.request_supplement_otp("Q6-01", id_number=citizen.id_number, code=code)
    asked = kiosks.check_supplement_otp("Q6-01", code=code, otp_code=otp.code_for(citizen.phone, f"supplement:{code}"))
    assert (asked.items, asked.reason, asked.requested_on) == (
        ["Bản sao sổ hộ khẩu", "Tờ khai có chữ ký"],
        "Thiếu",
        DAY,
    )
    assert asked.due_on > first_due

    before = dossiers.app.recorder.max_notification_id()
    with pytest.raises(UnknownEnvelopeError):
        kiosks.supplement_at_kiosk("Q6-01", code, proof=asked.proof, envelope="ZZ000001", actor=KIOSK_ACTOR)
    with pytest.raises(ProofError):
        kiosks.supplement_at_kiosk("Q6-01", code, proof="1.forged", envelope="Q6PB000002", actor=KIOSK_ACTOR)
    assert dossiers.app.recorder.max_notification_id() == before  # refusals record nothing

    receipt = kiosks.supplement_at_kiosk("Q6-01", code, proof=asked.proof, envelope="Q6PB000002", actor=KIOSK_ACTOR)
    dossier = dossiers.get_dossier(code)
    assert (dossier.status, dossier.due_on, receipt.due_on) == ("received", asked.due_on, asked.due_on)
    assert "BIÊN NHẬN HỒ SƠ BỔ SUNG" in receipt.text and "Bản sao sổ hộ khẩu" in receipt.text
    assert events_of(dossiers, code)[-1] is Dossier.SupplementProvided
    assert kiosks.get_kiosk("Q6-01").bin == [code, code]  # the supplement envelope waits in the bin for collection
    with pytest.raises(SupplementNotAwaitedError):  # handed in once
        kiosks.supplement_at_kiosk("Q6-01", code, proof=asked.proof, envelope="Q6PB000003", actor=KIOSK_ACTOR)


def test_a_rejected_dossier_is_loaded_with_its_notice_and_given_back_at_the_kiosk(kiosk, catalogue) -> None:
    dossiers, kiosks, _, otp = kiosk
    citizen = Citizen(3)
    code = submit(kiosks, otp, catalogue, citizen, KIOSK_PROCEDURES[4], "Q6PB000001", [])
    dossiers.reject(code, reason="Bản sao không có bản chính để đối chiếu", actor=CLERK)
    slip = kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    (line,) = slip.loaded
    assert line.notice is not None and "THÔNG BÁO TỪ CHỐI" in line.notice
    assert "Bản sao không có bản chính để đối chiếu" in slip.text and "TRẢ LẠI HỒ SƠ" in slip.text
    notified = [e for e in dossiers.app.events.get(dossier_id(code)) if isinstance(e, Dossier.NotificationRequested)]
    assert notified[-1].template == "rejected_return.v1"
    assert dossiers.get_dossier(code).status == "rejected"

    ticket = kiosks.start_pickup_with_receipt("Q6-01", id_number=citizen.id_number, code=code)
    assert (ticket.rejected, ticket.reason, ticket.tray) == (True, "Bản sao không có bản chính để đối chiếu", line.tray)
    assert ticket.shortfall == 0  # the fee of a dossier not resolved is never asked for at the tray
    kiosks.release("Q6-01", code, ticket=ticket.token, method=PickupMethod.CCCD_AND_RECEIPT, actor=KIOSK_ACTOR)
    assert events_of(dossiers, code)[-1] is Dossier.RejectedReturned
    assert dossiers.get_dossier(code).status == "rejected"
    assert kiosks.get_kiosk("Q6-01").trays[line.tray - 1].status == TrayStatus.EMPTY.value
    refused = kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    assert refused.loaded == [] and code in refused.refused  # given back once


def test_a_rejected_dossier_pulled_back_from_its_tray_stays_rejected(kiosk, catalogue) -> None:
    dossiers, kiosks, _, otp = kiosk
    code = submit(kiosks, otp, catalogue, Citizen(4), KIOSK_PROCEDURES[4], "Q6PB000001", [])
    dossiers.reject(code, reason="Sai thủ tục", actor=CLERK)
    kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    dossier = dossiers.app.load(dossier_id(code), ("dossier", "hồ sơ"), code, fresh=True)
    dossier.pull_back(giver=STAFF, receiver=ONE_STOP, actor=STAFF_ACTOR, at=vn(DAY, 16))
    assert (dossier.status, dossier.tray) == (Status.REJECTED, None)
    with pytest.raises(ActionNotAllowedError):
        dossier.return_rejected(receiver_name=None, actor=KIOSK_ACTOR, at=vn(DAY, 16))


def test_a_cmnd_holder_picks_up_with_the_cmnd_the_receipt_and_a_code(kiosk, catalogue) -> None:
    dossiers, kiosks, _, otp = kiosk
    citizen = Citizen(5)
    applicant = Applicant(id_number=citizen.id_number, name=citizen.name, phone=citizen.phone, old_id_number=CMND)
    code, _ = dossiers.receive(
        procedure_code=KIOSK_PROCEDURES[4], channel="counter", components=[], actor=CLERK, applicant=applicant
    )
    process(dossiers, [code], catalogue)
    kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    with pytest.raises(BadCmndError):
        kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd="02345678", code=code)
    with pytest.raises(PickupRefusedError):
        kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd="023456780", code=code)
    assert kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd="023 456 789", code=code) == "090****005"
    with pytest.raises(WrongOtpError):  # the pickup-by-code OTP path does not accept the CMND's code
        kiosks.start_pickup_with_otp("Q6-01", code=code, otp_code=otp.code_for(citizen.phone, f"pickup:cmnd:{code}"))
    kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd=CMND, code=code)
    ticket = kiosks.start_pickup_with_cmnd(
        "Q6-01", code=code, otp_code=otp.code_for(citizen.phone, f"pickup:cmnd:{code}")
    )
    kiosks.release("Q6-01", code, ticket=ticket.token, method=PickupMethod.CMND_AND_RECEIPT, actor=KIOSK_ACTOR)
    assert dossiers.get_dossier(code).status == "delivered"


def test_a_dossier_without_a_recorded_cmnd_is_never_picked_up_by_one(kiosk, catalogue) -> None:
    dossiers, kiosks, _, otp = kiosk
    citizen = Citizen(6)
    code = submit(kiosks, otp, catalogue, citizen, KIOSK_PROCEDURES[4], "Q6PB000001", [])
    process(dossiers, [code], catalogue)
    kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    with pytest.raises(PickupRefusedError):
        kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd=citizen.id_number[:9], code=code)
