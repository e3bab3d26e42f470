"""Where kiosk camera frames come from: a camera, a video file, an image file or a folder of images."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpeg", ".mjpg"})


class UnreadableSourceError(Exception):
    """A path or device that gives no frames: missing, not an image or video, or a camera that will not open."""


@dataclass(frozen=True)
class Frame:
    """One camera frame (BGR or grey, 8-bit) and where it came from: a file path or `source#index`."""

    name: str
    image: np.ndarray


def image_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """The given files in the given order; folders walked in sorted order, image files only."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """An image file as an 8-bit BGR array; UnreadableSourceError when it is missing or not an image."""
    try:
        data = np.fromfile(path, dtype=np.uint8)  # not cv2.imread: that returns None for every failure
    except OSError as error:
        raise UnreadableSourceError(f"{path}: {error.strerror or error}") from error
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise UnreadableSourceError(f"{path}: not an image OpenCV can decode")
    return image


def capture(source: int | str, *, width: int = 1280, height: int = 720) -> Iterator[Frame]:
    """Frames from a camera index (asking it for width x height) or a video file, until it ends."""
    device = cv2.VideoCapture(source)
    try:
        if not device.isOpened():
            kind = "camera" if isinstance(source, int) else "video"
            raise UnreadableSourceError(f"{source}: cannot open this {kind}")
        if isinstance(source, int):
            device.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            device.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        index = 0
        while True:
            ok, image = device.read()
            if not ok:
                return
            yield Frame(f"{source}#{index}", image)
            index += 1
    finally:
        device.release()


def frames(spec: str) -> Iterator[Frame]:
    """Frames from a source named on a command line: a camera index (`0`), a video, an image or a folder."""
    if spec.isdigit():
        yield from capture(int(spec))
    elif Path(spec).suffix.lower() in VIDEO_SUFFIXES:
        yield from capture(spec)
    else:
        for path in image_paths([spec]):
            yield Frame(str(path), read_image(path))
