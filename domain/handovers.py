"""Why a handover (giao nhận) was refused: the receiver must be a real, active account in scope, and only they
confirm."""

from __future__ import annotations

from domain.errors import DomainError


class HandoverReceiverError(DomainError):
    """The named receiver cannot take the paper; `code` says why (unknown, disabled, out of scope, not staff)."""

    def __init__(self, code: str, username: str, reason: str, reason_vi: str) -> None:
        self.code, self.username = code, username
        super().__init__(f"receiver {username!r} {reason}", f"Người nhận {username} {reason_vi}.")


class NotTheReceiverError(DomainError):
    """Only the account a handover names as receiver confirms it."""

    code = "not_the_receiver"

    def __init__(self, dossier_code: str, line: int | None = None) -> None:
        self.dossier_code, self.line = dossier_code, line
        which, which_vi = (f"line {line}", f"số {line}") if line else ("awaiting you", "nào đang chờ bạn")
        super().__init__(
            f"you are not the receiver of handover {which} of dossier {dossier_code}",
            f"Bạn không phải người nhận của lượt giao nhận {which_vi} của hồ sơ {dossier_code}.",
        )


class HandoverConfirmedError(DomainError):
    """The handover line was confirmed already."""

    code = "handover_already_confirmed"

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"handover line {line} is already confirmed", f"Lượt giao nhận số {line} đã được xác nhận.")
