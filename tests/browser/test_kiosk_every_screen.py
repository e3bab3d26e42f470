"""Every screen of the kiosk, drawn in Chromium at 1080×1920 with the longest content it can get (the longest
procedure name, a long message, the VietQR, the daytime help line), fits without scrolling the help footer away.
The page's state is the real `/api/state` of a kiosk, with the screen and its fields set by the test (page.route)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from infrastructure.catalogue import load_catalogue
from kiosk_edge import vietqr
from kiosk_edge.catalogue import DEFAULT_CATALOGUE, kiosk_procedures
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.flow import DEMO_ACCOUNT, KioskFlow
from kiosk_edge.outbox import Outbox
from kiosk_edge.screen.server import ScreenServer
from kiosk_edge.session.inputs import Procedure
from kiosk_edge.session.screens import REFUSAL_MESSAGES, Screen
from tests.browser.kiosk_screen import on
from tests.kiosk_edge.test_flow_and_devices import ScriptedCore

PROCEDURES = kiosk_procedures()
LONGEST = max(PROCEDURES, key=lambda p: len(p.name))
CODE = "H29.06.1-261203-0001"
FORM = max((p.form for p in PROCEDURES), key=len)
CARDS = [  # [14] the three ID-card procedures, longest names first
    Procedure(code=p.code, name=p.name, fee=0, face_required=False)
    for p in sorted(load_catalogue(DEFAULT_CATALOGUE).procedures, key=lambda p: -len(p.name))
    if p.result_kind.value == "cccd_card"
]


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScreenServer]:
    outbox = Outbox(tmp_path_factory.mktemp("screens") / "outbox.sqlite3")
    devices = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90)
    server = ScreenServer(KioskFlow("Q6-01", ScriptedCore(), devices, PROCEDURES), simulated=devices, port=0)
    server.start()
    yield server
    server.stop()
    outbox.close()


def worst(state: dict, screen: Screen) -> dict:
    """The state of `screen` with the longest values each field can show."""
    payload = vietqr.payload(DEMO_ACCOUNT, 100_000_000, CODE)
    return (
        state
        | {
            "screen": screen.value,
            "flow": "pickup" if screen.value.startswith("pickup") else "submit",
            "message": REFUSAL_MESSAGES.get(screen, ""),
            "procedure": LONGEST.__dict__ | {"form": FORM},
            "dossier_code": CODE,
            "due_on": "31/12/2026",
            "owed": 4_000_000,
            "paid": 500_000,
            "shortfall": 3_500_000,
            "excess": 0,
            "tray": 90,
            "held": 500_000,
            "name": "Tôn Nữ Hoàng Thị Phương Thảo Nguyễn",
            "id_masked": "079******101",
            "card_read": True,
            "masked_phone": "090****101",
            "resends_left": 2,
            "otp_left": 300,
            "resend_in": 60,
            "procedures": [p.__dict__ for p in PROCEDURES] if screen is Screen.PROCEDURES else [],
            "vietqr": {
                "svg": vietqr.svg(payload),
                "amount": 100_000_000,
                "reference": CODE,
                "bank_bin": DEMO_ACCOUNT.bin,
                "account": DEMO_ACCOUNT.number,
                "account_name": DEMO_ACCOUNT.name,
            },
            "help": "Cần hỗ trợ? Ông/Bà vui lòng gọi đường dây nóng 028.39695699 hoặc đến quầy Bộ phận Một cửa.",
            # issue [14]: a long supplement request, a long rejection reason, a CMND, a lock-out of hours
            "asked": [
                f"Bản sao có chứng thực giấy tờ chứng minh nơi cư trú của người yêu cầu, trang {n}" for n in range(12)
            ],
            "reason": "Hồ sơ thiếu giấy tờ chứng minh quan hệ nhân thân; bản sao không có bản chính để đối chiếu. "
            * 20,
            "requested_on": "20/05/2026",
            "rejected": True,
            "cmnd_masked": "023****89",
            "wait_left": 4 * 3600,
        }
        | corner_worst(screen)
    )


def corner_worst(screen: Screen) -> dict:
    """[14] The ID-card return and online-corner screens: every card procedure, many pages, a long portal code."""
    card = screen in (Screen.CARD_PROCEDURES, Screen.CARD_TYPING, Screen.CARD_SLIP, Screen.CARD_RETURN_REFUSED)
    online = screen in (Screen.SCAN_DOCS, Screen.PORTAL_FORM, Screen.ONLINE_PAYMENT, Screen.ONLINE_DONE)
    return {
        "card_procedures": [p.__dict__ for p in CARDS] if screen is Screen.CARD_PROCEDURES else [],
        "pages": 200,
        "portal_code": "000.00.13.H29-261203-0001",
    } | ({"flow": "card_return", "procedure": CARDS[-1].__dict__} if card else {"flow": "online"} if online else {})


@pytest.mark.parametrize("screen_name", [s for s in Screen])
def test_every_screen_fits_the_kiosk_screen(kiosk_page: Page, screen: ScreenServer, screen_name: Screen) -> None:
    state = worst(screen.state(), screen_name)
    kiosk_page.route("**/api/state", lambda route: route.fulfill(json=state))
    kiosk_page.goto(screen.url)
    on(kiosk_page, screen_name.value, f"all-{screen_name.value}")
