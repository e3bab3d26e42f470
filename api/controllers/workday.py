"""The routes the console's working-day pages added (counter, routines, search, administration), for api/app.py."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from api.controllers.admin import (
    AccountAssignmentController,
    AccountHistoryController,
    EnvelopeLabelController,
    PullBackReceiversController,
)
from api.controllers.counter import CounterController
from api.controllers.digitization import ScanRefusalController
from api.controllers.search import SearchController
from api.controllers.tasks import TasksController

WORKDAY_ROUTES: list[ControllerRouterHandler] = [
    CounterController,
    SearchController,
    EnvelopeLabelController,
    AccountHistoryController,
    PullBackReceiversController,
    AccountAssignmentController,
    TasksController,
    ScanRefusalController,
]
