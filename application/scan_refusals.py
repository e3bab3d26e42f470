"""Refused scans (seed 002): a component of a dossier received electronically, or an agency's verification result,
is not copied; the officer records the refusal and its reason, and the digitization report counts them."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.persistence import IntegrityError

from application.base import Written
from application.dossiers import DOSSIER, Dossiers
from domain.codes import dossier_id, parse_code
from domain.dossier import Dossier
from domain.errors import InvalidValueError
from domain.scan_refusal import ScanRefusal, ScanRefusalReason, ScanRefusedBeforeError
from domain.values import Actor, Channel


class ScanRefusals:
    """Records refusals to scan, in the shared store."""

    def __init__(self, dossiers: Dossiers) -> None:
        self.dossiers, self.app = dossiers, dossiers.app

    def refuse(
        self, code: str, *, component: str, reason: ScanRefusalReason, actor: Actor, at: datetime | None = None
    ) -> Written:
        """Record that `component` of the dossier is not scanned; the component must be one of the dossier's, and
        "received online" only fits a dossier received online."""
        parse_code(code)
        reason = ScanRefusalReason(reason)
        dossier: Dossier = self.app.load(dossier_id(code), DOSSIER, code, fresh=True)
        if component not in {c.name for c in dossier.components}:
            raise InvalidValueError(
                "component", f"{code} has no component {component!r}", "hồ sơ không có thành phần này"
            )
        if reason is ScanRefusalReason.RECEIVED_ONLINE and dossier.channel is not Channel.ONLINE:
            raise InvalidValueError(
                "reason",
                f"{code} was received on paper ({dossier.channel.value}): its components are scanned",
                "hồ sơ được tiếp nhận bản giấy: thành phần hồ sơ phải được số hóa",
            )
        refusal = ScanRefusal.record(
            dossier_code=code, component=component, reason=reason, actor=actor, at=self.dossiers._at(at)
        )
        try:
            return self.app.commit(refusal)
        except IntegrityError:
            raise ScanRefusedBeforeError(component) from None
