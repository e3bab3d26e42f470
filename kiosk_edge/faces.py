"""Face verification at the kiosk (xác thực khuôn mặt) for high-legal-value procedures.

An SCRFD detector and an ArcFace recogniser run on ONNX Runtime (CPU) from files in
`MOTCUA_FACE_MODEL_DIR`; nothing is downloaded. The live face is compared 1:1 with the template taken
at submission; only a `FaceDecision` (score, matched, model id) leaves the kiosk, never an image or an
embedding, and templates are sealed at rest by `TemplateVault`.

Pre- and post-processing follow insightface 2.1 (`model_zoo.scrfd.SCRFD`, `model_zoo.arcface_onnx.ArcFaceONNX`,
`utils.face_align.norm_crop`) step for step, but are written out here: importing any insightface module
runs its package `__init__`, which imports scikit-image and SciPy (via `face_align`), requests and tqdm.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import msgspec
import numpy as np
import onnxruntime as ort
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk_edge.devices.ports import FaceConfig

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.35  # cosine similarity; insightface's usual cut-off for ArcFace w600k_r50
ARCFACE_DST = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]], np.float32
)  # 5 points in a 112x112 crop
_SCRFD_LEVELS = {9: ((8, 16, 32), 2), 15: ((8, 16, 32, 64, 128), 1)}  # outputs -> strides, anchors per cell
_SEALED_V1 = b"\x01"


class FaceError(Exception):
    """Base of every face verification error."""


class FaceModelError(FaceError):
    """A face model is missing, unreadable or has the wrong inputs/outputs."""


class NoFaceError(FaceError):
    """No face was found in the camera image."""


class MultipleFacesError(FaceError):
    """More than one face was found: verification needs the citizen alone in front of the camera."""


class TemplateError(FaceError):
    """A sealed template cannot be opened or does not fit the kiosk's model."""


class TemplateKeyError(TemplateError):
    """The template key is missing or is not 32 bytes of base64."""


class FaceDecision(msgspec.Struct, frozen=True):
    """The outcome of one 1:1 comparison: the only face data that leaves the kiosk."""

    score: float
    matched: bool
    model_id: str


@dataclass(frozen=True, eq=False)
class FaceTemplate:
    """A unit-length float32 embedding and the id of the model that made it; stays on the kiosk."""

    embedding: np.ndarray = field(repr=False)
    model_id: str


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One detection in image pixels: box (x1, y1, x2, y2), score and five landmarks (eyes, nose, mouth)."""

    box: np.ndarray = field(repr=False)
    score: float
    landmarks: np.ndarray = field(repr=False)


def _session(path: Path, role: str) -> ort.InferenceSession:
    if not path.is_file():
        raise FaceModelError(f"face {role} model not found: {path}")
    try:
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own untyped errors for bad files
        raise FaceModelError(f"face {role} model {path} cannot be loaded: {error}") from None


def _similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity transform src -> dst (Umeyama), as skimage's SimilarityTransform.estimate."""
    src_mean, dst_mean = src.mean(0), dst.mean(0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    u, s, vt = np.linalg.svd(dst_c.T @ src_c / len(src))
    d = np.array([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rotation = u @ np.diag(d) @ vt
    scale = (s * d).sum() / src_c.var(0).sum()
    return np.hstack([scale * rotation, (dst_mean - scale * rotation @ src_mean)[:, None]])


class FaceModels:
    """The detector and recogniser sessions, checked once at start-up."""

    def __init__(
        self,
        directory: str | Path,
        *,
        detection: str = "det.onnx",
        recognition: str = "rec.onnx",
        det_size: tuple[int, int] = (640, 640),
        det_threshold: float = 0.5,
        nms_threshold: float = 0.4,
    ):
        directory = Path(directory)
        if not directory.is_dir():
            raise FaceModelError(f"face model directory not found: {directory}")
        self._det, self._rec = (
            _session(directory / detection, "detection"),
            _session(directory / recognition, "recognition"),
        )
        self.det_threshold, self.nms_threshold = det_threshold, nms_threshold
        det_in, rec_in = self._det.get_inputs()[0], self._rec.get_inputs()[0]
        if len(det_in.shape) != 4 or det_in.shape[1] != 3:
            raise FaceModelError(f"detection model {detection} takes {det_in.shape}, expected [1, 3, H, W]")
        if len(self._det.get_outputs()) not in _SCRFD_LEVELS:
            raise FaceModelError(
                f"detection model {detection} has {len(self._det.get_outputs())} outputs, expected "
                "an SCRFD export with 5-point landmarks (9 or 15 outputs)"
            )
        fixed = [d for d in det_in.shape[2:] if isinstance(d, int) and d > 0]
        self.det_size = (det_in.shape[3], det_in.shape[2]) if len(fixed) == 2 else det_size
        if list(rec_in.shape[1:]) != [3, 112, 112]:
            raise FaceModelError(f"recognition model {recognition} takes {rec_in.shape}, expected [1, 3, 112, 112]")
        rec_out = self._rec.get_outputs()
        if len(rec_out) != 1 or len(rec_out[0].shape) != 2:
            raise FaceModelError(f"recognition model {recognition} must have one [1, D] embedding output")
        self.model_id = hashlib.sha256((directory / recognition).read_bytes()).hexdigest()[:16]
        self._det_input, self._rec_input = det_in.name, rec_in.name
        log.info("face models loaded from %s (recognition model %s)", directory, self.model_id)

    @classmethod
    def from_config(cls, config: FaceConfig) -> FaceModels:
        """Models from `MOTCUA_FACE_MODEL_DIR` (`MOTCUA_FACE_DET_MODEL`, `MOTCUA_FACE_REC_MODEL`,
        `MOTCUA_FACE_DET_SIZE`)."""
        if not config.model_dir:
            raise FaceModelError("MOTCUA_FACE_MODEL_DIR is not set")
        size = config.det_size
        return cls(config.model_dir, detection=config.det_model, recognition=config.rec_model, det_size=(size, size))

    def detect(self, image: np.ndarray) -> list[DetectedFace]:
        """Faces in a BGR image, best first (SCRFD: letterbox, decode anchor distances, NMS)."""
        width, height = self.det_size
        ratio = image.shape[0] / image.shape[1]
        new_h, new_w = (height, int(height / ratio)) if ratio > height / width else (int(width * ratio), width)
        scale = new_h / image.shape[0]
        canvas = np.zeros((height, width, 3), np.uint8)
        canvas[:new_h, :new_w] = cv2.resize(image, (new_w, new_h))
        blob = cv2.dnn.blobFromImage(canvas, 1 / 128, (width, height), (127.5, 127.5, 127.5), swapRB=True)
        outs = self._det.run(None, {self._det_input: blob})
        strides, anchors = _SCRFD_LEVELS[len(outs)]
        boxes, scores, points = [], [], []
        for i, stride in enumerate(strides):
            score = outs[i].reshape(-1)
            keep = score >= self.det_threshold
            grid = np.stack(list(np.mgrid[: height // stride, : width // stride][::-1]), -1).reshape(-1, 2) * stride
            centres = np.repeat(grid.astype(np.float32), anchors, axis=0)[keep]
            dist = outs[i + len(strides)].reshape(-1, 4)[keep] * stride
            boxes.append(np.hstack([centres - dist[:, :2], centres + dist[:, 2:]]) / scale)
            points.append((np.tile(centres, 5) + outs[i + 2 * len(strides)].reshape(-1, 10)[keep] * stride) / scale)
            scores.append(score[keep])
        box, score, kps = np.vstack(boxes), np.concatenate(scores), np.vstack(points).reshape(-1, 5, 2)
        xywh = np.hstack([box[:, :2], box[:, 2:] - box[:, :2]]).tolist()
        kept = cv2.dnn.NMSBoxes(xywh, score.tolist(), self.det_threshold, self.nms_threshold)
        order = sorted(np.asarray(kept, int).reshape(-1).tolist(), key=lambda j: -score[j])
        return [DetectedFace(box[j], float(score[j]), kps[j]) for j in order]

    def embed(self, image: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The unit-length embedding of one face (ArcFace: 5-point alignment to 112x112, (x-127.5)/127.5, RGB)."""
        crop = cv2.warpAffine(image, _similarity(face.landmarks, ARCFACE_DST), (112, 112), borderValue=0.0)
        blob = cv2.dnn.blobFromImage(crop, 1 / 127.5, (112, 112), (127.5, 127.5, 127.5), swapRB=True)
        vector = self._rec.run(None, {self._rec_input: blob})[0].reshape(-1).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        if not np.isfinite(norm) or norm == 0.0:
            raise FaceModelError(f"recognition model {self.model_id} returned an unusable embedding")
        return vector / norm


class FaceVerifier:
    """1:1 verification of the citizen at the kiosk against the template taken at submission."""

    def __init__(self, models: FaceModels, threshold: float = DEFAULT_THRESHOLD):
        if not -1.0 <= threshold <= 1.0:
            raise ValueError(f"face threshold must be a cosine similarity in [-1, 1], got {threshold}")
        self.models, self.threshold = models, threshold

    @classmethod
    def from_config(cls, config: FaceConfig) -> FaceVerifier:
        """A verifier on `FaceModels.from_config` with `MOTCUA_FACE_THRESHOLD`."""
        return cls(FaceModels.from_config(config), config.threshold)

    def enroll(self, image_bgr: np.ndarray) -> FaceTemplate:
        """The template of the only face in the image."""
        return FaceTemplate(self._embedding(image_bgr), self.models.model_id)

    def verify(self, live_image_bgr: np.ndarray, template: FaceTemplate) -> FaceDecision:
        """Compare the only face in the live image with the template."""
        if template.model_id != self.models.model_id:
            raise TemplateError(f"template was made by model {template.model_id}, kiosk runs {self.models.model_id}")
        score = float(np.dot(self._embedding(live_image_bgr), template.embedding))
        return FaceDecision(score=score, matched=score >= self.threshold, model_id=self.models.model_id)

    def _embedding(self, image: np.ndarray) -> np.ndarray:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an 8-bit BGR image, got shape {image.shape} of {image.dtype}")
        faces = self.models.detect(image)
        if not faces:
            raise NoFaceError("no face found in the camera image")
        if len(faces) > 1:
            raise MultipleFacesError(f"{len(faces)} faces found in the camera image; exactly one is needed")
        return self.models.embed(image, faces[0])


class TemplateVault:
    """Seals face templates at rest with AES-256-GCM, bound to a context such as `<kiosk>/<dossier code>`."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise TemplateKeyError(f"face template key must be 32 bytes, got {len(key)}")
        self._aead = AESGCM(key)

    @classmethod
    def from_config(cls, config: FaceConfig) -> TemplateVault:
        """The vault keyed by `MOTCUA_FACE_TEMPLATE_KEY` (base64 of 32 bytes)."""
        raw = config.template_key
        if not raw:
            raise TemplateKeyError("MOTCUA_FACE_TEMPLATE_KEY is not set")
        try:
            key = base64.b64decode(raw, validate=True)
        except binascii.Error:
            raise TemplateKeyError("MOTCUA_FACE_TEMPLATE_KEY is not valid base64") from None
        return cls(key)

    def seal(self, template: FaceTemplate, context: str) -> bytes:
        """Version byte, 12-byte random nonce, then ciphertext of model id + NUL + little-endian float32s."""
        nonce = os.urandom(12)
        payload = template.model_id.encode("ascii") + b"\0" + template.embedding.astype("<f4").tobytes()
        return _SEALED_V1 + nonce + self._aead.encrypt(nonce, payload, _aad(context))

    def open(self, blob: bytes, context: str) -> FaceTemplate:
        """The template sealed under this context; a changed blob or another context is refused."""
        if blob[:1] != _SEALED_V1 or len(blob) < 1 + 12 + 16:
            raise TemplateError("not a sealed face template (unknown version or truncated)")
        try:
            payload = self._aead.decrypt(blob[1:13], blob[13:], _aad(context))
        except InvalidTag:
            raise TemplateError(
                "sealed face template failed authentication: altered, or sealed for "
                "another kiosk/dossier, or under another key"
            ) from None
        model_id, _, raw = payload.partition(b"\0")
        return FaceTemplate(np.frombuffer(raw, "<f4").astype(np.float32), model_id.decode("ascii"))


def _aad(context: str) -> bytes:
    if not context:
        raise ValueError("a face template context (kiosk id / dossier code) is required")
    return b"motcua/face-template" + _SEALED_V1 + context.encode("utf-8")


class ImageEmbedder:
    """[14] The counter's face enrolment: one photo (JPEG/PNG bytes) to (embedding, model id); the photo is dropped.
    The core wires it through its FaceEmbedder port (api/__main__.py), so the same models serve kiosk and counter."""

    def __init__(self, verifier: FaceVerifier) -> None:
        self.verifier = verifier

    def embed(self, image: bytes) -> tuple[list[float], str]:
        """NoFaceError, MultipleFacesError or ValueError (not an image) when the photo cannot give a template."""
        decoded = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR) if image else None
        if decoded is None:
            raise ValueError("the photo is not a JPEG or PNG image")
        template = self.verifier.enroll(decoded)
        return [float(x) for x in template.embedding], template.model_id
