"""The core server installs without the `kiosk` extra: every core module imports and the app starts and answers
with OpenCV, ONNX Runtime, zbar and numpy made unimportable (as on a server where pip never installed them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIOSK_EXTRA = ("cv2", "onnxruntime", "pyzbar", "numpy")

# Runs in a fresh interpreter, so nothing the test process imported earlier can hide a top-level import.
CHILD = """
import importlib, importlib.abc, pkgutil, sys

class KioskExtraMissing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"No module named {name!r} (the kiosk extra is not installed)")

sys.meta_path.insert(0, KioskExtraMissing())
for package in ("domain", "application", "infrastructure", "projections", "api"):
    for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        importlib.import_module(module.name)

from litestar.testing import TestClient
from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.demo import seed
from infrastructure.settings import Settings

system = build(Settings.from_env())
seed(system)
with TestClient(create_app(system)) as client:
    answer = client.get("/health")
    assert answer.status_code == 200, answer.text
system.close()
print("started;", sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED))
"""


def test_the_core_imports_and_serves_without_the_kiosk_extra(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "PYTHONPATH": str(ROOT),
        "MOTCUA_STORE": "sqlite",
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_NOTIFICATIONS": "external",
    }
    child = subprocess.run(
        [sys.executable, "-c", f"BLOCKED = {KIOSK_EXTRA!r}\n{CHILD}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    assert child.stdout.strip().endswith("started; []")


def test_the_blocker_really_blocks(tmp_path: Path) -> None:
    probe = CHILD.split("for package")[0] + "import cv2\n"
    child = subprocess.run(
        [sys.executable, "-c", f"BLOCKED = {KIOSK_EXTRA!r}\n{probe}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode != 0 and "kiosk extra is not installed" in child.stderr
