"""[14] The kiosk's online-submission corner (seed 000 §3): the documents scanned on the kiosk's scanner, the national
portal's form filled from the ID card, the dossier sent through the `Portal` port, paid online; the core records
the dossier as registered online, with the portal's own code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import msgspec

from application.base import OneStop
from application.dossiers import Dossiers
from application.errors import KioskRefusal
from application.ports import Clock, Portal
from application.proofs import Proofs
from domain.cccd import parse_cccd_qr
from domain.clock import VIETNAM
from domain.dossier import Dossier
from domain.procedures import ComponentForm
from domain.values import Actor, Applicant, Component, check_phone

SUBMIT = "submit"
MAX_PAGES = 200


class PortalUnavailableError(KioskRefusal):
    """The portal did not take the dossier; nothing was recorded."""

    code = "portal_unavailable"


class OnlineSubmission(msgspec.Struct, frozen=True):
    """What is sent to the portal (the applicant from the ID card, the scanned pages, the form's extra fields)."""

    procedure_code: str
    applicant: Applicant
    pages: int
    form: dict[str, str]


class SentOnline(msgspec.Struct, frozen=True):
    """The answer to the kiosk: the portal's code to keep, our dossier code, the fee to pay online."""

    portal_code: str
    dossier_code: str
    fee: int
    version: int
    position: int


class OnlineCorner:
    """Sends dossiers to the national portal from the kiosk and records them."""

    def __init__(self, app: OneStop, *, dossiers: Dossiers, proofs: Proofs, clock: Clock, portal: Portal) -> None:
        self.app, self.dossiers, self.proofs, self.clock, self.portal = app, dossiers, proofs, clock, portal

    def submit(
        self,
        kiosk: str,
        *,
        procedure_code: str,
        qr_payload: str,
        phone: str,
        phone_proof: str,
        pages: int,
        form: Mapping[str, str],
        actor: Actor,
        at: datetime | None = None,
    ) -> SentOnline:
        """Send to the portal, then register the dossier with the portal's code and assess its fee."""
        at = at or self.clock.now()
        procedure = self.dossiers.procedure(procedure_code)
        if not 1 <= pages <= MAX_PAGES:
            raise KioskRefusal(f"{pages} scanned pages", "Ông/Bà vui lòng quét ít nhất một trang giấy tờ.", pages=pages)
        self.proofs.check(phone_proof, check_phone(phone), SUBMIT, at)
        identity = parse_cccd_qr(qr_payload, today=at.astimezone(VIETNAM).date())
        applicant = Applicant(
            id_number=identity.id_number,
            name=identity.name,
            phone=phone,
            address=identity.address,
            date_of_birth=identity.date_of_birth,
        )
        procedure = self.dossiers.procedure_for(procedure.code, identity.address)
        portal_code = self.portal.submit(
            OnlineSubmission(procedure_code=procedure.code, applicant=applicant, pages=pages, form=dict(form)), at
        )
        components = [Component(name=c.name, form=ComponentForm(c.form), count=c.count) for c in procedure.components]
        fee = procedure.fee_for(1)

        def make(code: str) -> list[Dossier]:
            dossier = Dossier.register_online(
                code=code,
                procedure_code=procedure.code,
                applicant=applicant,
                components=components,
                actor=actor,
                at=at,
            )
            dossier.link_portal(portal_code=portal_code, kiosk=kiosk, actor=actor, at=at)
            if fee:
                dossier.assess_fee(amount=fee, actor=actor, at=at)
            return [dossier]

        code, written = self.dossiers.create(procedure.agency, at, make)
        return SentOnline(
            portal_code=portal_code, dossier_code=code, fee=fee, version=written.version, position=written.position
        )
