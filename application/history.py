"""Auditors' history and time travel (issue [8]): every event of a dossier, kiosk, tray or vault with who acted, in
which role and when, summarised in Vietnamese; and each of them as it stood at a past instant.

"As of" means business time: an event's `at` (when it happened at the counter or the kiosk), not the library's
`timestamp` (when it was recorded, which lags for kiosk events sent after an outage). An aggregate as of T is
replayed from its events up to the first one whose `at` is after T: always a prefix of its stream, so a clock that
stepped back between two events can never produce a state that did not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import msgspec

from application.audit_labels import ROLE_VI, describe
from application.base import OneStop, mutate
from application.errors import NotFoundError
from application.kiosk_views import KioskView, TrayView, local
from application.ports import Clock
from application.views import details_of
from domain.account import account_id, check_username
from domain.codes import dossier_id, parse_code
from domain.errors import InvalidValueError
from domain.kiosk import Kiosk, check_kiosk_key, kiosk_id
from domain.tray import tray_id
from domain.vault import VaultOwner, vault_id

KINDS = {"dossier": "hồ sơ", "kiosk": "kiosk", "tray": "khay", "vault": "kho dữ liệu", "account": "tài khoản"}
RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:([Zz])|([+ -])(\d{2}):(\d{2}))"
)
TRAY_KEY = re.compile(r"(?P<kiosk>[A-Z0-9][A-Z0-9-]{1,30}):(?P<number>\d{1,3})", re.ASCII)
Positions = Callable[[UUID], Mapping[int, int]]


class NotYetError(NotFoundError):
    """The aggregate exists now but did not exist yet at the instant asked for."""

    code = "not_yet_existing"

    def __init__(self, kind: str, key: str, instant: datetime) -> None:
        super(NotFoundError, self).__init__(
            f"{kind} {key!r} did not exist yet at {instant.isoformat()}",
            f"{KINDS[kind].capitalize()} {key} chưa tồn tại vào lúc {local(instant)}.",
        )


class AuditEntry(msgspec.Struct, frozen=True):
    """One event as an auditor reads it: log position, version, what (Vietnamese), who, in which role, when."""

    position: int | None
    version: int
    type: str
    label: str
    summary: str
    account_id: str
    role: str
    role_label: str
    at: datetime
    recorded_at: datetime


class AuditHistory(msgspec.Struct, frozen=True):
    """The whole history of one dossier, kiosk, tray or vault, oldest first."""

    kind: str
    key: str
    entries: list[AuditEntry]


class StateAsOf(msgspec.Struct, frozen=True):
    """An aggregate as it stood at `at`: its version then, how many later events exist, and its state then."""

    kind: str
    key: str
    at: datetime
    version: int
    later_events: int
    state: dict[str, Any]


AS_OF_VIEWS = ("trays", "cash-box", "overdue", "queues")
"""The read-model views an auditor can see as of a past instant (all but queues are per kiosk)."""


class ViewAsOf(msgspec.Struct, frozen=True):
    """A read model's answer as it would have been at `at`: the live view's shape, from a replay up to `position`."""

    model: str
    at: datetime
    kiosk: str | None
    position: int
    events_applied: int
    data: Any


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant (seconds optional; a space before the offset is read as '+', as a URL query decodes it)."""
    match = RFC3339.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise InvalidValueError(
            "at",
            "must be an RFC 3339 time with an offset, e.g. 2026-05-20T16:05:00+07:00",
            "thời điểm phải theo RFC 3339, có múi giờ, ví dụ 2026-05-20T16:05:00+07:00",
        )
    year, month, day, hour, minute, second = (int(match[i] or 0) for i in range(1, 7))
    try:
        if match[10] and (int(match[10]) > 23 or int(match[11]) > 59):
            raise ValueError("offset out of range")
        offset = (
            timedelta()
            if match[8]
            else (-1 if match[9] == "-" else 1) * timedelta(hours=int(match[10]), minutes=int(match[11]))
        )
        moment = datetime(year, month, day, hour, minute, second, int((match[7] or "").ljust(6, "0")), timezone(offset))
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidValueError("at", "is not a real date and time", "ngày giờ không có thật") from None


class History:
    """Reads the shared event store (the process's one application) for auditors; writes nothing."""

    def __init__(self, store: OneStop, *, clock: Clock, positions: Positions) -> None:
        self.store, self.clock, self.positions = store, clock, positions

    def instant(self, text: str) -> datetime:
        """The instant of a query parameter: RFC 3339 and not in the future."""
        moment = parse_instant(text)
        if moment > self.clock.now():
            raise InvalidValueError("at", "is in the future", f"thời điểm {local(moment)} còn ở tương lai")
        return moment

    def history(self, kind: str, key: str) -> AuditHistory:
        """Every event of the aggregate, oldest first, with its log position."""
        aggregate_id = self._existing(kind, key)
        positions = self.positions(aggregate_id)
        return AuditHistory(
            kind=kind,
            key=key,
            entries=[
                entry(event, positions.get(event.originator_version)) for event in self.store.events.get(aggregate_id)
            ],
        )

    def state_as_of(self, kind: str, key: str, instant: datetime) -> StateAsOf:
        """The aggregate replayed from its events up to `instant`, rendered like the live views."""
        aggregate_id = self._existing(kind, key)
        aggregate, later = self._replay(aggregate_id, instant)
        if aggregate is None:
            raise NotYetError(kind, key, instant)
        return StateAsOf(
            kind=kind,
            key=key,
            at=instant,
            version=aggregate.version,
            later_events=later,
            state=msgspec.to_builtins(self._render(kind, aggregate, instant)),
        )

    def agency_of(self, kind: str, key: str) -> str | None:
        """The agency a kiosk or tray belongs to (vaults belong to none; dossiers have `Dossiers.scope_of`)."""
        if kind in ("kiosk", "tray"):
            kiosk = key if kind == "kiosk" else parse_tray_key(key)[0]
            installed = next(iter(self.store.events.get(kiosk_id(check_kiosk_key(kiosk)), limit=1)), None)
            if installed is None:
                raise NotFoundError("kiosk", "kiosk", kiosk)
            if not isinstance(installed, Kiosk.Installed):
                raise TypeError(
                    f"the first event of kiosk {kiosk} is a {type(installed).__name__}, not its installation"
                )
            return installed.agency
        target(kind, key)
        return None

    def _existing(self, kind: str, key: str) -> UUID:
        aggregate_id = target(kind, key)
        if not self.store.recorder.select_events(aggregate_id, limit=1):
            raise NotFoundError(kind, KINDS[kind], key)
        return aggregate_id

    def _replay(self, aggregate_id: UUID, instant: datetime) -> tuple[Any, int]:
        """(the aggregate as of `instant` or None, how many of its events came after)."""
        aggregate, events = None, list(self.store.events.get(aggregate_id))
        for done, event in enumerate(events):
            if happened_at(event) > instant:
                return aggregate, len(events) - done
            aggregate = mutate(event, aggregate)
        return aggregate, 0

    def _render(self, kind: str, aggregate: Any, instant: datetime) -> Any:
        """The state as the live views show it (a kiosk with its trays as of the same instant)."""
        if kind == "dossier":
            return details_of(aggregate)
        if kind == "tray":
            return tray_view(aggregate)
        if kind == "account":  # never the password hash
            return {
                name: getattr(aggregate, name)
                for name in ("username", "name", "role", "agency", "department", "kiosk", "enabled")
            }
        if kind == "vault":
            return {"owner_kind": aggregate.owner.kind, "documents": list(aggregate.documents.values())}
        kiosk = aggregate
        trays = (self._replay(tray_id(kiosk.key, n), instant)[0] for n in range(1, kiosk.tray_count + 1))
        return KioskView(
            key=kiosk.key,
            name=kiosk.name,
            agency=kiosk.agency,
            bin=[e.dossier_code for e in kiosk.bin],
            cash_expected=kiosk.cash_expected,
            unused_envelopes=kiosk.unused_count,
            trays=[tray_view(t) for t in trays if t is not None],
        )


def tray_view(tray: Any) -> TrayView:
    """A tray as the kiosk view shows it."""
    return TrayView(
        number=tray.number, status=tray.status.value, dossier_code=tray.dossier_code, loaded_at=tray.loaded_at
    )


def target(kind: str, key: str) -> UUID:
    """The aggregate id of a dossier code, kiosk key, tray `<kiosk>:<number>` or vault `<citizen|organisation>:<id>`."""
    if kind == "dossier":
        parse_code(key)
        return dossier_id(key)
    if kind == "kiosk":
        return kiosk_id(check_kiosk_key(key))
    if kind == "tray":
        return tray_id(*parse_tray_key(key))
    if kind == "vault":
        owner_kind, _, number = key.partition(":")
        return vault_id(VaultOwner.named(owner_kind, number))
    if kind == "account":
        return account_id(check_username(key))
    raise InvalidValueError(
        "kind",
        "must be dossier, kiosk, tray, vault or account",
        "loại đối tượng phải là dossier (hồ sơ), kiosk, tray (khay), vault (kho dữ liệu) hoặc account (tài khoản)",
    )


def parse_tray_key(key: str) -> tuple[str, int]:
    """`Q6-01:5` → ("Q6-01", 5)."""
    match = TRAY_KEY.fullmatch(key)
    if not match or not 1 <= int(match["number"]) <= 500:
        raise InvalidValueError(
            "key",
            "a tray is named <kiosk>:<number>, e.g. Q6-01:5",
            "khay được ghi dạng <mã kiosk>:<số khay>, ví dụ Q6-01:5",
        )
    return match["kiosk"], int(match["number"])


def happened_at(event: Any) -> datetime:
    """Business time of an event; the few events without `at` (account and counter set-up) use their recording time."""
    return getattr(event, "at", None) or event.timestamp


def entry(event: Any, position: int | None) -> AuditEntry:
    """One history entry; `describe` keeps citizens' names, phones and ID numbers out of the summary."""
    label, summary = describe(event)
    actor = getattr(event, "actor", None)
    role = actor.role.value if actor else "system"
    return AuditEntry(
        position=position,
        version=event.originator_version,
        type=type(event).__qualname__,
        label=label,
        summary=summary,
        account_id=actor.account_id if actor else "system",
        role=role,
        role_label=ROLE_VI.get(role, role),
        at=happened_at(event),
        recorded_at=event.timestamp,
    )
