"""Tray and Kiosk aggregates: allowed transitions record events, refusals record nothing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.envelope import EnvelopeBarcode
from domain.errors import ActionNotAllowedError, InvalidValueError
from domain.kiosk import Kiosk, UnknownEnvelopeError, check_envelope_barcode
from domain.tray import TRAY_ALLOWED, PickupMethod, Tray, TrayStatus, tray_id
from tests.kiosk_support import ONE_STOP, STAFF, STAFF_ACTOR

AT = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
TRAY_ACTIONS = {
    "load": lambda t: t.load(dossier_code="H29.06-260520-0001", actor=STAFF_ACTOR, at=AT),
    "release": lambda t: t.release(
        dossier_code="H29.06-260520-0001",
        method=PickupMethod.CODE_AND_OTP,
        face_checked=False,
        actor=STAFF_ACTOR,
        at=AT,
    ),
    "pull_back": lambda t: t.pull_back(dossier_code="H29.06-260520-0001", receiver=ONE_STOP, actor=STAFF_ACTOR, at=AT),
    "take_out_of_service": lambda t: t.take_out_of_service(reason="Cửa kẹt", actor=STAFF_ACTOR, at=AT),
    "return_to_service": lambda t: t.return_to_service(actor=STAFF_ACTOR, at=AT),
}
PATHS = {TrayStatus.EMPTY: [], TrayStatus.LOADED: ["load"], TrayStatus.OUT_OF_SERVICE: ["take_out_of_service"]}


def tray_in(status: TrayStatus) -> Tray:
    tray = Tray.install(kiosk_id="Q6-01", number=7, actor=STAFF_ACTOR, at=AT)
    for action in PATHS[status]:
        TRAY_ACTIONS[action](tray)
    return tray


@pytest.mark.parametrize(("status", "action"), [(s, a) for s in TrayStatus for a in TRAY_ACTIONS])
def test_each_tray_action_is_recorded_where_allowed_and_refused_elsewhere(status: TrayStatus, action: str) -> None:
    tray = tray_in(status)
    before, count = copy.deepcopy(vars(tray)), len(tray.pending_events)
    if status in TRAY_ALLOWED[action]:
        TRAY_ACTIONS[action](tray)
        assert len(tray.pending_events) == count + 1
    else:
        with pytest.raises(ActionNotAllowedError, match=status.value):
            TRAY_ACTIONS[action](tray)
        assert vars(tray) == before and len(tray.pending_events) == count


def test_a_tray_never_holds_two_results_and_releases_only_its_own() -> None:
    tray = tray_in(TrayStatus.LOADED)
    with pytest.raises(ActionNotAllowedError):
        tray.load(dossier_code="H29.06-260520-0002", actor=STAFF_ACTOR, at=AT)
    with pytest.raises(InvalidValueError):
        tray.release(
            dossier_code="H29.06-260520-0002", method="code_and_otp", face_checked=False, actor=STAFF_ACTOR, at=AT
        )
    assert tray.dossier_code == "H29.06-260520-0001"


def test_a_repaired_tray_returns_to_what_it_held() -> None:
    tray = tray_in(TrayStatus.LOADED)
    TRAY_ACTIONS["take_out_of_service"](tray)
    TRAY_ACTIONS["return_to_service"](tray)
    assert tray.status is TrayStatus.LOADED and tray.dossier_code == "H29.06-260520-0001"


def test_tray_ids_are_derived_from_kiosk_and_number() -> None:
    assert tray_in(TrayStatus.EMPTY).id == tray_id("Q6-01", 7) != tray_id("Q6-01", 8) != tray_id("Q6-02", 7)


def kiosk() -> tuple[Kiosk, dict[str, EnvelopeBarcode]]:
    machine = Kiosk.install(key="Q6-01", name="Kiosk", agency="H29.06", actor=STAFF_ACTOR, at=AT)
    envelopes = machine.register_envelopes(barcodes=["Q6PB000001", "Q6PB000002"], actor=STAFF_ACTOR, at=AT)
    return machine, {e.barcode: e for e in envelopes}


def test_an_envelope_is_valid_only_if_registered_and_unused() -> None:
    machine, envelopes = kiosk()
    machine.accept_envelope(
        barcode="Q6PB000001",
        envelope=envelopes["Q6PB000001"],
        dossier_code="H29.06-260520-0001",
        actor=STAFF_ACTOR,
        at=AT,
    )
    count = len(machine.pending_events)
    for barcode, reason in [("Q6PB000001", "already used"), ("Q6PB999999", "not registered"), ("bad code!", "valid")]:
        with pytest.raises(UnknownEnvelopeError, match=reason):
            machine.accept_envelope(
                barcode=barcode,
                envelope=envelopes.get(barcode),
                dossier_code="H29.06-260520-0002",
                actor=STAFF_ACTOR,
                at=AT,
            )
    assert len(machine.pending_events) == count and [e.barcode for e in machine.bin] == ["Q6PB000001"]
    assert envelopes["Q6PB000001"].dossier_code == "H29.06-260520-0001" and machine.unused_count == 1
    assert len(envelopes["Q6PB000001"].pending_events) == 2  # registered, used: the barcode's whole stream


def test_collection_empties_bin_and_cash_box_and_keeps_the_discrepancy() -> None:
    machine, envelopes = kiosk()
    machine.accept_envelope(
        barcode="Q6PB000001",
        envelope=envelopes["Q6PB000001"],
        dossier_code="H29.06-260520-0001",
        actor=STAFF_ACTOR,
        at=AT,
    )
    machine.accept_cash(dossier_code="H29.06-260520-0001", amount=50000, actor=STAFF_ACTOR, at=AT)
    machine.collect(cash_counted=40000, collector=STAFF, actor=STAFF_ACTOR, at=AT)
    collected = machine.pending_events[-1]
    assert (collected.cash_expected, collected.cash_counted) == (50000, 40000)
    assert machine.bin == [] and machine.cash_expected == 0 and len(collected.envelopes) == 1


@given(st.text(max_size=30))
def test_envelope_barcodes_are_checked_strictly(text: str) -> None:
    try:
        assert check_envelope_barcode(text) == text
    except UnknownEnvelopeError:
        assert not (4 <= len(text) <= 24 and text.isascii() and text.isalnum() and text.upper() == text)
