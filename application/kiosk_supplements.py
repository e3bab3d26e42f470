"""A supplement handed in at the kiosk (nộp bổ sung hồ sơ tại kiosk, seed 000 §1 and issue [14]).

The citizen shows the ID card and the receipt of a dossier that waits for a supplement; a code goes to the phone on
the dossier; once it is typed back the kiosk shows what is asked, the citizen inserts the supplement envelope and the
dossier records `SupplementProvided` with a new appointment date, in the same commit as the envelope going into the
bin. Wrong identities and codes count against the dossier and the kiosk like pickup checks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from application.base import command
from application.errors import KioskRefusal, PickupRefusedError, WrongOtpError
from application.kiosk_views import local
from application.throttling import PICKUP_DOSSIER, PICKUP_KIOSK, PickupLockedError, seconds_until
from domain.dossier import Dossier, Status
from domain.procedures import ComponentForm
from domain.values import Actor, Component, mask_phone

if TYPE_CHECKING:
    from application.base import OneStop
    from application.dossiers import Dossiers
    from application.ports import Otp
    from application.proofs import Proofs
    from application.throttling import Throttle
    from domain.envelope import EnvelopeBarcode
    from domain.kiosk import Kiosk

SUPPLEMENT = "supplement"
T = TypeVar("T")


class SupplementNotAwaitedError(KioskRefusal):
    """The citizen's own dossier does not wait for a supplement (never asked, already supplemented, or ended)."""

    code = "supplement_not_requested"


class SupplementRefusedError(PickupRefusedError):
    """No dossier of this citizen under that code: unknown code and someone else's dossier look the same."""

    code = "supplement_refused"


class SupplementLockedError(PickupLockedError):
    """Too many wrong identities or codes for this dossier or at this kiosk: supplements wait a while."""

    code = "supplement_locked"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(retry_after_seconds)
        minutes = -(-retry_after_seconds // 60)
        self.message_vi = (
            f"Đã nhập sai quá nhiều lần nên tạm khóa nộp bổ sung hồ sơ này tại kiosk. Vui lòng thử lại sau "
            f"{minutes} phút."
        )


class SupplementAsked(msgspec.Struct, frozen=True):
    """What the dossier waits for, shown once the code was right; `proof` lets the envelope be taken for it."""

    dossier_code: str
    procedure_name: str
    items: list[str]
    reason: str
    requested_on: date
    due_on: date  # the new appointment date if the supplement is handed in today
    proof: str


class SupplementReceipt(msgspec.Struct, frozen=True):
    """The supplement was taken: the new appointment date and the receipt the kiosk prints."""

    dossier_code: str
    due_on: date
    items: list[str]
    text: str
    version: int
    position: int


class KioskSupplements:
    """Mixin of Kiosks: the supplement path. Relies on Kiosks' loaders, OTP, proofs, throttle and clock."""

    app: OneStop
    dossiers: Dossiers
    otp: Otp
    proofs: Proofs
    throttle: Throttle

    def request_supplement_otp(self, kiosk: str, *, id_number: str, code: str, at: datetime | None = None) -> str:
        """The card's ID number and the receipt's code name a dossier of this citizen that waits for a supplement:
        a code goes to the phone on the dossier; returns that phone masked (090****101)."""
        at = self._at(at)

        def send() -> str:
            dossier = self._own_dossier(code, id_number)
            if dossier.status is not Status.SUPPLEMENT_REQUESTED:
                raise SupplementNotAwaitedError(
                    f"{code} does not wait for a supplement ({dossier.status.value})",
                    "Hồ sơ này hiện không ở trạng thái chờ bổ sung nên kiosk không nhận thêm giấy tờ. Ông/Bà vui lòng "
                    "xem tình trạng hồ sơ trong tin nhắn đã nhận hoặc liên hệ Bộ phận Một cửa.",
                )
            self.otp.send(dossier.applicant.phone or "", f"{SUPPLEMENT}:{code}", at, kiosk=kiosk)
            return mask_phone(dossier.applicant.phone)

        return self._supplement_guarded(kiosk, code, at, send)

    def check_supplement_otp(
        self, kiosk: str, *, code: str, otp_code: str, at: datetime | None = None
    ) -> SupplementAsked:
        """The code from the SMS: what is asked, since when, the new appointment date, and a proof for the envelope."""
        at = self._at(at)

        def check() -> SupplementAsked:
            dossier = self._dossier(code, fresh=True)
            if not self.otp.check(dossier.applicant.phone or "", f"{SUPPLEMENT}:{code}", otp_code, at):
                raise WrongOtpError("wrong or expired OTP", "Mã xác nhận không đúng hoặc đã hết hạn.")
            return self._asked(dossier, self.proofs.issue(code, SUPPLEMENT, at), at)

        return self._supplement_guarded(kiosk, code, at, check)

    @command
    def supplement_at_kiosk(
        self, kiosk: str, code: str, *, proof: str, envelope: str, actor: Actor, at: datetime | None = None
    ) -> SupplementReceipt:
        """The supplement envelope goes into the bin: `SupplementProvided` (the items asked, a new appointment date),
        the kiosk's `EnvelopeAccepted` and the barcode used, in one commit."""
        at = self._at(at)
        self.proofs.check(proof, code, SUPPLEMENT, at)
        self._usable_envelope(kiosk, envelope)
        for _ in range(5):
            dossier = self._dossier(code)
            if dossier.status is not Status.SUPPLEMENT_REQUESTED:
                raise SupplementNotAwaitedError(
                    f"{code} no longer waits for a supplement", "Hồ sơ này không còn chờ bổ sung."
                )
            items = list(dossier.supplement_items)
            due_on = self.dossiers.appointment(self.dossiers.procedure(dossier.procedure_code), at)
            components = [Component(name=item, form=ComponentForm.ORIGINAL, count=1) for item in items]
            dossier.provide_supplement(components=components, due_on=due_on, actor=actor, at=at)
            machine, barcode = self._kiosk(kiosk), self._envelope(kiosk, envelope)
            machine.accept_envelope(barcode=envelope, envelope=barcode, dossier_code=code, actor=actor, at=at)
            written = self.app.commit_or_evict(dossier, machine, *([barcode] if barcode is not None else []))
            if written is not None:
                text = supplement_receipt_text(
                    kiosk, code, self.dossiers.procedure(dossier.procedure_code).name, items, at, due_on
                )
                return SupplementReceipt(
                    dossier_code=code,
                    due_on=due_on,
                    items=items,
                    text=text,
                    version=written.version,
                    position=written.position,
                )
        raise self.app.conflict(code)

    # ----- helpers ------------------------------------------------------------------------
    def _own_dossier(self, code: str, id_number: str) -> Dossier:
        try:
            dossier = self._dossier(code, fresh=True)
        except Exception as error:  # unknown or malformed codes look like someone else's dossier
            raise _not_yours(code) from error
        if dossier.applicant.id_number != id_number:
            raise _not_yours(code)
        return dossier

    def _asked(self, dossier: Dossier, proof: str, at: datetime) -> SupplementAsked:
        if dossier.status is not Status.SUPPLEMENT_REQUESTED:
            raise SupplementNotAwaitedError(
                f"{dossier.code} no longer waits for a supplement", "Hồ sơ này không còn chờ bổ sung."
            )
        procedure = self.dossiers.procedure(dossier.procedure_code)
        requested = next(
            e.at for e in reversed(list(self.app.events.get(dossier.id))) if isinstance(e, Dossier.SupplementRequested)
        )
        return SupplementAsked(
            dossier_code=dossier.code,
            procedure_name=procedure.name,
            items=list(dossier.supplement_items),
            reason=dossier.reason or "",
            requested_on=self._local_day(requested),
            due_on=self.dossiers.appointment(procedure, at),
            proof=proof,
        )

    def _supplement_guarded(self, kiosk: str, code: str, at: datetime, step: Callable[[], T]) -> T:
        keys = [f"supplement:dossier:{code}", f"supplement:kiosk:{kiosk}"]
        locked = self.throttle.locked_until(keys, at)
        if locked is not None:
            raise SupplementLockedError(seconds_until(locked, at))
        try:
            result = step()
        except (PickupRefusedError, WrongOtpError):
            self.throttle.failed([(keys[0], PICKUP_DOSSIER), (keys[1], PICKUP_KIOSK)], at)
            raise
        self.throttle.clear(keys[0])
        return result

    if TYPE_CHECKING:  # provided by Kiosks and KioskOffice

        def _at(self, at: datetime | None) -> datetime: ...
        def _dossier(self, code: str, fresh: bool = False) -> Dossier: ...
        def _kiosk(self, key: str, fresh: bool = False) -> Kiosk: ...
        def _envelope(self, key: str, barcode: str) -> EnvelopeBarcode | None: ...
        def _usable_envelope(self, key: str, barcode: str) -> None: ...
        @staticmethod
        def _local_day(at: datetime) -> Any: ...


def _not_yours(code: str) -> SupplementRefusedError:
    return SupplementRefusedError(
        f"no dossier {code!r} of this citizen",
        "Thông tin trên thẻ và biên nhận chưa khớp với hồ sơ nào của Ông/Bà. Ông/Bà vui lòng kiểm tra lại thẻ và "
        "biên nhận của đúng hồ sơ cần bổ sung.",
    )


def supplement_receipt_text(kiosk: str, code: str, procedure: str, items: list[str], at: datetime, due_on: date) -> str:
    """The slip printed when a supplement is taken at the kiosk."""
    lines = [
        f"BỘ PHẬN MỘT CỬA - KIOSK 24/7 {kiosk}",
        "",
        "BIÊN NHẬN HỒ SƠ BỔ SUNG",
        "",
        f"Mã hồ sơ: {code}",
        f"Thủ tục: {procedure}",
        f"Thời gian nộp bổ sung: {local(at)}",
        "Giấy tờ bổ sung:",
        *[f"  - {item}" for item in items],
        f"Ngày hẹn trả mới: {due_on:%d/%m/%Y}",
        "",
        "Vui lòng giữ biên nhận để nhận kết quả.",
    ]
    return "\n".join(lines)
