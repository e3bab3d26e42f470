"""[14] The session machine's ID-card return registration and online corner, step by step."""

from __future__ import annotations

import pytest

from kiosk_edge.session.inputs import (
    Begin,
    CardTypingChosen,
    EndPayment,
    IdentityRead,
    OtpSent,
    PageScanned,
    Paid,
    PhoneVerified,
    Procedure,
    ProcedureChosen,
    Refused,
    Retry,
    ReturnRegistered,
    ScanDone,
    SentToPortal,
    Timeout,
    TypeInstead,
)
from kiosk_edge.session.machine import HOME, InputNotAllowedError, advance
from kiosk_edge.session.screens import Flow
from kiosk_edge.session.screens import Screen as S
from tests.kiosk_edge.test_session_machine import walk

CARD = Procedure("2.001195.000.00.00.H29", "Cấp đổi thẻ căn cước", 0, face_required=False)
COPY = Procedure("2.000815.000.00.00.H29", "Chứng thực bản sao", 2_000, face_required=False)
PORTAL, CODE = "000.00.13.H29-260520-0001", "H29.06.1-260520-0001"


def test_a_card_return_is_registered_after_the_card_the_phone_and_the_code_and_ends_on_the_slip() -> None:
    state = walk(Begin(Flow.CARD_RETURN))
    assert state.screen is S.CARD_PROCEDURES
    state = walk(ProcedureChosen(CARD), IdentityRead(), OtpSent("090****101"), start=state)
    assert (state.screen, state.masked_phone) == (S.OTP, "090****101")
    with pytest.raises(InputNotAllowedError):  # a card return never goes on to the envelope or the face
        advance(state, PhoneVerified())
    state = advance(state, ReturnRegistered("H29.06.CA-260520-0001"))
    assert (state.screen, state.dossier_code) == (S.CARD_SLIP, "H29.06.CA-260520-0001")


def test_a_card_holder_who_cannot_scan_types_the_number_and_only_card_returns_may() -> None:
    state = walk(Begin(Flow.CARD_RETURN), ProcedureChosen(CARD), CardTypingChosen())
    assert state.screen is S.CARD_TYPING
    assert walk(IdentityRead(), start=state).screen is S.PHONE
    submission = walk(Begin(Flow.SUBMIT), ProcedureChosen(COPY))
    with pytest.raises(InputNotAllowedError):
        advance(submission, CardTypingChosen())
    with pytest.raises(InputNotAllowedError):  # and the pickup's typing is not the card return's
        advance(walk(Begin(Flow.CARD_RETURN), ProcedureChosen(CARD)), TypeInstead())


def online_form():
    state = walk(Begin(Flow.ONLINE), ProcedureChosen(COPY), IdentityRead(), OtpSent(), PhoneVerified())
    assert state.screen is S.SCAN_DOCS
    with pytest.raises(InputNotAllowedError):  # nothing scanned yet
        advance(state, ScanDone())
    state = walk(PageScanned(), PageScanned(), ScanDone(), start=state)
    assert (state.screen, state.pages) == (S.PORTAL_FORM, 2)
    return state


def test_the_online_corner_scans_sends_to_the_portal_pays_by_transfer_and_shows_the_portals_code() -> None:
    state = walk(SentToPortal(PORTAL, CODE, 2_000), start=online_form())
    assert (state.screen, state.portal_code, state.dossier_code, state.shortfall) == (
        S.ONLINE_PAYMENT,
        PORTAL,
        CODE,
        2_000,
    )
    state = advance(state, Paid(1_000))
    assert state.screen is S.ONLINE_PAYMENT and state.shortfall == 1_000
    state = advance(state, Paid(1_000))
    assert (state.screen, state.paid) == (S.ONLINE_DONE, 2_000)
    assert advance(state, Timeout()) == HOME


def test_a_free_online_dossier_skips_the_payment_and_paying_later_still_shows_the_code() -> None:
    assert walk(SentToPortal(PORTAL, CODE, 0), start=online_form()).screen is S.ONLINE_DONE
    later = walk(SentToPortal(PORTAL, CODE, 2_000), EndPayment(), start=online_form())
    assert (later.screen, later.portal_code, later.shortfall) == (S.ONLINE_DONE, PORTAL, 2_000)
    left = walk(SentToPortal(PORTAL, CODE, 2_000), Timeout(), start=online_form())
    assert left.screen is S.ONLINE_DONE


def test_a_portal_refusal_keeps_the_scanned_pages_and_retry_returns_to_the_form() -> None:
    state = advance(online_form(), Refused(S.PORTAL_REFUSED))
    assert state.screen is S.PORTAL_REFUSED and state.message and state.pages == 2
    assert advance(state, Retry()).screen is S.PORTAL_FORM
