"""Officers read words, not internal names: refusals, audit summaries and the queue of finished kiosk dossiers."""

from __future__ import annotations

import subprocess
from datetime import date
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from api.books import cash_document, to_pdf
from application.audit_labels import describe
from domain.dossier import ALLOWED, Dossier, Status
from domain.errors import ActionNotAllowedError
from projections.book_queries import CashLedger, CashTotals
from projections.dossiers import QUEUE_BY_STATUS, queue_of

INTERNAL = set(ALLOWED) | {s.value for s in Status}
FINISHED = sorted(s for s, q in QUEUE_BY_STATUS.items() if q == "closed")


@given(
    st.sampled_from(sorted(ALLOWED)),
    st.sampled_from(sorted(s.value for s in Status)),
    st.lists(st.sampled_from(sorted(ALLOWED)), unique=True),
)
def test_a_refused_action_never_shows_internal_names_to_officers(action, state, allowed) -> None:
    message = ActionNotAllowedError(action, state, allowed).message_vi
    words = set(message.replace('"', " ").replace(",", " ").replace(".", " ").split())
    assert not words & INTERNAL, message


def test_a_notification_and_a_rating_are_summarised_in_vietnamese() -> None:
    notified = Dossier.NotificationRequested.__new__(Dossier.NotificationRequested)
    object.__setattr__(notified, "__dict__", {"channel": "sms", "template": "pickup_ready.v1"})
    assert describe(notified)[1] == "Qua tin nhắn SMS"
    rated = Dossier.Rated.__new__(Dossier.Rated)
    object.__setattr__(
        rated, "__dict__", {"rating": SimpleNamespace(stars=None, level=SimpleNamespace(value="very_satisfied"))}
    )
    assert describe(rated)[1] == "mức rất hài lòng"


@given(st.sampled_from(FINISHED), st.sampled_from([None, "consultant", "department_officer"]))
def test_a_finished_dossier_is_closed_even_if_its_envelope_was_never_collected(status, holder) -> None:
    assert queue_of(status, True, holder) == "closed"


@given(st.sampled_from(sorted(s for s in QUEUE_BY_STATUS if s not in FINISHED)))
def test_an_open_dossier_in_the_bin_waits_in_the_kiosk_bin_queue(status) -> None:
    assert queue_of(status, True, None) == "kiosk_bin"


def test_an_empty_cash_ledger_section_says_so_across_the_whole_table(tmp_path) -> None:
    totals = CashTotals(**{f: 0 for f in CashTotals.__struct_fields__})
    ledger = CashLedger(
        **{
            **{f: [] for f in CashLedger.__struct_fields__},
            "kiosk": "Q6-01",
            "start": date(2026, 5, 1),
            "end": date(2026, 5, 31),
            "totals": totals,
        }
    )
    path = tmp_path / "so-quy.pdf"
    path.write_bytes(to_pdf(cash_document(ledger)))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    lines = [line for line in text.splitlines() if "Không có số liệu" in line]
    # every section: collections, cash in, bank QR, refunds, cash per department; one line each, not wrapped
    assert len(lines) == 5 and all("Không có số liệu trong kỳ" in line for line in lines)
