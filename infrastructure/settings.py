"""Settings, read once from environment variables (see README for the list)."""

from __future__ import annotations

import os
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
        )

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing environment for the chosen store."""
        common = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "n"}
        if self.store == "sqlite":
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return common | {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.data_dir / "events.sqlite3"),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        defaults = {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DBNAME": "motcua",
                    "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "", "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
                    "POSTGRES_POOL_SIZE": "10"}
        return common | defaults | dict(self.postgres) | {"PERSISTENCE_MODULE": "eventsourcing.postgres"}
