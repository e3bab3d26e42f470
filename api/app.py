"""The Litestar application: routes, dependencies, error mapping, OpenAPI."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api.access import CitizenController
from api.auth import PUBLIC
from api.controllers.audit import AuditController
from api.controllers.auth import AccountsController, AuthController
from api.controllers.books import BooksController
from api.controllers.console import CONSOLE_ROUTES
from api.controllers.demo import demo_messages
from api.controllers.documents import DocumentController
from api.controllers.dossier_contact import DossierContactController
from api.controllers.dossiers import DossierController
from api.controllers.fleet import fleet_route
from api.controllers.kiosk_citizens import KioskCitizenController
from api.controllers.kiosk_flows import KioskFlowsDeviceController, KioskFlowsStaffController
from api.controllers.kiosk_staff import KioskStaffController
from api.controllers.kiosks import KioskDeviceController
from api.controllers.money import MoneyController
from api.controllers.privacy import PrivacyController
from api.controllers.reports import ReportsController
from api.controllers.status import StatusController
from api.controllers.vault import VaultController, VerifyController
from api.controllers.views import ViewsController
from api.controllers.workday import WORKDAY_ROUTES
from api.errors import ERROR_RESPONSES, EXCEPTION_HANDLERS
from api.idempotency import idempotency_middleware
from api.metrics import Operations
from api.openapi_viewer import render_plugins
from api.reports import department_names
from api.routing import get
from api.schemas import Health
from api.security_headers import add_security_headers
from infrastructure.bootstrap import System

# Threads for the synchronous handlers and guards (Litestar runs them on the loop's default executor). Their
# requests wait on PostgreSQL (a commit's fsync, a new person's key) far longer than they compute, and the default
# pool has cores + 4 threads: with 6 on a 2-core host, a seventh concurrent write waited for a thread instead of
# joining the next group commit.
HANDLER_THREADS = 32


def create_app(system: System) -> Litestar:
    """An app serving `system`; the caller owns the system's lifetime."""

    @get("/health", sync_to_thread=True, opt=PUBLIC, summary="Tình trạng hệ thống / Health")
    def health() -> Health:
        """200 when the event store answers."""
        return Health(status="ok", store=system.settings.store, events=system.read_side.head())

    departments = department_names(system.catalogue)
    ops = Operations(system)  # /metrics, /health/live, /health/ready, request ids and request metrics
    app = Litestar(
        route_handlers=[
            health,
            AuthController,
            AccountsController,
            DossierController,
            DossierContactController,
            KioskStaffController,
            KioskDeviceController,
            KioskFlowsDeviceController,
            KioskFlowsStaffController,
            KioskCitizenController,
            ViewsController,
            BooksController,
            ReportsController,
            VaultController,
            VerifyController,
            DocumentController,
            AuditController,
            CitizenController,
            PrivacyController,
            StatusController,
            MoneyController,
            *CONSOLE_ROUTES,
            *WORKDAY_ROUTES,
            *([demo_messages] if system.settings.demo else []),
            *ops.routes,
            fleet_route(system),
        ],
        dependencies={
            "dossiers": Provide(lambda: system.dossiers, sync_to_thread=False),
            "accounts": Provide(lambda: system.accounts, sync_to_thread=False),
            "access_logs": Provide(lambda: system.access_logs, sync_to_thread=False),
            "reads": Provide(lambda: system.reads, sync_to_thread=False),
            "kiosks": Provide(lambda: system.kiosks, sync_to_thread=False),
            "system": Provide(lambda: system, sync_to_thread=False),
            "vaults": Provide(lambda: system.vaults, sync_to_thread=False),
            "read_side": Provide(lambda: system.read_side, sync_to_thread=False),
            "history": Provide(lambda: system.history, sync_to_thread=False),
            "views_store": Provide(lambda: system.views.store, sync_to_thread=False),
            "department_names": Provide(lambda: departments, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Một Cửa 24/7",
            version="0.1.0",
            path="/schema",
            description="API của Bộ phận Một cửa và kiosk 24/7 / One-stop counter and 24/7 kiosk API. "
            "Đăng nhập tại /auth/login (cán bộ) hoặc /auth/device (kiosk) rồi gửi `Authorization: Bearer <token>` / "
            "Log in at /auth/login (staff) or /auth/device (kiosks), then send the bearer token.",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
            render_plugins=render_plugins(),
        ),
        middleware=[
            ops.middleware,
            *(
                [idempotency_middleware(system.idempotency, system.accounts.tokens, system.clock)]
                if system.idempotency is not None
                else []
            ),
        ],
        before_send=[ops.request_id_header, add_security_headers],
        on_startup=[handler_threads],
        on_shutdown=[system.close],
        logging_config=None,  # the process's one logging set-up (infrastructure/logs.py), not Litestar's own
        state=State({"system": system, "tokens": system.accounts.tokens, "clock": system.clock}),
    )
    document_errors(app)
    return app


def handler_threads() -> None:
    """on_startup: the event loop's default executor, on which Litestar runs synchronous handlers and guards, gets
    HANDLER_THREADS threads (the loop shuts it down when it closes)."""
    executor = ThreadPoolExecutor(HANDLER_THREADS, thread_name_prefix="api-handler")
    asyncio.get_running_loop().set_default_executor(executor)


def document_errors(app: Litestar) -> None:
    """Every operation documents the error body it really answers with (api/errors.py), not Litestar's default."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            handler.responses = {**ERROR_RESPONSES, **(handler.responses or {})}
