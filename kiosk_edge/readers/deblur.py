"""A QR code blurred past what zxing-cpp and zbar read: Wiener deconvolution with a guessed blur, then zxing-cpp.

Motion blur of about a module or a defocus disc of a module or more merges a QR's modules into grey; undoing the
blur first (a Wiener filter in the frequency domain) restores enough contrast for zxing-cpp's own sampler and
Reed-Solomon correction (or, where ringing and glare defeat zxing-cpp's own binariser, for the region binarised
against local means). The blur is not known, so it is guessed: a QR's grid has no preferred direction (its
edges at 0° and 90° weigh the same), so when the region's gradients are clearly weaker along one direction, the
camera moved that way (Yitzhaky and Kopeika's idea for motion-blur identification); otherwise defocus discs are tried.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import cv2
import numpy as np

from kiosk_edge.readers.payloads import Symbol
from kiosk_edge.readers.zxing import zxing_scan

BUDGET = 0.06  # CPU seconds per frame for the whole step
_PAD = 12  # frame px of context around the region (the blur spreads its edge modules outwards)
_NSR = 0.01  # noise-to-signal power the Wiener filter assumes: on tuning frames 0.003-0.03 read alike
_ROW_PAD = 64  # px of edge value beyond each end of a barcode view's rows (the filter wraps around)
_SCALE = 3  # the deconvolved region is enlarged (cubic) for zxing-cpp's sampler: modules of 1.3-2 px become 4-6
_MOVED = 0.25  # gradient anisotropy (0 round, 1 one direction) from which motion blur is tried first
_MOTION = (3.0, 4.0, 2.0, 5.0)  # px of camera travel tried along the estimated direction
_DEFOCUS = (2, 1)  # px radius of the defocus discs tried (drawn to whole pixels)
_MEANS = (2.2, 4.2)  # px (Gaussian sigma) of the local means the deconvolved region is binarised against


def padded_region(grey: np.ndarray, outline: np.ndarray, pad: int) -> np.ndarray:
    """The frame (float32) over an outline's bounding box and `pad` px of context around it, within the frame."""
    x, y, w, h = cv2.boundingRect(outline.astype(np.int32))
    top, left = max(0, y - pad), max(0, x - pad)
    return grey[top : y + h + pad, left : x + w + pad].astype(np.float32)


def read_deblurred(grey: np.ndarray, outlines: list[np.ndarray], *, budget: float = BUDGET) -> list[Symbol]:
    """QR symbols zxing-cpp reads in one of the regions once deconvolved with one of the guessed blurs."""
    deadline = time.thread_time() + budget
    for outline in sorted(outlines, key=_elongation):  # a QR is square: a long region is mostly text, try it last
        roi = padded_region(grey, outline, _PAD)
        padded = np.pad(roi, 16, mode="reflect")  # the filter wraps around: keep the far edge away
        spectrum = np.fft.rfft2(padded)
        for kernel in _guesses(roi):
            if time.thread_time() > deadline:
                return []
            sharp = _wiener(spectrum, kernel, padded.shape)
            found = [symbol for symbol in _read_views(sharp) if symbol.kind == "qrcode"]
            if found:
                return found
    return []


def _read_views(sharp: np.ndarray) -> list[Symbol]:
    """zxing-cpp's symbols in the deconvolved region enlarged, else in it binarised against local means.

    zxing-cpp's own binariser loses some deconvolved QR codes to ringing and glare that a Gaussian-weighted local
    mean over a few modules keeps apart; on tuning frames the two reaches each read a few codes the other misses.
    The means are taken before enlarging: they are smooth, and 9 times cheaper there.
    """
    view = cv2.resize(sharp, None, fx=_SCALE, fy=_SCALE, interpolation=cv2.INTER_CUBIC)
    found = zxing_scan(view, whole_frame=False)
    for sigma in _MEANS:
        if found:
            break
        mean = cv2.resize(cv2.GaussianBlur(sharp, (0, 0), sigma), view.shape[::-1], interpolation=cv2.INTER_LINEAR)
        found = zxing_scan(np.where(view > mean, 255, 0).astype(np.uint8), whole_frame=False)
    return found


def _elongation(outline: np.ndarray) -> float:
    """How many times longer than wide the outline's tightest enclosing rectangle is."""
    _, (width, height), _ = cv2.minAreaRect(outline)
    return max(width, height) / max(min(width, height), 1.0)


def sharpened_across(view: np.ndarray, sigma: float, nsr: float) -> np.ndarray:
    """A view with vertical bars, its Gaussian blur of `sigma` px across the bars undone by a Wiener filter per row."""
    padded = np.pad(view.astype(np.float32), ((0, 0), (_ROW_PAD, _ROW_PAD)), mode="edge")
    transfer = np.exp(-2 * (np.pi * np.fft.rfftfreq(padded.shape[1]) * sigma) ** 2)
    rows = np.fft.irfft(np.fft.rfft(padded, axis=1) * transfer / (transfer**2 + nsr), n=padded.shape[1], axis=1)
    return np.clip(rows[:, _ROW_PAD:-_ROW_PAD], 0, 255).astype(np.uint8)


def _guesses(roi: np.ndarray) -> Iterator[np.ndarray]:
    """Blur kernels to undo, likeliest first: motion along the weakest gradient direction, or defocus discs."""
    gx, gy = cv2.Sobel(roi, cv2.CV_32F, 1, 0), cv2.Sobel(roi, cv2.CV_32F, 0, 1)
    xx, yy, xy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    anisotropy = float(np.hypot(xx - yy, 2 * xy)) / max(xx + yy, 1e-6)
    along = 0.5 * np.degrees(np.arctan2(2 * xy, xx - yy)) + 90  # the direction of least change: the motion
    motions = [_line(length, along) for length in _MOTION]
    # A moving camera is rarely in focus too: the likeliest two motions also with a one-pixel defocus disc.
    both = [_normalised(cv2.filter2D(np.pad(line, 2), -1, _disc(1))) for line in motions[:2]]
    discs = [_disc(radius) for radius in _DEFOCUS]
    yield from (motions + both + discs) if anisotropy >= _MOVED else (discs + motions + both)


def _wiener(spectrum: np.ndarray, kernel: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The image whose blur by `kernel` best explains the spectrum, as 8-bit grey."""
    placed = np.zeros(shape, np.float32)
    kh, kw = kernel.shape
    placed[:kh, :kw] = kernel
    transfer = np.fft.rfft2(np.roll(placed, (-(kh // 2), -(kw // 2)), (0, 1)))
    restored = np.fft.irfft2(spectrum * np.conj(transfer) / (np.abs(transfer) ** 2 + _NSR), s=shape)
    return np.clip(restored[16:-16, 16:-16], 0, 255).astype(np.uint8)


def _disc(radius: int) -> np.ndarray:
    """A defocus disc of this radius (px), antialiased, summing to 1."""
    size = 2 * radius + 1
    disc = np.zeros((size, size), np.float32)
    cv2.circle(disc, (radius, radius), radius, 1.0, -1, cv2.LINE_AA)
    return _normalised(disc)


def _line(length: float, degrees: float) -> np.ndarray:
    """A straight motion path of this length (px) and direction, antialiased, summing to 1."""
    size = int(np.ceil(length)) | 1
    line = np.zeros((size, size), np.float32)
    dx, dy = np.cos(np.radians(degrees)) * length / 2, np.sin(np.radians(degrees)) * length / 2
    c = size // 2
    cv2.line(line, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
    return _normalised(line)


def _normalised(kernel: np.ndarray) -> np.ndarray:
    """The kernel scaled to sum to 1 (a blur keeps the light)."""
    return kernel / kernel.sum()
