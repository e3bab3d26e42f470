"""Composition root: builds the applications with their adapters from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.access_log import AccessLogs
from application.accounts import Accounts
from application.history import History
from application.dossiers import Dossiers
from application.erasures import Erasures
from application.kiosks import Kiosks
from application.notifications import Notifications
from application.otp import Otps
from application.proofs import Proofs
from application.tokens import Tokens
from application.vaults import Vaults
from application.ports import Calendar, Clock, KioskDoors, ReadSide
from domain.procedures import Catalogue
from infrastructure.calendar import load_calendar
from infrastructure.catalogue import load_catalogue
from infrastructure.clock import SystemClock
from infrastructure.blob_table import blob_store
from infrastructure.notifications import configured_notifier, demo as demo_messages
from infrastructure.notifications.process import start_in_thread
from infrastructure.guards import GuardStore
from infrastructure.idempotency import IdempotencyStore
from infrastructure.passwords import Argon2Hasher, load_common_passwords
from infrastructure.privacy import wiring
from infrastructure.pdf import use_font_dir
from infrastructure.pdf_tools import LocalPdfTools
from infrastructure.signing.adapter import PyhankoSigner
from infrastructure import embedded
from infrastructure.settings import Settings, private_files
from projections.models import read_models
from projections.queries import Views
from projections.search import DossierSearch
from infrastructure.readstore.read_side import ProjectedReadSide, audit_history
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.store import PostgresReadStore, SqliteReadStore
from projections.ports import ReadStore


@dataclass
class System:
    """Every application of one process, wired to the same event store."""

    settings: Settings
    catalogue: Catalogue
    calendar: Calendar
    clock: Clock
    dossiers: Dossiers
    kiosks: Kiosks
    projector: Projector
    views: Views
    read_side: ReadSide
    history: History
    accounts: Accounts | None = None
    idempotency: IdempotencyStore | None = None
    access_logs: AccessLogs | None = None
    doors: KioskDoors | None = None  # set by the process that has a kiosk command line (api/__main__.py)
    vaults: Vaults | None = None
    otps: Otps | None = None
    notifications: Notifications | None = None
    stop_dispatcher: Any = None
    erasures: Erasures | None = None
    guards: GuardStore | None = None
    search: DossierSearch | None = None

    def close(self) -> None:
        """Stop the in-process runner and release database connections."""
        self.projector.stop()
        self.projector.store.close()
        if self.stop_dispatcher is not None:
            self.stop_dispatcher()
        if self.idempotency is not None:
            self.idempotency.close()
        if self.guards is not None:
            self.guards.close()
        if self.doors is not None and hasattr(self.doors, "close"):
            self.doors.close()
        for app in (self.otps, self.notifications, self.accounts, self.access_logs):
            if app is not None:
                app.close()
        self.kiosks.close()
        self.dossiers.close()
        if self.vaults is not None:
            self.vaults.close()
            if hasattr(self.vaults.blobs, "close"):  # the blob table's connections
                self.vaults.blobs.close()
        if self.erasures is not None:
            self.erasures.close()
            self.erasures.keys.close()


def build(settings: Settings, *, clock: Clock | None = None) -> System:
    """Load the catalogue and calendar (failing fast if invalid) and connect the event store."""
    private_files()
    use_font_dir(settings.files.font_dir)
    catalogue = load_catalogue(settings.catalogue_path)
    calendar = load_calendar(settings.calendar_dir)
    clock = clock or SystemClock()
    env = settings.event_store_env()
    keys = wiring.key_ring(settings)  # a missing or wrong MOTCUA_DATA_KEY stops the start before anything is opened
    dossiers = Dossiers(env, catalogue=catalogue, calendar=calendar, clock=clock)
    wiring.seal(keys, dossiers)  # before the in-process projector starts reading
    key = embedded.secret_key(settings)
    notifier = configured_notifier(settings.channels, demo_messages.for_settings(settings))
    otps = Otps(env, key=key, notifier=notifier)
    otps.repository.cache = dossiers.repository.cache
    guards = GuardStore.for_settings(settings)  # login and pickup counters, revoked tokens: shared by every replica
    kiosks = Kiosks(env, dossiers=dossiers, otp=otps, proofs=Proofs(key), clock=clock, overdue_days=settings.overdue_days,
                    attempts=guards)
    store = read_store(settings)
    projector = Projector(dossiers.recorder, dossiers.mapper, store, read_models(catalogue, key), batch=settings.projection_batch)
    if settings.projections == "inprocess":
        for app in (dossiers, kiosks):
            app.after_commit.append(projector.poke)
        projector.start()
    vaults = Vaults(env, blobs=blob_store(keys, settings),
                    signer=PyhankoSigner.from_settings(settings, names=lambda account: accounts.display_name(account)),
                    pdfs=LocalPdfTools.from_settings(settings.files), clock=clock)
    if settings.projections == "inprocess":
        vaults.after_commit.append(projector.poke)
    notifications = Notifications(env, notifier=notifier, overdue_days=settings.overdue_days,
                                  agency_name=lambda code: catalogue.agency(code).name)
    wiring.seal(keys, notifications)  # before its dispatcher thread reads or writes
    stop_dispatcher = None
    if settings.notifications == "inprocess":
        thread, stop = start_in_thread(notifications, clock)
        stop_dispatcher = lambda: (stop.set(), thread.join(timeout=10))  # noqa: E731
    accounts = Accounts(env, hasher=Argon2Hasher(), tokens=Tokens(key, revocations=guards), clock=clock, attempts=guards,
                        common_passwords=load_common_passwords())
    accounts.repository.cache = dossiers.repository.cache
    erasures = wiring.erasures(keys, env, clock, otps, dossiers, kiosks, vaults, notifications, accounts)
    views = Views(store, calendar)
    return System(settings=settings, catalogue=catalogue, calendar=calendar, clock=clock, dossiers=dossiers,
                  kiosks=kiosks, projector=projector, views=views, search=DossierSearch(store, views, key),
                  read_side=ProjectedReadSide(projector, calendar, settings.overdue_days),
                  history=audit_history(dossiers, clock), vaults=vaults, otps=otps,
                  notifications=notifications, stop_dispatcher=stop_dispatcher, accounts=accounts, erasures=erasures,
                  idempotency=IdempotencyStore.for_settings(settings), guards=guards,
                  access_logs=AccessLogs(env, key=key, otp=otps, clock=clock, attempts=guards,
                                            dossier_events=dossiers.events.get))


def build_projector(settings: Settings) -> Projector:
    """A read-model runner on its own (the `python -m projections` process)."""
    private_files()
    keys = wiring.key_ring(settings)
    projector = projector_over(settings.event_store_env(), read_store(settings, primary=True),
                               read_models(load_catalogue(settings.catalogue_path), embedded.secret_key(settings)),
                               settings.projection_batch)
    wiring.seal(keys, projector.log_reader)  # before it reads anything
    return projector


def projector_over(env: dict[str, str], store: ReadStore, models: list[Any], batch: int = 1000) -> Projector:
    """A Projector with a log reader of its own (its own connections: what a rebuild worker process needs too)."""
    from application.base import OneStopApplication

    log_reader = OneStopApplication(env)
    projector = Projector(log_reader.recorder, log_reader.mapper, store, models, batch=batch)
    projector.log_reader = log_reader  # keep the application alive: collecting it would close its connection pool
    return projector


def read_store(settings: Settings, *, primary: bool = False) -> ReadStore:
    """The read models' database: an SQLite file beside the events, a schema of the PostgreSQL database, or (for
    reading only, MOTCUA_READ_REPLICA) the same schema on a hot standby of it; the runner always writes the primary."""
    if settings.store == "sqlite":
        return SqliteReadStore(settings.data_dir / "readmodels.sqlite3")
    if settings.read_replica and not primary:
        return PostgresReadStore(settings.read_replica_conninfo(), settings.read_schema, read_only=True)
    return PostgresReadStore(settings.postgres_conninfo(), settings.read_schema)
