"""Hard kiosk camera frames, made independently of the generator the reader is tuned on (synthetic.py).

A label (bench/hard_symbols.py) lies on an envelope or card, bent over a cylinder (a bulging envelope, a curved
tray), seen by a pinhole camera from a tilted pose at any in-plane angle; the camera adds defocus (a disc),
motion blur, vignetting, dim light with shot and read noise, specular glare spots and low-quality JPEG, in colour.

    frame, expected, conditions = hard_sample(seed)

Same seed, same frame. `TUNING_SEEDS` may be looked at while improving the reader; the benchmark figure is
taken on `HELD_OUT_SEEDS`, which nobody tunes on. Legibility limits keep every frame readable in principle:
module width at least 1.2 px where the label is narrowest, and blur across the bars (defocus, motion and
pixel footprint together) at most ~0.5 module for Code 128 and ~0.55 for QR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from bench import hard_symbols as hs
from kiosk_edge.readers import Symbol

FRAME = (720, 1280)  # rows, columns
FOCAL = 1000.0  # px: about 65° across a 720p frame
TUNING_SEEDS = range(0, 1_000_000)
HELD_OUT_SEEDS = range(1_000_000, 2_000_000)


@dataclass
class Conditions:
    """What was drawn for one frame (printed by the benchmark for failures)."""

    kind: str
    encoder: str
    module_px: float
    angle: float
    tilt: tuple[float, float]
    bend: float  # cylinder curvature in 1/modules (0 flat)
    defocus: float
    motion: tuple[float, float]
    light: float
    glare: int
    jpeg: int
    extras: dict[str, float | str] = field(default_factory=dict)


def hard_sample(seed: int) -> tuple[np.ndarray, Symbol, Conditions]:
    """A BGR 1280x720 frame with one symbol, the symbol it must read as, and the conditions drawn."""
    rng = np.random.default_rng(seed)
    if rng.random() < 0.5:
        payload = hs.envelope_barcode(rng) if rng.random() < 0.65 else hs.dossier_code(rng)
        label, expected, encoder, anchor = _barcode_label(rng, payload)
    else:
        payload = hs.cccd_payload(rng)
        label, expected, encoder, anchor = _qr_label(rng, payload)
    frame, conditions = _photograph(rng, label, anchor, expected.kind)
    conditions.encoder = encoder
    return frame, expected, conditions


def _barcode_label(rng: np.random.Generator, payload: str):
    encoder = str(rng.choice(["python-barcode", "own", "zxing-cpp"]))
    modules = hs.code128_modules(payload, encoder)
    quiet = float(rng.uniform(6, 20))
    row = hs.print_bars(
        modules, quiet=quiet, dots_per_module=float(rng.uniform(2.5, 4.5)), spread=float(rng.uniform(-0.15, 0.25))
    )
    width = row.size
    bar_rows = int(rng.uniform(15, 45) * hs.TEXEL)
    font = int(rng.integers(hs.font_count()))
    text = hs.text_line(payload, width=width, height=int(rng.uniform(6, 11) * hs.TEXEL), font=font)
    title = hs.text_line(
        str(rng.choice(["PHONG BÌ HỒ SƠ", "MỘT CỬA 24/7", "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"])),
        width=width,
        height=int(7 * hs.TEXEL),
        font=font + 1,
    )
    gap = np.zeros((int(rng.uniform(1, 4) * hs.TEXEL), width), np.float32)
    ink = np.vstack([title, gap, np.tile(row, (bar_rows, 1)), gap, text])
    return _on_paper(rng, ink), Symbol("code128", payload), encoder, (quiet + modules.size / 2) * hs.TEXEL


def _qr_label(rng: np.random.Generator, payload: str):
    encoder = str(rng.choice(["segno", "zxing-cpp", "opencv"]))
    matrix = hs.qr_modules(payload, encoder, str(rng.choice(["L", "M", "Q"])))
    quiet = int(rng.integers(2, 5))
    qr = hs.print_matrix(matrix, quiet=quiet, spread=float(rng.uniform(-0.1, 0.2)))
    side = qr.shape[0]
    lines = [
        hs.text_line(words, width=side, height=int(3 * hs.TEXEL), font=int(rng.integers(hs.font_count())), align="left")
        for words in ("Đặc điểm nhân dạng", "Ngày, tháng, năm", "CỤC TRƯỞNG")
    ]
    column = np.vstack([*lines, np.zeros((side - 3 * lines[0].shape[0], side), np.float32)])
    ink = np.hstack([column, np.zeros((side, side // 4), np.float32), qr])
    return _on_paper(rng, ink), Symbol("qrcode", payload), encoder, ink.shape[1] - side / 2


def _on_paper(rng: np.random.Generator, ink: np.ndarray) -> np.ndarray:
    """Reflectance 0..1: the label's ink on paper (white, kraft or card), with a margin of envelope around it."""
    margin = int(rng.uniform(4, 20) * hs.TEXEL)
    paper = np.pad(ink, margin)
    return (1.0 - paper * float(rng.uniform(0.82, 0.97))).astype(np.float32)


def _photograph(rng: np.random.Generator, label: np.ndarray, anchor: float, kind: str):
    """Place the label in 3-D in front of the camera, render the frame, then degrade it like a kiosk camera."""
    lo, hi = (1.35, 3.6) if kind == "code128" else (1.7, 5.0)
    module = float(rng.uniform(lo, hi))
    angle, tilt = float(rng.uniform(0, 360)), (float(rng.uniform(-30, 30)), float(rng.uniform(-30, 30)))
    bend = float(rng.uniform(0, 1 / 300)) if rng.random() < 0.4 else 0.0  # radius >= ~90 mm
    h, w = label.shape
    extent = np.hypot(h, w) / hs.TEXEL  # modules across the label's diagonal
    module = min(module, 0.9 * min(FRAME) / extent)
    for _ in range(4):  # too big for the frame: less slant; foreshortened below the floor: come closer
        geometry = _pose(rng, (w, h), anchor, module, angle, tilt, bend)
        if geometry is None:
            tilt, bend, module = (tilt[0] / 2, tilt[1] / 2), bend / 2, max(0.85 * module, 1.3)
        elif geometry[2] < 1.2:
            module *= 1.25 / geometry[2]
        else:
            break
    if geometry is None or geometry[2] < 1.2:  # seen flat at the floor instead
        angle, tilt, bend, module = 0.0, (0.0, 0.0), 0.0, 1.3
        geometry = _pose(rng, (w, h), anchor, module, angle, tilt, bend)
    mapx, mapy, narrowest = geometry
    scale = hs.TEXEL / max(module, 1e-3)  # label px per frame px: pre-filter so the warp does not alias
    smooth = cv2.GaussianBlur(label, (0, 0), 0.45 * scale)
    albedo = cv2.remap(smooth, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=-1.0)
    scene = _background(rng)
    on = albedo >= 0
    tint = np.array([rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.0), rng.uniform(0.9, 1.0)], np.float32)
    scene[on] = albedo[on][:, None] * tint
    defocus, motion, light, glare, jpeg = _degrade_params(rng, kind, narrowest)
    frame = _camera(rng, scene, on, defocus, motion, light, glare, jpeg)
    return frame, Conditions(
        kind, "", round(narrowest, 2), round(angle), tilt, bend, round(defocus, 2), motion, round(light, 2), glare, jpeg
    )


def _rotation(angle: float, tilt: tuple[float, float]) -> np.ndarray:
    a, b, c = np.radians([tilt[0], tilt[1], angle])
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rx @ ry @ rz


def _pose(rng, size, anchor, module, angle, tilt, bend):
    """Per-frame-pixel label coordinates (cv2.remap maps) for a label at this pose, or None if it leaves the frame.

    Label coordinates are in modules; the surface is x' = sin(k x)/k, z = (1 - cos(k x))/k (a cylinder of
    curvature k bulging towards the camera) at depth FOCAL/module, so a module at the anchor is `module` px.
    """
    w, h = size[0] / hs.TEXEL, size[1] / hs.TEXEL
    turn, depth = _rotation(angle, tilt), FOCAL / module
    corners = np.array([[x, y] for x in np.linspace(0, w, 9) for y in (0, h)]) - (anchor / hs.TEXEL, h / 2)
    points = _surface(corners, bend) @ turn.T + (0, 0, depth)
    if (points[:, 2] <= 1).any():
        return None
    projected = FOCAL * points[:, :2] / points[:, 2:]
    low, high = projected.min(axis=0), projected.max(axis=0)
    room = np.array([FRAME[1], FRAME[0]]) - (high - low) - 8
    if (room < 0).any():
        return None
    centre = np.array([FRAME[1], FRAME[0]]) / 2
    shift = rng.uniform(0, 1, 2) * room + 4 - low - centre  # image-plane shift of the whole label
    offset = np.append(shift * depth / FOCAL, 0.0)
    cols, rows = np.meshgrid(np.arange(FRAME[1], dtype=np.float64), np.arange(FRAME[0], dtype=np.float64))
    rays = np.stack([(cols - centre[0]) / FOCAL, (rows - centre[1]) / FOCAL, np.ones_like(cols)], axis=-1)
    origin = -(offset + (0, 0, depth)) @ turn  # camera origin in label coordinates
    direction = rays @ turn
    x, y = _intersect(origin, direction, bend)
    mapx = np.nan_to_num((x + anchor / hs.TEXEL) * hs.TEXEL, nan=-1e4).astype(np.float32)
    mapy = np.nan_to_num((y + h / 2) * hs.TEXEL, nan=-1e4).astype(np.float32)
    # The narrowest module: the label's px per module where the map is steepest along the code.
    inside = (mapx >= 0) & (mapx < size[0]) & (mapy >= 0) & (mapy < size[1])
    inside = cv2.erode(inside.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # not across the label's edge
    gx, gy = np.gradient(mapx / hs.TEXEL, axis=1), np.gradient(mapx / hs.TEXEL, axis=0)
    steep = np.hypot(gx, gy)[inside & (np.abs(gx) < 1e3) & (np.abs(gy) < 1e3)]
    narrowest = float(1 / np.percentile(steep, 99)) if steep.size else module
    return mapx, mapy, narrowest


def _surface(xy: np.ndarray, bend: float) -> np.ndarray:
    x, y = xy[:, 0], xy[:, 1]
    if not bend:
        return np.stack([x, y, np.zeros_like(x)], axis=1)
    return np.stack([np.sin(bend * x) / bend, y, (1 - np.cos(bend * x)) / bend], axis=1)


def _intersect(origin: np.ndarray, direction: np.ndarray, bend: float) -> tuple[np.ndarray, np.ndarray]:
    """Where each camera ray meets the label surface, in label coordinates (modules); NaN where it misses."""
    dx, dy, dz = direction[..., 0], direction[..., 1], direction[..., 2]
    ox, oy, oz = origin
    if not bend:
        t = -oz / dz
        return ox + t * dx, oy + t * dy
    radius = 1 / bend  # axis at z = +radius, behind the label: the bulge faces the camera
    a = dx * dx + dz * dz
    b = 2 * (ox * dx + (oz - radius) * dz)
    c = ox * ox + (oz - radius) ** 2 - radius * radius
    disc = b * b - 4 * a * c
    t = (-b - np.sqrt(np.where(disc >= 0, disc, np.nan))) / (2 * a)
    px, pz = ox + t * dx, oz + t * dz
    theta = np.arctan2(px, radius - pz)
    return np.where(np.abs(theta) < np.pi / 2, theta * radius, np.nan), oy + t * dy


def _degrade_params(rng: np.random.Generator, kind: str, module: float):
    limit = (0.5 if kind == "code128" else 0.55) * module
    defocus = float(rng.uniform(0, 2.2)) if rng.random() < 0.5 else 0.0  # disc radius, px
    motion = (float(rng.uniform(0, 5)) if rng.random() < 0.35 else 0.0, float(rng.uniform(0, 180)))
    # Disc of radius r has sigma r/2; a line of length L sigma L/sqrt(12); the pixel (the warp's pre-filter) 0.45.
    sigma = np.sqrt((defocus / 2) ** 2 + motion[0] ** 2 / 12 + 0.2)
    if sigma > limit:
        shrink = np.sqrt(max(limit**2 - 0.2, 0.01) / max(sigma**2 - 0.2, 1e-6))
        defocus, motion = defocus * shrink, (motion[0] * shrink, motion[1])
    light = float(rng.uniform(0.18, 0.5)) if rng.random() < 0.3 else float(rng.uniform(0.6, 1.0))
    glare = int(rng.integers(1, 4)) if rng.random() < 0.3 else 0
    jpeg = int(rng.integers(25, 60)) if rng.random() < 0.4 else int(rng.integers(70, 95))
    return defocus, (round(motion[0], 2), round(motion[1])), light, glare, jpeg


def _camera(rng, scene, on, defocus, motion, light, glare, jpeg) -> np.ndarray:
    rows, cols = FRAME
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    # Light: a slanted gradient, vignetting, and glare spots (specular, clipped) on the label.
    gradient = 1 + 0.25 * ((xx / cols - 0.5) * rng.uniform(-1, 1) + (yy / rows - 0.5) * rng.uniform(-1, 1))
    vignette = 1 - 0.35 * (((xx - cols / 2) / cols) ** 2 + ((yy - rows / 2) / rows) ** 2) * 2
    illumination = gradient * vignette
    spots = np.zeros_like(xx)
    ys, xs = np.nonzero(on[::8, ::8])
    for _ in range(glare):
        if not len(ys):
            break
        pick = int(rng.integers(len(ys)))
        cy, cx, radius = ys[pick] * 8, xs[pick] * 8, float(rng.uniform(6, 28))
        squash = float(rng.uniform(0.4, 1.0))
        # A veil up to 0.9 of white: paper clips, ink is washed out but never burnt to white.
        spots += float(rng.uniform(0.3, 0.9)) * np.exp(-(((xx - cx) * squash) ** 2 + (yy - cy) ** 2) / (2 * radius**2))
    radiance = scene * illumination[..., None] + spots[..., None]
    if defocus > 0.05:
        size = int(np.ceil(defocus)) * 2 + 1
        disc = np.zeros((size, size), np.float32)
        cv2.circle(disc, (size // 2, size // 2), max(1, round(defocus)), 1.0, -1, cv2.LINE_AA)
        radiance = cv2.filter2D(radiance, -1, disc / disc.sum())
    if motion[0] > 0.5:
        size = int(np.ceil(motion[0])) | 1
        line = np.zeros((size, size), np.float32)
        dx, dy = np.cos(np.radians(motion[1])) * motion[0] / 2, np.sin(np.radians(motion[1])) * motion[0] / 2
        c = size // 2
        cv2.line(line, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
        radiance = cv2.filter2D(radiance, -1, line / line.sum())
    signal = radiance * (230.0 * light)
    # Shot noise grows with the signal; read noise does not; dim frames are amplified (gain) afterwards.
    gain = 1.0 / max(light, 0.35)
    noisy = signal + rng.normal(0, 1, signal.shape) * np.sqrt(np.maximum(signal, 0) * 0.08 + 4.0)
    image = np.clip(noisy * gain, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else image


def _background(rng: np.random.Generator) -> np.ndarray:
    """The kiosk slot: a coloured panel with shapes, stickers and printed words, unlike synthetic.py's."""
    rows, cols = FRAME
    scene = np.empty((rows, cols, 3), np.uint8)
    scene[:] = rng.integers(60, 150, 3).astype(np.uint8)
    for _ in range(int(rng.integers(4, 10))):
        colour = tuple(int(v) for v in rng.integers(10, 245, 3))
        x, y = int(rng.integers(0, cols)), int(rng.integers(0, rows))
        if rng.random() < 0.5:
            cv2.rectangle(
                scene,
                (x, y),
                (x + int(rng.integers(30, 300)), y + int(rng.integers(10, 160))),
                colour,
                int(rng.choice([-1, 1, 3])),
            )
        else:
            cv2.circle(scene, (x, y), int(rng.integers(10, 80)), colour, int(rng.choice([-1, 2])))
    for _ in range(int(rng.integers(2, 6))):
        x, y = int(rng.integers(0, cols - 300)), int(rng.integers(20, rows))
        words = str(rng.choice(["DAT PHONG BI VAO KHE", "KIOSK 24/7", "UBND QUAN 6", "||| |||| || |"]))
        cv2.putText(
            scene,
            words,
            (x, y),
            int(rng.choice([0, 2, 3, 4])),
            float(rng.uniform(0.5, 1.4)),
            tuple(int(v) for v in rng.integers(0, 256, 3)),
            int(rng.integers(1, 3)),
            cv2.LINE_AA,
        )
    return scene.astype(np.float32) / 255.0
