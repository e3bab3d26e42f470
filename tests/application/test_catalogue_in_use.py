"""The catalogue as the commands use it (issue [13]): fees for the quantity given at receipt, ID cards refused for kiosk
submission, ward procedures received for the citizen's ward."""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import ProcedureNotAtKioskError
from domain.codes import dossier_id
from domain.errors import InvalidValueError
from domain.values import Actor, Applicant, Channel, PaymentMethod, Role
from infrastructure.calendar import load_calendar
from tests.application.test_kiosk_day import submit
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import STAFF, STAFF_ACTOR, Citizen, kiosks_app, vn
from tests.onestop_support import dossiers_on

DAY = date(2026, 5, 20)
COPY, BIRTH, CARD, EXTRACT = (
    "2.000815.000.00.00.H29",
    "1.001193.000.00.00.H29",
    "2.001195.000.00.00.H29",
    "2.000635.000.00.00.H29",
)
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)


class Ward7Citizen(Citizen):
    """A citizen whose card gives an address in Phường 7, Quận 6."""

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.qr = self.qr.replace("Phường 5, Quận 6", "Phường 7, Quận 6")


@pytest.fixture
def day(store_env, catalogue):
    clock, otp = FakeClock(vn(DAY, 7)), FakeOtp()
    dossiers = dossiers_on(store_env, catalogue, load_calendar(), clock)
    kiosks = kiosks_app(dossiers, otp, clock)
    kiosks.install_kiosk("Q6-01", name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF_ACTOR)
    kiosks.register_envelopes("Q6-01", barcodes=[f"Q6PB{n:06d}" for n in range(1, 11)], actor=STAFF_ACTOR)
    yield dossiers, kiosks, otp, clock
    dossiers.app.close()


def test_a_five_page_certified_copy_at_the_counter_is_charged_for_five_pages_and_leaves_no_shortfall(dossiers) -> None:
    code, _ = dossiers.receive(
        procedure_code=COPY,
        channel=Channel.COUNTER,
        components=[],
        actor=OFFICER,
        applicant=Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung"),
    )
    dossiers.assess_fee(code, quantity=5, actor=OFFICER)  # 2 pages × 2.000 + 3 pages × 1.000
    dossiers.record_payment(code, method=PaymentMethod.CASH, amount=7000, actor=OFFICER)
    details = dossiers.get_dossier(code)
    assert (details.fee, details.paid, details.shortfall, details.excess) == (7000, 7000, 0, 0)
    version = details.version
    with pytest.raises(InvalidValueError, match="quantity"):
        dossiers.assess_fee(code, quantity=0, actor=OFFICER)
    assert dossiers.get_dossier(code).version == version and dossiers.get_dossier(code).fee == 7000
    dossiers.assess_fee(code, actor=OFFICER)  # no quantity: one page, as before
    assert dossiers.get_dossier(code).fee == 2000


def test_a_multi_page_kiosk_submission_is_charged_for_its_pages(day, catalogue) -> None:
    dossiers, kiosks, otp, clock = day
    kiosks.read_identity(Citizen(1).qr)
    kiosks.request_otp(Citizen(1).phone)
    proof = kiosks.verify_phone(Citizen(1).phone, otp.code_for(Citizen(1).phone, "submit"))
    submitted = kiosks.submit(
        "Q6-01",
        procedure_code=COPY,
        qr_payload=Citizen(1).qr,
        phone=Citizen(1).phone,
        phone_proof=proof,
        envelope="Q6PB000001",
        quantity=12,
        actor=STAFF_ACTOR,
    )
    assert submitted.fee == catalogue.procedure(COPY).fee_for(12) == 2 * 2000 + 10 * 1000
    balance = kiosks.pay("Q6-01", submitted.dossier_code, method=PaymentMethod.CASH, amount=14000, actor=STAFF_ACTOR)
    assert (balance.fee, balance.shortfall, balance.excess) == (14000, 0, 0)


def test_an_id_card_procedure_is_refused_for_kiosk_submission_and_nothing_is_recorded(day) -> None:
    dossiers, kiosks, otp, clock = day
    head = dossiers.app.recorder.max_notification_id()
    with pytest.raises(ProcedureNotAtKioskError) as refused:
        submit(kiosks, otp, dossiers.catalogue, Citizen(2), CARD, "Q6PB000002", [])
    assert "quầy" in refused.value.message_vi
    assert kiosks.get_kiosk("Q6-01").free_trays == 90
    events = dossiers.app.recorder.select_notifications(head + 1, 100) if head else []
    assert not [e for e in events if e.topic.endswith("Dossier.Received")]


def test_a_ward_procedure_goes_to_the_ward_named_in_the_citizens_address(day, catalogue) -> None:
    dossiers, kiosks, otp, clock = day
    at_counter, _ = dossiers.receive(
        procedure_code=BIRTH,
        channel=Channel.COUNTER,
        components=[],
        actor=OFFICER,
        applicant=Applicant(
            id_number="079195000101", name="Nguyễn Thị Hồng Nhung", address="12 Bình Tiên, Phường 7, Quận 6"
        ),
    )
    assert at_counter.startswith("H29.06.7-")
    assert dossiers.handled_as(dossiers.app.repository.get(dossier_id(at_counter))).department == "H29.06.7.TPHT"
    at_kiosk = submit(kiosks, otp, catalogue, Ward7Citizen(3), EXTRACT, "Q6PB000003", [("cash", 8000)])
    elsewhere = submit(kiosks, otp, catalogue, Citizen(4), EXTRACT, "Q6PB000004", [("cash", 8000)])
    assert at_kiosk.startswith("H29.06.7-") and elsewhere.startswith("H29.06.1-")  # Phường 5 was merged: default ward
    assert "PHƯỜNG 7, QUẬN 6" in kiosks.get_receipt("Q6-01", at_kiosk).text
    assert "PHƯỜNG 1, QUẬN 6" in kiosks.get_receipt("Q6-01", elsewhere).text
    clock.current = vn(DAY, 14)
    report = kiosks.collect("Q6-01", cash_counted=16000, collector=STAFF, actor=STAFF_ACTOR)
    sorted_to = {e.dossier_code: e.department for e in report.envelopes}
    assert sorted_to == {at_kiosk: "H29.06.7.TPHT", elsewhere: "H29.06.1.TPHT"}


def test_a_result_the_catalogue_does_not_return_through_the_kiosk_is_refused_at_loading(day, catalogue) -> None:
    dossiers, kiosks, otp, clock = day
    report = "1.009468.000.00.00.H29"  # báo cáo thay đổi lao động: nothing to hand back (kiosk_return = false)
    assert not catalogue.procedure(report).kiosk_return
    code, _ = dossiers.receive(
        procedure_code=report,
        channel=Channel.COUNTER,
        components=[],
        actor=OFFICER,
        applicant=Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung"),
    )
    dossiers.accept(code, actor=OFFICER)
    dossiers.route(code, department=catalogue.procedure(report).department, actor=OFFICER)
    dossiers.issue_result(code, summary="Đã tiếp nhận báo cáo", actor=OFFICER)
    slip = kiosks.load_results("Q6-01", [code], staff=STAFF, actor=STAFF_ACTOR)
    assert slip.loaded == [] and "không trả qua kiosk" in slip.refused[code]
    assert kiosks.get_kiosk("Q6-01").free_trays == 90
