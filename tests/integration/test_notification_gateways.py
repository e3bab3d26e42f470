"""The real notification adapters against local servers: SMTP (aiosmtpd) and an HTTP gateway (http.server)."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from application.base import OneStop
from domain.notification import DeliveryError, ErrorKind, Notification, Recipient, notification_id
from domain.values import Actor, Role
from infrastructure.notifications import ChannelNotifier, configured_notifier
from infrastructure.notifications.gateways import SmsGateway, ZaloGateway
from infrastructure.notifications.smtp import SmtpMailer
from infrastructure.notifications.templates import Templates
from infrastructure.settings import Settings
from tests.onestop_support import notifications_on

PICKUP = {
    "code": "H29.06-260520-0001",
    "tray": "12",
    "kiosk": "Kiosk 24/7 UBND Quận 6",
    "agency": "Ủy ban nhân dân Quận 6",
    "days": "5",
}
T0 = datetime(2026, 5, 20, 1, 30, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


class Gateway(ThreadingHTTPServer):
    """A provider on 127.0.0.1: records each JSON request and answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict, str]] = []
        self.status = 200
        super().__init__(("127.0.0.1", 0), GatewayHandler)


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, body, self.headers.get("Authorization", "")))
        answer = json.dumps({"id": f"msg-{len(self.server.requests)}"}).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def gateway():
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_email_arrives_with_its_vietnamese_subject_and_body(smtp_server):
    inbox, port = smtp_server
    mailer = SmtpMailer("127.0.0.1", port, "Một Cửa Quận 6 <motcua@q6.example.vn>")
    notifier = ChannelNotifier({"email": mailer}, Templates("UBND Q6"))
    provider_id = notifier.send("email", "an.nguyen@example.vn", "pickup_ready", 1, PICKUP)
    [(recipients, content)] = inbox.messages
    mail = message_from_bytes(content, policy=policy.default)
    assert recipients == ["an.nguyen@example.vn"] and mail["To"] == "an.nguyen@example.vn"
    assert mail["Subject"] == "Hồ sơ H29.06-260520-0001 đã có kết quả" and mail["Message-ID"] == provider_id
    body = mail.get_content()
    assert "Ủy ban nhân dân Quận 6: Hồ sơ H29.06-260520-0001 đã có kết quả tại Kiosk 24/7 UBND Quận 6, khay 12." in body


def test_the_sms_gateway_gets_the_sender_name_and_an_unaccented_text(gateway):
    server, url = gateway
    sms = SmsGateway(f"{url}/sms/send", "secret-token", "UBND Q6")
    provider_id = ChannelNotifier({"sms": sms}, Templates("UBND Q6")).send(
        "sms", "0901234101", "pickup_ready", 1, PICKUP
    )
    [(path, body, auth)] = server.requests
    assert (path, auth, provider_id) == ("/sms/send", "Bearer secret-token", "msg-1")
    assert body == {
        "sender": "UBND Q6",
        "to": "0901234101",
        "text": (
            "UBND Q6: Ho so H29.06-260520-0001 da co ket qua tai Kiosk 24/7 UBND Quan 6, khay 12. Vui long den nhan "
            "trong 5 ngay (nhap so CCCD va so bien nhan, hoac ma ho so va ma OTP)."
        ),
    }
    assert body["text"].isascii()


def test_the_sms_goes_out_under_the_agency_brandname_and_the_default_without_one(gateway):
    server, url = gateway
    notifier = ChannelNotifier({"sms": SmsGateway(f"{url}/sms/send", "t", "MOTCUA")}, Templates("MOTCUA"))
    notifier.send("sms", "0901234101", "pickup_ready", 2, PICKUP, sender="UBNDQUAN6")
    notifier.send("sms", "0901234101", "pickup_ready", 2, PICKUP)
    [(_, first, _), (_, second, _)] = server.requests
    assert first["sender"] == "UBNDQUAN6" and first["text"].startswith("UBNDQUAN6: Ho so H29.06-260520-0001 ")
    assert second["sender"] == "MOTCUA" and second["text"].startswith("MOTCUA: ")


def test_the_zalo_gateway_gets_the_phone_and_the_accented_text(gateway):
    server, url = gateway
    zalo = ZaloGateway(f"{url}/zalo", "zalo-token")
    ChannelNotifier({"zalo": zalo}, Templates("UBND Q6")).send(
        "zalo", "0901234101", "otp", 1, {"code": "481516", "minutes": "5"}
    )
    [(path, body, auth)] = server.requests
    assert (path, auth, body["phone"]) == ("/zalo", "Bearer zalo-token", "0901234101")
    assert body["text"].startswith("Mã OTP của bạn là 481516, hiệu lực 5 phút.")


def test_gateway_errors_are_classified(gateway):
    server, url = gateway
    server.status = 500
    with pytest.raises(DeliveryError) as down:
        SmsGateway(url, "", "UBND Q6").deliver(
            "0901234101", Templates("x").render("sms", "otp", 1, {"code": "1", "minutes": "5"})
        )
    server.status = 400
    with pytest.raises(DeliveryError) as refused:
        ZaloGateway(url, "").deliver(
            "0901234101", Templates("x").render("zalo", "otp", 1, {"code": "1", "minutes": "5"})
        )
    with pytest.raises(DeliveryError) as closed:
        SmtpMailer("127.0.0.1", free_port(), "a@b.vn").deliver(
            "c@d.vn", Templates("x").render("email", "otp", 1, {"code": "1", "minutes": "5"})
        )
    assert (down.value.kind, refused.value.kind, closed.value.kind) == (
        ErrorKind.TRANSIENT,
        ErrorKind.REJECTED,
        ErrorKind.TRANSIENT,
    )


def test_a_failing_gateway_is_retried_then_the_next_channel_delivers(store_env, gateway, smtp_server):
    server, url = gateway
    server.status = 500
    inbox, port = smtp_server
    notifier = configured_notifier(
        Settings.from_env(
            {
                "MOTCUA_SMS_URL": f"http://127.0.0.1:{free_port()}/refused",
                "MOTCUA_SMS_SENDER": "UBND Q6",
                "MOTCUA_ZALO_URL": f"{url}/zalo",
                "MOTCUA_SMTP_HOST": "127.0.0.1",
                "MOTCUA_SMTP_PORT": str(port),
                "MOTCUA_SMTP_FROM": "motcua@q6.example.vn",
            }
        ).channels
    )
    app = notifications_on(OneStop(store_env), notifier)
    nid = notification_id(PICKUP["code"], 30)
    try:
        app.request(
            id=nid,
            channels=["sms", "zalo", "email"],
            template="pickup_ready.v1",
            dossier_code=PICKUP["code"],
            params=PICKUP,
            recipient=Recipient(phone="0901234101", email="an@example.vn"),
            actor=Actor(account_id="test", role=Role.SYSTEM),
            at=T0,
        )
        t, rounds = T0, []
        for wait in (0, 1, 2, 4, 8, 1, 2, 4, 8):
            t += timedelta(minutes=wait)
            rounds.append(app.dispatch_due(t))
        events = list(app.app.events.get(nid))
    finally:
        app.app.close()
    failed = [(e.channel, e.attempt, e.error_kind) for e in events if isinstance(e, Notification.Failed)]
    assert failed == [(c, n, ErrorKind.TRANSIENT) for c in ("sms", "zalo") for n in range(1, 6)]
    assert rounds == [1, 1, 1, 1, 2, 1, 1, 1, 2]  # the 5th failure of a channel moves on in the same round
    assert len(server.requests) == 5 and all(body["phone"] == "0901234101" for _, body, _ in server.requests)
    assert isinstance(events[-1], Notification.Sent) and events[-1].channel == "email" and events[-1].attempt == 1
    assert inbox.messages[0][0] == ["an@example.vn"]
