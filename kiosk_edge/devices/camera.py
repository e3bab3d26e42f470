"""The face step on a real camera: insightface detection + ArcFace recognition (kiosk_edge/faces.py) on ONNX Runtime.

At submission the live face becomes the dossier's template, sealed with AES-GCM (TemplateVault, bound to
`<kiosk>/<dossier code>`) in the kiosk's template folder; at pickup the live face is compared 1:1 with it and the
template is deleted once the tray has opened. A dossier received at the counter has no template here: the core lends
the one enrolled at the counter with the pickup ticket, and it is compared the same way, from memory. Only score,
decision and model id leave this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from domain.kiosk_wire import FaceVerified
from kiosk_edge.devices.ports import EventLog, FaceConfig, LentTemplate
from kiosk_edge.faces import FaceError, FaceTemplate, FaceVerifier, TemplateError, TemplateVault
from kiosk_edge.readers.sources import image_paths, read_image

log = logging.getLogger(__name__)
Frames = Callable[[], np.ndarray]


class ModelCamera:
    """FaceCamera (kiosk_edge/devices/ports.py) over a frame source and the face models."""

    def __init__(
        self, kiosk: str, verifier: FaceVerifier, vault: TemplateVault, folder: Path, frames: Frames, log_: EventLog
    ) -> None:
        self.kiosk, self.verifier, self.vault, self.frames, self.log = kiosk, verifier, vault, frames, log_
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._pending: FaceTemplate | None = None

    @property
    def model_id(self) -> str:
        return self.verifier.models.model_id

    def enroll(self) -> tuple[float, bool, str]:
        """The only face in front of the camera becomes the pending template (score 1.0: it is the reference)."""
        try:
            self._pending = self.verifier.enroll(self.frames())
        except FaceError as error:  # no face, or several: the citizen is asked to look again
            log.info("face enrolment refused: %s", type(error).__name__)
            return self._decided(0.0, False)
        return self._decided(1.0, True)

    def keep(self, dossier_code: str) -> None:
        if self._pending is not None:
            self._path(dossier_code).write_bytes(self.vault.seal(self._pending, self._context(dossier_code)))
            self._pending = None

    def verify(self, dossier_code: str, lent: LentTemplate | None = None) -> tuple[float, bool, str]:
        path = self._path(dossier_code)
        if not path.exists() and lent is None:  # no face was taken at submission, none enrolled at the counter
            return self._decided(0.0, False)
        try:
            template = (
                self.vault.open(path.read_bytes(), self._context(dossier_code)) if path.exists() else _template(lent)
            )
            decision = self.verifier.verify(self.frames(), template)
        except (FaceError, ValueError) as error:  # ValueError: a lent vector of another length than the model's
            log.info("face verification refused: %s", type(error).__name__)
            return self._decided(0.0, False)
        return self._decided(decision.score, decision.matched)

    def forget(self, dossier_code: str) -> None:
        """The result was handed over: the template is no longer needed."""
        self._path(dossier_code).unlink(missing_ok=True)

    def _decided(self, score: float, matched: bool) -> tuple[float, bool, str]:
        score = max(-1.0, min(1.0, score))
        self.log.record(FaceVerified, score=score, matched=matched, model_id=self.model_id)
        return score, matched, self.model_id

    def _context(self, dossier_code: str) -> str:
        return f"{self.kiosk}/{dossier_code}"

    def _path(self, dossier_code: str) -> Path:
        return self.folder / f"{dossier_code.replace('/', '_')}.face"


def _template(lent: LentTemplate | None) -> FaceTemplate:
    """A lent embedding as the verifier compares it: float32, unit length."""
    vector = np.asarray(lent.embedding if lent else [], np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if vector.size == 0 or not np.isfinite(norm) or norm == 0.0:
        raise TemplateError("the lent face template is empty or not a vector")
    return FaceTemplate(vector / norm, lent.model_id if lent else "")


def frames_from(source: str) -> Frames:
    """Frames from a camera device number (OpenCV capture) or from image files / a folder (simulation), in turn."""
    if source.isdigit():
        capture = cv2.VideoCapture(int(source))

        def grab() -> np.ndarray:
            ok, frame = capture.read()
            if not ok:
                raise OSError(f"camera {source} gave no frame")
            return frame

        return grab
    paths = list(image_paths([source])) if Path(source).exists() else []
    if not paths:
        raise FileNotFoundError(f"no images at {source}")
    turn = {"next": 0}

    def next_image() -> np.ndarray:
        path = paths[turn["next"] % len(paths)]
        turn["next"] += 1
        return read_image(path)

    return next_image


def model_camera(kiosk: str, config: FaceConfig | None, folder: Path, log_: EventLog) -> ModelCamera | None:
    """The real face step when MOTCUA_FACE_MODEL_DIR is set (with MOTCUA_FACE_CAMERA and MOTCUA_FACE_TEMPLATE_KEY)."""
    if config is None or not config.model_dir:
        return None
    return ModelCamera(
        kiosk,
        FaceVerifier.from_config(config),
        TemplateVault.from_config(config),
        folder,
        frames_from(config.camera),
        log_,
    )
