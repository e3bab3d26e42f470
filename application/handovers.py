"""Handover parties bound to accounts (giao nhận): the giver is the caller, the receiver an active account in scope.

Nobody types a name into the handover book: the giver comes from the caller's token and the receiver is picked, by
login name, from the accounts `list_receivers` offers; the receiver then confirms with their own login.
"""

from __future__ import annotations

import msgspec

from application.accounts import Accounts, AccountView
from application.errors import NotFoundError
from application.tokens import Principal
from domain.handovers import HandoverReceiverError
from domain.procedures import Catalogue, UnknownDepartmentError
from domain.values import Party, Role

# The roles that hold paper dossiers and results; devices, auditors, analysts and administrators never do.
HOLDERS = frozenset(
    {Role.RECEPTION_OFFICER, Role.DEPARTMENT_OFFICER, Role.CONSULTANT, Role.POLICE_OFFICER, Role.SIGNER}
)
Scope = tuple[str, "str | None"]  # the dossier's agency and department; no department: any department of the agency


class Receiver(msgspec.Struct, frozen=True):
    """An account the caller may hand a dossier to, as the console lists it."""

    account_id: str
    name: str
    role: Role
    unit: str


def covers(agency: str, other: str) -> bool:
    """A district agency covers its wards (H29.06 covers H29.06.1)."""
    return other == agency or other.startswith(agency + ".")


class Handovers:
    """Resolve the parties of a handover from accounts, never from typed text."""

    def __init__(self, accounts: Accounts, catalogue: Catalogue) -> None:
        self.accounts, self.catalogue = accounts, catalogue

    def giver(self, caller: Principal) -> Party:
        """The caller, as the giving party."""
        return Party(
            account_id=caller.account_id,
            name=caller.name,
            role=caller.role,
            unit=self._unit(caller.agency, caller.department),
        )

    def receiver(self, caller: Principal, username: str, *dossiers: Scope) -> Party:
        """The account `username` as the party receiving these dossiers from the caller; HandoverReceiverError
        naming why it cannot receive one of them."""
        try:
            account = self.accounts.get_account(username)
        except NotFoundError:
            raise HandoverReceiverError(
                "receiver_unknown", username, "is not an account", "không phải là tài khoản trong hệ thống"
            ) from None
        refusal = next((r for r in (_refusal(caller, account, d) for d in dossiers) if r is not None), None)
        if refusal is not None:
            code, reason, reason_vi = refusal
            raise HandoverReceiverError(code, username, reason, reason_vi)
        return self._party(account)

    def list_receivers(self, caller: Principal, dossier: Scope) -> list[Receiver]:
        """Active accounts in the caller's agency (or its wards) that may take this dossier, the caller excepted."""
        fit = [
            a
            for a in self.accounts.list_accounts()
            if a.username != caller.account_id and _refusal(caller, a, dossier) is None
        ]
        return [Receiver(**msgspec.structs.asdict(self._party(a))) for a in fit]

    def _party(self, account: AccountView) -> Party:
        return Party(
            account_id=account.username,
            name=account.name,
            role=account.role,
            unit=self._unit(account.agency, account.department),
        )

    def _unit(self, agency: str, department: str | None) -> str:
        try:
            return self.catalogue.department(department).name if department else self.catalogue.agency(agency).name
        except UnknownDepartmentError:
            return department or agency


def _refusal(caller: Principal, account: AccountView, dossier: Scope) -> tuple[str, str, str] | None:
    """(code, reason, Vietnamese reason) when `account` may not receive the dossier from `caller`, else None."""
    agency, department = dossier
    if not account.enabled:
        return "receiver_disabled", "is disabled", "đã bị khóa tài khoản"
    if account.role not in HOLDERS:
        return (
            "receiver_not_staff",
            f"acts as {account.role.value}, who takes no paper",
            "không phải cán bộ nhận hồ sơ giấy",
        )
    if not covers(caller.agency, account.agency):
        return "receiver_out_of_scope", "works for another agency", "thuộc cơ quan khác"
    if not covers(account.agency, agency) or (department and account.department and account.department != department):
        return "receiver_out_of_scope", "may not handle this dossier", "không được giao xử lý hồ sơ này"
    return None
