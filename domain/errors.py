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
        # Officers read the Vietnamese sentence: words, never the internal names of actions and states.
        allowed_vi = ", ".join(ACTION_VI.get(a, "thao tác khác") for a in self.allowed)
        super().__init__(
            f"cannot {action} in state {state!r}; allowed actions: {listed}",
            f"Không thể {ACTION_VI.get(action, 'thực hiện thao tác này')} "
            + (f'khi hồ sơ đang ở trạng thái "{STATE_VI[state]}"' if state in STATE_VI else "ở trạng thái hiện tại")
            + (f". Có thể: {allowed_vi}." if allowed_vi else "."),
        )


ACTION_VI = {
    "accept": "tiếp nhận hồ sơ",
    "reject": "từ chối hồ sơ",
    "request_supplement": "yêu cầu bổ sung",
    "provide_supplement": "nhận bổ sung",
    "request_withdrawal": "xin rút hồ sơ",
    "withdraw": "rút hồ sơ",
    "assess_fee": "xác định lệ phí",
    "record_payment": "thu lệ phí",
    "route": "chuyển phòng xử lý",
    "hand_over": "giao nhận hồ sơ",
    "issue_result": "ghi nhận kết quả",
    "load_into_tray": "nạp kết quả vào khay",
    "pull_back": "thu hồi kết quả từ khay",
    "deliver_result": "trả kết quả",
    "rate": "đánh giá",
    "sign_result": "ký số kết quả",
    "refund": "hoàn trả tiền",
}
STATE_VI = {
    "registered": "Mới đăng ký",
    "received": "Đã tiếp nhận",
    "accepted": "Đã tiếp nhận xử lý",
    "supplement_requested": "Chờ bổ sung",
    "in_processing": "Đang xử lý",
    "result_issued": "Đã có kết quả",
    "in_tray": "Đã nạp vào khay",
    "delivered": "Đã trả kết quả",
    "rated": "Đã đánh giá",
    "rejected": "Từ chối",
    "withdrawal_requested": "Xin rút hồ sơ",
    "withdrawn": "Đã rút",
}


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
