"""Officers' reads of citizens' personal data: each use case returns what was read and records the read.

The read goes into the person's access log (application/access_log.py) with the officer's reason, or the screen's
default reason; the citizen sees it with their CCCD and an OTP. Controllers make one call and return its answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from application.access_log import AccessLogs
from application.dossiers import Dossiers
from application.vaults import Vaults
from application.views import DossierDetails, HistoryEntry
from domain.values import Actor, Applicant
from domain.vault import Document, OwnerKind, VaultOwner

HANDLING, REUSE = "xử lý hồ sơ", "kiểm tra giấy tờ dùng lại"


class PersonalReads:
    """Reads of a dossier, its history, a citizen's vault and the lists naming applicants, each one recorded."""

    def __init__(self, *, dossiers: Dossiers, vaults: Vaults, access_logs: AccessLogs) -> None:
        self.dossiers, self.vaults, self.access_logs = dossiers, vaults, access_logs

    def dossier(self, code: str, *, actor: Actor, purpose: str | None = None) -> DossierDetails:
        """The dossier as it stands (Dossiers.get_dossier); the read goes into the applicant's access log."""
        details = self.dossiers.get_dossier(code)
        self._record(details.applicant, code, "xem hồ sơ", purpose or HANDLING, actor)
        return details

    def dossier_history(self, code: str, *, actor: Actor, purpose: str | None = None) -> list[HistoryEntry]:
        """Every event of the dossier, oldest first; the read goes into the applicant's access log."""
        history = self.dossiers.list_history(code)
        self._record(self.dossiers.applicant_of(code), code, "xem lịch sử hồ sơ", purpose or HANDLING, actor)
        return history

    def vault_documents(self, owner: VaultOwner, *, actor: Actor, purpose: str | None = None) -> list[Document]:
        """Every document of the vault; a citizen's read goes into their access log."""
        documents = self.vaults.list_documents(owner)
        self._record_owner(owner, "xem kho giấy tờ", purpose or REUSE, actor)
        return documents

    def vault_file(self, owner: VaultOwner, document_id: UUID, *, actor: Actor, purpose: str | None = None) -> bytes:
        """The file of a vault document; a citizen's read goes into their access log."""
        pdf = self.vaults.open_document(owner, document_id)
        self._record_owner(owner, "mở tệp giấy tờ trong kho", purpose or REUSE, actor)
        return pdf

    def applicants_shown(self, codes: Iterable[str], *, what: str, actor: Actor, purpose: str) -> None:
        """A book or list read from the read side showed these dossiers' applicants (name or phone): each gets the
        read in their access log, once per dossier."""
        for code in dict.fromkeys(codes):
            self._record(self.dossiers.applicant_of(code), code, what, purpose, actor)

    def _record_owner(self, owner: VaultOwner, what: str, purpose: str, actor: Actor) -> None:
        if owner.kind == OwnerKind.CITIZEN and owner.id_number:
            self.access_logs.record_read(
                id_number=owner.id_number, phone=None, dossier_code=None, what=what, purpose=purpose, actor=actor
            )

    def _record(self, applicant: Applicant, code: str, what: str, purpose: str, actor: Actor) -> None:
        if applicant.known_by:  # an erased applicant has no ID number left to log under
            self.access_logs.record_read(
                id_number=applicant.known_by,  # a holder of only a CMND is logged under it
                phone=applicant.phone,
                dossier_code=code,
                what=what,
                purpose=purpose,
                actor=actor,
            )
