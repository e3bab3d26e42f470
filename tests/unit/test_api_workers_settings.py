"""`motcua api --workers N`: refused where several processes cannot share the store or the demo kiosk."""

from __future__ import annotations

import pytest

from api.workers import WORKER_MODES, check_workers
from infrastructure.settings import Settings, SettingsError


def test_more_than_one_worker_needs_postgresql_and_no_demo() -> None:
    check_workers(Settings(store="postgres"), 4)
    check_workers(Settings(), 1)  # the embedded default serves from one process, as before
    with pytest.raises(SettingsError, match="MOTCUA_STORE=postgres"):
        check_workers(Settings(), 2)
    with pytest.raises(SettingsError, match="demo"):
        check_workers(Settings(store="postgres", demo=True), 2)
    with pytest.raises(SettingsError, match="at least 1"):
        check_workers(Settings(store="postgres"), 0)


def test_the_workers_setting_is_read_from_its_variable_and_workers_neither_project_nor_dispatch() -> None:
    assert Settings.from_env({"MOTCUA_API_WORKERS": "3"}).api_workers == 3
    with pytest.raises(SettingsError):
        Settings.from_env({"MOTCUA_API_WORKERS": "0"})
    worker = Settings.from_env({"MOTCUA_PROJECTIONS": "inprocess"} | WORKER_MODES)
    assert (worker.projections, worker.notifications) == ("external", "external")
