"""`python -m kiosk_edge decode PATH...` run as a subprocess on PNG files written to a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from kiosk_edge.readers.sources import UnreadableSourceError, capture, frames
from kiosk_edge.readers.synthetic import SAMPLE_CCCD, Distortion, blank_frame, code128_frame, qr_frame

ROOT = Path(__file__).resolve().parents[2]
ENVELOPE = "PB2605200123"


def decode(*paths: Path | str) -> subprocess.CompletedProcess[str]:
    # A C locale must not matter: the command writes UTF-8 itself.
    env = os.environ | {"PYTHONPATH": str(ROOT), "LC_ALL": "C"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk_edge", "decode", *map(str, paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
        text=True,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kiosk camera's folder: an envelope, a CCCD card in a subfolder, an empty frame, a non-image."""
    folder = tmp_path_factory.mktemp("shots")
    (folder / "thẻ cccd").mkdir()
    cv2.imwrite(str(folder / "b-envelope.png"), code128_frame(ENVELOPE, Distortion(angle=33, noise=3), seed=1))
    cv2.imwrite(str(folder / "thẻ cccd" / "back.png"), qr_frame(SAMPLE_CCCD, Distortion(angle=200, blur=0.8)))
    cv2.imwrite(str(folder / "a-empty.png"), blank_frame(seed=2))
    (folder / "notes.txt").write_text("not a frame")
    return folder


def test_prints_one_tab_separated_line_per_symbol_walking_folders_in_sorted_order(shots: Path) -> None:
    result = decode(shots)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{shots / 'b-envelope.png'}\tcode128\t{ENVELOPE}",
        f"{shots / 'thẻ cccd' / 'back.png'}\tqrcode\t{SAMPLE_CCCD}",
    ]
    assert result.stderr == ""


def test_reads_files_in_the_order_given(shots: Path) -> None:
    result = decode(shots / "thẻ cccd" / "back.png", shots / "a-empty.png", shots / "b-envelope.png")
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == ["qrcode", "code128"]
    assert "Nguyễn Thị Hồng Nhung" in result.stdout.splitlines()[0]


def test_reports_unreadable_files_on_stderr_and_still_reads_the_rest(shots: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG but not really")
    missing = tmp_path / "missing.png"
    result = decode(broken, shots / "b-envelope.png", missing)
    assert result.stdout.splitlines() == [f"{shots / 'b-envelope.png'}\tcode128\t{ENVELOPE}"]
    assert result.stderr.splitlines() == [
        f"decode: cannot read {broken}: not an image OpenCV can decode",
        f"decode: cannot read {missing}: No such file or directory",
    ]
    assert "Traceback" not in result.stderr
    assert result.returncode == 1


def test_an_image_without_symbols_prints_nothing_and_succeeds(shots: Path) -> None:
    result = decode(shots / "a-empty.png")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_asks_for_a_command_and_for_paths() -> None:
    assert decode().returncode == 2
    bare = subprocess.run([sys.executable, "-m", "kiosk_edge"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert bare.returncode == 2 and "COMMAND" in bare.stderr


def test_video_files_and_folders_give_frames_to_the_readers(shots: Path, tmp_path: Path) -> None:
    video = tmp_path / "slot.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (1280, 720))
    for seed in range(3):
        writer.write(blank_frame(seed=seed))
    writer.release()
    assert [frame.name for frame in capture(str(video))] == [f"{video}#0", f"{video}#1", f"{video}#2"]
    assert [Path(frame.name).name for frame in frames(str(shots))] == ["a-empty.png", "b-envelope.png", "back.png"]
    with pytest.raises(UnreadableSourceError, match="cannot open"):
        list(capture(str(tmp_path / "none.avi")))
