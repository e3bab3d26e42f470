"""Every read model of the system, in the order they process a batch."""

from __future__ import annotations

from domain.procedures import Catalogue
from projections.base import ReadModel
from projections.books import book_read_models
from projections.digitization import DigitizationReadModel
from projections.dossiers import DossierReadModel
from projections.notifications import NotificationsReadModel
from projections.reconciliation import ReconciliationReadModel
from projections.search import SearchIndexReadModel
from projections.status import StatusLookupReadModel
from projections.tasks import TasksReadModel
from projections.trays import TrayReadModel


def read_models(catalogue: Catalogue, search_key: bytes | None = None) -> list[ReadModel]:
    """Fresh instances of all read models; the keyed ones (search index, status lookup) only with their key (the
    processes that run them pass one)."""
    search = [SearchIndexReadModel(search_key), StatusLookupReadModel(search_key)] if search_key else []
    books = book_read_models(catalogue)
    return [
        DossierReadModel(catalogue),
        TrayReadModel(),
        *books,
        DigitizationReadModel(),
        ReconciliationReadModel(),
        TasksReadModel(),
        NotificationsReadModel(),
        *search,
    ]
