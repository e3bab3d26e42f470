"""Kiosk face verification through the real ONNX Runtime path, on tiny generated SCRFD/ArcFace-format models."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import msgspec
import numpy as np
import pytest

from infrastructure.settings import FaceSettings, Settings
from kiosk_edge.faces import (
    DEFAULT_THRESHOLD,
    FaceDecision,
    FaceModelError,
    FaceModels,
    FaceTemplate,
    FaceVerifier,
    MultipleFacesError,
    NoFaceError,
    TemplateError,
    TemplateKeyError,
    TemplateVault,
)
from tests.face_models import build_detection_model, build_recognition_model, scene

CENTRE = (320, 240)
KEY = base64.b64encode(bytes(range(32))).decode()


def faces(environ: dict[str, str]) -> FaceSettings:
    """The face settings these variables give, as the kiosk's entry point reads them."""
    return Settings.from_env(environ).kiosk.faces


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("face-models")
    build_detection_model(directory / "det.onnx")
    build_recognition_model(directory / "rec.onnx")
    return directory


@pytest.fixture(scope="module")
def models(model_dir: Path) -> FaceModels:
    return FaceModels(model_dir)


@pytest.fixture(scope="module")
def verifier(models: FaceModels) -> FaceVerifier:
    return FaceVerifier(models)


def face_of(person: int, shift: tuple[int, int] = (0, 0), brightness: float = 0.0, seed: int = 0) -> np.ndarray:
    return scene([(person, (CENTRE[0] + shift[0], CENTRE[1] + shift[1]))], brightness=brightness, seed=seed)


@pytest.mark.parametrize("person", [1, 2, 3, 4])
@pytest.mark.parametrize(("shift", "brightness"), [((9, -6), 20.0), ((-25, 15), -12.0)])
def test_the_same_person_moved_and_under_other_light_is_matched(verifier, person, shift, brightness) -> None:
    template = verifier.enroll(face_of(person))
    decision = verifier.verify(face_of(person, shift, brightness, seed=7), template)
    assert decision.matched and decision.score > DEFAULT_THRESHOLD + 0.3


@pytest.mark.parametrize(("enrolled", "live"), [(1, 2), (2, 3), (3, 4), (4, 1), (5, 6), (7, 8)])
def test_a_different_person_is_not_matched(verifier, enrolled, live) -> None:
    decision = verifier.verify(face_of(live, (5, 5), seed=3), verifier.enroll(face_of(enrolled)))
    assert not decision.matched and decision.score < DEFAULT_THRESHOLD


def test_the_model_id_is_the_start_of_the_recognition_model_hash(model_dir, verifier) -> None:
    decision = verifier.verify(face_of(1, seed=1), verifier.enroll(face_of(1)))
    assert decision.model_id == hashlib.sha256((model_dir / "rec.onnx").read_bytes()).hexdigest()[:16]


def test_the_threshold_decides_and_comes_from_the_environment(model_dir, models, verifier) -> None:
    template = verifier.enroll(face_of(2))
    score = verifier.verify(face_of(2, (9, -6), 20.0), template).score
    assert (
        not FaceVerifier(models, threshold=min(1.0, score + 0.001)).verify(face_of(2, (9, -6), 20.0), template).matched
    )
    configured = FaceVerifier.from_config(
        faces({"MOTCUA_FACE_MODEL_DIR": str(model_dir), "MOTCUA_FACE_THRESHOLD": "0.6"})
    )
    assert configured.threshold == 0.6
    assert FaceVerifier.from_config(faces({"MOTCUA_FACE_MODEL_DIR": str(model_dir)})).threshold == DEFAULT_THRESHOLD
    for bad in ("high", "1.5"):
        with pytest.raises(ValueError):
            FaceVerifier.from_config(faces({"MOTCUA_FACE_MODEL_DIR": str(model_dir), "MOTCUA_FACE_THRESHOLD": bad}))


def test_missing_models_are_named(model_dir, tmp_path) -> None:
    with pytest.raises(FaceModelError, match="MOTCUA_FACE_MODEL_DIR"):
        FaceModels.from_config(faces({}))
    with pytest.raises(FaceModelError, match="directory not found: .*nowhere"):
        FaceModels(tmp_path / "nowhere")
    with pytest.raises(FaceModelError, match="detection model not found: .*scrfd.onnx"):
        FaceModels(model_dir, detection="scrfd.onnx")
    with pytest.raises(FaceModelError, match="recognition model not found: .*w600k.onnx"):
        FaceModels.from_config(faces({"MOTCUA_FACE_MODEL_DIR": str(model_dir), "MOTCUA_FACE_REC_MODEL": "w600k.onnx"}))


def test_models_of_the_wrong_shape_or_format_are_refused(model_dir, tmp_path) -> None:
    build_recognition_model(tmp_path / "rec64.onnx", input_size=64)
    build_detection_model(tmp_path / "noland.onnx", landmarks=False)
    (tmp_path / "broken.onnx").write_bytes(b"not an onnx model")
    for name in ("det.onnx", "rec.onnx"):
        (tmp_path / name).write_bytes((model_dir / name).read_bytes())
    with pytest.raises(FaceModelError, match=r"rec64.onnx takes \[1, 3, 64, 64\], expected \[1, 3, 112, 112\]"):
        FaceModels(tmp_path, recognition="rec64.onnx")
    with pytest.raises(FaceModelError, match="noland.onnx has 6 outputs"):
        FaceModels(tmp_path, detection="noland.onnx")
    with pytest.raises(FaceModelError, match="broken.onnx cannot be loaded"):
        FaceModels(tmp_path, recognition="broken.onnx")


def test_a_detector_with_a_free_input_size_runs_at_the_configured_size(model_dir, tmp_path, verifier) -> None:
    build_detection_model(tmp_path / "det.onnx", size=None)
    (tmp_path / "rec.onnx").write_bytes((model_dir / "rec.onnx").read_bytes())
    models = FaceModels.from_config(faces({"MOTCUA_FACE_MODEL_DIR": str(tmp_path), "MOTCUA_FACE_DET_SIZE": "320"}))
    assert models.det_size == (320, 320)
    assert FaceVerifier(models).verify(face_of(3, (4, 4)), verifier.enroll(face_of(3))).matched


def test_an_image_without_a_face_is_an_error_not_a_decision(verifier) -> None:
    template = verifier.enroll(face_of(1))
    with pytest.raises(NoFaceError):
        verifier.verify(scene([]), template)
    with pytest.raises(NoFaceError):
        verifier.enroll(scene([], brightness=-30))


def test_two_faces_in_the_image_are_an_error_not_a_decision(verifier) -> None:
    pair = scene([(1, (170, 240)), (2, (470, 240))])
    with pytest.raises(MultipleFacesError, match="2 faces"):
        verifier.verify(pair, verifier.enroll(face_of(1)))
    with pytest.raises(MultipleFacesError):
        verifier.enroll(pair)


def test_a_template_of_another_model_is_refused(verifier) -> None:
    with pytest.raises(TemplateError, match="made by model 0000000000000000"):
        verifier.verify(face_of(1), FaceTemplate(np.ones(512, np.float32) / np.sqrt(512), "0" * 16))


def test_the_decision_carries_only_score_match_and_model(verifier) -> None:
    decision = verifier.verify(face_of(1, seed=5), verifier.enroll(face_of(1)))
    assert FaceDecision.__struct_fields__ == ("score", "matched", "model_id")
    assert set(msgspec.json.decode(msgspec.json.encode(decision))) == {"score", "matched", "model_id"}


def test_an_enrolled_template_is_a_unit_vector_that_its_repr_hides(verifier) -> None:
    template = verifier.enroll(face_of(4))
    assert template.embedding.dtype == np.float32 and abs(float(np.linalg.norm(template.embedding)) - 1) < 1e-5
    assert "embedding" not in repr(template) and str(template.embedding[0])[:6] not in repr(template)


def test_a_sealed_template_opens_only_in_its_own_context(verifier) -> None:
    vault = TemplateVault.from_config(faces({"MOTCUA_FACE_TEMPLATE_KEY": KEY}))
    template = verifier.enroll(face_of(2))
    blob = vault.seal(template, "KIOSK-Q6-01/H29.06-260520-0001")
    assert template.embedding.tobytes() not in blob
    opened = vault.open(blob, "KIOSK-Q6-01/H29.06-260520-0001")
    assert np.array_equal(opened.embedding, template.embedding) and opened.model_id == template.model_id
    assert verifier.verify(face_of(2, (6, 3), 10.0), opened).matched
    with pytest.raises(TemplateError, match="authentication"):
        vault.open(blob, "KIOSK-Q6-01/H29.06-260520-0002")
    with pytest.raises(TemplateError, match="authentication"):
        TemplateVault(os.urandom(32)).open(blob, "KIOSK-Q6-01/H29.06-260520-0001")


@pytest.mark.parametrize("position", [1, 12, 40, -1])  # nonce, start and middle of the ciphertext, tag
def test_a_tampered_template_is_refused(verifier, position) -> None:
    vault = TemplateVault(bytes(range(32)))
    blob = bytearray(vault.seal(verifier.enroll(face_of(3)), "KIOSK-Q6-01/H29.06-260520-0003"))
    blob[position] ^= 0x01
    with pytest.raises(TemplateError):
        vault.open(bytes(blob), "KIOSK-Q6-01/H29.06-260520-0003")
    with pytest.raises(TemplateError, match="truncated"):
        vault.open(bytes(blob[:20]), "KIOSK-Q6-01/H29.06-260520-0003")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "is not set"),
        ({"MOTCUA_FACE_TEMPLATE_KEY": "***"}, "not valid base64"),
        ({"MOTCUA_FACE_TEMPLATE_KEY": base64.b64encode(b"k" * 16).decode()}, "must be 32 bytes, got 16"),
    ],
)
def test_a_missing_or_malformed_template_key_is_refused(environ, message) -> None:
    with pytest.raises(TemplateKeyError, match=message):
        TemplateVault.from_config(faces(environ))


@pytest.mark.filterwarnings("ignore::FutureWarning")  # skimage deprecations inside insightface
def test_detection_and_embedding_agree_with_insightface(model_dir, models) -> None:
    """The generated files load in insightface's own SCRFD and ArcFaceONNX, which give our numbers."""
    from insightface.model_zoo.arcface_onnx import ArcFaceONNX  # installed by `make test` (--no-deps)
    from insightface.model_zoo.scrfd import SCRFD

    image = face_of(5, (-17, 11))
    detector = SCRFD(str(model_dir / "det.onnx"))
    boxes, landmarks = detector.detect(image)
    ours = models.detect(image)
    assert len(boxes) == len(ours) == 1
    np.testing.assert_allclose(boxes[0, :4], ours[0].box, atol=1e-3)
    np.testing.assert_allclose(landmarks[0], ours[0].landmarks, atol=1e-3)
    face = type("Face", (), {"kps": landmarks[0]})()
    theirs = ArcFaceONNX(str(model_dir / "rec.onnx")).get(image, face)
    np.testing.assert_allclose(theirs / np.linalg.norm(theirs), models.embed(image, ours[0]), atol=1e-4)
