"""The digitization read model from real Vault events: scans (with pages) and vault reuses per dossier code."""

from __future__ import annotations

from infrastructure.readstore.runner import Projector
from projections.digitization import DigitizationReadModel
from tests.application.test_vaults import (  # noqa: F401 (blobs, pki, signer, vaults: fixtures)
    OFFICER,
    OWNER,
    PERMIT,
    SECOND,
    blobs,
    issue_result,
    pki,
    scan,
    signer,
    vaults,
)
from tests.conftest import read_store_for


def test_scans_and_reuses_are_counted_for_the_dossier_they_were_made_for(vaults, store_env, tmp_path) -> None:  # noqa: F811
    issue_result(vaults)  # a result (not a scan) for the first dossier: no digitization counted for it
    vaults.reuse_for_receipt(OWNER, "KQ.GKS", SECOND, OFFICER)
    scan(vaults, PERMIT, pages=2)
    store = read_store_for(store_env, tmp_path)
    try:
        Projector(vaults.app.recorder, vaults.app.mapper, store, [DigitizationReadModel()]).catch_up()
        rows = store.query("SELECT code, scans, scanned_pages, reuses FROM dossier_digitization", [])
    finally:
        store.close()
    assert [(r["code"], r["scans"], r["scanned_pages"], r["reuses"]) for r in rows] == [(SECOND, 1, 2, 1)]
