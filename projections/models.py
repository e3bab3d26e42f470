"""Every read model of the system, in the order they process a batch."""

from __future__ import annotations

from domain.procedures import Catalogue
from projections.base import ReadModel
from projections.books import book_read_models
from projections.dossiers import DossierReadModel
from projections.reconciliation import ReconciliationReadModel
from projections.search import SearchIndexReadModel
from projections.trays import TrayReadModel


def read_models(catalogue: Catalogue, search_key: bytes | None = None) -> list[ReadModel]:
    """Fresh instances of all read models; the search index only with its key (the processes that run it pass one)."""
    search = [SearchIndexReadModel(search_key)] if search_key else []
    return [DossierReadModel(catalogue), TrayReadModel(), *book_read_models(catalogue), ReconciliationReadModel(), *search]
