"""Demo data for `make run`: a few dossiers in different states, written once to an empty store."""

from __future__ import annotations

import logging

from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, Party, PaymentMethod, Role
from infrastructure.bootstrap import System

log = logging.getLogger("motcua.demo")

OFFICER = Actor(account_id="demo.tiepnhan", role=Role.RECEPTION_OFFICER)
KIOSK = Actor(account_id="kiosk-Q6-01", role=Role.KIOSK)
TEAM = Party(account_id="demo.tuvan", name="Trần Minh Tuấn", role=Role.CONSULTANT, unit="Tổ tư vấn dịch vụ công")
CLERK = Party(account_id="demo.tuphap", name="Lê Thị Thu", role=Role.DEPARTMENT_OFFICER, unit="Phòng Tư pháp")

# Fictitious people: the ID numbers and phones follow the formats but belong to nobody.
PEOPLE = [
    Applicant(id_number="079195000101", name="Nguyễn Thị Hồng Nhung", phone="0901000101", address="12 Bình Tiên, Phường 3, Quận 6"),
    Applicant(id_number="079088000202", name="Trần Văn Bình", phone="0912000202", address="45 Hậu Giang, Phường 5, Quận 6"),
    Applicant(id_number="079301000303", name="Lê Hoàng Phúc", phone="0933000303", address="8 Minh Phụng, Phường 9, Quận 6"),
]


def seed(system: System) -> int:
    """Write demo dossiers if the store is empty; returns how many were written."""
    if system.dossiers.recorder.max_notification_id():
        log.info("demo data skipped: the event store already has events")
        return 0
    app, codes = system.dossiers, []
    for person, procedure in zip(PEOPLE, system.catalogue.procedures, strict=False):
        form = [Component(name=c.name, form=ComponentForm(c.form), count=c.count) for c in procedure.components]
        code, _ = app.receive(procedure_code=procedure.code, channel=Channel.KIOSK, applicant=person, components=form, actor=KIOSK)
        app.assess_fee(code, actor=KIOSK)
        if procedure.fee:
            app.record_payment(code, method=PaymentMethod.CASH, amount=procedure.fee, actor=KIOSK)
        codes.append(code)
    first = codes[0]
    app.hand_over(first, item="Hồ sơ giấy trong phong bì", giver=TEAM, receiver=CLERK, actor=OFFICER)
    app.accept(first, actor=OFFICER)
    online = system.catalogue.procedures[-1]
    app.register_online(procedure_code=online.code, applicant=PEOPLE[1],
                        components=[Component(name=c.name, form=c.form, count=c.count) for c in online.components],
                        actor=Actor(account_id="portal", role=Role.CITIZEN))
    log.info("demo data written: %d dossiers", len(codes) + 1)
    return len(codes) + 1
