"""One application and the services a test needs, wired as the composition root wires them, with fakes outside."""

from __future__ import annotations

from collections.abc import Callable
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
from application.proofs import Proofs
from application.vaults import Vaults
from tests.fakes import FakeDoors, FakeNotifier, InMemoryBlobStore, MemoryKeys, NoAttempts, UnusedSigner


def dossiers_on(env_or_app: dict[str, str] | OneStop, catalogue: Any, calendar: Any, clock: Any) -> Dossiers:
    """Dossiers on an application of their own (a new "process") or on the given one."""
    app = env_or_app if isinstance(env_or_app, OneStop) else OneStop(env_or_app)
    return Dossiers(app, catalogue=catalogue, calendar=calendar, clock=clock)


def kiosks_on(dossiers: Dossiers, otp: Any, clock: Any, *, attempts: Any = None, doors: Any = None,
              proof_key: bytes = b"k" * 32, overdue_days: int = 5) -> Kiosks:
    """Kiosks on the dossiers' application (one cache), never throttled and with doors that open unless told."""
    return Kiosks(dossiers.app, dossiers=dossiers, otp=otp, proofs=Proofs(proof_key), clock=clock,
                  attempts=attempts or NoAttempts(), doors=doors or FakeDoors(), overdue_days=overdue_days)


def vaults_on(app: OneStop, clock: Any, *, blobs: Any = None, signer: Any = None, pdfs: Any = None) -> Vaults:
    """Vaults on the application, with an in-memory blob store and a signer that must not be used unless given."""
    from infrastructure.pdf_tools import LocalPdfTools

    return Vaults(app, blobs=blobs or InMemoryBlobStore(), signer=signer or UnusedSigner(), pdfs=pdfs or LocalPdfTools(),
                  clock=clock)


def notifications_on(app: OneStop, notifier: Any = None, *, catalogue: Any = None, overdue_days: int = 5) -> Notifications:
    """Notifications with agency names from the catalogue (the code itself without one)."""
    names: Callable[[str], str] = (lambda code: catalogue.agency(code).name) if catalogue else (lambda code: code)
    return Notifications(app, notifier=notifier or FakeNotifier(), agency_name=names, overdue_days=overdue_days)


def services(app: OneStop, *, catalogue: Any, calendar: Any, clock: Any, otp: Any, guards: Any, accounts: Accounts,
             later: Callable[[Callable[[], None]], Any] = lambda job: job()) -> dict[str, Any]:
    """Every service of a System on one application, with fakes for the outside world (the `system` fixture's)."""
    dossiers = dossiers_on(app, catalogue, calendar, clock)
    otps = Otps(app, key=b"o" * 32, notifier=FakeNotifier())
    keys = MemoryKeys()
    return dict(app=app, keys=keys, dossiers=dossiers, otps=otps, accounts=accounts,
                kiosks=kiosks_on(dossiers, otp, clock, attempts=guards, proof_key=b"p" * 32),
                vaults=vaults_on(app, clock), notifications=notifications_on(app, catalogue=catalogue),
                access_logs=AccessLogs(app, key=b"a" * 32, otp=otp, clock=clock, attempts=guards, later=later),
                device_events=DeviceEvents(app, clock=clock),
                erasures=Erasures(app, keys=keys, phone_key=otps.phone_key, clock=clock))
