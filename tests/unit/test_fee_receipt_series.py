"""The receipt series as a state machine: whatever officers do, numbers run 1..n without gaps, every payment has at
most one standing receipt, a replacement names the receipt it replaces, and a replay gives the same series."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.fee_receipt import ReceiptExistsError, ReceiptSeries, ReceiptStatus
from domain.values import Actor, Role

OFFICER = Actor(account_id="officer-1", role=Role.RECEPTION_OFFICER)
AT = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
CODES = [f"H29.06-260520-{n:04d}" for n in range(1, 4)]
STEP = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(CODES), st.integers(min_value=2, max_value=3)),
    st.tuples(st.just("cancel"), st.integers(min_value=1, max_value=12), st.just(0)),
    st.tuples(st.just("replace"), st.integers(min_value=1, max_value=12), st.just(0)),
)


def opened() -> ReceiptSeries:
    return ReceiptSeries.open(agency="H29.06", year=2026, prefix="AA", actor=OFFICER, at=AT)


@given(st.lists(STEP, max_size=30))
def test_any_sequence_of_issues_cancellations_and_replacements_keeps_the_series_sound(steps) -> None:
    series = opened()
    for action, target, version in steps:
        try:
            if action == "issue":
                series.issue(
                    dossier_code=target,
                    payment_version=version,
                    content="Lệ phí",
                    amount=2000,
                    method="cash",
                    actor=OFFICER,
                    at=AT,
                )
            elif action == "cancel":
                series.cancel(number=target, reason="Sai", actor=OFFICER, at=AT)
            else:
                series.replace(number=target, reason="Sai", content="Lệ phí sửa", amount=3000, actor=OFFICER, at=AT)
        except DomainError:
            pass  # refused: nothing recorded, checked below through the invariants
    assert [r.number for r in series.receipts] == list(range(1, len(series.receipts) + 1))
    standing = [(r.dossier_code, r.payment_version) for r in series.receipts if r.status is ReceiptStatus.ISSUED]
    assert len(standing) == len(set(standing))
    for receipt in series.receipts:
        if receipt.replaces is not None:
            old = series.receipts[receipt.replaces - 1]
            assert old.status is ReceiptStatus.CANCELLED and old.replaced_by == receipt.number
            assert (old.dossier_code, old.payment_version) == (receipt.dossier_code, receipt.payment_version)
    replayed = None
    for event in series.collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.receipts == series.receipts


def test_a_payment_with_a_standing_receipt_gets_no_second_one() -> None:
    series = opened()
    series.issue(
        dossier_code=CODES[0], payment_version=2, content="Lệ phí", amount=2000, method="cash", actor=OFFICER, at=AT
    )
    with pytest.raises(ReceiptExistsError):
        series.issue(
            dossier_code=CODES[0], payment_version=2, content="Lệ phí", amount=2000, method="cash", actor=OFFICER, at=AT
        )
    assert series.serial == "AA-26E" and series.form == "01BLP0-001"
