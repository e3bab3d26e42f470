"""The camera side of the third frame generator: counter clutter, a holding hand, light, optics and sensor.

Colours are albedos (uint8, what the surface reflects); light, blur and noise act on linear radiance, and the
camera encodes with a 2.2 gamma and JPEG, as a webcam does.
"""

from __future__ import annotations

import cv2
import numpy as np

WIDTH, HEIGHT = 1280, 720
GAMMA = 2.2


def counter(rng: np.random.Generator) -> np.ndarray:
    """A kiosk counter or tray under the camera, with papers, a pen, a cup; slightly out of focus."""
    base = rng.choice([(70, 110, 150), (150, 150, 145), (60, 62, 66), (190, 195, 200)]) + rng.integers(-20, 20, 3)
    low = cv2.resize(rng.normal(0, 12, (9, 16, 1)).astype(np.float32), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    low = low + rng.standard_normal((HEIGHT, WIDTH), np.float32) * 4
    img = np.clip(base.astype(np.float32) + low[..., None], 0, 255)
    if rng.random() < 0.4:  # wood grain
        rows = np.sin(np.arange(HEIGHT)[:, None] * rng.uniform(0.05, 0.2) + rng.uniform(0, 6))
        img = np.clip(img + 10 * rows[..., None].astype(np.float32), 0, 255)
    img = img.astype(np.uint8)
    for _ in range(int(rng.integers(3, 9))):
        _clutter(rng, img)
    return cv2.GaussianBlur(img, (0, 0), rng.uniform(0.8, 2.5))


def _clutter(rng: np.random.Generator, img: np.ndarray) -> None:
    colour = tuple(int(c) for c in rng.integers(30, 250, 3))
    centre = (float(rng.uniform(0, WIDTH)), float(rng.uniform(0, HEIGHT)))
    shape = rng.choice(["paper", "cup", "pen"])
    if shape == "paper":
        size = (float(rng.uniform(120, 500)), float(rng.uniform(150, 600)))
        corners = cv2.boxPoints((centre, size, float(rng.uniform(0, 180)))).astype(np.int32)
        cv2.fillConvexPoly(img, corners, tuple(int(c) for c in rng.integers(200, 250, 3)), cv2.LINE_AA)
        for k in range(int(rng.integers(2, 10))):  # lines of small print
            a, b = corners[0] + (corners[1] - corners[0]) * 0.1, corners[3] + (corners[2] - corners[3]) * 0.1
            t = 0.15 + 0.07 * k
            p, q = a + (corners[3] - corners[0]) * t, b + (corners[2] - corners[1]) * t - (b - a) * 0.2
            if t < 0.9:
                cv2.line(img, tuple(int(v) for v in p), tuple(int(v) for v in q), (90, 90, 90), 2, cv2.LINE_AA)
    elif shape == "cup":
        axes = (int(rng.integers(30, 90)), int(rng.integers(30, 90)))
        cv2.ellipse(img, (int(centre[0]), int(centre[1])), axes, 0, 0, 360, colour, -1, cv2.LINE_AA)
    else:
        end = (int(centre[0] + rng.uniform(-250, 250)), int(centre[1] + rng.uniform(-250, 250)))
        cv2.line(img, (int(centre[0]), int(centre[1])), end, colour, int(rng.integers(4, 12)), cv2.LINE_AA)


def hand(rng: np.random.Generator, grip: np.ndarray, inward: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Coverage (0..1, float32) of a hand whose thumb reaches from `grip` on the document edge along `inward`."""
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    angle = float(np.degrees(np.arctan2(inward[1], inward[0])))
    palm = grip - inward * 45 * px_per_mm
    palm_axes = (int(55 * px_per_mm), int(45 * px_per_mm))
    cv2.ellipse(mask, _pt(palm), palm_axes, angle, 0, 360, 255, -1, cv2.LINE_AA)
    thumb = grip + inward * rng.uniform(5, 18) * px_per_mm
    cv2.ellipse(mask, _pt(thumb), (int(30 * px_per_mm), int(11 * px_per_mm)), angle, 0, 360, 255, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(mask, (0, 0), 1.2).astype(np.float32) / 255


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(np.clip(p[0], -30000, 30000)), int(np.clip(p[1], -30000, 30000))


def skin(rng: np.random.Generator) -> np.ndarray:
    """A skin albedo (BGR) with a shading gradient across the frame."""
    tone = np.array([95, 130, 185]) * rng.uniform(0.6, 1.15) + rng.normal(0, 6, 3)
    shade = np.linspace(rng.uniform(0.75, 1), rng.uniform(0.75, 1), WIDTH, dtype=np.float32)
    return np.clip(tone[None, None, :] * shade[None, :, None], 0, 255)


_TO_LINEAR = (np.arange(256, dtype=np.float32) / 255) ** GAMMA
_LEVELS = 4096
_TO_CODE = (np.linspace(0, 1, _LEVELS, dtype=np.float32) ** (1 / GAMMA) * 255 + 0.5).astype(np.uint8)


def linear(albedo: np.ndarray) -> np.ndarray:
    """uint8 albedo -> linear reflectance (float32)."""
    return _TO_LINEAR[albedo]


def lighting(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uneven light over the frame (gradient, vignette, shadow bands) and its colour tint per channel."""
    half = 2  # light varies slowly: compute at half resolution, then interpolate
    y, x = np.mgrid[0:HEIGHT:half, 0:WIDTH:half].astype(np.float32)
    xn, yn = x / WIDTH - 0.5, y / HEIGHT - 0.5
    field = rng.uniform(0.45, 1.15) * (1 + rng.uniform(-0.5, 0.5) * xn + rng.uniform(-0.5, 0.5) * yn)
    field = field * (1 - rng.uniform(0, 0.35) * (xn**2 + yn**2) * 2)
    for _ in range(int(rng.integers(0, 3))):
        phi, soft = rng.uniform(0, np.pi), rng.uniform(3, 30)
        d = x * np.cos(phi) + y * np.sin(phi) - rng.uniform(0, 1200)
        band = 1 / (1 + np.exp(-d / soft)) / (1 + np.exp((d - rng.uniform(60, 400)) / soft))
        field = field * (1 - rng.uniform(0.15, 0.5) * band)
    field = cv2.resize(field.astype(np.float32), (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR)
    return field, rng.uniform(0.85, 1.15, 3).astype(np.float32)


def blur(rng: np.random.Generator, radiance: np.ndarray, module_px: float) -> tuple[str, float]:
    """Lens softness plus a little defocus and/or hand motion, in place; returns the kind and extent in modules."""
    kind = str(rng.choice(["none", "defocus", "motion", "both"], p=[0.3, 0.35, 0.25, 0.1]))
    top = 0.6 if kind == "both" else 1.0
    defocus = rng.uniform(0.3, top) if kind in ("defocus", "both") else 0.0
    motion = rng.uniform(0.3, top) if kind in ("motion", "both") else 0.0
    kernel = _disk(defocus * module_px)
    if motion:
        kernel = cv2.filter2D(_pad(kernel, motion * module_px), -1, _line(motion * module_px, rng.uniform(0, 180)))
    kernel = cv2.GaussianBlur(_pad(kernel, 2), (0, 0), rng.uniform(0.2, 0.45))
    radiance[:] = cv2.filter2D(radiance, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REFLECT)
    return kind, float(defocus + motion)


def _pad(kernel: np.ndarray, extra: float) -> np.ndarray:
    pad = int(np.ceil(extra)) + 1
    return cv2.copyMakeBorder(kernel, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)


def _disk(diameter: float) -> np.ndarray:
    """A defocus disk of this diameter in pixels, area-sampled (1x1 when the diameter is under a pixel)."""
    size, fine = int(np.ceil(diameter)) | 1, 8
    y, x = np.mgrid[0 : size * fine, 0 : size * fine].astype(np.float32)
    centre = (size * fine - 1) / 2
    inside = ((x - centre) ** 2 + (y - centre) ** 2 <= (max(diameter, 1) * fine / 2) ** 2).astype(np.float32)
    return cv2.resize(inside, (size, size), interpolation=cv2.INTER_AREA)


def _line(length: float, degrees: float) -> np.ndarray:
    """A motion-blur streak of this length in pixels, area-sampled."""
    size, fine = int(np.ceil(length)) + 2 | 1, 8
    canvas = np.zeros((size * fine, size * fine), np.float32)
    c, t = size * fine / 2, np.radians(degrees)
    offset = np.array([np.cos(t), np.sin(t)]) * length * fine / 2
    cv2.line(canvas, _pt(c - offset), _pt(c + offset), 1.0, fine, cv2.LINE_AA)
    return cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)


def sensor(rng: np.random.Generator, radiance: np.ndarray, grey: bool) -> tuple[np.ndarray, float, int]:
    """Shot and read noise, gamma, JPEG: the frame, the noise in grey levels at mid-grey, and the JPEG quality."""
    shot, read = rng.uniform(0.0004, 0.003), rng.uniform(1e-6, 2e-5)
    noisy = radiance + rng.standard_normal(radiance.shape, np.float32) * np.sqrt(shot * np.clip(radiance, 0, 1) + read)
    encoded = _TO_CODE[(np.clip(noisy, 0, 1) * (_LEVELS - 1)).astype(np.uint16)]
    if grey:
        encoded = cv2.cvtColor(encoded, cv2.COLOR_BGR2GRAY)
    quality = int(rng.integers(40, 96))
    ok, jpeg = cv2.imencode(".jpg", encoded, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    mid_slope = 255 / GAMMA * 0.5 ** (1 / GAMMA - 1)
    frame = cv2.imdecode(jpeg, cv2.IMREAD_UNCHANGED)
    assert frame is not None
    return frame, float(np.sqrt(shot * 0.5 + read) * mid_slope), quality
