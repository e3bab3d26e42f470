"""Which aggregates are snapshotted, and how often: the streams that must stay long.

A kiosk's stream grows with every intake, payment and collection (about 300 events a day at District 6) and a
tray's with every loading and pickup, for as long as the machine runs; replaying them from the start would make
a cold load slower every year. A snapshot every N events bounds a load to one snapshot and fewer than N events.
Their state is small by design (domain/kiosk.py). Dossiers and envelopes stay short and are not snapshotted;
nothing holding personal data may be (snapshots are not sealed, infrastructure/eventstore/mapper.py).
"""

from __future__ import annotations

from typing import Any

from domain.kiosk import Kiosk
from domain.tray import Tray

SNAPSHOT_INTERVALS: dict[type[Any], int] = {Kiosk: 100, Tray: 10}
