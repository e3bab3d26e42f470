"""Settings: one typed tree read once from the environment at each entry point and handed down.

Every field names its variable (fields.py); `python -m infrastructure.settings --markdown` prints the README's
configuration table from this tree. Nothing here writes files: the embedded store's generated secrets are an
explicit bootstrap step (infrastructure/embedded.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec

from infrastructure.catalogue import DEFAULT_CATALOGUE
from infrastructure.settings.areas import (
    AuditSettings,
    ChannelSettings,
    FaceSettings,
    FilesSettings,
    FleetSettings,
    KioskSettings,
    NatsSettings,
    PostgresSettings,
    PrivacySettings,
    SchedulerSettings,
    SigningSettings,
    password_variables,
)
from infrastructure.settings.fields import SettingsError, load, var

__all__ = [
    "AuditSettings",
    "ChannelSettings",
    "FaceSettings",
    "FilesSettings",
    "FleetSettings",
    "KioskSettings",
    "NatsSettings",
    "PostgresSettings",
    "PrivacySettings",
    "SchedulerSettings",
    "Settings",
    "SettingsError",
    "SigningSettings",
    "DEFAULT_CALENDAR",
    "private_files",
]

DEFAULT_CALENDAR = Path(__file__).parents[1] / "data" / "calendar"
MODES = ("inprocess", "external")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything configurable, with embedded defaults (SQLite in ./var, in-process bus); the core first."""

    store: Annotated[str, var("MOTCUA_STORE", "`sqlite` (embedded) or `postgres`", choices=("sqlite", "postgres"))] = (
        "sqlite"
    )
    data_dir: Annotated[Path, var("MOTCUA_DATA_DIR", "where the SQLite store and the embedded secrets live")] = Path(
        "var"
    )
    secret: Annotated[
        str,
        var(
            "MOTCUA_SECRET_KEY",
            "32+ characters: keys OTP hashes, kiosk proofs and the 15-minute "
            "access tokens; required with PostgreSQL, the same in every process",
            shown="generated into `var/secret.key` (SQLite only)",
            secret=True,
        ),
    ] = ""
    catalogue_path: Annotated[
        Path,
        var(
            "MOTCUA_CATALOGUE",
            "the procedure catalogue (validated at start-up; a bad file stops the process with the reason)",
            shown="`infrastructure/data/procedures.toml`",
        ),
    ] = DEFAULT_CATALOGUE
    calendar_dir: Annotated[
        Path,
        var(
            "MOTCUA_CALENDAR_DIR",
            "working-day calendar, one `<year>.toml` per year",
            shown="`infrastructure/data/calendar`",
        ),
    ] = DEFAULT_CALENDAR
    overdue_days: Annotated[
        int,
        var("MOTCUA_OVERDUE_DAYS", "working days after the pickup SMS before a result counts as overdue", minimum=1),
    ] = 5
    supplement_days: Annotated[
        int,
        var(
            "MOTCUA_SUPPLEMENT_DAYS",
            "working days the citizen is given to supplement a dossier (the date in the supplement message)",
            minimum=1,
        ),
    ] = 10
    api_host: Annotated[str, var("MOTCUA_API_HOST", "where the API listens")] = "127.0.0.1"
    api_port: Annotated[int, var("MOTCUA_API_PORT", "its port", minimum=0)] = 8000
    api_workers: Annotated[
        int,
        var(
            "MOTCUA_API_WORKERS",
            "API worker processes sharing the port (`motcua api --workers N` overrides it); above 1 needs "
            "PostgreSQL: each worker has its own application, and the read models and notifications are kept by "
            "one process (the workers' parent with `inprocess`, or the external runner)",
            minimum=1,
        ),
    ] = 1
    projections: Annotated[
        str,
        var(
            "MOTCUA_PROJECTIONS",
            "`inprocess`: the API process keeps the read models up to "
            "date; `external`: `python -m projections run` does",
            choices=MODES,
        ),
    ] = "inprocess"
    read_schema: Annotated[
        str, var("MOTCUA_READ_SCHEMA", "PostgreSQL schema of the read models (SQLite: `var/readmodels.sqlite3`)")
    ] = "readmodels"
    read_replica: Annotated[
        str,
        var(
            "MOTCUA_READ_REPLICA",
            "libpq conninfo of a hot standby of the event database "
            "(e.g. `host=pg-replica port=5432 dbname=motcua user=motcua_reader`): the API "
            "serves the read models from it; needs `MOTCUA_PROJECTIONS=external` (the runner "
            "writes the primary); never set it on the runner or the fleet monitor",
            shown="unset: the primary",
            secret=True,
        ),
    ] = ""
    projection_batch: Annotated[int, var("MOTCUA_PROJECTION_BATCH", "events per read-model transaction", minimum=1)] = (
        1000
    )
    notifications: Annotated[
        str,
        var(
            "MOTCUA_NOTIFICATIONS",
            "`inprocess`: the API process runs the notification "
            "dispatcher; `external`: `python -m infrastructure.notifications run` does",
            choices=MODES,
        ),
    ] = "inprocess"
    bus: Annotated[
        str,
        var(
            "MOTCUA_BUS",
            "kiosk bus of the demo kiosk: `inprocess` (embedded) or `nats` (JetStream, "
            "with `python -m infrastructure.device_consumer`)",
            choices=("inprocess", "nats"),
        ),
    ] = "inprocess"
    demo: Annotated[
        bool,
        var(
            "MOTCUA_DEMO",
            "write demo data and demo logins into an empty store, and run the demo "
            "kiosk `Q6-01` inside the API process; lists sent texts on `/demo/messages`",
            shown="`1` under `make run`",
        ),
    ] = False
    log_level: Annotated[str, var("MOTCUA_LOG_LEVEL", "log level of `python -m infrastructure.notifications run`")] = (
        "INFO"
    )
    metrics_token: Annotated[
        str,
        var(
            "MOTCUA_METRICS_TOKEN",
            "bearer token of the Prometheus scraper for `/metrics` "
            "(32+ random characters); administrators' tokens are accepted too",
            shown="none: administrators only",
            secret=True,
        ),
    ] = ""
    metrics_dir: Annotated[
        str,
        var(
            "PROMETHEUS_MULTIPROC_DIR",
            "set by `motcua api --workers N` for its workers (a fresh directory under the data dir): `/metrics` "
            "then sums every worker's series; not to be set by hand",
            shown="unset",
        ),
    ] = ""
    ready_max_lag: Annotated[
        int,
        var(
            "MOTCUA_READY_MAX_LAG",
            "`/health/ready` answers 503 while a read model is more than this many events behind the log",
            minimum=0,
        ),
    ] = 10000
    postgres: PostgresSettings = msgspec.field(default_factory=PostgresSettings)
    privacy: PrivacySettings = msgspec.field(default_factory=PrivacySettings)
    files: FilesSettings = msgspec.field(default_factory=FilesSettings)
    signing: SigningSettings = msgspec.field(default_factory=SigningSettings)
    nats: NatsSettings = msgspec.field(default_factory=NatsSettings)
    channels: ChannelSettings = msgspec.field(default_factory=ChannelSettings)
    scheduler: SchedulerSettings = msgspec.field(default_factory=SchedulerSettings)
    audit: AuditSettings = msgspec.field(default_factory=AuditSettings)
    kiosk: KioskSettings = msgspec.field(default_factory=KioskSettings)
    fleet: FleetSettings = msgspec.field(default_factory=FleetSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the whole tree (default: this process's environment); SettingsError names a bad variable."""
        environ = os.environ if environ is None else environ
        tree = load(cls, environ)
        if not tree.signing.personal_keys:
            return tree
        passwords = {name: environ[name] for name in password_variables(tree.signing.personal_keys) if name in environ}
        return msgspec.structs.replace(tree, signing=msgspec.structs.replace(tree.signing, key_passwords=passwords))

    @property
    def production(self) -> bool:
        """PostgreSQL without the demo: every secret is given (mounted); no process writes one at start-up."""
        return self.store == "postgres" and not self.demo

    @property
    def blob_dir(self) -> Path:
        return self.files.blob_dir or self.data_dir / "blobs"

    @property
    def dev_pki_dir(self) -> Path:
        return self.signing.dev_pki_dir or self.data_dir / "pki"

    def postgres_conninfo(self) -> str:
        """libpq connection string of the event store's database (read models live there too)."""
        p = self.postgres
        parts = {"host": p.host, "port": p.port, "dbname": p.dbname, "user": p.user, "password": p.password}
        return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)

    def read_replica_conninfo(self) -> str:
        """MOTCUA_READ_REPLICA, checked: only with PostgreSQL and a read-model runner of its own."""
        if self.store != "postgres" or self.projections != "external":
            raise SettingsError(
                "MOTCUA_READ_REPLICA needs MOTCUA_STORE=postgres and MOTCUA_PROJECTIONS=external: "
                "read models on a standby are written by the runner on the primary"
            )
        return self.read_replica

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing environment for the chosen store."""
        common = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "n"}
        if self.audit.event_mac_key:
            common["MOTCUA_EVENT_MAC_KEY"] = self.audit.event_mac_key  # read by application/base.py from its env
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
        # No "db functions" option: the project's recorder (infrastructure/eventstore/recorder.py) never calls
        # eventsourcing's insert function, which takes no table lock; its own takes one per append (per group commit).
        p = self.postgres
        postgres = {
            "POSTGRES_HOST": p.host,
            "POSTGRES_PORT": p.port,
            "POSTGRES_DBNAME": p.dbname,
            "POSTGRES_USER": p.user,
            "POSTGRES_PASSWORD": p.password,
            "POSTGRES_SCHEMA": p.schema,
            "POSTGRES_POOL_SIZE": p.pool_size,
            "POSTGRES_MAX_OVERFLOW": p.max_overflow,
            "POSTGRES_CONNECT_TIMEOUT": p.connect_timeout,
        }
        return common | postgres | {"PERSISTENCE_MODULE": "eventsourcing.postgres"}


def private_files() -> None:
    """Files and directories this process creates are readable by the service user only (events, read models,
    keys, blobs hold personal data). Called by every composition root and process entry point."""
    os.umask(0o077)
