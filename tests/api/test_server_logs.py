"""A started `python -m api` writes only JSON lines, uvicorn's own startup and shutdown lines included, and no request
path (which may carry an ID number) reaches its log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from tests.faults.support import ROOT, Api

ID_NUMBER = "079195000101"


def test_a_started_servers_log_is_json_lines_without_personal_data(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "POSTGRES_"))} | {
        "PYTHONPATH": str(ROOT),
        "MOTCUA_STORE": "sqlite",
        "MOTCUA_DATA_DIR": str(tmp_path / "data"),
        "MOTCUA_NOTIFICATIONS": "external",
    }
    server = Api(env, tmp_path / "api.log")
    try:
        server.start().wait_healthy()
        assert httpx.get(f"{server.url}/vaults/citizen/{ID_NUMBER}/documents", timeout=10).status_code == 401
    finally:
        server.stop()
    lines = server.log.read_text(encoding="utf-8").splitlines()

    entries = [json.loads(line) for line in lines]  # a plain-text line fails here

    startup = [e for e in entries if e["logger"].startswith("uvicorn") and e["message"].startswith("Uvicorn running")]
    assert len(startup) == 1 and startup[0]["process"] == "api" and startup[0]["level"] == "INFO"
    assert not [line for line in lines if ID_NUMBER in line or "/vaults/" in line]
