"""One System for the month, as the composition root wires it, on an SQLite file, with fakes only outside (OTP
sender, SMS gateway, doors): the read models are caught up by the scenario, not by a thread."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from application.accounts import Accounts
from application.base import OneStop
from application.tokens import Tokens
from application.vault_values import PdfCheck
from infrastructure.bootstrap import System
from infrastructure.guards import GuardStore
from infrastructure.idempotency import IdempotencyStore
from infrastructure.passwords import Argon2Hasher, load_common_passwords
from infrastructure.readstore.store import SqliteReadStore
from tests.acceptance.month_support import FIRST_DAY
from tests.auth_support import TOKEN_KEY
from tests.conftest import COMMON
from tests.fakes import FakeClock, FakeOtp
from tests.kiosk_support import vn
from tests.onestop_support import system_of


class UnsignedDocuments:
    """The DocumentSigner port for the month: the citizens' earlier documents it stores carry no signature, and
    nothing is signed (fee receipts are not rendered)."""

    def sign(self, pdf: bytes, **_: object):
        raise AssertionError("the month signs nothing")

    def verify(self, pdf: bytes) -> PdfCheck:
        return PdfCheck(signatures=[], altered=False, dossier_code=None)


@contextmanager
def month_system(directory: Path, catalogue) -> Iterator[System]:
    """The System of the month, closed afterwards; its calendar is the shipped one (holidays of 2026)."""
    from infrastructure.calendar import load_calendar

    # The events in an SQLite database in memory: the same recorder and SQL as the embedded store's file, without a
    # disk flush per commit (a month is some 4,000 commits).
    database = f"file:month-{uuid.uuid4().hex}?mode=memory&cache=shared"
    app = OneStop(COMMON | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": database})
    clock = FakeClock(vn(FIRST_DAY, 6))
    guards = GuardStore(SqliteReadStore(directory / "guards.sqlite3"))
    accounts = Accounts(
        app,
        hasher=Argon2Hasher.fast(),
        tokens=Tokens(TOKEN_KEY, revocations=guards),
        clock=clock,
        attempts=guards,
        common_passwords=load_common_passwords(),
    )
    system = system_of(
        app,
        catalogue=catalogue,
        calendar=load_calendar(),
        clock=clock,
        otp=FakeOtp(),
        store=SqliteReadStore(directory / "readmodels.sqlite3"),
        guards=guards,
        accounts=accounts,
        idempotency=IdempotencyStore(SqliteReadStore(directory / "idempotency.sqlite3")),
        signer=UnsignedDocuments(),
    )
    try:
        yield system
    finally:
        system.close()
