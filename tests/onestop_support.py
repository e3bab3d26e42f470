"""One application and the services a test needs, wired as the composition root wires them, with fakes outside."""

from __future__ import annotations

from typing import Any

from application.access_log import AccessLogs
from application.accounts import Accounts
from application.base import OneStop
from application.device_events import DeviceEvents
from application.dossiers import Dossiers
from application.erasures import Erasures
from application.kiosks import Kiosks
from application.notifications import Notifications
from application.otp import Otps
from application.personal_reads import PersonalReads
from application.proofs import Proofs
from application.vaults import Vaults
from tests.fakes import FakeDoors, FakeNotifier, InMemoryBlobStore, MemoryKeys, NoAttempts, UnusedSigner


def dossiers_on(env_or_app: dict[str, str] | OneStop, catalogue: Any, calendar: Any, clock: Any) -> Dossiers:
    """Dossiers on an application of their own (a new "process") or on the given one."""
    app = env_or_app if isinstance(env_or_app, OneStop) else OneStop(env_or_app)
    return Dossiers(app, catalogue=catalogue, calendar=calendar, clock=clock)


def kiosks_on(
    dossiers: Dossiers,
    otp: Any,
    clock: Any,
    *,
    attempts: Any = None,
    doors: Any = None,
    proof_key: bytes = b"k" * 32,
    overdue_days: int = 5,
) -> Kiosks:
    """Kiosks on the dossiers' application (one cache), never throttled and with doors that open unless told."""
    return Kiosks(
        dossiers.app,
        dossiers=dossiers,
        otp=otp,
        proofs=Proofs(proof_key),
        clock=clock,
        attempts=attempts or NoAttempts(),
        doors=doors or FakeDoors(),
        overdue_days=overdue_days,
    )


def vaults_on(dossiers: Dossiers, clock: Any, *, blobs: Any = None, signer: Any = None, pdfs: Any = None) -> Vaults:
    """Vaults on the dossiers' application, with an in-memory blob store and a signer that must not be used unless
    given."""
    from infrastructure.pdf_tools import LocalPdfTools

    return Vaults(
        dossiers.app,
        dossiers=dossiers,
        blobs=blobs or InMemoryBlobStore(),
        signer=signer or UnusedSigner(),
        pdfs=pdfs or LocalPdfTools(),
        clock=clock,
    )


def notifications_on(
    app: OneStop,
    notifier: Any = None,
    *,
    catalogue: Any = None,
    calendar: Any = None,
    overdue_days: int = 5,
    supplement_days: int = 10,
) -> Notifications:
    """Notifications with the shipped catalogue and calendar unless others are given."""
    from infrastructure.calendar import load_calendar
    from infrastructure.catalogue import load_catalogue

    return Notifications(
        app,
        notifier=notifier or FakeNotifier(),
        catalogue=catalogue or load_catalogue(),
        calendar=calendar or load_calendar(),
        overdue_days=overdue_days,
        supplement_days=supplement_days,
    )


SEARCH_KEY = b"tests-search-key-0123456789abcdef"


def system_of(
    app: OneStop,
    *,
    catalogue: Any,
    calendar: Any,
    clock: Any,
    otp: Any,
    store: Any,
    guards: Any,
    idempotency: Any,
    accounts: Accounts,
    projector: Any = None,
    signer: Any = None,
) -> Any:
    """A System on one application with fakes for the outside world, as `infrastructure.bootstrap.build` wires one
    (no threads: the caller starts the projector if it wants one running); `signer` for the vaults, else one that
    must not be used."""
    from application.card_returns import CardReturns
    from application.cash_split import CashCollections
    from application.online_corner import OnlineCorner
    from application.refunds import Refunds
    from application.routines import Routines
    from infrastructure.bootstrap import System, money_receipts
    from infrastructure.faces import CounterFaces
    from infrastructure.office_policies import office_policies
    from infrastructure.portal import SimulatedPortal
    from infrastructure.readstore.read_side import ProjectedReadSide, audit_history
    from infrastructure.readstore.runner import Projector
    from infrastructure.settings import Settings
    from projections.models import read_models
    from projections.queries import Views
    from projections.search import DossierSearch

    projector = projector or Projector(app.recorder, app.mapper, store, read_models(catalogue, SEARCH_KEY))
    dossiers, keys = dossiers_on(app, catalogue, calendar, clock), MemoryKeys()
    otps = Otps(app, key=b"o" * 32, notifier=FakeNotifier())
    kiosks = kiosks_on(dossiers, otp, clock, attempts=guards, proof_key=b"p" * 32)
    overdue_days, vaults = Settings().overdue_days, vaults_on(dossiers, clock, signer=signer)
    access_logs = AccessLogs(app, key=b"a" * 32, otp=otp, clock=clock, attempts=guards, later=lambda job: job())
    return System(
        settings=Settings(),
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
        notifications=notifications_on(app, catalogue=catalogue),
        device_events=DeviceEvents(app, clock=clock),
        erasures=Erasures(app, keys=keys, phone_key=otps.phone_key, clock=clock),
        refunds=Refunds(dossiers),
        receipts=(receipts := money_receipts(app, catalogue, clock, vaults)),
        cash_collections=CashCollections(dossiers, catalogue),
        routines=Routines(app),
        policies=office_policies(app, receipts),
        projector=projector,
        views=(views := Views(projector.store, calendar)),
        search=DossierSearch(projector.store, views, SEARCH_KEY),
        read_side=ProjectedReadSide(projector, calendar, overdue_days),
        history=audit_history(app, clock),
        guards=guards,
        idempotency=idempotency,
        code_sequences=None,
        doors=kiosks.doors,
        stop_threads=projector.stop,
        card_returns=CardReturns(app, dossiers=dossiers, proofs=kiosks.proofs, clock=clock, faces=CounterFaces(None)),
        online_corner=OnlineCorner(app, dossiers=dossiers, proofs=kiosks.proofs, clock=clock, portal=SimulatedPortal()),
    )
