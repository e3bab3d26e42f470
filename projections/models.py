"""Every read model of the system, in the order they process a batch."""

from __future__ import annotations

from domain.procedures import Catalogue
from projections.base import ReadModel
from projections.books import book_read_models
from projections.dossiers import DossierReadModel
from projections.trays import TrayReadModel


def read_models(catalogue: Catalogue) -> list[ReadModel]:
    """Fresh instances of all read models."""
    return [DossierReadModel(catalogue), TrayReadModel(), *book_read_models(catalogue)]
