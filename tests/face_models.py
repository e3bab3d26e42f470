"""Tiny stand-ins for the kiosk face models, built with `onnx.helper`, and synthetic faces for them.

`build_detection_model` writes an ONNX graph with the exact signature of an insightface SCRFD detector
(`det_10g.onnx`: input `1x3xHxW`; nine outputs `score_8/16/32 (N,1)`, `bbox_8/16/32 (N,4)`,
`kps_8/16/32 (N,10)`, two anchors per cell, distances in stride units). Instead of a trained network it
thresholds brightness into a "skin" mask and, at stride 32, takes window moments of that mask: the mask's
centroid and area give the box and five landmarks (its spread rejects windows straddling two faces), so
the real decoder (anchors, distances, NMS, alignment) runs unchanged. Strides 8 and 16 never fire.

`build_recognition_model` writes an ArcFace-shaped graph (`1x3x112x112` -> `1xD`) that projects what
sets a face apart from the mean face (marks, eyes, brows, mouth) with a fixed random conv + Gemm.
Both load in insightface's own `SCRFD` and `ArcFaceONNX` classes (see the cross-check test).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ARCFACE_DST = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]], np.float32
)
ALIGNED_CENTRE, ALIGNED_RADIUS = np.array([56.0, 62.0], np.float32), 36.0
LANDMARKS = (ARCFACE_DST - ALIGNED_CENTRE) / ALIGNED_RADIUS  # in units of the face's half-width
ASPECT = 1.25  # face height / width the detector assumes when it turns an area into a half-width
_MASK_LEVEL, _MASK_GAIN = 110.0, 8.0  # grey level where "skin" starts; steepness of the mask edge
_WINDOW = 72  # half-size of the moment window at stride 32, in detector pixels
_SIGMA, _MIN_AREA, _AREA_GAIN, _LONE_GAIN = 24.0, 1000.0, 4.0, 10.0
OPSET = [helper.make_opsetid("", 17)]


def _const(name: str, value: np.ndarray | float) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(value, np.float32), name)


def _save(path: Path, nodes: list, inputs: list, outputs: list, inits: list) -> Path:
    model = helper.make_model(helper.make_graph(nodes, path.stem, inputs, outputs, inits), opset_imports=OPSET)
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _per_anchor(nodes: list, inits: list, src: str, out: str, width: int) -> None:
    """(1,C,h,w) map -> (h*w*2, C) rows, cell-major with two anchors per cell, as SCRFD exports them."""
    inits += [
        helper.make_tensor(f"{out}_s1", TensorProto.INT64, [3], [-1, 1, width]),
        helper.make_tensor(f"{out}_s2", TensorProto.INT64, [2], [-1, width]),
    ]
    nodes += [
        helper.make_node("Transpose", [src], [f"{out}_t"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", [f"{out}_t", f"{out}_s1"], [f"{out}_r"]),
        helper.make_node("Concat", [f"{out}_r", f"{out}_r"], [f"{out}_c"], axis=1),
        helper.make_node("Reshape", [f"{out}_c", f"{out}_s2"], [out]),
    ]


def build_detection_model(path: Path, *, size: tuple[int, int] | None = (320, 320), landmarks: bool = True) -> Path:
    """An SCRFD-format detector (`size` = width, height; None = dynamic input)."""
    k, t = _MASK_GAIN, (_MASK_LEVEL - 127.5) / 128.0
    offsets = np.arange(-_WINDOW, _WINDOW + 1, dtype=np.float32)
    x, y = np.meshgrid(offsets, offsets)
    window = np.stack([np.ones_like(x), x, y, x * x, y * y])[:, None]  # mask moments around each anchor
    # Box and landmarks are linear in (dx, dy, half-width), in stride-32 units.
    bbox = np.array([[-1, 0, 1], [0, -1, ASPECT], [1, 0, 1], [0, 1, ASPECT]], np.float32) / 32
    kps = (
        np.array(
            [[1, 0, LANDMARKS[i // 2, i % 2]] if i % 2 == 0 else [0, 1, LANDMARKS[i // 2, 1]] for i in range(10)],
            np.float32,
        )
        / 32
    )
    inits = [
        _const("grey_w", np.full((1, 3, 1, 1), k / 3)),
        _const("grey_b", [-k * t]),
        _const("zero", 0.0),
        _const("one", 1.0),
        _const("window", window),
        _const("eps", 1e-3),
        _const("area_to_a2", 1 / (np.pi * ASPECT)),
        _const("gauss", -1 / (2 * _SIGMA**2)),
        _const("area_gain", _AREA_GAIN / _MIN_AREA),
        _const("area_bias", -_AREA_GAIN),
        _const("bbox_w", bbox[:, :, None, None]),
        _const("kps_w", kps[:, :, None, None]),
        _const("spread", (1 + ASPECT**2) / 4),
        _const("lone_gain", -_LONE_GAIN),
        _const("lone_bias", 1.5 * _LONE_GAIN),
        helper.make_tensor("split", TensorProto.INT64, [5], [1] * 5),
    ]
    nodes = [
        helper.make_node("Conv", ["input.1", "grey_w", "grey_b"], ["grey"]),
        helper.make_node("Clip", ["grey", "zero", "one"], ["mask"]),
        helper.make_node("Conv", ["mask", "window"], ["moments"], strides=[32, 32], pads=[_WINDOW] * 4),
        helper.make_node("Split", ["moments", "split"], ["m0", "mx", "my", "mxx", "myy"], axis=1),
        helper.make_node("Add", ["m0", "eps"], ["m0e"]),
        helper.make_node("Div", ["mx", "m0e"], ["dx"]),
        helper.make_node("Div", ["my", "m0e"], ["dy"]),
        helper.make_node("Mul", ["m0", "area_to_a2"], ["a2"]),
        helper.make_node("Sqrt", ["a2"], ["a"]),
        helper.make_node("Mul", ["dx", "dx"], ["dx2"]),
        helper.make_node("Mul", ["dy", "dy"], ["dy2"]),
        helper.make_node("Add", ["dx2", "dy2"], ["d2"]),
        helper.make_node("Mul", ["d2", "gauss"], ["g0"]),
        helper.make_node("Exp", ["g0"], ["near"]),
        helper.make_node("Mul", ["m0", "area_gain"], ["p0"]),
        helper.make_node("Add", ["p0", "area_bias"], ["p1"]),
        helper.make_node("Sigmoid", ["p1"], ["big"]),
        helper.make_node("Mul", ["near", "big"], ["s0"]),
        # A window holding parts of two faces has a centroid in a gap: its spread is far above one face's.
        helper.make_node("Add", ["mxx", "myy"], ["m2"]),
        helper.make_node("Div", ["m2", "m0e"], ["e2"]),
        helper.make_node("Sub", ["e2", "d2"], ["var"]),
        helper.make_node("Mul", ["a2", "spread"], ["v0"]),
        helper.make_node("Add", ["v0", "eps"], ["v1"]),
        helper.make_node("Div", ["var", "v1"], ["q"]),
        helper.make_node("Mul", ["q", "lone_gain"], ["q1"]),
        helper.make_node("Add", ["q1", "lone_bias"], ["q2"]),
        helper.make_node("Sigmoid", ["q2"], ["lone"]),
        helper.make_node("Mul", ["s0", "lone"], ["score32"]),
        helper.make_node("Concat", ["dx", "dy", "a"], ["geo"], axis=1),
        helper.make_node("Conv", ["geo", "bbox_w"], ["bbox32"]),
        helper.make_node("Conv", ["geo", "kps_w"], ["kps32"]),
    ]
    kinds = [("score", 1), ("bbox", 4)] + ([("kps", 10)] if landmarks else [])
    for kind, width in kinds:
        for stride in (8, 16):  # the real model's finer levels; here they never fire
            inits.append(_const(f"{kind}{stride}_w", np.zeros((width, 1, 1, 1))))
            nodes.append(
                helper.make_node("Conv", ["mask", f"{kind}{stride}_w"], [f"{kind}{stride}"], strides=[stride] * 2)
            )
        for stride in (8, 16, 32):
            _per_anchor(nodes, inits, f"{kind}{stride}", f"{kind}_{stride}", width)
    dims = [1, 3, size[1], size[0]] if size else [1, 3, "H", "W"]
    inputs = [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, dims)]
    outputs = [
        helper.make_tensor_value_info(
            f"{kind}_{stride}", TensorProto.FLOAT, [size[0] * size[1] // stride**2 * 2 if size else f"n{stride}", width]
        )
        for kind, width in kinds
        for stride in (8, 16, 32)
    ]
    return _save(path, nodes, inputs, outputs, inits)


def draw_face(canvas: np.ndarray, centre: tuple[float, float], half_width: float, person: int) -> None:
    """Draw person `person`'s synthetic face: the same number always gives the same face."""
    rng, a = np.random.default_rng(person), half_width
    cx, cy = centre
    b = a * rng.uniform(1.15, 1.35)
    skin = tuple(float(v) for v in rng.uniform([150, 170, 195], [200, 215, 240]))
    cv2.ellipse(canvas, (round(cx), round(cy)), (round(a), round(b)), 0, 0, 360, skin, -1, cv2.LINE_AA)
    dark = tuple(float(v) for v in rng.uniform(20, 70, 3))
    eye_x, eye_y = a * rng.uniform(0.36, 0.56), cy - a * rng.uniform(0.2, 0.38)
    eye = (round(a * rng.uniform(0.1, 0.2)), round(a * rng.uniform(0.05, 0.12)))
    brow, tilt = a * rng.uniform(0.12, 0.25), rng.uniform(-12, 12)
    for side in (-1, 1):
        cv2.ellipse(canvas, (round(cx + side * eye_x), round(eye_y)), eye, 0, 0, 360, dark, -1, cv2.LINE_AA)
        cv2.ellipse(
            canvas,
            (round(cx + side * eye_x), round(eye_y - brow)),
            (eye[0] + 3, 2),
            side * tilt,
            0,
            360,
            dark,
            int(rng.integers(2, 6)),
            cv2.LINE_AA,
        )
    nose = round(cy + a * rng.uniform(0.15, 0.35))
    cv2.line(canvas, (round(cx), round(eye_y)), (round(cx), nose), dark, int(rng.integers(1, 4)), cv2.LINE_AA)
    mouth = (round(a * rng.uniform(0.25, 0.55)), round(a * rng.uniform(0.05, 0.25)))
    cv2.ellipse(
        canvas,
        (round(cx), round(cy + a * rng.uniform(0.55, 0.8))),
        mouth,
        0,
        0,
        180,
        dark,
        int(rng.integers(2, 6)),
        cv2.LINE_AA,
    )
    for _ in range(int(rng.integers(6, 13))):  # moles and freckles: the most personal marks
        spot = (round(cx + a * rng.uniform(-0.7, 0.7)), round(cy + b * rng.uniform(-0.7, 0.7)))
        cv2.circle(canvas, spot, round(a * rng.uniform(0.03, 0.08)), dark, -1, cv2.LINE_AA)


def scene(
    faces: list[tuple[int, tuple[float, float]]],
    *,
    half_width: float = 70.0,
    brightness: float = 0.0,
    size: tuple[int, int] = (640, 480),
    seed: int = 0,
) -> np.ndarray:
    """A BGR kiosk camera frame: dim background with sensor noise and the given (person, centre) faces."""
    rng = np.random.default_rng(seed)
    frame = np.full((size[1], size[0], 3), 45.0, np.float32)
    frame += np.linspace(0, 20, size[0], dtype=np.float32)[None, :, None]
    for person, centre in faces:
        draw_face(frame, centre, half_width, person)
    frame += brightness + rng.normal(0, 3, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def _mean_face(input_size: int, people: range) -> np.ndarray:
    """The average normalised input (RGB, (x-127.5)/127.5, NCHW) of many aligned synthetic faces."""
    scale, total = input_size / 112, np.zeros((3, input_size, input_size), np.float32)
    for person in people:
        crop = np.full((input_size, input_size, 3), 45.0, np.float32)
        draw_face(crop, tuple(ALIGNED_CENTRE * scale), ALIGNED_RADIUS * scale, person)
        total += (crop[:, :, ::-1].transpose(2, 0, 1) - 127.5) / 127.5
    return (total / len(people))[None]


def _inner_face(input_size: int) -> np.ndarray:
    """1 inside the face, 0 on its outline and beyond: the outline is the same for everyone."""
    scale = input_size / 112
    y, x = np.mgrid[:input_size, :input_size] / scale
    a = 0.85 * ALIGNED_RADIUS
    return (((x - ALIGNED_CENTRE[0]) / a) ** 2 + ((y - ALIGNED_CENTRE[1]) / (a * ASPECT)) ** 2 <= 1)[None, None]


def build_recognition_model(path: Path, *, input_size: int = 112, dim: int = 512, seed: int = 7) -> Path:
    """An ArcFace-format recogniser: `1x3xSxS` float (S = `input_size`) -> `1x{dim}` embedding.

    Face minus mean face, minus its 5x5 local average (drops skin tone and lighting), inner face only,
    then a fixed random 8x8/8 convolution and a fixed random Gemm: a random projection preserves
    cosine similarity, so the score reflects how alike the marks of two faces are.
    """
    rng = np.random.default_rng(seed)
    cells = input_size // 8
    inits = [
        _const("mean_face", _mean_face(input_size, range(1000, 1064))),
        _const("inner", _inner_face(input_size)),
        _const("conv_w", rng.normal(0, 1 / 8, (16, 3, 8, 8))),
        _const("fc_w", rng.normal(0, 1 / np.sqrt(16 * cells * cells), (16 * cells * cells, dim))),
        helper.make_tensor("flat", TensorProto.INT64, [2], [1, -1]),
    ]
    nodes = [
        helper.make_node("Sub", ["input.1", "mean_face"], ["residual"]),
        helper.make_node("AveragePool", ["residual"], ["local"], kernel_shape=[5, 5], pads=[2] * 4),
        helper.make_node("Sub", ["residual", "local"], ["detail"]),
        helper.make_node("Mul", ["detail", "inner"], ["marks"]),
        helper.make_node("Conv", ["marks", "conv_w"], ["features"], strides=[8, 8]),
        helper.make_node("Reshape", ["features", "flat"], ["flat_features"]),
        helper.make_node("Gemm", ["flat_features", "fc_w"], ["embedding"]),
    ]
    inputs = [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, input_size, input_size])]
    outputs = [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, dim])]
    return _save(path, nodes, inputs, outputs, inits)
