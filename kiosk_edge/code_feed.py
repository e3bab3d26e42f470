"""The code camera in the kiosk process (MOTCUA_KIOSK_CODE_CAMERA): its reads go to the session as the slot's
envelope and the typed card QR do.

A Code 128 read is the envelope in the slot while the session waits for one; a CCCD QR read is the card while it
waits for the card. Reads at any other screen are ignored: a label or card left in view must not act on a later
screen. A payload read again within a few seconds is not fed twice (the camera reads it on every frame).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from kiosk_edge.code_camera import CodeCamera
from kiosk_edge.flow import KioskFlow
from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.sources import Frame, UnreadableSourceError, frames
from kiosk_edge.readers.symbols import warm_up
from kiosk_edge.session.inputs import CardRead, EnvelopeTaken, IdentityRead, SupplementTaken
from kiosk_edge.session.machine import ALLOWED, InputNotAllowedError

log = logging.getLogger(__name__)
ENVELOPE_SCREENS = ALLOWED[EnvelopeTaken] | ALLOWED[SupplementTaken]
CARD_SCREENS = ALLOWED[IdentityRead] | ALLOWED[CardRead]
CODE_SCREENS = ENVELOPE_SCREENS | CARD_SCREENS
REPEAT_WITHIN = 5.0  # seconds: longer than a citizen holds a card up, shorter than taking it away and back


class CodeFeed:
    """The camera's reads to one kiosk's flow: `found` for a CodeCamera."""

    def __init__(
        self, flow: KioskFlow, *, clock: Callable[[], float] = time.monotonic, repeat_within: float = REPEAT_WITHIN
    ) -> None:
        self.flow, self.clock, self.repeat_within = flow, clock, repeat_within
        self._last: tuple[bytes, float] = (b"", float("-inf"))  # a digest: the QR holds personal data

    def __call__(self, symbols: list[Symbol]) -> None:
        """The symbols of one frame: the first one the current screen waits for is fed, the rest ignored."""
        screen = self.flow.state.screen
        for symbol in symbols:
            step = self._step(symbol, screen)
            if step is not None and not self._repeated(symbol.payload):
                self._feed(step, symbol)
                return

    def wanted(self) -> bool:
        """Whether the screen waits for a code: frames of any other screen are not read at all (no CPU spent)."""
        return self.flow.state.screen in CODE_SCREENS

    def _step(self, symbol: Symbol, screen: object) -> Callable[[str], None] | None:
        if symbol.kind == "code128" and screen in ENVELOPE_SCREENS:
            return self.flow.envelope_inserted
        # Only a CCCD-shaped QR is the card: the receipt's or a bank's QR in view must not give a "bad QR" screen.
        if symbol.kind == "qrcode" and screen in CARD_SCREENS and "|" in symbol.payload:
            return self.flow.card_scanned
        return None

    def _repeated(self, payload: str) -> bool:
        digest, now = hashlib.sha256(payload.encode()).digest(), self.clock()
        last, at = self._last
        if digest == last and now - at < self.repeat_within:
            return True
        self._last = (digest, now)
        return False

    def _feed(self, step: Callable[[str], None], symbol: Symbol) -> None:
        try:
            step(symbol.payload)
        except InputNotAllowedError:  # the screen moved on between the look and the call
            pass
        except Exception as error:  # noqa: BLE001 - one bad read must not stop the camera; no payload in the log
            log.warning("code camera: a %s read was not taken (%s)", symbol.kind, type(error).__name__)


class CodeCameraThread:
    """The code camera on its own thread: frames from `source` through a CodeCamera to `found`, until stopped."""

    def __init__(
        self,
        source: str,
        found: Callable[[list[Symbol]], None],
        *,
        open_source: Callable[[str], Iterator[Frame]] = frames,
        wanted: Callable[[], bool] = lambda: True,
    ) -> None:
        self.source, self.camera, self.open_source = source, CodeCamera(found), open_source
        self.wanted = wanted  # frames taken while no screen waits for a code are dropped before the reader
        self.error = ""  # why the camera stopped early: the source's own message (a path or device, never a read)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-code-camera", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the frame in hand (a camera delivers one every few tens of ms)."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=10)

    def _images(self) -> Iterator[np.ndarray]:
        return (frame.image for frame in self.open_source(self.source) if self.wanted())

    def _run(self) -> None:
        try:
            warm_up()  # the fitted step's tables, built here rather than on the first hard envelope
            self.camera.run(self._images(), self._stop)
        except UnreadableSourceError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - a camera driver's failure: the slot and typed entry still work
            self.error = f"{self.source}: {type(error).__name__}"
        if self.error:
            log.error("code camera stopped: %s; envelopes by the slot and cards typed in still work", self.error)
        elif not self._stop.is_set():
            log.warning("code camera %s: no more frames (camera unplugged or the end of the files)", self.source)
