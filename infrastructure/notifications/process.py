"""Running the notification policy and dispatcher: in its own process (`__main__`) or a thread of the embedded API."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime

from application.base import OneStop
from application.notifications import Notifications
from application.ports import Clock
from infrastructure.calendar import load_calendar
from infrastructure.catalogue import load_catalogue
from infrastructure.notifications import configured_notifier, demo
from infrastructure.privacy import wiring
from infrastructure.settings import Settings, private_files

log = logging.getLogger("motcua.notifications")


def build_dispatcher(settings: Settings) -> Notifications:
    """The dispatcher process's one application and its Notifications service, with the configured gateways, the
    catalogue (agency names and SMS brandnames) and the calendar (close it with `service.app.close()`)."""
    private_files()
    catalogue = load_catalogue(settings.catalogue_path)
    notifier = configured_notifier(settings.channels, demo.for_settings(settings))
    keys = wiring.key_ring(settings)  # recipients are sealed personal data
    app = OneStop(settings.event_store_env())
    wiring.seal(keys, app)
    keys.listeners.append(lambda: wiring.drop_cached(app))
    keys.watch()
    return Notifications(
        app,
        notifier=notifier,
        catalogue=catalogue,
        calendar=load_calendar(settings.calendar_dir),
        overdue_days=settings.overdue_days,
        supplement_days=settings.supplement_days,
    )


Follow = Callable[[datetime], int]


def run(
    notifications: Notifications, clock: Clock, stop: threading.Event, poll: float, also: Follow | None = None
) -> None:
    """Policy and dispatch rounds until `stop` is set; an error is logged and the round retried. `also` is one round
    of the office's other policies (receipts, routines, follow-ups: infrastructure/office_policies.py)."""
    while not stop.is_set():
        try:
            now = clock.now()
            if also is not None:
                try:
                    also(now)
                except Exception:  # a failing office policy must not hold up the citizens' messages
                    log.exception("office policies round failed; retrying")
            made = notifications.follow_requests(now)
            attempts = notifications.dispatch_due(now)
            if made or attempts:
                log.info("requested %d, attempted %d", made, attempts)
        except Exception:  # keep running: positions and outcomes are in the event store
            log.exception("notification round failed; retrying")
        stop.wait(poll)


def stop_on_signals(stop: threading.Event) -> Callable[[int, object], None]:
    """Install handlers that set `stop` on SIGTERM and SIGINT."""

    def handler(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after this round", signum)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)
    return handler


def start_in_thread(
    notifications: Notifications, clock: Clock, poll: float = 5.0, also: Follow | None = None
) -> tuple[threading.Thread, threading.Event]:
    """The embedded default: rounds in a daemon thread; set the returned event (and join) to stop."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(notifications, clock, stop, poll, also), name="notifications", daemon=True
    )
    thread.start()
    return thread, stop
