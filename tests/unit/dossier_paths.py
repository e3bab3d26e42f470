"""Builders that bring a Dossier aggregate into each state, for the domain tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from domain.dossier import Dossier, Status
from domain.procedures import ComponentForm
from domain.values import (
    Actor,
    Applicant,
    Channel,
    Component,
    DeliveryChannel,
    FaceTemplate,
    Party,
    PaymentMethod,
    Rating,
    Role,
)

AT = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
DUE = date(2026, 5, 25)
OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
APPLICANT = Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung", phone="0901000101")
FORM = [Component(name="Tờ khai đăng ký khai sinh", form=ComponentForm.ORIGINAL)]
TEAM = Party(account_id="team-1", name="Tổ tư vấn", role=Role.CONSULTANT, unit="Tổ tư vấn dịch vụ công")
CLERK = Party(account_id="clerk-1", name="Lê Thị Thu", role=Role.DEPARTMENT_OFFICER, unit="Phòng Tư pháp")

ACTIONS: dict[str, Callable[[Dossier], None]] = {
    "accept": lambda d: d.accept(due_on=DUE, actor=OFFICER, at=AT),
    "reject": lambda d: d.reject(reason="Thiếu giấy chứng sinh", actor=OFFICER, at=AT),
    "request_supplement": lambda d: d.request_supplement(
        items=["Giấy chứng sinh"], reason="Thiếu", actor=OFFICER, at=AT
    ),
    "provide_supplement": lambda d: d.provide_supplement(
        components=FORM, due_on=DUE + timedelta(days=2), actor=OFFICER, at=AT
    ),
    "request_withdrawal": lambda d: d.request_withdrawal(reason="Không còn nhu cầu", actor=OFFICER, at=AT),
    "withdraw": lambda d: d.withdraw(actor=OFFICER, at=AT),
    "assess_fee": lambda d: d.assess_fee(amount=8000, actor=OFFICER, at=AT),
    "record_payment": lambda d: d.record_payment(
        method=PaymentMethod.CASH, amount=5000, reference=None, actor=OFFICER, at=AT
    ),
    "route": lambda d: d.route(department="TP", actor=OFFICER, at=AT),
    "hand_over": lambda d: d.hand_over(item="Hồ sơ giấy", giver=TEAM, receiver=CLERK, actor=OFFICER, at=AT),
    "issue_result": lambda d: d.issue_result(
        summary="Giấy khai sinh", document_number="123/2026", actor=OFFICER, at=AT
    ),
    "load_into_tray": lambda d: d.load_into_tray(
        kiosk="Q6-01", tray=7, notification="Hồ sơ đã có kết quả", actor=OFFICER, at=AT
    ),
    "pull_back": lambda d: d.pull_back(giver=TEAM, receiver=CLERK, actor=OFFICER, at=AT),
    "deliver_result": lambda d: d.deliver_result(
        channel=DeliveryChannel.KIOSK if d.status is Status.IN_TRAY else DeliveryChannel.COUNTER,
        receiver_name=None,
        actor=OFFICER,
        at=AT,
    ),
    "rate": lambda d: d.rate(rating=Rating(stars=5), actor=OFFICER, at=AT),
    # [14] kflows2
    "record_card": lambda d: d.record_card(police_code="CA-2026/000123", actor=OFFICER, at=AT),
    "enrol_face": lambda d: d.enrol_face(
        template=FaceTemplate(id_number=APPLICANT.id_number, embedding=[0.25] * 16, model_id="m"), actor=OFFICER, at=AT
    ),
    "link_portal": lambda d: d.link_portal(
        portal_code="000.00.13.H29-260520-0001", kiosk="Q6-01", actor=OFFICER, at=AT
    ),
}

PATHS: dict[Status, list[str]] = {
    Status.REGISTERED: [],
    Status.RECEIVED: [],
    Status.ACCEPTED: ["accept"],
    Status.SUPPLEMENT_REQUESTED: ["request_supplement"],
    Status.IN_PROCESSING: ["accept", "route"],
    Status.RESULT_ISSUED: ["accept", "route", "issue_result"],
    Status.IN_TRAY: ["accept", "route", "issue_result", "load_into_tray"],
    Status.DELIVERED: ["accept", "route", "issue_result", "deliver_result"],
    Status.RATED: ["accept", "route", "issue_result", "deliver_result", "rate"],
    Status.REJECTED: ["reject"],
    Status.WITHDRAWAL_REQUESTED: ["request_withdrawal"],
    Status.WITHDRAWN: ["request_withdrawal", "withdraw"],
    Status.RETURN_REGISTERED: [],  # [14] created by Dossier.register_return
}


def new_dossier(online: bool = False, code: str = "H29.06-260520-0001") -> Dossier:
    """A freshly registered (online) or received (paper) dossier."""
    if online:
        return Dossier.register_online(
            code=code,
            procedure_code="1.001193.000.00.00.H29",
            applicant=APPLICANT,
            components=FORM,
            actor=OFFICER,
            at=AT,
        )
    return Dossier.receive(
        code=code,
        procedure_code="1.001193.000.00.00.H29",
        channel=Channel.KIOSK,
        applicant=APPLICANT,
        components=FORM,
        due_on=DUE,
        actor=OFFICER,
        at=AT,
    )


def dossier_in(status: Status) -> Dossier:
    """A dossier brought into `status` by legal commands."""
    if status is Status.RETURN_REGISTERED:
        return Dossier.register_return(
            code="H29.06.CA-260520-0001",
            procedure_code="2.001195.000.00.00.H29",
            applicant=APPLICANT,
            kiosk="Q6-01",
            actor=OFFICER,
            at=AT,
        )
    dossier = new_dossier(online=status is Status.REGISTERED)
    for action in PATHS[status]:
        ACTIONS[action](dossier)
    assert dossier.status is status
    return dossier
