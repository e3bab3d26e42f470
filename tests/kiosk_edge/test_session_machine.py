"""The kiosk session machine: random sequences of any input keep it consistent; the seed-000 paths walk through."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kiosk_edge.session.inputs import (
    Begin,
    Cancel,
    CardRead,
    CardTypingChosen,
    CoreUnreachable,
    EndPayment,
    EnvelopeTaken,
    FaceMatched,
    Finish,
    IdentityRead,
    NoteHeld,
    NoteReturned,
    OtpResent,
    OtpSent,
    PageScanned,
    Paid,
    PhoneVerified,
    PickupChosen,
    PickupOtpSent,
    Procedure,
    ProcedureChosen,
    Rated,
    ReceiptRead,
    Refused,
    Retry,
    ReturnRegistered,
    ScanDone,
    SentToPortal,
    TicketIssued,
    Timeout,
    TrayClosed,
    TrayOpened,
    TypeInstead,
)
from kiosk_edge.session.machine import HOME, REFUSED_FROM, InputNotAllowedError, State, advance, allowed
from kiosk_edge.session.screens import (
    FINAL_REFUSALS,
    OTP_SENDS,
    OTP_TRIES,
    REFUSAL_MESSAGES,
    REFUSALS,
    TIMEOUTS,
    Flow,
)
from kiosk_edge.session.screens import (
    Screen as S,
)

PAID_FEE = Procedure("2.000635.000.00.00.H29", "Cấp bản sao trích lục hộ tịch", 8_000, face_required=False)
FACE = Procedure("1.001193.000.00.00.H29", "Đăng ký khai sinh", 0, face_required=True)
SUBMIT_SCREENS = {S.PROCEDURES, S.SCAN_CCCD, S.PHONE, S.OTP, S.FACE, S.ENVELOPE, S.PAYMENT, S.RECEIPT}
PICKUP_SCREENS = {
    S.PICKUP_CHOICE,
    S.PICKUP_RECEIPT,
    S.PICKUP_TYPING,
    S.PICKUP_CODE,
    S.PICKUP_OTP,
    S.PICKUP_FACE,
    S.PICKUP_PAYMENT,
    S.RELEASE,
    S.TRAY_OPEN,
    S.RATING,
    S.THANKS,
}
CODE = "H29.06.1-260520-0001"

DAY = date(2026, 5, 21)
EXAMPLES = [
    *(Begin(flow) for flow in Flow),
    ProcedureChosen(PAID_FEE),
    ProcedureChosen(FACE),
    IdentityRead(),
    OtpSent(),
    PhoneVerified(),
    FaceMatched(),
    *(EnvelopeTaken(CODE, fee, DAY) for fee in (0, 8_000, 100_000)),
    *(Paid(amount) for amount in (1_000, 5_000, 50_000, 500_000)),
    EndPayment(),
    PickupChosen(True),
    PickupChosen(False),
    PickupOtpSent(CODE),
    *(TicketIssued(CODE, 7, shortfall, face) for shortfall in (0, 20_000) for face in (False, True)),
    TrayOpened(7),
    TrayClosed(),
    Rated(),
    Finish(),
    *(Refused(screen) for screen in sorted(REFUSALS)),
    Retry(),
    Cancel(),
    Timeout(),
    CoreUnreachable(),
]

# [14] kflows2: the ID-card return registration and the online corner share the card, phone and code steps
CARD = Procedure("2.001195.000.00.00.H29", "Cấp đổi thẻ căn cước", 0, face_required=False)
EXAMPLES += [
    ProcedureChosen(CARD),
    CardTypingChosen(),
    ReturnRegistered("H29.06.CA-260520-0001"),
    PageScanned(),
    ScanDone(),
    *(SentToPortal("000.00.13.H29-260520-0001", CODE, fee) for fee in (0, 8_000)),
]
SHARED_SCREENS = {S.PROCEDURES, S.SCAN_CCCD, S.PHONE, S.OTP}  # also walked by the card-return and online flows
CORNER_SCREENS = {
    S.CARD_PROCEDURES: {Flow.CARD_RETURN},
    S.CARD_TYPING: {Flow.CARD_RETURN},
    S.CARD_SLIP: {Flow.CARD_RETURN},
    S.SCAN_DOCS: {Flow.ONLINE},
    S.PORTAL_FORM: {Flow.ONLINE},
    S.ONLINE_PAYMENT: {Flow.ONLINE},
    S.ONLINE_DONE: {Flow.ONLINE},
}

DETOURS = (Refused, Retry, Cancel, Timeout, CoreUnreachable, Finish)


class SessionMachine(RuleBasedStateMachine):
    """Feeds any input in any order; refused inputs change nothing, accepted ones keep every invariant."""

    def __init__(self) -> None:
        super().__init__()
        self.state = HOME

    @rule(event=st.sampled_from(EXAMPLES))
    def feed_anything(self, event) -> None:
        self.feed(event)

    @rule(data=st.data())
    def feed_what_the_screen_takes(self, data) -> None:
        self.feed(data.draw(st.sampled_from([e for e in EXAMPLES if allowed(self.state, e)])))

    @rule(data=st.data())
    def take_a_step_forward(self, data) -> None:
        forward = [e for e in EXAMPLES if allowed(self.state, e) and not isinstance(e, DETOURS)]
        if forward:
            self.feed(data.draw(st.sampled_from(forward)))

    def feed(self, event) -> None:
        before = self.state
        if not allowed(before, event):
            with pytest.raises(InputNotAllowedError):
                advance(before, event)
            assert self.state == before
            return
        self.state = after = advance(before, event)
        if isinstance(event, Timeout) and before.screen is S.CASH_CONFIRM:
            assert after.screen is before.back and after.held == 0 and after.paid == before.paid
        elif isinstance(event, Timeout):
            gives = {S.PAYMENT: S.RECEIPT, S.ONLINE_PAYMENT: S.ONLINE_DONE}
            assert after.screen is gives.get(before.screen, S.HOME)
        elif isinstance(event, (Cancel, Finish)):
            assert after == HOME
        elif isinstance(event, Retry):
            assert after.screen is before.back and after.back is None
        elif isinstance(event, Refused):
            came_from = before.back if before.screen in REFUSALS else before.screen
            locked = event.screen is S.WRONG_OTP and before.otp_failures + 1 >= OTP_TRIES
            assert (after.screen if not locked else event.screen, after.back) == (event.screen, came_from)
            assert not locked or after.screen in FINAL_REFUSALS
        elif isinstance(event, OtpResent):
            assert after.otp_sends == before.otp_sends + 1 <= OTP_SENDS and after.otp_failures == 0
        elif isinstance(event, PhoneVerified) and before.flow is Flow.ONLINE:
            assert after.screen is S.SCAN_DOCS
        elif isinstance(event, PhoneVerified):
            assert after.screen is (S.FACE if before.procedure.face_required else S.ENVELOPE)
        elif isinstance(event, Paid):
            assert after.paid == before.paid + event.amount

    @invariant()
    def idle_screens_know_nothing(self) -> None:
        if self.state.screen in (S.HOME, S.OFFLINE):
            assert replace(self.state, screen=S.HOME) == HOME

    @invariant()
    def screens_belong_to_their_flow(self) -> None:
        s = self.state
        if s.screen in SUBMIT_SCREENS - SHARED_SCREENS:
            assert s.flow is Flow.SUBMIT
        if s.screen in SHARED_SCREENS:
            assert s.flow in (Flow.SUBMIT, Flow.CARD_RETURN, Flow.ONLINE)
        if s.screen in CORNER_SCREENS:
            assert s.flow in CORNER_SCREENS[s.screen]
        if s.screen in PICKUP_SCREENS:
            assert s.flow is Flow.PICKUP
        if s.screen in REFUSALS:
            assert s.back in REFUSED_FROM[s.screen] and s.message

    @invariant()
    def money_and_trays_are_consistent(self) -> None:
        s = self.state
        assert s.paid >= 0 and s.shortfall + s.paid >= s.owed and s.shortfall * s.excess == 0
        if s.screen is S.RECEIPT:
            assert s.dossier_code == CODE and s.procedure is not None and s.due_on is not None
        if s.screen in (S.RELEASE, S.TRAY_OPEN):
            assert s.tray is not None and s.shortfall == 0 and s.dossier_code == CODE
        if s.screen in (S.ENVELOPE, S.FACE):
            assert s.procedure is not None
        if s.screen is S.PAYMENT and not s.shortfall:
            raise AssertionError("the payment screen stays only while something is owed")
        if s.screen is S.CASH_CONFIRM:
            assert s.held > 0 and s.back in (S.PAYMENT, S.PICKUP_PAYMENT)
        else:
            assert s.held == 0


TestSessionMachine = SessionMachine.TestCase
TestSessionMachine.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)


def walk(*events, start: State = HOME) -> State:
    state = start
    for event in events:
        state = advance(state, event)
    return state


def test_a_submission_with_a_fee_walks_from_home_to_the_receipt() -> None:
    state = walk(
        Begin(Flow.SUBMIT),
        ProcedureChosen(PAID_FEE),
        IdentityRead(),
        OtpSent(),
        PhoneVerified(),
        EnvelopeTaken(CODE, 8_000, date(2026, 5, 21)),
    )
    assert (state.screen, state.owed, state.shortfall) == (S.PAYMENT, 8_000, 8_000)
    state = walk(Paid(5_000), start=state)
    assert (state.screen, state.shortfall) == (S.PAYMENT, 3_000)
    state = walk(Paid(5_000), start=state)
    assert (state.screen, state.excess) == (S.RECEIPT, 2_000)
    assert walk(Finish(), start=state) == HOME


def test_a_high_legal_value_procedure_asks_for_the_face_and_a_free_one_skips_the_payment() -> None:
    state = walk(Begin(Flow.SUBMIT), ProcedureChosen(FACE), IdentityRead(), OtpSent(), PhoneVerified())
    assert state.screen is S.FACE
    assert walk(FaceMatched(), EnvelopeTaken(CODE, 0, date(2026, 5, 21)), start=state).screen is S.RECEIPT


def test_the_payment_screen_closes_on_timeout_and_the_receipt_is_printed_anyway() -> None:
    state = walk(
        Begin(Flow.SUBMIT),
        ProcedureChosen(PAID_FEE),
        IdentityRead(),
        OtpSent(),
        PhoneVerified(),
        EnvelopeTaken(CODE, 8_000, date(2026, 5, 21)),
        Paid(2_000),
        Timeout(),
    )
    assert (state.screen, state.shortfall) == (S.RECEIPT, 6_000)


def test_a_pickup_with_a_shortfall_and_a_face_check_opens_the_tray_only_once_paid() -> None:
    state = walk(
        Begin(Flow.PICKUP),
        PickupChosen(by_otp=True),
        PickupOtpSent(CODE),
        TicketIssued(CODE, tray=7, shortfall=20_000, face_required=True),
    )
    assert state.screen is S.PICKUP_FACE
    state = walk(FaceMatched(), Paid(10_000), start=state)
    assert (state.screen, state.shortfall) == (S.PICKUP_PAYMENT, 10_000)
    state = walk(Paid(10_000), start=state)
    assert state.screen is S.RELEASE
    state = walk(TrayOpened(7), TrayClosed(), Rated(), start=state)
    assert state.screen is S.THANKS and walk(Timeout(), start=state) == HOME


def test_losing_the_core_mid_payment_keeps_taking_cash_but_elsewhere_shows_the_offline_screen() -> None:
    paying = walk(
        Begin(Flow.SUBMIT),
        ProcedureChosen(PAID_FEE),
        IdentityRead(),
        OtpSent(),
        PhoneVerified(),
        EnvelopeTaken(CODE, 8_000, date(2026, 5, 21)),
        CoreUnreachable(),
    )
    assert (paying.screen, paying.offline) == (S.PAYMENT, True)
    assert walk(Paid(10_000), start=paying).screen is S.RECEIPT
    offline = walk(Begin(Flow.PICKUP), CoreUnreachable())
    assert offline.screen is S.OFFLINE and "mất kết nối" in offline.message


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_every_refusal_is_its_own_screen_with_a_message_and_a_way_back(refusal: S) -> None:
    source = sorted(REFUSED_FROM[refusal])[0]
    state = State(screen=source, flow=Flow.SUBMIT if source in SUBMIT_SCREENS else Flow.PICKUP)
    refused = advance(state, Refused(refusal))
    assert refused.screen is refusal and len(REFUSAL_MESSAGES[refusal]) > 40 and "Ông/Bà" in REFUSAL_MESSAGES[refusal]
    if refusal in FINAL_REFUSALS:  # trying the same again cannot succeed: no "Thử lại" that loops
        assert not allowed(refused, Retry())
    else:
        assert advance(refused, Retry()).screen is source
    assert advance(refused, Cancel()) == HOME


@given(st.sampled_from(sorted(set(S) - {S.HOME})))
def test_every_screen_but_home_gives_up_after_its_timeout(screen: S) -> None:
    assert TIMEOUTS[screen] > 0
    # A held note goes back to the citizen and the payment screen stays; every other screen gives up.
    assert advance(State(screen=screen), Timeout()).screen in (S.HOME, S.RECEIPT, S.PAYMENT, S.ONLINE_DONE)


def test_an_input_the_screen_does_not_take_is_refused_and_changes_nothing() -> None:
    with pytest.raises(InputNotAllowedError, match="Paid is not allowed on the home screen"):
        advance(HOME, Paid(10_000))
    with pytest.raises(InputNotAllowedError):
        advance(State(screen=S.ENVELOPE, flow=Flow.SUBMIT), Refused(S.NOT_PROCESSED_YET))


def to_pickup_otp() -> State:
    return walk(Begin(Flow.PICKUP), PickupChosen(by_otp=True), PickupOtpSent(CODE, "090****101"))


def test_the_fifth_wrong_pickup_code_is_a_lock_out_screen_without_thu_lai() -> None:
    state = to_pickup_otp()
    for _ in range(OTP_TRIES - 1):
        state = walk(Refused(S.WRONG_OTP), start=state)
        assert state.screen is S.WRONG_OTP
        state = walk(Retry(), start=state)
    state = walk(Refused(S.WRONG_OTP), start=state)
    assert state.screen is S.PICKUP_LOCKED and not allowed(state, Retry())
    assert "đường dây nóng" in state.message and "không đúng" not in state.message
    assert walk(Cancel(), start=state) == HOME


def test_a_locked_submission_code_offers_a_new_code_within_the_limit() -> None:
    state = walk(Begin(Flow.SUBMIT), ProcedureChosen(PAID_FEE), IdentityRead(), OtpSent("090****101"))
    assert (state.screen, state.masked_phone, state.otp_sends) == (S.OTP, "090****101", 1)
    for _ in range(OTP_TRIES):
        state = walk(Refused(S.WRONG_OTP), start=state)
        state = walk(Retry(), start=state) if state.screen is S.WRONG_OTP else state
    assert state.screen is S.OTP_LOCKED and not allowed(state, Retry())
    state = walk(OtpResent("090****101"), start=state)
    assert (state.screen, state.otp_failures, state.otp_sends) == (S.OTP, 0, 2)
    state = walk(OtpResent("090****101"), start=state)
    assert state.otp_sends == OTP_SENDS and not allowed(state, OtpResent())


def test_pickup_by_scanning_needs_the_card_and_the_receipt_and_typing_stays_a_fallback() -> None:
    state = walk(Begin(Flow.PICKUP), PickupChosen(by_otp=False))
    assert state.screen is S.PICKUP_RECEIPT
    state = walk(CardRead(), ReceiptRead(CODE), start=state)
    assert (state.screen, state.card_read, state.dossier_code) == (S.PICKUP_RECEIPT, True, CODE)
    assert walk(TicketIssued(CODE, 7, 0, False), start=state).screen is S.RELEASE
    typing = walk(Begin(Flow.PICKUP), PickupChosen(by_otp=False), TypeInstead())
    assert typing.screen is S.PICKUP_TYPING
    assert walk(Refused(S.PICKUP_REFUSED), Retry(), start=typing).screen is S.PICKUP_TYPING


def test_a_note_larger_than_owed_waits_for_the_citizens_word_and_can_be_taken_back() -> None:
    paying = walk(
        Begin(Flow.SUBMIT),
        ProcedureChosen(PAID_FEE),
        IdentityRead(),
        OtpSent(),
        PhoneVerified(),
        EnvelopeTaken(CODE, 8_000, date(2026, 5, 21)),
    )
    held = walk(NoteHeld(50_000), start=paying)
    assert (held.screen, held.held, held.paid) == (S.CASH_CONFIRM, 50_000, 0) and not allowed(held, Cancel())
    assert walk(NoteReturned(), start=held) == paying
    assert walk(Timeout(), start=held) == paying  # walked away: the note comes back out, nothing is paid
    kept = walk(Paid(50_000), start=held)
    assert (kept.screen, kept.excess, kept.held) == (S.RECEIPT, 42_000, 0)
