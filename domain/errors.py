"""Domain errors: each carries a stable error code, an English message and a Vietnamese one for screens."""

from __future__ import annotations

from collections.abc import Iterable

from domain.money import format_dong


class DomainError(Exception):
    """A rule of the domain refused a command; nothing was recorded."""

    code = "domain_error"

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi


class ActionNotAllowedError(DomainError):
    """The action is not allowed in the aggregate's current state."""

    code = "action_not_allowed"

    def __init__(self, action: str, state: str, allowed: Iterable[str]) -> None:
        self.action, self.state, self.allowed = action, state, sorted(allowed)
        listed = ", ".join(self.allowed) or "none"
        super().__init__(
            f"cannot {action} in state {state!r}; allowed actions: {listed}",
            f"Không thể thực hiện '{action}' khi hồ sơ đang ở trạng thái '{state}'. "
            f"Các thao tác được phép: {listed}.",
        )


class InvalidValueError(DomainError, ValueError):
    """A value does not have the required format."""

    code = "invalid_value"

    def __init__(self, field: str, reason: str, reason_vi: str) -> None:
        self.field = field
        super().__init__(f"{field}: {reason}", f"{field}: {reason_vi}")


class PaymentOutstandingError(DomainError):
    """A shortfall must be paid before the result is released."""

    code = "payment_outstanding"

    def __init__(self, shortfall: int) -> None:
        self.shortfall = shortfall
        super().__init__(
            f"a shortfall of {shortfall} VND must be paid first",
            f"Còn thiếu {format_dong(shortfall)}, vui lòng thanh toán trước khi nhận kết quả.",
        )
