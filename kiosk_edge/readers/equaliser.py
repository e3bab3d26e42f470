"""A decision-directed equaliser for a blurred QR whose module grid is known: which modules are dark.

Motion blur over a module mixes every module with its neighbours, so a module's centre grey says little alone.
With the grid known, the region is resampled at 3 points per module (module-aligned), locally normalised, and
modelled as (a blur kernel) * (the module pattern), the kernel fitted by least squares per quarter of the symbol
(so it also takes up the blur's direction and a local misregistration of up to a module). Starting from thresholded
module centres, modules whose flip lowers the residual are flipped (local best first), the kernels refitted, a few
rounds. Function patterns (finders, separators, timing) and the quiet zone stay as they must be.
"""

from __future__ import annotations

import cv2
import numpy as np

_S = 3  # samples per module
_MARGIN = 2  # modules of quiet zone resampled around the symbol
_RADIUS = 4  # kernel radius in samples (1.33 modules)
_WINDOW = 9 * _S  # samples of local normalisation
_ROUNDS = 4
_TILES = 2  # kernels fitted per side


def equalised(roi: np.ndarray, matrix: np.ndarray, n: int) -> np.ndarray:
    """n x n dark-module mask of the symbol that `matrix` maps (module coordinates to `roi` px) onto."""
    observed = _normalised(_rectified(roi, matrix, n))
    known, fixed = _function_patterns(n)
    side = n + 2 * _MARGIN
    dark = np.where(known, fixed, _centres(observed) < 0)
    bounds = np.linspace(0, side, _TILES + 1).round().astype(int)
    for _ in range(_ROUNDS):
        pattern = _normalised(_upsampled(np.where(dark, -1.0, 1.0).astype(np.float32)), scale=False)
        gain = np.full((side, side), -np.inf, np.float32)
        spans = list(zip(bounds[:-1], bounds[1:], strict=True))
        for (y0, y1), (x0, x1) in ((rows, cols) for rows in spans for cols in spans):
            kernel = _kernel(observed, pattern, (y0, y1, x0, x1))
            tile = _flip_gains(observed, pattern, kernel, dark)
            gain[y0:y1, x0:x1] = tile[y0:y1, x0:x1]
        gain[known] = -np.inf
        flip = (gain > 0) & (gain >= cv2.dilate(gain, np.ones((3, 3), np.uint8)))
        if not flip.any():
            break
        dark ^= flip
    return dark[_MARGIN:-_MARGIN, _MARGIN:-_MARGIN]


def _rectified(roi: np.ndarray, matrix: np.ndarray, n: int) -> np.ndarray:
    """The region resampled at `_S` points per module, quiet-zone margin included."""
    size = (n + 2 * _MARGIN) * _S
    along = (np.arange(size) + 0.5) / _S - _MARGIN
    xs, ys = np.meshgrid(along, along)
    mapped = matrix @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    mx = (mapped[0] / mapped[2]).reshape(size, size).astype(np.float32)
    my = (mapped[1] / mapped[2]).reshape(size, size).astype(np.float32)
    return cv2.remap(roi.astype(np.float32), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _normalised(image: np.ndarray, *, scale: bool = True) -> np.ndarray:
    """The local mean taken out (glare, vignetting) and, for the observation, divided by the local spread."""
    centred = image - cv2.blur(image, (_WINDOW, _WINDOW), borderType=cv2.BORDER_REFLECT)
    if not scale:
        return centred
    spread = np.sqrt(np.maximum(cv2.blur(centred * centred, (_WINDOW, _WINDOW), borderType=cv2.BORDER_REFLECT), 0))
    return centred / (spread + 1e-3)


def _upsampled(modules: np.ndarray) -> np.ndarray:
    return np.kron(modules, np.ones((_S, _S), np.float32))


def _centres(samples: np.ndarray) -> np.ndarray:
    """The module-centre samples, sharpened against their neighbours: the first guess."""
    centres = samples[_S // 2 :: _S, _S // 2 :: _S]
    return centres + 3.0 * (centres - cv2.GaussianBlur(centres, (0, 0), 0.6))


def _kernel(observed: np.ndarray, pattern: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Least-squares blur (a correlation kernel) from pattern to observation over a tile and 2 modules round."""
    y0, y1, x0, x1 = (max(0, (v - 2) * _S) if i % 2 == 0 else (v + 2) * _S for i, v in enumerate(box))
    y1, x1 = min(y1, observed.shape[0]), min(x1, observed.shape[1])
    width = 2 * _RADIUS + 1
    padded = np.pad(pattern, _RADIUS, mode="reflect")
    columns = [
        padded[y0 + dy : y1 + dy, x0 + dx : x1 + dx][::2, ::2].ravel() for dy in range(width) for dx in range(width)
    ]
    design = np.stack(columns, 1)
    normal = design.T @ design + 1e-3 * np.eye(width * width, dtype=np.float32)  # normal equations: 81 unknowns
    weights = np.linalg.solve(normal, design.T @ observed[y0:y1, x0:x1][::2, ::2].ravel())
    return weights.reshape(width, width).astype(np.float32)


def _flip_gains(observed: np.ndarray, pattern: np.ndarray, kernel: np.ndarray, dark: np.ndarray) -> np.ndarray:
    """How much flipping each module alone would lower the squared residual (positive: better)."""
    residual = observed - cv2.filter2D(pattern, -1, kernel, borderType=cv2.BORDER_REFLECT)
    response = cv2.filter2D(np.pad(np.ones((_S, _S), np.float32), 2 * _RADIUS), -1, kernel)
    energy = float((response**2).sum())
    match = cv2.filter2D(residual, -1, response)[_S // 2 :: _S, _S // 2 :: _S][: dark.shape[0], : dark.shape[1]]
    light = np.where(dark, -1.0, 1.0)
    return (-4 * light * match - 4 * energy).astype(np.float32)


def _function_patterns(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(known, dark) over the symbol with its margin: quiet zone, finders with separators, timing patterns."""
    side = n + 2 * _MARGIN
    known, dark = np.zeros((side, side), bool), np.zeros((side, side), bool)
    known[:_MARGIN], known[-_MARGIN:], known[:, :_MARGIN], known[:, -_MARGIN:] = True, True, True, True
    finder = np.ones((7, 7), bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    m = _MARGIN
    for row, col in ((0, 0), (0, n - 7), (n - 7, 0)):
        top, left = m + row - (row > 0), m + col - (col > 0)
        known[top : top + 8, left : left + 8] = True
        dark[m + row : m + row + 7, m + col : m + col + 7] = finder
    steps = np.arange(8, n - 8)
    known[m + 6, m + steps] = known[m + steps, m + 6] = True
    dark[m + 6, m + steps] = dark[m + steps, m + 6] = steps % 2 == 0
    return known, dark
