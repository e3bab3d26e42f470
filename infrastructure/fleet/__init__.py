"""The kiosk fleet: each kiosk's latest heartbeat beside its containers, and alerts to the kiosk team.

A kiosk publishes a `Heartbeat` (domain/kiosk_wire.py) on `<prefix>.<kiosk>.heartbeat` every few seconds: plain NATS,
not the device-event stream, because only the latest one matters. `python -m infrastructure.fleet` keeps the latest
per kiosk in the read store (`fleet_heartbeats`) and, every round, compares each kiosk's health with the thresholds
(`FleetSettings`): a problem that appears raises ONE alert to the kiosk team (`fleet_alerts` holds the raised ones);
it can alert again only after it has cleared. `GET /views/kiosks/fleet` shows the same `KioskHealth` rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from domain.clock import VIETNAM
from domain.kiosk_wire import Heartbeat
from infrastructure.readstore.store import stored_moment

log = logging.getLogger("motcua.fleet")
TABLES = (
    "CREATE TABLE IF NOT EXISTS fleet_heartbeats (kiosk TEXT PRIMARY KEY, seen_at TS NOT NULL, sent_at TS NOT NULL, "
    "outbox_backlog INT NOT NULL, door_faults TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fleet_alerts (kiosk TEXT NOT NULL, alert TEXT NOT NULL, raised_at TS NOT NULL, "
    "PRIMARY KEY (kiosk, alert))",
)
# What each alert says to the kiosk team (Vietnamese, as they read it).
PROBLEMS = {
    "offline": "mất kết nối (không có tín hiệu từ {since})",
    "door_fault": "lỗi cửa khay {trays}",
    "envelopes_low": "sắp hết phong bì (còn {envelopes})",
    "cash_box_full": "hộp tiền gần đầy ({cash} đồng)",
    "trays_low": "sắp hết khay trống (còn {free})",
    "outbox_backlog": "{backlog} sự kiện chưa gửi về hệ thống",
}


class Thresholds(msgspec.Struct, frozen=True, kw_only=True):
    """When a kiosk needs the team (FleetSettings in infrastructure/settings)."""

    offline_after: float = 60.0
    min_envelopes: int = 20
    max_cash: int = 20_000_000
    min_free_trays: int = 5
    max_outbox: int = 100


class KioskHealth(msgspec.Struct, frozen=True, kw_only=True):
    """One kiosk as the fleet page shows it: online or not, and what is wrong (alert names of PROBLEMS)."""

    kiosk: str
    agency: str
    online: bool
    last_seen: datetime | None
    outbox_backlog: int | None
    door_faults: list[int]
    cash_expected: int
    unused_envelopes: int
    free_trays: int
    problems: list[str]


class FleetStore:
    """The latest heartbeat per kiosk and the raised alerts, in the read store (any process may read them)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        with store.transaction() as tx:
            for statement in TABLES:
                tx.execute(store.ddl(statement))

    def record(self, heartbeat: Heartbeat, seen_at: datetime) -> None:
        """Keep this heartbeat as the kiosk's latest (an older one arriving late changes nothing)."""
        sent_at = heartbeat.at.astimezone(UTC).isoformat()  # one offset, so SQLite's text compares in time order
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM fleet_heartbeats WHERE kiosk = ? AND sent_at <= ?", (heartbeat.kiosk, sent_at))
            if not tx.query("SELECT 1 FROM fleet_heartbeats WHERE kiosk = ?", (heartbeat.kiosk,)):
                tx.execute(
                    "INSERT INTO fleet_heartbeats (kiosk, seen_at, sent_at, outbox_backlog, door_faults) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        heartbeat.kiosk,
                        seen_at.astimezone(UTC).isoformat(),
                        sent_at,
                        heartbeat.outbox_backlog,
                        json.dumps(heartbeat.door_faults),
                    ),
                )

    def heartbeats(self) -> dict[str, dict[str, Any]]:
        rows = self.store.query("SELECT kiosk, seen_at, outbox_backlog, door_faults FROM fleet_heartbeats")
        return {
            row["kiosk"]: {
                "seen_at": stored_moment(row["seen_at"]),
                "outbox_backlog": row["outbox_backlog"],
                "door_faults": json.loads(row["door_faults"]),
            }
            for row in rows
        }

    def kiosks(self) -> list[str]:
        """Every kiosk with trays in the read model or a heartbeat."""
        rows = self.store.query("SELECT DISTINCT kiosk FROM kiosk_trays UNION SELECT kiosk FROM fleet_heartbeats")
        return sorted(row["kiosk"] for row in rows)

    def raise_alerts(self, kiosk: str, problems: Iterable[str], now: datetime) -> list[str]:
        """Record the kiosk's current problems; returns those newly raised (to be sent), clears the solved ones."""
        current = set(problems)
        with self.store.transaction() as tx:
            raised = {row["alert"] for row in tx.query("SELECT alert FROM fleet_alerts WHERE kiosk = ?", (kiosk,))}
            for solved in sorted(raised - current):
                tx.execute("DELETE FROM fleet_alerts WHERE kiosk = ? AND alert = ?", (kiosk, solved))
            new = sorted(current - raised)
            for alert in new:
                tx.execute(
                    "INSERT INTO fleet_alerts (kiosk, alert, raised_at) VALUES (?, ?, ?)",
                    (kiosk, alert, now.isoformat()),
                )
        return new


class Fleet:
    """Health of every kiosk from its heartbeat and its aggregate; alerts once per threshold crossing."""

    def __init__(
        self,
        store: FleetStore,
        kiosk_view: Callable[[str], Any],
        thresholds: Thresholds,
        alert: Callable[[str, str], None],
    ) -> None:
        self.store, self.kiosk_view, self.thresholds, self.alert = store, kiosk_view, thresholds, alert

    def health(self, now: datetime, within: Callable[[str], bool] | None = None) -> list[KioskHealth]:
        """Every kiosk's health (only of the agencies `within` accepts, when given)."""
        beats, found = self.store.heartbeats(), []
        for key in self.store.kiosks():
            view = self.kiosk_view(key)
            if view is None or (within is not None and not within(view.agency)):
                continue
            found.append(self._health(key, view, beats.get(key), now))
        return found

    def check(self, now: datetime) -> list[tuple[str, str]]:
        """One round: raise the alerts that appeared since the last round and send each once."""
        sent = []
        for health in self.health(now):
            for alert in self.store.raise_alerts(health.kiosk, health.problems, now):
                self.alert(health.kiosk, describe(alert, health))
                sent.append((health.kiosk, alert))
        return sent

    def _health(self, key: str, view: Any, beat: dict[str, Any] | None, now: datetime) -> KioskHealth:
        t = self.thresholds
        online = beat is not None and now - beat["seen_at"] <= timedelta(seconds=t.offline_after)
        faults = sorted(beat["door_faults"]) if beat else []
        backlog = beat["outbox_backlog"] if beat else None
        problems = [
            name
            for name, wrong in (
                ("offline", not online),
                ("door_fault", bool(faults)),
                ("envelopes_low", view.unused_envelopes < t.min_envelopes),
                ("cash_box_full", view.cash_expected >= t.max_cash),
                ("trays_low", view.free_trays < t.min_free_trays),
                ("outbox_backlog", (backlog or 0) > t.max_outbox),
            )
            if wrong
        ]
        return KioskHealth(
            kiosk=key,
            agency=view.agency,
            online=online,
            last_seen=beat["seen_at"] if beat else None,
            outbox_backlog=backlog,
            door_faults=faults,
            cash_expected=view.cash_expected,
            unused_envelopes=view.unused_envelopes,
            free_trays=view.free_trays,
            problems=problems,
        )


def describe(alert: str, health: KioskHealth) -> str:
    """The Vietnamese sentence of an alert."""
    since = health.last_seen.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") if health.last_seen else "khi lắp đặt"
    return PROBLEMS[alert].format(
        since=since,
        trays=", ".join(map(str, health.door_faults)),
        envelopes=health.unused_envelopes,
        cash=f"{health.cash_expected:,}".replace(",", "."),
        free=health.free_trays,
        backlog=health.outbox_backlog or 0,
    )
