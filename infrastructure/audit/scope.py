"""What the link walk alone would not see: rows outside the chained id range, broken version sequences, and
destroyed personal-data keys without their recorded erasure. Each returns the offending position, or None."""

from __future__ import annotations

import json

from infrastructure.audit.tables import AuditTables, Tx
from infrastructure.eventstore.event_mac import body_of

KEYS = "onestop_person_keys"
ERASURE_TOPIC = "domain.erasure:Erasure.Recorded"


def nonpositive_event(tables: AuditTables, tx: Tx) -> int | None:
    """The lowest id <= 0: the chain starts at 1, yet the application loads such a row by its originator id."""
    return tx.query(f"SELECT MIN({tables.event_id}) FROM {tables.events} WHERE {tables.event_id} <= 0")[0][0]


def broken_versions(tables: AuditTables, tx: Tx) -> int | None:
    """The first event of the first aggregate whose versions do not run 1, 2, … n without a gap or duplicate."""
    rows = tx.query(
        f"SELECT MIN({tables.event_id}) FROM {tables.events} GROUP BY originator_id "
        "HAVING MIN(originator_version) <> 1 OR MAX(originator_version) <> COUNT(*) "
        "OR COUNT(DISTINCT originator_version) <> COUNT(*) ORDER BY 1 LIMIT 1"
    )
    return rows[0][0] if rows else None


def first_event(tables: AuditTables, tx: Tx) -> int | None:
    """The lowest positive event id (None for an empty store)."""
    return tx.query(f"SELECT MIN({tables.event_id}) FROM {tables.events} WHERE {tables.event_id} > 0")[0][0]


def unrecorded_erasures(tables: AuditTables, tx: Tx) -> int:
    """How many more keys are destroyed than the recorded erasure events account for (0 when all are lawful)."""
    keys = f'"{tables.schema}".{KEYS}' if tables.dialect == "postgres" else KEYS
    exists = (
        tx.query("SELECT to_regclass(?)", (keys,))[0][0]
        if tables.dialect == "postgres"
        else tx.query("SELECT 1 FROM sqlite_master WHERE name = ?", (KEYS,))
    )
    if not exists:
        return 0
    destroyed = tx.query(
        f"SELECT COUNT(*) FROM {keys} WHERE wrapped IS NULL OR subject IS NULL OR erased_at IS NOT NULL"
    )[0][0]
    recorded = 0
    for (state,) in tx.query(f"SELECT state FROM {tables.events} WHERE topic = ?", (ERASURE_TOPIC,)):
        try:
            recorded += int(json.loads(body_of(bytes(state))).get("keys_destroyed", 0))
        except (ValueError, TypeError, AttributeError):  # an unreadable record accounts for nothing
            continue
    return max(0, destroyed - recorded)
