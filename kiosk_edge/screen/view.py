"""What the citizen's page is sent: the session's screen and numbers, the citizen's own name and a masked ID, the
texts shared with the receipt, the VietQR to pay by bank transfer, and the help line of this kiosk at this hour."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk_edge import vietqr
from kiosk_edge.flow import KioskFlow
from kiosk_edge.seed_flows import mask_cmnd
from kiosk_edge.session.screens import OTP_SENDS, Screen
from kiosk_edge.wording import EXCESS_REFUND, LOCAL_TIME, NO_CHANGE, SHORTFALL_LATER, counter_open, help_line

S = Screen
OTP_SCREENS = frozenset({S.OTP, S.PICKUP_OTP, S.OTP_LOCKED, S.SUPPLEMENT_OTP})
PAYING = frozenset({S.PAYMENT, S.PICKUP_PAYMENT, S.ONLINE_PAYMENT})


def view_of(flow: KioskFlow, now: datetime | None = None) -> dict[str, Any]:
    """The page's state (nothing personal beyond the name the citizen's own card just showed)."""
    now = now or datetime.now(LOCAL_TIME)
    with flow.lock:
        s, c = flow.state, flow.citizen
        return (
            {
                "screen": s.screen.value,
                "flow": s.flow.value if s.flow else None,
                "message": s.message,
                "procedure": s.procedure.__dict__ if s.procedure else None,
                "dossier_code": s.dossier_code,
                "due_on": s.due_on.strftime("%d/%m/%Y") if s.due_on else None,
                "owed": s.owed,
                "paid": s.paid,
                "shortfall": s.shortfall,
                "excess": s.excess,
                "tray": s.tray,
                "offline": s.offline,
                "held": s.held,
                "name": c.name or None,
                "id_masked": _mask(c.id_number),
                "card_read": s.card_read,
                "forms_printed": c.forms_printed,
                "masked_phone": s.masked_phone or None,
                "resends_left": max(0, OTP_SENDS - s.otp_sends) if s.screen in OTP_SCREENS else 0,
                "procedures": (
                    [p.__dict__ for p in flow.usage.ordered(list(flow.procedures.values()))]
                    if s.screen is S.PROCEDURES
                    else []
                ),
                "vietqr": _vietqr(flow) if s.screen in PAYING and s.shortfall and not s.offline else None,
                "texts": {"no_change": NO_CHANGE, "excess_refund": EXCESS_REFUND, "shortfall_later": SHORTFALL_LATER},
                "help": help_line(flow.hotline, now),
                "counter_open": counter_open(now),
                "hotline": flow.hotline,
            }
            | _extras(flow)
            | _corner(flow)
        )


def _corner(flow: KioskFlow) -> dict[str, Any]:
    """[14] The ID-card return and the online corner: the cards offered, pages scanned, the portal's code."""
    s = flow.state
    cards = [p.__dict__ for p in flow.card_procedures()] if s.screen is S.CARD_PROCEDURES else []
    return {"card_procedures": cards, "pages": s.pages, "portal_code": s.portal_code}


def _clock(flow: KioskFlow) -> dict[str, int]:
    """Countdowns the page shows without redrawing (kept out of its comparison of states)."""
    wait = {"wait_left": flow.wait_left()}
    if flow.state.screen not in OTP_SCREENS:
        return {"otp_left": 0, "resend_in": 0} | wait
    return {"otp_left": flow.otp_left(), "resend_in": flow.resend_in()} | wait


def _extras(flow: KioskFlow) -> dict[str, Any]:
    """The countdowns, and what the flows of issue [14] show."""
    return _clock(flow) | _seed_flows(flow)


def _seed_flows(flow: KioskFlow) -> dict[str, Any]:
    """Issue [14]: what a supplement asks for, a rejected dossier's reason, the CMND typed (masked)."""
    s = flow.state
    return {
        "asked": list(s.asked),
        "reason": s.reason or None,
        "requested_on": s.requested_on.strftime("%d/%m/%Y") if s.requested_on else None,
        "rejected": s.rejected,
        "cmnd_masked": mask_cmnd(flow.citizen.cmnd) or None,
    }


def _vietqr(flow: KioskFlow) -> dict[str, Any]:
    code, amount = flow.state.dossier_code or "", flow.state.shortfall
    return {
        "svg": vietqr.svg(vietqr.payload(flow.account, amount, code)),
        "amount": amount,
        "reference": code,
        "bank_bin": flow.account.bin,
        "account": flow.account.number,
        "account_name": flow.account.name,
    }


def _mask(id_number: str) -> str | None:
    return f"{id_number[:3]}******{id_number[-3:]}" if len(id_number) >= 9 else None
