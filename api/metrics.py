"""Operations routes and instrumentation: `/metrics`, `/health/live`, `/health/ready`, request ids, request metrics.

`/metrics` is not public: an administrator's token, or the scraper's static token `MOTCUA_METRICS_TOKEN`
(`Authorization: Bearer <token>`, checked in api/auth.py) (docs/SECURITY.md). Requests are measured per route
template (`/dossiers/{code}`), never per concrete path, which would carry dossier codes and ID numbers.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, cast

import msgspec
from litestar import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import ADMINS, PRINCIPAL, PUBLIC, SCRAPE, authorize, rules, scope_header
from api.routing import get
from domain.values import Role
from infrastructure.bootstrap import System
from infrastructure.fleet import FleetStore
from infrastructure.logs import REQUEST_ID, REQUEST_ID_HEADER, request_id_from
from infrastructure.metrics import KioskHeartbeats, Metrics, NotificationTally, ReadModelLag, SchedulerRuns
from infrastructure.scheduler.wiring import SQLITE_LEDGER, scheduler_ledger

READS = frozenset({"GET", "HEAD", "OPTIONS"})
OUTBOX_HEADER = b"x-kiosk-outbox-depth"
SCOPE_KEY = "motcua.request_id"
ERROR_CODE = re.compile(r"[a-z0-9_]{1,48}")
TYPED_PARAM = re.compile(r"\{(\w+):\w+\}")


class Ready(msgspec.Struct):
    """Readiness: each check's verdict ("ok" or why not) and the overall status."""

    status: str
    checks: dict[str, str]


class Operations:
    """The metrics, middleware, hooks and routes of operations for one app over `system`."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.metrics = Metrics(
            ReadModelLag(system.read_side.lag),
            NotificationTally(system.app.recorder),
            SchedulerRuns(self._scheduler_rows),
            KioskHeartbeats(FleetStore(system.projector.store).heartbeats, system.clock.now),
            workers_dir=system.settings.metrics_dir,
        )
        self._ledger: Any = None
        self._series: dict[tuple[str, str | None, int], tuple[str, Any, Any, Any]] = {}

    @property
    def routes(self) -> list[Any]:
        return [self._metrics_route(), self._live_route(), self._ready_route()]

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Route middleware (outermost): the request id for the handler's context, then the request's metrics."""

        async def measured(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            request_id = cast(dict, scope).setdefault(SCOPE_KEY, _incoming_id(scope))
            token, started, answer = REQUEST_ID.set(request_id), time.perf_counter(), _Answer(send)
            try:
                await app(scope, receive, answer.send)
            finally:
                REQUEST_ID.reset(token)
                self._record(scope, answer, time.perf_counter() - started)

        return measured

    async def request_id_header(self, message: Message, scope: Scope) -> None:
        """`before_send` hook: every answer (unknown paths too) names its request id."""
        if message["type"] == "http.response.start":
            known: dict[str, Any] = cast(dict, scope)  # set by `measured`; unknown paths do not pass there
            request_id: str = known.get(SCOPE_KEY) or known.setdefault(SCOPE_KEY, _incoming_id(scope))
            headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"]
            message["headers"] = [*headers, (b"x-request-id", request_id.encode())]

    def _record(self, http_scope: Scope, answer: _Answer, seconds: float) -> None:
        scope: dict[str, Any] = cast(dict, http_scope)
        method, template, status = scope["method"], scope.get("path_template"), answer.status
        found = self._series.get((method, template, status))
        if found is None:  # a bounded set: route templates × methods × statuses
            found = self._series[method, template, status] = self._series_of(method, template, status)
        command, requests, latency, commands = found
        requests.inc()
        latency.observe(seconds)
        if commands is not None:
            commands.inc()
            if 400 <= status < 500:
                self.metrics.refusal(command, status, answer.error_code())
        principal = scope.get(PRINCIPAL)
        if principal is not None and principal.role is Role.KIOSK and principal.kiosk:
            depth = scope_header(http_scope, OUTBOX_HEADER) or b""
            if depth.isdigit():
                self.metrics.outbox.labels(principal.kiosk).set(min(int(depth), 10**9))

    def _series_of(self, method: str, template: str | None, status: int) -> tuple[str, Any, Any, Any]:
        """The command's name (method and route), the route's request counter and latency histogram, and the
        command's counter for this status (None for a read): labels() costs a lookup per call."""
        route = TYPED_PARAM.sub(r"{\1}", template or "<unmatched>")
        command = f"{method} {route}"
        return (
            command,
            self.metrics.requests.labels(method, route, str(status)),
            self.metrics.latency.labels(method, route),
            None if method in READS else self.metrics.command(command, status),
        )

    def _scheduler_rows(self) -> list[dict[str, Any]]:
        settings = self.system.settings
        if settings.store == "sqlite" and not (settings.data_dir / SQLITE_LEDGER).exists():
            return []  # no scheduler has run here: do not create its file
        if self._ledger is None:
            self._ledger = scheduler_ledger(settings)
        return self._ledger.rows()

    def _metrics_route(self) -> Any:
        metrics = self.metrics

        @get(
            "/metrics",
            sync_to_thread=True,
            guards=[authorize],
            opt=rules(ADMINS, "global") | {SCRAPE: True},
            include_in_schema=False,
        )
        def read_metrics() -> Response[bytes]:
            """Prometheus exposition of this process (scraper token or administrator)."""
            body, content_type = metrics.exposition()
            return Response(body, media_type=content_type)

        return read_metrics

    def _live_route(self) -> Any:
        @get("/health/live", opt=PUBLIC, summary="Tiến trình đang chạy / Liveness")
        async def live() -> dict[str, str]:
            """200 while the process serves requests; checks nothing else (a restart would not help a database)."""
            return {"status": "ok"}

        return live

    def _ready_route(self) -> Any:
        system = self.system

        @get("/health/ready", sync_to_thread=True, opt=PUBLIC, summary="Sẵn sàng phục vụ / Readiness")
        def ready() -> Response[Ready]:
            """200 when the event store and the read store answer and every read model is within the lag bound."""
            checks = readiness(system)
            ok = all(verdict == "ok" for verdict in checks.values())
            return Response(Ready(status="ok" if ok else "not_ready", checks=checks), status_code=200 if ok else 503)

        return ready


def readiness(system: System) -> dict[str, str]:
    """Each dependency's verdict: "ok", or what is wrong (exception types only, never their text)."""
    checks: dict[str, str] = {}
    try:
        system.read_side.head()
        checks["event_store"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        checks["event_store"] = f"unreachable ({type(error).__name__})"
    try:
        lags = system.read_side.lag()
        checks["read_store"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["read_store"] = f"unreachable ({type(error).__name__})"
        return checks
    bound = system.settings.ready_max_lag
    behind = sorted(
        f"{lag.name} {lag.events_behind}" for lag in lags if lag.events_behind > bound or lag.quarantined_at is not None
    )
    checks["read_model_lag"] = "ok" if not behind else f"over {bound} events or quarantined: {', '.join(behind)}"
    return checks


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            return request_id_from(value.decode("latin-1"))
    return request_id_from(None)


class _Answer:
    """Watches what the app sends: the status, and the error code of a small JSON error body."""

    def __init__(self, send: Send) -> None:
        self._send, self.status, self._body = send, 500, b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body" and self.status >= 400 and len(self._body) < 4096:
            self._body += message.get("body", b"")
        await self._send(message)

    def error_code(self) -> str | None:
        """The `error` of api/errors.py's ErrorBody, when the body is one (a bounded set of codes)."""
        try:
            code = json.loads(self._body).get("error")
        except (ValueError, AttributeError):
            return None
        return code if isinstance(code, str) and ERROR_CODE.fullmatch(code) else None


__all__ = ["Operations", "REQUEST_ID_HEADER", "Ready", "readiness"]
