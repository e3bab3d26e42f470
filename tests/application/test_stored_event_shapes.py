"""Rows stored before the per-aggregate base events (each event declaring its own actor and at) still load, and
the events written now have exactly the stored shape: same topics, same keys, same values."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import msgspec
from eventsourcing.persistence import StoredEvent

from application.base import OneStop
from domain.codes import dossier_id
from domain.dossier import Dossier, Status
from domain.tray import TrayStatus, tray_id
from domain.values import Actor, Role
from infrastructure.eventstore.mapper import MsgspecMapper
from tests.unit.dossier_paths import AT, CLERK, OFFICER

CODE = "H29.06-260520-0001"
CLERK_ACTOR = Actor(account_id="clerk-1", role=Role.DEPARTMENT_OFFICER)
ACTOR = '"actor":{"account_id":"officer-1","role":"reception_officer"},"at":"2026-05-20T02:00:00Z"'
# Written by the code of 2026-12-03 (domain/dossier.py and domain/tray.py before the base events), byte for byte.
DOSSIER_ROWS = [
    (
        "Received",
        '{"timestamp":"2026-12-03T10:33:09.458856Z","originator_topic":"domain.dossier:Dossier",'
        '"code":"H29.06-260520-0001","procedure_code":"1.001193","channel":"counter","applicant":{"id_number":'
        '"079195000101","name":"Nguyễn Thị Hồng Nhung","phone":"0901000101","address":null,"email":null,'
        '"date_of_birth":null,"organisation":null},"components":[{"name":"Tờ khai đăng ký khai sinh","form":"original",'
        '"count":1}],"due_on":"2026-05-25","face":null,' + ACTOR + "}",
    ),
    ("Accepted", '{"timestamp":"2026-12-03T10:33:09.459136Z","due_on":"2026-05-25",' + ACTOR + "}"),
    ("Routed", '{"timestamp":"2026-12-03T10:33:09.459269Z","department":"TP",' + ACTOR + "}"),
    (
        "HandedOver",
        '{"timestamp":"2026-12-03T10:33:09.459425Z","item":"Hồ sơ giấy","giver":{"account_id":"team-1",'
        '"name":"Tổ tư vấn","role":"consultant","unit":"Tổ tư vấn dịch vụ công"},"receiver":{"account_id":"clerk-1",'
        '"name":"Lê Thị Thu","role":"department_officer","unit":"Phòng Tư pháp"},' + ACTOR + "}",
    ),
    (
        "ResultIssued",
        '{"timestamp":"2026-12-03T10:33:09.459552Z","summary":"Giấy khai sinh",'
        '"document_number":"123/2026",' + ACTOR + "}",
    ),
    ("LoadedIntoTray", '{"timestamp":"2026-12-03T10:33:09.459731Z","kiosk":"Q6-01","tray":7,' + ACTOR + "}"),
    (
        "NotificationRequested",
        '{"timestamp":"2026-12-03T10:33:09.459878Z","channel":"sms","template":'
        '"pickup_ready.v1","text":"Hồ sơ đã có kết quả",' + ACTOR + "}",
    ),
]
TRAY_ROWS = [
    (
        "Installed",
        '{"timestamp":"2026-12-03T10:33:09.460252Z","originator_topic":"domain.tray:Tray","kiosk_id":"Q6-01",'
        '"number":7,' + ACTOR + "}",
    ),
    ("Loaded", '{"timestamp":"2026-12-03T10:33:09.460416Z","dossier_code":"H29.06-260520-0001",' + ACTOR + "}"),
]


def store(app: OneStop, stream: UUID, module: str, aggregate: str, rows: list[tuple[str, str]]) -> None:
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=stream,
                originator_version=n,
                topic=f"domain.{module}:{aggregate}.{name}",
                state=state.encode(),
            )
            for n, (name, state) in enumerate(rows, 1)
        ]
    )


def test_a_dossier_and_a_tray_stored_with_the_old_event_shapes_load_and_take_new_events(store_env) -> None:
    app = OneStop(store_env)
    store(app, dossier_id(CODE), "dossier", "Dossier", DOSSIER_ROWS)
    store(app, tray_id("Q6-01", 7), "tray", "Tray", TRAY_ROWS)
    dossier = app.repository.get(dossier_id(CODE))
    assert isinstance(dossier, Dossier) and dossier.version == 7
    assert (dossier.status, dossier.tray, dossier.holder, dossier.last_actor, dossier.last_at) == (
        Status.IN_TRAY,
        ("Q6-01", 7),
        CLERK,
        OFFICER,
        AT,
    )
    tray = app.repository.get(tray_id("Q6-01", 7))
    assert (tray.status, tray.dossier_code, tray.loaded_by, tray.last_at) == (TrayStatus.LOADED, CODE, OFFICER, AT)

    dossier.deliver_result(channel="kiosk", receiver_name=None, actor=CLERK_ACTOR, at=AT - timedelta(minutes=1))
    tray.release(
        dossier_code=CODE, method="code_and_otp", face_checked=False, actor=CLERK_ACTOR, at=AT + timedelta(minutes=1)
    )
    app.save(dossier, tray)
    app.repository.cache = None
    again = app.repository.get(dossier_id(CODE))
    assert (again.status, again.last_actor, again.delivered_at) == (
        Status.DELIVERED,
        CLERK_ACTOR,
        AT,
    )  # never before AT
    assert app.repository.get(tray_id("Q6-01", 7)).status is TrayStatus.EMPTY
    app.close()


def test_events_written_now_have_the_stored_shape() -> None:
    mapper = MsgspecMapper()
    for stream, module, aggregate, rows in [
        (dossier_id(CODE), "dossier", "Dossier", DOSSIER_ROWS),
        (tray_id("Q6-01", 7), "tray", "Tray", TRAY_ROWS),
    ]:
        for n, (name, state) in enumerate(rows, 1):
            event = mapper.event_from(f"domain.{module}:{aggregate}.{name}", state.encode(), stream, n)
            written = mapper.to_stored_event(event)
            assert written.topic == f"domain.{module}:{aggregate}.{name}"
            assert msgspec.json.decode(written.state) == msgspec.json.decode(state.encode()), name
