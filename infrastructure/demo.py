"""Demo data for `make run`: one kiosk with 90 trays and a few dossiers in different states, written once."""

from __future__ import annotations

import logging

from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Channel, Component, Party, PaymentMethod, Role
from infrastructure.bootstrap import System

log = logging.getLogger("motcua.demo")

KIOSK_KEY = "Q6-01"
OFFICER = Actor(account_id="tiepnhan", role=Role.RECEPTION_OFFICER)
CLERK = Actor(account_id="tuphap", role=Role.DEPARTMENT_OFFICER)
KIOSK = Actor(account_id=f"kiosk-{KIOSK_KEY}", role=Role.KIOSK)
STAFF = Actor(account_id="tuvan", role=Role.CONSULTANT)
TEAM = Party(account_id="tuvan", name="Trần Minh Tuấn", role=Role.CONSULTANT, unit="Tổ tư vấn dịch vụ công")
DEPT = Party(account_id="tuphap", name="Lê Thị Thu", role=Role.DEPARTMENT_OFFICER, unit="Phòng Tư pháp")

# Fictitious people: the ID numbers and phones follow the formats but belong to nobody.
PEOPLE = [
    Applicant(
        id_number="079195000101",
        name="Nguyễn Thị Hồng Nhung",
        phone="0901000101",
        address="12 Bình Tiên, Phường 3, Quận 6",
    ),
    Applicant(
        id_number="079088000202", name="Trần Văn Bình", phone="0912000202", address="45 Hậu Giang, Phường 5, Quận 6"
    ),
    Applicant(
        id_number="079301000303", name="Lê Hoàng Phúc", phone="0933000303", address="8 Minh Phụng, Phường 9, Quận 6"
    ),
    Applicant(
        id_number="079190000404", name="Phạm Thị Hương", phone="0977000404", address="3 Tháp Mười, Phường 2, Quận 6"
    ),
]


# Demo logins (password "demo-<username>"); the console's login page lists them in demo mode. These public passwords
# break the staff password policy on purpose (short, contain the login name): only this seeder may skip it.
ACCOUNTS = [
    ("tiepnhan", "Phạm Thị Lan", Role.RECEPTION_OFFICER, None),
    ("tuphap", "Lê Thị Thu", Role.DEPARTMENT_OFFICER, "H29.06.TP"),
    ("hotich", "Đỗ Văn Hải", Role.DEPARTMENT_OFFICER, "H29.06.1.TPHT"),
    ("tuvan", "Trần Minh Tuấn", Role.CONSULTANT, None),
    ("congan", "Vũ Đức Long", Role.POLICE_OFFICER, "H29.06.CA.QLHC"),
    ("kyso", "Nguyễn Văn An", Role.SIGNER, None),
    ("kiemtra", "Hoàng Thị Mai", Role.AUDITOR, None),
    ("phantich", "Bùi Quang Minh", Role.ANALYST, None),
    ("quantri", "Đặng Thị Hà", Role.ADMINISTRATOR, None),
]
ADMIN = Actor(account_id="setup", role=Role.ADMINISTRATOR)


def seed_accounts(system: System) -> None:
    """The demo staff accounts and the demo kiosk's device login."""
    for username, name, role, department in ACCOUNTS:
        system.accounts.create_account(
            username,
            f"demo-{username}",
            name=name,
            role=role,
            agency="H29.06",
            department=department,
            actor=ADMIN,
            demo_password=True,
        )
    system.accounts.create_device(
        KIOSK_KEY, f"demo-kiosk-{KIOSK_KEY}", agency="H29.06", actor=ADMIN, demo_password=True
    )


def seed(system: System) -> int:
    """Write the demo kiosk and dossiers if the store is empty; returns how many dossiers were written."""
    if system.app.recorder.max_notification_id():
        log.info("demo data skipped: the event store already has events")
        return 0
    dossiers, kiosks, catalogue = system.dossiers, system.kiosks, system.catalogue
    seed_accounts(system)
    kiosks.install_kiosk(KIOSK_KEY, name="Kiosk 24/7 UBND Quận 6", agency="H29.06", actor=STAFF)
    kiosks.register_envelopes(KIOSK_KEY, barcodes=[f"Q6PB{n:06d}" for n in range(1, 201)], actor=STAFF)
    procedures = [p for p in catalogue.procedures if p.kiosk_submission and not p.high_legal_value][:4]
    codes = []
    for person, procedure in zip(PEOPLE, procedures, strict=False):
        form = [Component(name=c.name, form=ComponentForm(c.form), count=c.count) for c in procedure.components]
        code, _ = dossiers.receive(
            procedure_code=procedure.code, channel=Channel.COUNTER, applicant=person, components=form, actor=OFFICER
        )
        dossiers.assess_fee(code, actor=OFFICER)
        if procedure.fee:
            dossiers.record_payment(code, method=PaymentMethod.CASH, amount=procedure.fee, actor=OFFICER)
        codes.append(code)
    for code in codes[:2]:  # two results already back and loaded into trays
        dossiers.accept(code, actor=CLERK)
        dossiers.route(
            code, department=catalogue.procedure(dossiers.get_dossier(code).procedure_code).department, actor=CLERK
        )
        dossiers.issue_result(code, summary="Kết quả giải quyết thủ tục", actor=CLERK)
        dossiers.hand_over(code, item="Kết quả (bản chính)", giver=DEPT, receiver=TEAM, actor=CLERK)
    kiosks.load_results(KIOSK_KEY, codes[:2], staff=TEAM, actor=STAFF)
    dossiers.accept(codes[2], actor=OFFICER)
    online = catalogue.procedures[-1]
    dossiers.register_online(
        procedure_code=online.code,
        applicant=PEOPLE[1],
        components=[Component(name=c.name, form=c.form, count=c.count) for c in online.components],
        actor=Actor(account_id="portal", role=Role.CITIZEN),
    )
    log.info("demo data written: kiosk %s with 90 trays, %d dossiers", KIOSK_KEY, len(codes) + 1)
    return len(codes) + 1
