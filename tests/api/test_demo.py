"""`make run` seeds demo data once: a kiosk with 90 trays and dossiers in several states."""

from __future__ import annotations

from pathlib import Path

from infrastructure.bootstrap import build
from infrastructure.demo import KIOSK_KEY, seed
from infrastructure.settings import Settings


def test_demo_data_is_written_once(tmp_path: Path) -> None:
    system = build(Settings(data_dir=tmp_path, notifications="external"))
    assert seed(system) == 5
    assert system.accounts.login("tiepnhan", "demo-tiepnhan").account.role == "reception_officer"
    assert system.accounts.login_device(KIOSK_KEY, "demo-kiosk-Q6-01").account.kiosk == KIOSK_KEY
    kiosk = system.kiosks.get_kiosk(KIOSK_KEY)
    assert len(kiosk.trays) == 90 and sum(t.status == "loaded" for t in kiosk.trays) == 2
    events = system.app.recorder.max_notification_id()
    system.close()
    again = build(Settings(data_dir=tmp_path, notifications="external"))
    assert seed(again) == 0 and again.app.recorder.max_notification_id() == events
    again.close()
