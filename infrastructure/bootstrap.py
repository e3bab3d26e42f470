"""Composition root: one application over the shared log, the services of each area, the read side and the adapters.

`build` reads top to bottom in stages: reference data → the store (the one `OneStop` application, sealed by the key
ring) → the core services → the read side → the threads (in-process runner and dispatcher, the key ring's watch).
`System.close` undoes the stages in reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from application.access_log import AccessLogs
from application.accounts import Accounts
from application.base import OneStop
from application.card_returns import CardReturns
from application.cash_split import CashCollections
from application.device_events import DeviceEvents
from application.dossiers import Dossiers
from application.erasures import Erasures
from application.history import History
from application.kiosks import Kiosks
from application.notifications import Notifications
from application.online_corner import OnlineCorner
from application.otp import Otps
from application.personal_reads import PersonalReads
from application.policies import Policies
from application.ports import Calendar, Clock, FaceEmbedder, KioskDoors, Portal, ReadSide
from application.proofs import Proofs
from application.receipts import Receipts
from application.refunds import Refunds
from application.routines import Routines
from application.tokens import Tokens
from application.vaults import Vaults
from domain.procedures import Catalogue
from infrastructure import embedded
from infrastructure.blob_table import blob_store
from infrastructure.calendar import load_calendar
from infrastructure.catalogue import load_catalogue
from infrastructure.clock import SystemClock
from infrastructure.code_sequences import PostgresCodeSequences
from infrastructure.faces import CounterFaces
from infrastructure.fee_receipt_pdf import FeeReceiptPdf
from infrastructure.guards import GuardStore
from infrastructure.idempotency import IdempotencyStore
from infrastructure.kiosk_doors import NoDoors
from infrastructure.notifications import configured_notifier
from infrastructure.notifications import demo as demo_messages
from infrastructure.notifications.process import start_in_thread
from infrastructure.office_policies import office_policies
from infrastructure.passwords import Argon2Hasher, load_common_passwords
from infrastructure.pdf import use_font_dir
from infrastructure.pdf_tools import LocalPdfTools
from infrastructure.portal import SimulatedPortal
from infrastructure.privacy import wiring
from infrastructure.privacy.keyring import KeyRing
from infrastructure.readstore.read_side import ProjectedReadSide, audit_history
from infrastructure.readstore.runner import Projector
from infrastructure.readstore.store import PostgresReadStore, SqliteReadStore
from infrastructure.receipt_issuers import load_receipt_issuers
from infrastructure.settings import Settings, private_files
from infrastructure.signing.adapter import PyhankoSigner
from projections.models import read_models
from projections.ports import ReadStore
from projections.queries import Views
from projections.search import DossierSearch


@dataclass
class System:
    """One process's application, its services, read side and adapters; every part is there."""

    settings: Settings
    catalogue: Catalogue
    calendar: Calendar
    clock: Clock
    # the store
    app: OneStop
    keys: KeyRing
    # core services
    dossiers: Dossiers
    otps: Otps
    kiosks: Kiosks
    vaults: Vaults
    accounts: Accounts
    access_logs: AccessLogs
    reads: PersonalReads
    notifications: Notifications
    device_events: DeviceEvents
    erasures: Erasures
    refunds: Refunds
    receipts: Receipts
    cash_collections: CashCollections
    routines: Routines
    policies: Policies  # receipts for payments, routines done, follow-ups (run by the notification dispatcher)
    # read side
    projector: Projector
    views: Views
    read_side: ReadSide
    history: History
    # adapters with connections or threads of their own
    guards: GuardStore
    idempotency: IdempotencyStore
    code_sequences: PostgresCodeSequences | None  # dossier code sequences shared by every process (PostgreSQL)
    doors: KioskDoors
    stop_threads: Callable[[], None]
    search: DossierSearch
    # [14] kiosk flows: the police ID-card return and counter face templates; the online corner
    card_returns: CardReturns
    online_corner: OnlineCorner

    def close(self) -> None:
        """Stop the threads, close the adapters, the read side, then the application's connections."""
        self.stop_threads()
        self.projector.stop()  # its LISTEN connections, opened by a wait for a runner in another process
        self.access_logs.close()
        for adapter in (self.doors, self.idempotency, self.guards, self.code_sequences):
            close = getattr(adapter, "close", None)
            if close is not None:
                close()
        self.projector.store.close()
        close_blobs = getattr(self.vaults.blobs, "close", None)  # the blob table's connections
        if close_blobs is not None:
            close_blobs()
        self.keys.close()
        self.app.close()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    doors: KioskDoors | None = None,
    faces: FaceEmbedder | None = None,
    portal: Portal | None = None,
) -> System:
    """Load the catalogue and calendar (failing fast if invalid), open the event store and wire every service.

    `doors` is the command line to kiosks of a process that has one (api/__main__.py); others open no door.
    `faces` embeds the counter's face photos (api/__main__.py with MOTCUA_FACE_MODEL_DIR; others refuse them);
    `portal` is the national portal of the kiosks' online corner (the simulated one by default)."""
    private_files()
    use_font_dir(settings.files.font_dir)
    catalogue, calendar = load_catalogue(settings.catalogue_path), load_calendar(settings.calendar_dir)
    clock = clock or SystemClock()
    # ----- the store: one application, its personal data sealed before anything reads it
    keys = wiring.key_ring(settings)  # a missing or wrong MOTCUA_DATA_KEY stops the start before anything is opened
    app = OneStop(settings.event_store_env())
    wiring.seal(keys, app)
    # ----- core services
    key = embedded.secret_key(settings)
    guards = GuardStore.for_settings(settings)  # login and pickup counters, revoked tokens: shared by every replica
    notifier = configured_notifier(settings.channels, demo_messages.for_settings(settings))
    # Several API workers write for the same agencies at once: they share the daily code sequences (one statement
    # per code). One API process counts in memory (a code another process took is a conflict, and it asks again).
    sequences = (
        PostgresCodeSequences(settings.postgres_conninfo(), settings.postgres.schema)
        if settings.store == "postgres" and settings.api_workers > 1
        else None
    )
    dossiers = Dossiers(app, catalogue=catalogue, calendar=calendar, clock=clock, sequences=sequences)
    otps = Otps(app, key=key, notifier=notifier)
    kiosks = Kiosks(
        app,
        dossiers=dossiers,
        otp=otps,
        proofs=Proofs(key),
        clock=clock,
        attempts=guards,
        doors=doors or NoDoors(),
        overdue_days=settings.overdue_days,
    )
    accounts = Accounts(
        app,
        hasher=Argon2Hasher(),
        tokens=Tokens(key, revocations=guards),
        clock=clock,
        attempts=guards,
        common_passwords=load_common_passwords(),
    )
    vaults = Vaults(
        app,
        dossiers=dossiers,
        blobs=blob_store(keys, settings),
        signer=PyhankoSigner.from_settings(settings, names=accounts.display_name),
        pdfs=LocalPdfTools.from_settings(settings.files),
        clock=clock,
    )
    receipts = money_receipts(app, catalogue, clock, vaults)
    notifications = Notifications(
        app,
        notifier=notifier,
        catalogue=catalogue,
        calendar=calendar,
        overdue_days=settings.overdue_days,
        supplement_days=settings.supplement_days,
    )
    erasures = Erasures(app, keys=keys, phone_key=otps.phone_key, clock=clock)
    access_logs = AccessLogs(app, key=key, otp=otps, clock=clock, attempts=guards)
    # ----- read side
    store = read_store(settings)
    projector = Projector(app.recorder, app.mapper, store, read_models(catalogue, key), batch=settings.projection_batch)
    views = Views(store, calendar)
    # ----- threads
    policies = office_policies(app, receipts)
    stop_threads = start_threads(settings, app, keys, projector, notifications, clock, policies)
    return System(
        settings=settings,
        catalogue=catalogue,
        calendar=calendar,
        clock=clock,
        app=app,
        keys=keys,
        dossiers=dossiers,
        otps=otps,
        kiosks=kiosks,
        vaults=vaults,
        accounts=accounts,
        access_logs=access_logs,
        reads=PersonalReads(dossiers=dossiers, vaults=vaults, access_logs=access_logs),
        notifications=notifications,
        device_events=DeviceEvents(app, clock=clock),
        erasures=erasures,
        refunds=Refunds(dossiers),
        receipts=receipts,
        cash_collections=CashCollections(dossiers, catalogue),
        routines=Routines(app),
        policies=policies,
        projector=projector,
        views=views,
        search=DossierSearch(store, views, key),
        read_side=ProjectedReadSide(projector, calendar, settings.overdue_days),
        history=audit_history(app, clock),
        guards=guards,
        idempotency=IdempotencyStore.for_settings(settings),
        code_sequences=sequences,
        doors=kiosks.doors,
        stop_threads=stop_threads,
        card_returns=CardReturns(
            app, dossiers=dossiers, proofs=kiosks.proofs, clock=clock, faces=faces or CounterFaces(None)
        ),
        online_corner=OnlineCorner(
            app, dossiers=dossiers, proofs=kiosks.proofs, clock=clock, portal=portal or SimulatedPortal()
        ),
    )


def money_receipts(app: OneStop, catalogue: Catalogue, clock: Clock, vaults: Vaults) -> Receipts:
    """Fee receipts: the issuers' tax codes and serial prefix (infrastructure/data/receipt_issuers.toml, read once),
    rendered by fpdf2 and sealed with the agency's key."""
    issuers = load_receipt_issuers()
    return Receipts(
        app,
        catalogue=catalogue,
        clock=clock,
        tax_codes=issuers.tax_codes,
        prefix=issuers.prefix,
        renderer=FeeReceiptPdf(),
        signer=vaults.signer,
    )


def start_threads(
    settings: Settings,
    app: OneStop,
    keys: KeyRing,
    projector: Projector,
    notifications: Notifications,
    clock: Clock,
    policies: Policies,
) -> Callable[[], None]:
    """The key ring's watch (an erasure anywhere empties the cache), the embedded read-model runner (woken after
    each commit) and the embedded notification dispatcher with the office's policies; returns how to stop them, in
    reverse order."""
    keys.listeners.append(lambda: wiring.drop_cached(app))
    keys.watch()
    stops: list[Callable[[], None]] = []
    if settings.projections == "inprocess":
        app.after_commit.append(projector.poke)
        projector.start()
        stops.append(projector.stop)
    if settings.notifications == "inprocess":
        thread, stop = start_in_thread(notifications, clock, also=policies.follow)

        def stop_dispatcher() -> None:
            stop.set()
            thread.join(timeout=10)

        stops.append(stop_dispatcher)

    def stop_all() -> None:
        for stop_one in reversed(stops):
            stop_one()

    return stop_all


def build_projector(settings: Settings) -> Projector:
    """A read-model runner on its own (the `python -m projections` process)."""
    private_files()
    keys = wiring.key_ring(settings)
    projector = projector_over(
        settings.event_store_env(),
        read_store(settings, primary=True),
        read_models(load_catalogue(settings.catalogue_path), embedded.secret_key(settings)),
        settings.projection_batch,
    )
    wiring.seal(keys, projector.log_reader)  # before it reads anything
    return projector


def projector_over(env: dict[str, str], store: ReadStore, models: list[Any], batch: int = 1000) -> Projector:
    """A Projector over an application of its own (its own connections: what a rebuild worker process needs too)."""
    log_reader = OneStop(env)
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
