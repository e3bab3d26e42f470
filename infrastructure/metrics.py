"""Prometheus metrics of a core process (prometheus-client), served by the API's `/metrics` (api/metrics.py).

Two kinds, chosen so several API replicas need no shared metrics directory (the workers of one replica,
`motcua api --workers N`, share one: `workers_dir`):
- what THIS process did (requests per route template, commands and refusals per command, the outbox depth kiosks
  report to it): counters and gauges of the process's own registry. Every API process is its own scrape target;
  sum over `instance` for the service (docs/OPERATIONS.md).
- what the shared stores say (read-model lag per model, the notification queue and its failures, scheduler runs):
  read at scrape time from PostgreSQL (or the embedded files), so every replica answers the same numbers whichever
  process did the work (the runner, the dispatcher and the scheduler are processes without an HTTP port).
No label carries personal data or a concrete path: routes are templates, kiosks are device keys.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from application.notifications import CLOSED_TOPICS, OPEN_TOPICS
from domain.notification import Notification

log = logging.getLogger("motcua.metrics")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FAILED, GAVE_UP = get_topic(Notification.Failed), get_topic(Notification.GaveUp)
SCAN_BATCH = 1000


class Metrics:
    """One process's registry: its own request and command counters plus the store-derived collectors."""

    def __init__(self, *collectors: Collector, workers_dir: str = "") -> None:
        """`workers_dir`: the directory the API workers of one port share (prometheus-client's multiprocess mode,
        PROMETHEUS_MULTIPROC_DIR, set by `motcua api --workers N`): the exposition then sums every worker's series."""
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "motcua_http_requests",
            "HTTP requests answered, per route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "motcua_http_request_duration_seconds",
            "time to answer, per route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.commands = Counter(
            "motcua_commands",
            "commands (writing requests) per command and outcome (done, refused: a 4xx answer, failed: a 5xx)",
            ["command", "outcome"],
            registry=r,
        )
        self.refusals = Counter(
            "motcua_command_refusals", "refused commands per command and error code", ["command", "reason"], registry=r
        )
        self.outbox = Gauge(
            "motcua_kiosk_outbox_depth",
            "device events waiting in a kiosk's outbox, as the kiosk last reported to this process",
            ["kiosk"],
            registry=r,
            multiprocess_mode="mostrecent",  # with workers: the latest report to any of them
        )
        for collector in collectors:
            r.register(collector)
        self.exposed = r
        if workers_dir:  # the process's own series are read from every worker's files instead
            self.exposed = CollectorRegistry()
            MultiProcessCollector(self.exposed, path=workers_dir)
            for collector in collectors:
                self.exposed.register(collector)

    def command(self, name: str, status: int) -> Any:
        """The counter of the command `name` answered with `status` (done, refused or failed), to `inc()` per answer;
        a refusal is also counted by its error code (`refusal`)."""
        return self.commands.labels(name, outcome_of(status))

    def refusal(self, name: str, status: int, reason: str | None) -> None:
        """Count one refused command (a 4xx answer) by its error code."""
        self.refusals.labels(name, reason or f"http_{status}").inc()

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.exposed), CONTENT_TYPE_LATEST


def outcome_of(status: int) -> str:
    """A command's outcome by its answer's status."""
    return "done" if status < 400 else "refused" if status < 500 else "failed"


class ReadModelLag(Collector):
    """Events and seconds each read model is behind the log, and whether it is quarantined (at scrape time)."""

    def __init__(self, lag: Callable[[], Sequence[Any]]) -> None:
        self.lag = lag

    def collect(self) -> Iterator[Metric]:
        events = GaugeMetricFamily(
            "motcua_read_model_lag_events", "events a read model is behind the log", labels=["model"]
        )
        seconds = GaugeMetricFamily(
            "motcua_read_model_lag_seconds", "seconds a read model is behind the log", labels=["model"]
        )
        stuck = GaugeMetricFamily(
            "motcua_read_model_quarantined", "1 when a read model stopped at a faulty event", labels=["model"]
        )
        for lag in _safely(self.lag, "read-model lag"):
            events.add_metric([lag.name], lag.events_behind)
            seconds.add_metric([lag.name], lag.seconds_behind)
            stuck.add_metric([lag.name], 0 if lag.quarantined_at is None else 1)
        yield from (events, seconds, stuck)


class NotificationTally(Collector):
    """The notification queue (requested or failed, not yet sent nor given up) and failures, from the shared log.

    Follows the log incrementally from where the last scrape stopped, reading only the notification topics."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self._position = 0
        self._pending: set[Any] = set()
        self._counts: Tally[str] = Tally()
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            ok = bool(_safely(self._follow, "notification log"))
            queued = GaugeMetricFamily(
                "motcua_notifications_queued", "notifications waiting to be sent, retries included"
            )
            failures = CounterMetricFamily("motcua_notification_failures", "failed sending attempts")
            gave_up = CounterMetricFamily("motcua_notifications_given_up", "notifications no channel could deliver")
            if ok:
                queued.add_metric([], len(self._pending))
                failures.add_metric([], self._counts[FAILED])
                gave_up.add_metric([], self._counts[GAVE_UP])
        yield from (queued, failures, gave_up)

    def _follow(self) -> list[bool]:
        """Read the notification events since the last scrape; [True] once done (an outage raises)."""
        head = self.recorder.max_notification_id() or 0
        while self._position < head:
            found = self.recorder.select_notifications(
                self._position + 1, SCAN_BATCH, stop=head, topics=OPEN_TOPICS + CLOSED_TOPICS
            )
            for stored in found:
                self._counts[stored.topic] += 1
                if stored.topic in CLOSED_TOPICS:
                    self._pending.discard(stored.originator_id)
                else:
                    self._pending.add(stored.originator_id)
            self._position = found[-1].id if len(found) == SCAN_BATCH else head
        return [True]


class SchedulerRuns(Collector):
    """Runs of each scheduled job by outcome, from the scheduler's ledger (shared by the leader and its standby)."""

    def __init__(self, rows: Callable[[], Iterable[dict[str, Any]]]) -> None:
        self.rows = rows

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "motcua_scheduler_runs", "scheduled job runs by job and outcome", labels=["job", "outcome"]
        )
        tally = Tally((row["job"], row["outcome"]) for row in _safely(self.rows, "scheduler ledger"))
        for (job, outcome), count in sorted(tally.items()):
            runs.add_metric([job, outcome], count)
        yield runs


class KioskHeartbeats(Collector):
    """Each kiosk's outbox backlog and the age of its last heartbeat, from the fleet store (infrastructure/fleet)."""

    def __init__(self, heartbeats: Callable[[], dict[str, dict[str, Any]]], now: Callable[[], datetime]) -> None:
        self.heartbeats, self.now = heartbeats, now

    def collect(self) -> Iterator[Metric]:
        backlog = GaugeMetricFamily(
            "motcua_kiosk_heartbeat_outbox_backlog",
            "device events waiting in a kiosk's outbox, from its last heartbeat",
            labels=["kiosk"],
        )
        age = GaugeMetricFamily(
            "motcua_kiosk_heartbeat_age_seconds", "seconds since a kiosk's last heartbeat", labels=["kiosk"]
        )
        beats = dict(*_safely(lambda: [self.heartbeats()], "fleet heartbeats"))  # one dict, or none when down
        now = self.now()
        for kiosk, beat in sorted(beats.items()):
            backlog.add_metric([kiosk], beat["outbox_backlog"])
            age.add_metric([kiosk], max(0.0, (now - beat["seen_at"]).total_seconds()))
        yield from (backlog, age)


def _safely(read: Callable[[], Iterable[Any]], what: str) -> list[Any]:
    """A store that does not answer leaves its series out of this scrape (and /health/ready says why)."""
    try:
        return list(read())
    except Exception as error:  # noqa: BLE001 - a scrape never fails because one store is down
        log.warning("metrics: %s unavailable (%s)", what, type(error).__name__)
        return []
