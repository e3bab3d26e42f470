"""Composition root: builds the applications with their adapters from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from application.dossiers import Dossiers
from application.ports import Calendar, Clock
from domain.procedures import Catalogue
from infrastructure.calendar import load_calendar
from infrastructure.catalogue import load_catalogue
from infrastructure.clock import SystemClock
from infrastructure.settings import Settings


@dataclass
class System:
    """Every application of one process, wired to the same event store."""

    settings: Settings
    catalogue: Catalogue
    calendar: Calendar
    clock: Clock
    dossiers: Dossiers

    def close(self) -> None:
        """Release database connections."""
        self.dossiers.close()


def build(settings: Settings, *, clock: Clock | None = None) -> System:
    """Load the catalogue and calendar (failing fast if invalid) and connect the event store."""
    catalogue = load_catalogue(settings.catalogue_path)
    calendar = load_calendar(settings.calendar_dir)
    clock = clock or SystemClock()
    env = settings.event_store_env()
    dossiers = Dossiers(env, catalogue=catalogue, calendar=calendar, clock=clock)
    return System(settings=settings, catalogue=catalogue, calendar=calendar, clock=clock, dossiers=dossiers)
