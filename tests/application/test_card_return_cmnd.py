"""[14] An ID card returned to a holder of only the old 9-digit card (CMND): registered at the kiosk with the CMND and
name (or received at the counter with the CMND), recorded by the police, loaded and picked up by CMND, slip and code.
The holder is known by the CMND alone until the new card is in hand; nothing else may be received that way."""

from __future__ import annotations

import msgspec
import pytest

from application.errors import PickupRefusedError
from domain.cccd import BadCmndError
from domain.codes import dossier_id
from domain.dossier import Status
from domain.errors import InvalidValueError
from domain.tray import PickupMethod
from domain.values import Applicant, Channel
from tests.application.test_kiosk_flows_returns import CARD, CLERK, COPY, POLICE, day, proof_for  # noqa: F401
from tests.fakes import MemoryKeys
from tests.kiosk_support import KIOSK_ACTOR, STAFF_ACTOR, Citizen

CMND = "023456789"


def test_a_cmnd_holder_registers_at_the_kiosk_and_picks_the_card_up_with_the_cmnd_the_slip_and_a_code(day):  # noqa: F811
    dossiers, kiosks, returns, _, _, otp = day
    keys = dossiers.app.mapper.keys = MemoryKeys()
    holder = Citizen(21)
    slip = returns.register(
        "Q6-01",
        procedure_code=CARD,
        cmnd="023 456 789",  # typed with spaces: the nine digits are kept
        name="  Trần Văn Sáu ",
        phone=holder.phone,
        phone_proof=proof_for(kiosks, otp, holder),
        actor=KIOSK_ACTOR,
    )
    code = slip.dossier_code
    applicant = dossiers.applicant_of(code)
    assert (applicant.id_number, applicant.old_id_number, applicant.name) == ("", CMND, "Trần Văn Sáu")
    assert applicant.known_by == CMND
    assert "CMND 9 số" in slip.text and "quét mã QR trên phiếu" in slip.text
    stored = dossiers.app.recorder.select_events(dossier_id(code))[0].state
    assert CMND.encode() not in stored and f"phone:{holder.phone}" in keys.by_subject  # sealed under the phone's key

    returns.record_card(code, police_code="CA-Q6/2026 000777", actor=POLICE)
    line = kiosks.load_result("Q6-01", code, actor=STAFF_ACTOR)
    with pytest.raises(PickupRefusedError):  # someone else's CMND with this slip
        kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd="023456780", code=code)
    assert (
        kiosks.request_pickup_otp_by_cmnd("Q6-01", cmnd=CMND, code=code)
        == holder.phone[:3] + "****" + holder.phone[-3:]
    )
    ticket = kiosks.start_pickup_with_cmnd(
        "Q6-01", code=code, otp_code=otp.code_for(holder.phone, f"pickup:cmnd:{code}")
    )
    assert (ticket.tray, ticket.face_required, ticket.shortfall) == (line.tray, False, 0)
    kiosks.release("Q6-01", code, ticket=ticket.token, method=PickupMethod.CMND_AND_RECEIPT, actor=KIOSK_ACTOR)
    assert dossiers.get_dossier(code).status == Status.DELIVERED


def test_a_bad_cmnd_or_a_missing_number_registers_nothing(day):  # noqa: F811
    dossiers, kiosks, returns, _, _, otp = day
    holder = Citizen(22)
    proof = proof_for(kiosks, otp, holder)
    head = dossiers.app.recorder.max_notification_id()
    with pytest.raises(BadCmndError):
        returns.register(
            "Q6-01",
            procedure_code=CARD,
            cmnd="02345678",
            name="Trần Văn Sáu",
            phone=holder.phone,
            phone_proof=proof,
            actor=KIOSK_ACTOR,
        )
    with pytest.raises(InvalidValueError):  # neither card nor number
        returns.register(
            "Q6-01", procedure_code=CARD, name="Trần Văn Sáu", phone=holder.phone, phone_proof=proof, actor=KIOSK_ACTOR
        )
    assert dossiers.app.recorder.max_notification_id() == head


def test_the_counter_receives_an_id_card_dossier_with_a_cmnd_alone_but_no_other_procedure(day):  # noqa: F811
    dossiers, kiosks, returns, _, _, otp = day
    holder = Applicant(id_number="", old_id_number=CMND, name="Trần Văn Sáu", phone="0901000303")
    head = dossiers.app.recorder.max_notification_id()
    with pytest.raises(InvalidValueError) as refused:
        dossiers.receive(procedure_code=COPY, channel=Channel.COUNTER, applicant=holder, components=[], actor=CLERK)
    assert "CMND" in refused.value.message_vi and dossiers.app.recorder.max_notification_id() == head
    code, _ = dossiers.receive(
        procedure_code=CARD, channel=Channel.COUNTER, applicant=holder, components=[], actor=POLICE
    )
    assert dossiers.applicant_of(code).old_id_number == CMND


def test_an_applicant_needs_the_twelve_digit_number_unless_a_cmnd_is_given() -> None:
    with pytest.raises(InvalidValueError):
        Applicant(id_number="", name="Trần Văn Sáu")
    with pytest.raises(InvalidValueError):
        Applicant(id_number="", name="Trần Văn Sáu", old_id_number="02345678")
    holder = Applicant(id_number="", name="Trần Văn Sáu", old_id_number=CMND)
    assert msgspec.json.decode(msgspec.json.encode(holder), type=Applicant) == holder
    assert Applicant(id_number="079195000101", name="Nhung", old_id_number=CMND).known_by == "079195000101"
