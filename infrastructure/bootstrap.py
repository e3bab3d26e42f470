"""Composition root: builds the applications with their adapters from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from application.dossiers import Dossiers
from application.kiosks import Kiosks
from application.proofs import Proofs
from application.ports import Calendar, Clock
from domain.procedures import Catalogue
from infrastructure.calendar import load_calendar
from infrastructure.catalogue import load_catalogue
from infrastructure.clock import SystemClock
from infrastructure.otp import MemoryOtp, console_sms
from infrastructure.settings import Settings


@dataclass
class System:
    """Every application of one process, wired to the same event store."""

    settings: Settings
    catalogue: Catalogue
    calendar: Calendar
    clock: Clock
    dossiers: Dossiers
    kiosks: Kiosks

    def close(self) -> None:
        """Release database connections."""
        self.kiosks.close()
        self.dossiers.close()


def build(settings: Settings, *, clock: Clock | None = None) -> System:
    """Load the catalogue and calendar (failing fast if invalid) and connect the event store."""
    catalogue = load_catalogue(settings.catalogue_path)
    calendar = load_calendar(settings.calendar_dir)
    clock = clock or SystemClock()
    env = settings.event_store_env()
    dossiers = Dossiers(env, catalogue=catalogue, calendar=calendar, clock=clock)
    key = settings.secret_key()
    kiosks = Kiosks(env, dossiers=dossiers, otp=MemoryOtp(key, console_sms), proofs=Proofs(key), clock=clock,
                    overdue_days=settings.overdue_days)
    return System(settings=settings, catalogue=catalogue, calendar=calendar, clock=clock, dossiers=dossiers, kiosks=kiosks)
