"""The code camera in the kiosk process: frames from a folder (the synthetic generator's) reach the session as the
inserted envelope and the scanned card, only on the screens that wait for them, once per read."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from infrastructure.settings import Settings
from kiosk_edge.__main__ import kiosk_settings
from kiosk_edge.code_feed import CodeCameraThread, CodeFeed
from kiosk_edge.core_client import CoreRefusal
from kiosk_edge.outbox import Outbox
from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.sources import Frame
from kiosk_edge.readers.synthetic import SAMPLE_CCCD, blank_frame, code128_frame, qr_frame
from kiosk_edge.runtime import KioskProcess, KioskSettings
from kiosk_edge.session.screens import Screen
from tests.kiosk_edge.live import wait_for
from tests.kiosk_edge.test_flow_and_devices import FEE, ScriptedCore, to_envelope

ENVELOPE = "Q6PB000001"


class IdlePublisher:
    """No bus: the device events stay in the outbox."""

    def __init__(self, outbox: Outbox) -> None:
        self.wake = asyncio.Event()

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        await stop.wait()

    async def close(self) -> None:
        return None


class NoCommands:
    def attach(self, kiosk: str, execute: object) -> None:
        return None

    def detach(self, kiosk: str) -> None:
        return None


def frame_folder(root: Path, name: str, *images: np.ndarray) -> Path:
    folder = root / name
    folder.mkdir()
    for n, image in enumerate(images):
        assert cv2.imwrite(str(folder / f"{n:03d}.png"), image)
    return folder


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[Path, list[KioskProcess]]]:
    """Builds kiosk processes on simulated devices and a scripted core; stops them all at the end."""
    made: list[KioskProcess] = []
    yield tmp_path, made
    for process in made:
        process.stop()


def kiosk_process(made: list[KioskProcess], tmp_path: Path, code_camera: str) -> KioskProcess:
    settings = KioskSettings(
        kiosk="Q6-01",
        secret="unused",
        core_url="http://127.0.0.1:9",
        outbox=tmp_path / "kiosk.sqlite3",
        screen_port=0,
        code_camera=code_camera,
    )
    process = KioskProcess(settings, publisher=IdlePublisher, commands=NoCommands())
    process.flow.core = ScriptedCore()  # type: ignore[assignment]
    process.flow.procedures = {FEE.code: FEE}
    made.append(process)
    return process


def screen(process: KioskProcess) -> Screen:
    return process.flow.state.screen


def test_the_envelope_label_the_camera_reads_is_submitted_as_the_slot_would(kiosk) -> None:
    tmp_path, made = kiosk
    folder = frame_folder(tmp_path, "envelope", blank_frame(seed=1), code128_frame(ENVELOPE, seed=2))
    process = kiosk_process(made, tmp_path, str(folder))
    to_envelope(process.flow)
    process.start()
    wait_for(lambda: screen(process) is Screen.PAYMENT, "the envelope read by the camera")
    assert process.devices.intake.bin == [ENVELOPE]
    assert process.flow.core.last["submit"]["envelope"] == ENVELOPE  # type: ignore[attr-defined]


def test_a_card_qr_on_the_card_screen_identifies_the_citizen(kiosk) -> None:
    tmp_path, made = kiosk
    process = kiosk_process(made, tmp_path, str(frame_folder(tmp_path, "card", qr_frame(SAMPLE_CCCD, seed=3))))
    process.flow.begin("submit")
    process.flow.choose_procedure(FEE.code)
    assert screen(process) is Screen.SCAN_CCCD
    process.start()
    wait_for(lambda: screen(process) is Screen.PHONE, "the card read by the camera")
    assert process.flow.citizen.qr_payload == SAMPLE_CCCD


def test_codes_in_view_on_another_screen_change_nothing_and_are_not_read(kiosk) -> None:
    tmp_path, made = kiosk
    folder = frame_folder(tmp_path, "both", code128_frame(ENVELOPE, seed=4), qr_frame(SAMPLE_CCCD, seed=5))
    process = kiosk_process(made, tmp_path, str(folder))
    process.flow.begin("submit")
    assert screen(process) is Screen.PROCEDURES
    process.start()
    assert process.code_camera is not None
    wait_for(lambda: not process.code_camera.running, "the end of the frames")
    # no screen waits for a code: the frames are dropped before the reader, which spends nothing on them
    assert process.code_camera.camera.seen == 0 and not process.code_camera.error
    assert screen(process) is Screen.PROCEDURES and process.devices.intake.bin == []
    assert "read_identity" not in process.flow.core.calls  # type: ignore[attr-defined]


@pytest.mark.parametrize("source", ["missing.png", "not-an-image.png"])
def test_an_unreadable_source_is_logged_and_the_kiosk_still_serves(kiosk, source, caplog) -> None:
    tmp_path, made = kiosk
    (tmp_path / "not-an-image.png").write_text("no picture here")
    process = kiosk_process(made, tmp_path, str(tmp_path / source))
    with caplog.at_level(logging.ERROR, logger="kiosk_edge.code_feed"):
        process.start()
        assert process.code_camera is not None
        wait_for(lambda: not process.code_camera.running, "the camera to give up")
    assert source in process.code_camera.error
    assert any("code camera stopped" in r.getMessage() and source in r.getMessage() for r in caplog.records)
    with urllib.request.urlopen(f"{process.screen.url}/api/state", timeout=10) as reply:
        assert json.load(reply)["screen"] == "home"
    to_envelope(process.flow)
    process.flow.envelope_inserted(ENVELOPE)  # the slot still takes envelopes
    assert screen(process) is Screen.PAYMENT


def test_the_same_read_again_within_a_few_seconds_is_not_fed_twice(kiosk) -> None:
    tmp_path, made = kiosk
    process = kiosk_process(made, tmp_path, "")
    assert process.code_camera is None  # unset: no code camera, as before
    flow, now = process.flow, [100.0]
    core: ScriptedCore = flow.core  # type: ignore[assignment]
    feed = CodeFeed(flow, clock=lambda: now[0])
    to_envelope(flow)
    core.fail["submit"] = CoreRefusal(422, "envelope_rejected", "Phong bì không hợp lệ")
    feed([Symbol("code128", ENVELOPE)])
    assert screen(process) is Screen.UNKNOWN_ENVELOPE
    flow.retry()
    now[0] += 2
    feed([Symbol("code128", ENVELOPE)])  # the same label still in view: not a second insertion
    assert screen(process) is Screen.ENVELOPE and core.calls.count("submit") == 1
    now[0] += 5
    feed([Symbol("code128", ENVELOPE)])
    assert screen(process) is Screen.PAYMENT and core.calls.count("submit") == 2


def test_only_a_card_shaped_qr_is_the_card_and_a_barcode_is_not(kiosk) -> None:
    tmp_path, made = kiosk
    process = kiosk_process(made, tmp_path, "")
    flow = process.flow
    flow.begin("submit")
    flow.choose_procedure(FEE.code)
    feed = CodeFeed(flow)
    feed([Symbol("code128", ENVELOPE), Symbol("qrcode", "00020101021238570010A000000727")])  # a bank's VietQR
    assert screen(process) is Screen.SCAN_CCCD and "read_identity" not in flow.core.calls  # type: ignore[attr-defined]
    feed([Symbol("code128", ENVELOPE), Symbol("qrcode", SAMPLE_CCCD)])
    assert screen(process) is Screen.PHONE


def test_the_camera_thread_stops_cleanly_with_a_camera_that_never_ends() -> None:
    def camera(source: str) -> Iterator[Frame]:
        image = np.zeros((8, 8), np.uint8)
        for n in itertools.count():
            time.sleep(0.01)
            yield Frame(f"{source}#{n}", image)

    found: list[list[Symbol]] = []
    thread = CodeCameraThread("0", found.append, open_source=camera)
    thread.start()
    wait_for(lambda: thread.camera.seen > 3, "some frames")
    thread.stop()
    assert not thread.running and not thread.error and found == []


def test_the_setting_names_the_code_camera_of_the_kiosk_process() -> None:
    given = {"MOTCUA_KIOSK_KEY": "Q6-01", "MOTCUA_KIOSK_SECRET": "s"}
    assert kiosk_settings(Settings.from_env(given)).code_camera == ""
    assert kiosk_settings(Settings.from_env(given | {"MOTCUA_KIOSK_CODE_CAMERA": "0"})).code_camera == "0"
