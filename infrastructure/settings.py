"""Settings, read once from environment variables (see README for the list)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infrastructure.catalogue import DEFAULT_CATALOGUE

DEFAULT_CALENDAR = Path(__file__).parent / "data" / "calendar"


class SettingsError(ValueError):
    """An environment variable has a value we cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with embedded defaults (SQLite in ./var, in-process bus)."""

    store: str = "sqlite"
    data_dir: Path = Path("var")
    postgres: Mapping[str, str] = field(default_factory=dict)
    catalogue_path: Path = DEFAULT_CATALOGUE
    calendar_dir: Path = DEFAULT_CALENDAR
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    demo: bool = False
    secret: str = ""
    overdue_days: int = 5
    read_schema: str = "readmodels"
    projections: str = "inprocess"
    projection_batch: int = 1000
    notifications: str = "inprocess"
    bus: str = "inprocess"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read MOTCUA_* and POSTGRES_* variables."""
        store = environ.get("MOTCUA_STORE", "sqlite")
        if store not in ("sqlite", "postgres"):
            raise SettingsError(f"MOTCUA_STORE must be 'sqlite' or 'postgres', not {store!r}")
        port = environ.get("MOTCUA_API_PORT", "8000")
        if not port.isdigit():
            raise SettingsError(f"MOTCUA_API_PORT must be a port number, not {port!r}")
        return cls(
            store=store,
            data_dir=Path(environ.get("MOTCUA_DATA_DIR", "var")),
            postgres={k: v for k, v in environ.items() if k.startswith("POSTGRES_")},
            catalogue_path=Path(environ.get("MOTCUA_CATALOGUE", str(DEFAULT_CATALOGUE))),
            calendar_dir=Path(environ.get("MOTCUA_CALENDAR_DIR", str(DEFAULT_CALENDAR))),
            api_host=environ.get("MOTCUA_API_HOST", "127.0.0.1"),
            api_port=int(port),
            demo=environ.get("MOTCUA_DEMO", "") in ("1", "true", "yes"),
            secret=environ.get("MOTCUA_SECRET_KEY", ""),
            overdue_days=_positive_int(environ, "MOTCUA_OVERDUE_DAYS", "5"),
            read_schema=environ.get("MOTCUA_READ_SCHEMA", "readmodels"),
            projections=_choice(environ, "MOTCUA_PROJECTIONS", ("inprocess", "external"), "inprocess"),
            projection_batch=_positive_int(environ, "MOTCUA_PROJECTION_BATCH", "1000"),
            notifications=_choice(environ, "MOTCUA_NOTIFICATIONS", ("inprocess", "external"), "inprocess"),
            bus=_choice(environ, "MOTCUA_BUS", ("inprocess", "nats"), "inprocess"),
        )

    def adapter_environ(self, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
        """The environment for adapters that read their own variables, with data-dir defaults filled in."""
        defaults = {"MOTCUA_BLOB_DIR": str(self.data_dir / "blobs"), "MOTCUA_DEV_PKI_DIR": str(self.data_dir / "pki")}
        return defaults | dict(environ)

    def secret_key(self) -> bytes:
        """The key for OTP hashes and kiosk proofs: MOTCUA_SECRET_KEY, or one kept in the data dir (embedded only)."""
        if self.secret:
            if len(self.secret) < 32:
                raise SettingsError("MOTCUA_SECRET_KEY must be at least 32 characters")
            return self.secret.encode()
        if self.store == "postgres":
            raise SettingsError("set MOTCUA_SECRET_KEY (32+ characters, the same for every process) with PostgreSQL")
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()

    def postgres_conninfo(self) -> str:
        """libpq connection string of the event store's database (read models live there too)."""
        env = self.event_store_env()
        parts = {"host": env["POSTGRES_HOST"], "port": env["POSTGRES_PORT"], "dbname": env["POSTGRES_DBNAME"],
                 "user": env["POSTGRES_USER"], "password": env["POSTGRES_PASSWORD"]}
        return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing environment for the chosen store."""
        common = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "n"}
        if self.store == "sqlite":
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            return common | {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.data_dir / "events.sqlite3"),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        # POSTGRES_CONNECT_TIMEOUT is how long a command waits for a pooled connection, and eventsourcing tries
        # 10 times: with its default of 5 s a request hung for about a minute while PostgreSQL was down; at 1 s
        # the caller gets 503 + Retry-After after about 12 s (tests/faults/test_postgres_restart.py).
        # No database functions: eventsourcing's insert function takes no table lock, so a lower notification id
        # could become visible after a higher one and a log follower (read models, chainer) would skip it. The
        # default insert path takes an EXCLUSIVE lock per append (shared by a whole group commit).
        defaults = {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DBNAME": "motcua",
                    "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "", "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
                    "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "8", "POSTGRES_CONNECT_TIMEOUT": "1"}
        return common | defaults | dict(self.postgres) | {"PERSISTENCE_MODULE": "eventsourcing.postgres"}


def private_files() -> None:
    """Files and directories this process creates are readable by the service user only (events, read models,
    keys, blobs hold personal data). Called by every composition root and process entry point."""
    os.umask(0o077)


def _positive_int(environ: Mapping[str, str], name: str, default: str) -> int:
    value = environ.get(name, default)
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a positive whole number, not {value!r}")
    return int(value)


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = environ.get(name, default)
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value
