"""[14] The flow driver's part for the ID-card return registration (seed 000 §2.2) and the online corner (§3).

A mixin of `KioskFlow` (kiosk_edge/flow.py): it uses the same session state, core client, devices and helpers. The
scanned pages stay on the kiosk for this session only and are dropped with the rest of the citizen's data.
"""

from __future__ import annotations

from kiosk_edge.core_client import CoreRefusal, CoreUnreachableError
from kiosk_edge.flow_part import FlowPart
from kiosk_edge.session.inputs import (
    CardTypingChosen,
    IdentityRead,
    PageScanned,
    Paid,
    Procedure,
    ProcedureChosen,
    ReturnRegistered,
    ScanDone,
    SentToPortal,
)
from kiosk_edge.session.machine import InputNotAllowedError
from kiosk_edge.session.screens import Screen

S = Screen
FORM_FIELDS = ("delivery",)  # what the portal's form asks beyond the card: how the result comes back


class CornerFlow(FlowPart):
    """ID-card return registration and online corner steps of `KioskFlow`."""

    _card_procedures: list[Procedure] | None = None
    last_receipt: str  # the last code printed (receipt or registration slip): the demo panel scans it

    def card_procedures(self) -> list[Procedure]:
        """The ID cards whose return may be registered here, from the core once per process (return-only)."""
        if self._card_procedures is None:
            try:
                answer = self.core.card_procedures()
            except (CoreRefusal, CoreUnreachableError):
                return []
            self._card_procedures = [
                Procedure(code=str(p["code"]), name=str(p["name"]), fee=0, face_required=False, group="Thẻ Căn cước")
                for p in answer or []
            ]
        return self._card_procedures

    def choose_card(self, code: str) -> None:
        with self.lock:
            if self.state.screen is not S.CARD_PROCEDURES:
                raise InputNotAllowedError(self.state.screen, "ProcedureChosen")
            chosen = next((p for p in self.card_procedures() if p.code == code), None)
            if chosen is None:
                raise ValueError(f"{code!r} is not an ID-card procedure returned at this kiosk")
            self._feed(ProcedureChosen(chosen))

    def type_card_instead(self) -> None:
        with self.lock:
            self._feed(CardTypingChosen())

    def card_typed(self, id_number: str, name: str) -> None:
        """The fallback: a 12-digit number, or the 9-digit CMND of a holder without a chip card, and the holder's
        name (checked again by the core at registration)."""
        with self.lock:
            if self.state.screen is not S.CARD_TYPING:
                raise InputNotAllowedError(self.state.screen, "IdentityRead")
            if not (len(id_number) in (9, 12) and id_number.isascii() and id_number.isdigit()) or not name.strip():
                raise ValueError("a 12-digit ID number or a 9-digit CMND, and a name, are needed")
            cmnd = len(id_number) == 9
            self.citizen.id_number, self.citizen.cmnd = ("", id_number) if cmnd else (id_number, "")
            self.citizen.name = name.strip()
            self._feed(IdentityRead())

    def register_return(self) -> None:
        """Called by `enter_otp` once the phone is proven: the core registers the return and the slip is printed."""
        c, procedure = self.citizen, self.state.procedure
        assert procedure is not None
        slip = self._ask(
            lambda: self.core.register_card_return(
                procedure_code=procedure.code,
                phone=c.phone,
                phone_proof=c.proof,
                qr_payload=c.qr_payload or None,
                id_number=None if c.qr_payload or c.cmnd else c.id_number,
                cmnd=None if c.qr_payload else c.cmnd or None,
                name=None if c.qr_payload else c.name,
            ),
            lambda refusal: S.CARD_RETURN_REFUSED,
        )
        if slip is None or not isinstance(slip, dict):
            return
        code = str(slip["dossier_code"])  # as a QR too: scanned with the card at pickup instead of typed
        self.devices.printer.print_receipt(code, str(slip["text"]), {"dossier": code})
        self.last_receipt = code
        self._feed(ReturnRegistered(code))

    # ----- the online corner ----------------------------------------------------------------
    def page_scanned(self) -> None:
        """The scanner took one page (the image stays in the scanner's session buffer, never in a log)."""
        with self.lock:
            if self.state.screen is not S.SCAN_DOCS:
                raise InputNotAllowedError(self.state.screen, "PageScanned")
            self.devices.scanner.scan()
            self._feed(PageScanned())

    def scan_done(self) -> None:
        with self.lock:
            self._feed(ScanDone())

    def send_to_portal(self, form: dict[str, str]) -> None:
        """Fill the portal's form from the card plus what the citizen typed, attach the scans, send."""
        with self.lock:
            if self.state.screen is not S.PORTAL_FORM:
                raise InputNotAllowedError(self.state.screen, "SentToPortal")
            c, procedure, pages = self.citizen, self.state.procedure, self.state.pages
            assert procedure is not None
            extra = {k: v.strip() for k, v in form.items() if k in FORM_FIELDS and v.strip()}
            sent = self._ask(
                lambda: self.core.submit_online(
                    procedure_code=procedure.code,
                    qr_payload=c.qr_payload,
                    phone=c.phone,
                    phone_proof=c.proof,
                    pages=pages,
                    form=extra,
                ),
                lambda refusal: S.PORTAL_REFUSED,
            )
            if not isinstance(sent, dict):
                return
            self.devices.scanner.clear()
            self._feed(SentToPortal(str(sent["portal_code"]), str(sent["dossier_code"]), int(sent["fee"])))

    def paid_online(self, amount: int, reference: str) -> None:
        """The bank confirmed the transfer of the VietQR shown on the online payment screen."""
        with self.lock:
            if self.state.screen is not S.ONLINE_PAYMENT:
                raise InputNotAllowedError(self.state.screen, "Paid")
            code = self.state.dossier_code or ""
            self.devices.qr.confirmed(code, amount, reference)
            paid = self._ask(lambda: self.core.pay_by_qr(code, amount, reference), lambda refusal: S.PAYMENT_PENDING)
            if isinstance(paid, dict):
                self._feed(Paid(amount))

    def print_portal_code(self) -> None:
        """'In mã hồ sơ': the portal's code on paper, to follow the dossier on the portal."""
        s = self.state
        if s.screen is not S.ONLINE_DONE or not s.portal_code:
            raise InputNotAllowedError(s.screen, "print_portal_code")
        procedure = s.procedure.name if s.procedure else ""
        text = "\n".join(
            [
                "HỒ SƠ NỘP TRỰC TUYẾN TẠI KIOSK 24/7",
                f"Mã hồ sơ trên Cổng Dịch vụ công: {s.portal_code}",
                f"Thủ tục: {procedure}",
                f"Đã thanh toán: {s.paid:,} đồng".replace(",", "."),
                "Ông/Bà dùng mã này để tra cứu hồ sơ trên Cổng Dịch vụ công.",
            ]
        )
        self.devices.printer.print_receipt(None, text, {"portal_code": s.portal_code})
