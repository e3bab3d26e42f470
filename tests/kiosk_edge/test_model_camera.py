"""The kiosk's real face step (MOTCUA_FACE_MODEL_DIR): enrol at submission, seal the template per dossier, verify 1:1 at
pickup, delete it after handover — through the real ONNX Runtime path on tiny generated models."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from domain.kiosk_wire import decode_device_event
from infrastructure.settings import Settings
from kiosk_edge.devices.camera import frames_from, model_camera
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.outbox import Outbox
from tests.face_models import build_detection_model, build_recognition_model, scene

KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("face-models")
    build_detection_model(directory / "det.onnx")
    build_recognition_model(directory / "rec.onnx")
    return directory


class Shown:
    """What stands in front of the camera next."""

    def __init__(self) -> None:
        self.image = scene([])

    def __call__(self) -> np.ndarray:
        return self.image

    def person(self, who: int, shift: tuple[int, int] = (0, 0), seed: int = 0) -> None:
        self.image = scene([(who, (320 + shift[0], 240 + shift[1]))], seed=seed)


@pytest.fixture
def camera(model_dir: Path, tmp_path: Path):
    log = DeviceLog("Q6-01", Outbox(tmp_path / "outbox.sqlite3", prefix="kiosk"))
    environ = {"MOTCUA_FACE_MODEL_DIR": str(model_dir), "MOTCUA_FACE_TEMPLATE_KEY": KEY, "MOTCUA_FACE_CAMERA": "0"}
    made = model_camera("Q6-01", Settings.from_env(environ).kiosk.faces, tmp_path / "faces", log)
    shown = Shown()
    made.frames = shown
    return made, shown, tmp_path


def face_events(tmp_path: Path) -> list:
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        payloads = [bytes(p) for (p,) in db.execute("SELECT payload FROM outbox_events ORDER BY seq")]
    return [decode_device_event(p) for p in payloads]


def test_the_submitter_is_recognised_at_pickup_and_someone_else_is_not(camera) -> None:
    cam, shown, tmp_path = camera
    shown.person(3)
    assert cam.enroll() == (1.0, True, cam.model_id)
    cam.keep("H29.06-261126-0001")
    sealed = (tmp_path / "faces" / "H29.06-261126-0001.face").read_bytes()
    template = cam.verifier.enroll(shown())
    assert template.embedding.astype("<f4").tobytes()[:64] not in sealed  # sealed, not stored in clear
    shown.person(5, (12, -8), seed=4)
    score, matched, _ = cam.verify("H29.06-261126-0001")
    assert not matched and score < cam.verifier.threshold
    shown.person(3, (10, 6), seed=9)
    score, matched, model = cam.verify("H29.06-261126-0001")
    assert matched and score > cam.verifier.threshold and model == cam.model_id
    cam.forget("H29.06-261126-0001")
    assert not (tmp_path / "faces" / "H29.06-261126-0001.face").exists()
    assert cam.verify("H29.06-261126-0001")[1] is False  # no template any more
    events = face_events(tmp_path)
    assert [e.matched for e in events] == [True, False, True, False]
    assert all(set(e.__struct_fields__) >= {"score", "matched", "model_id"} and not hasattr(e, "image") for e in events)


def test_no_face_or_a_template_sealed_for_another_dossier_is_refused(camera) -> None:
    cam, shown, tmp_path = camera
    assert cam.enroll()[1] is False  # nobody in front of the camera
    shown.person(2)
    cam.enroll()
    cam.keep("H29.06-261126-0002")
    moved = tmp_path / "faces" / "H29.06-261126-0003.face"
    moved.write_bytes((tmp_path / "faces" / "H29.06-261126-0002.face").read_bytes())
    assert cam.verify("H29.06-261126-0003")[1] is False  # bound to its dossier: a copied template does not open


def test_the_real_camera_is_only_used_when_models_are_configured(tmp_path: Path) -> None:
    log = DeviceLog("Q6-01", Outbox(tmp_path / "outbox.sqlite3", prefix="kiosk"))
    assert model_camera("Q6-01", Settings.from_env({}).kiosk.faces, tmp_path / "faces", log) is None
    with pytest.raises(FileNotFoundError, match="no images"):
        frames_from(str(tmp_path / "nothing-here"))
