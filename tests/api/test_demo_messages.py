"""OTP codes never reach the server log: the console channel logs a masked address and the template; in demo mode
the text is shown on GET /demo/messages instead, a page that does not exist outside demo mode."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.notifications.demo import DemoMessages
from infrastructure.notifications.gateways import ConsoleGateway
from infrastructure.notifications.templates import Templates
from infrastructure.settings import Settings

PHONE, CODE = "0901234101", "482913"


def otp_message(channel: str = "sms"):
    return Templates("UBND Q6").render(channel, "otp", 1, {"code": CODE, "minutes": "5"})


@pytest.mark.parametrize("channel", ["sms", "zalo", "email"])
def test_the_console_channel_prints_and_logs_no_code_and_no_full_address(channel, capsys, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    ConsoleGateway(channel).deliver(PHONE if channel != "email" else "an.nguyen@example.vn", otp_message(channel))
    printed = capsys.readouterr()
    written = printed.out + printed.err + caplog.text
    assert CODE not in written and PHONE not in written and "an.nguyen" not in written
    assert "otp.v1" in caplog.text and ("090****101" in caplog.text or "a***@example.vn" in caplog.text)


def test_the_demo_outbox_keeps_the_texts_in_a_file_only_its_user_reads(tmp_path: Path, capsys) -> None:
    outbox = DemoMessages(tmp_path / "demo-messages.jsonl")
    for _ in range(60):
        ConsoleGateway("sms", outbox).deliver(PHONE, otp_message())
    kept = outbox.last()
    assert len(kept) == 50 and CODE in kept[-1].text and kept[-1].to == "090****101"
    assert (tmp_path / "demo-messages.jsonl").stat().st_mode & 0o777 == 0o600
    assert CODE not in capsys.readouterr().out


def demo_client(tmp_path: Path, demo: bool):
    system = build(Settings(data_dir=tmp_path, demo=demo, notifications="external", projections="external"))
    return system, TestClient(create_app(system))


def test_in_demo_mode_the_otp_is_on_the_demo_page_and_not_in_the_log(tmp_path: Path, caplog, capsys) -> None:
    caplog.set_level(logging.DEBUG)
    system, client = demo_client(tmp_path, demo=True)
    with client:
        system.otps.notifier.send("sms", PHONE, "otp", 1, {"code": CODE, "minutes": "5"})
        page = client.get("/demo/messages")
    assert page.status_code == 200 and "Tin nhắn" in page.text
    assert CODE in page.text and PHONE not in page.text and "090****101" in page.text
    assert CODE not in caplog.text + capsys.readouterr().out


def test_outside_demo_mode_there_is_no_demo_page(tmp_path: Path) -> None:
    system, client = demo_client(tmp_path, demo=False)
    with client:
        system.otps.notifier.send("sms", PHONE, "otp", 1, {"code": CODE, "minutes": "5"})
        assert client.get("/demo/messages").status_code == 404
    assert not (tmp_path / "demo-messages.jsonl").exists()
