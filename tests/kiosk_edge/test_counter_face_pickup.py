"""[14] A high-legal-value result received at the counter, picked up at a kiosk with the real face step: the entry point
wires the face models of MOTCUA_FACE_MODEL_DIR into the core, the counter's photo becomes a template, the core lends it
with the pickup ticket to the kiosk serving that pickup, and the kiosk's camera compares the holder with it — through
the real ONNX Runtime path on the tiny generated models of tests/face_models.py."""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import pytest
from litestar.testing import TestClient

from api.__main__ import counter_faces
from application.card_returns import FaceImageError
from infrastructure.settings import Settings, SettingsError
from kiosk_edge.devices.camera import model_camera
from kiosk_edge.devices.log import DeviceLog
from kiosk_edge.devices.ports import LentTemplate
from kiosk_edge.devices.simulated import SimulatedKiosk
from kiosk_edge.faces import FaceModels
from kiosk_edge.flow import KioskFlow
from kiosk_edge.outbox import Outbox
from tests.api.test_kiosk_api import KIOSK, STAFF, client  # noqa: F401
from tests.application.test_kiosk_day import process
from tests.face_models import build_detection_model, build_recognition_model, scene
from tests.kiosk_edge.test_flow_and_devices import ANSWERS, CODE, FACE, ScriptedCore
from tests.kiosk_support import Citizen

KEY = base64.b64encode(bytes(range(32))).decode()
FOREIGN_BIRTH = "2.000528.000.00.00.H29"  # khai sinh có yếu tố nước ngoài: high legal value


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("face-models")
    build_detection_model(directory / "det.onnx")
    build_recognition_model(directory / "rec.onnx")
    return directory


def face_settings(model_dir: Path | str) -> Settings:
    return Settings.from_env(
        {"MOTCUA_FACE_MODEL_DIR": str(model_dir), "MOTCUA_FACE_TEMPLATE_KEY": KEY, "MOTCUA_FACE_CAMERA": "0"}
    )


def photo(*people: int, seed: int = 0) -> bytes:
    """A PNG from the counter's webcam with these people in it, side by side."""
    image = scene([(person, (200 + 240 * i, 240)) for i, person in enumerate(people)], seed=seed)
    return cv2.imencode(".png", image)[1].tobytes()


def test_the_entry_point_gives_the_core_the_kiosks_face_models_only_when_they_are_configured(
    model_dir: Path, tmp_path: Path
) -> None:
    assert counter_faces(Settings.from_env({})) is None  # build() then refuses photos: "no face model"
    # A wrong folder stops the start (a settings error: API workers stop instead of restarting) instead of failing
    # at the counter.
    with pytest.raises(SettingsError, match="MOTCUA_FACE_MODEL_DIR: face model directory not found"):
        counter_faces(face_settings(tmp_path / "nothing-here"))
    faces = counter_faces(face_settings(model_dir))
    assert faces is not None
    embedding, model_id = faces.embed(photo(3))
    assert model_id == FaceModels(model_dir).model_id and len(embedding) == 512  # what the kiosks run
    for no_single_face in (photo(), photo(3, 5), b"not a picture"):
        with pytest.raises(FaceImageError) as refused:
            faces.embed(no_single_face)
        assert refused.value.code == "face_image_refused"


def test_the_counters_template_is_lent_to_the_kiosk_serving_the_pickup_and_its_camera_checks_the_holder(
    client: TestClient,  # noqa: F811
    system,
    model_dir: Path,
    tmp_path: Path,
) -> None:
    settings = face_settings(model_dir)
    system.card_returns.faces = counter_faces(settings)  # as api/__main__.py builds the System
    holder = Citizen(3)
    applicant = {"id_number": holder.id_number, "name": holder.name, "phone": holder.phone}
    body = {"procedure_code": FOREIGN_BIRTH, "channel": "counter", "applicant": applicant, "components": []}
    code = client.post("/dossiers", json=body).json()["code"]
    refused = client.post(f"/dossiers/{code}/face-template", json={"image": base64.b64encode(photo()).decode()})
    assert refused.status_code == 422 and refused.json()["error"] == "face_image_refused"
    enrolled = client.post(f"/dossiers/{code}/face-template", json={"image": base64.b64encode(photo(3)).decode()})
    assert enrolled.status_code == 201, enrolled.text
    process(system.dossiers, [code], system.catalogue)
    assert client.post("/kiosks/Q6-01/loads", json={"codes": [code]}, headers=STAFF).json()["loaded"]

    ticket = client.post(
        "/kiosks/Q6-01/pickups/receipt", json={"id_number": holder.id_number, "code": code}, headers=KIOSK
    ).json()
    lent = ticket["face_template"]
    assert ticket["face_required"] and lent["model_id"] == FaceModels(model_dir).model_id
    log = DeviceLog("Q6-01", Outbox(tmp_path / "outbox.sqlite3", prefix="kiosk"))
    camera = model_camera("Q6-01", settings.kiosk.faces, tmp_path / "faces", log)
    assert camera is not None
    template = LentTemplate(lent["embedding"], lent["model_id"])
    camera.frames = lambda: scene([(5, (330, 250))], seed=4)  # someone else
    assert camera.verify(code, template)[1] is False
    assert camera.verify(code)[1] is False  # nothing lent, nothing taken here: no match
    camera.frames = lambda: scene([(3, (310, 236))], seed=9)  # the holder, at the kiosk's camera
    score, matched, model_id = camera.verify(code, template)
    assert matched and score >= camera.verifier.threshold
    assert camera.verify(code, LentTemplate(lent["embedding"], "another-model"))[1] is False
    assert not list((tmp_path / "faces").iterdir())  # a lent template is never written at the kiosk
    face = {"score": score, "matched": matched, "model_id": model_id}
    released = client.post(
        "/kiosks/Q6-01/pickups/release",
        json={"code": code, "ticket": ticket["token"], "method": "cccd_and_receipt", "face": face},
        headers=KIOSK,
    )
    assert released.status_code == 201, released.text
    assert system.dossiers.get_dossier(code).status == "delivered"


class Camera:
    """Records what the flow gives the camera at the face step."""

    def __init__(self) -> None:
        self.lent: list[LentTemplate | None] = []

    def verify(self, dossier_code: str, lent: LentTemplate | None = None) -> tuple[float, bool, str]:
        self.lent.append(lent)
        return 0.9, True, "m"

    def forget(self, dossier_code: str) -> None:
        """Nothing is kept."""


class LendingCore(ScriptedCore):
    """The scripted core whose pickup ticket lends a counter template."""

    def pickup_by_receipt(self, id_number: str, code: str) -> dict:
        lent = {"embedding": [0.5] * 16, "model_id": "m"}
        return {**ANSWERS["pickup_by_receipt"], "face_required": True, "face_template": lent}


def test_the_flow_hands_the_lent_template_to_the_camera_and_drops_it_with_the_session(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    devices = SimulatedKiosk(DeviceLog("Q6-01", outbox), tray_count=90)
    devices.camera = camera = Camera()  # type: ignore[assignment]
    flow = KioskFlow("Q6-01", LendingCore(), devices, [FACE], release_wait=0.0)
    flow.begin("pickup")
    flow.choose_pickup(by_otp=False)
    flow.pickup_by_receipt("079195000101", CODE)
    assert flow.state.screen.value == "pickup_face" and "0.5" not in repr(flow.citizen)
    flow.face_presented()
    assert camera.lent == [LentTemplate([0.5] * 16, "m")]
    assert flow.state.screen.value == "tray_open" and flow.citizen.lent_face is not None
    flow.tray_closed()
    flow.rate(level="satisfied")
    flow.finish()
    assert flow.state.screen.value == "home" and flow.citizen.lent_face is None
    outbox.close()
