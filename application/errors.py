"""Application errors: what a caller did wrong that the domain cannot know."""

from __future__ import annotations

from domain.errors import DomainError


class NotFoundError(DomainError):
    """No such aggregate."""

    code = "not_found"

    def __init__(self, what: str, what_vi: str, key: str) -> None:
        super().__init__(f"{what} {key!r} not found", f"Không tìm thấy {what_vi} {key}.")


class VersionConflictError(DomainError):
    """The caller acted on a stale version, or a concurrent write won."""

    code = "version_conflict"

    def __init__(self, key: str, expected: int | None, actual: int | None) -> None:
        self.expected, self.actual = expected, actual
        super().__init__(
            f"{key} changed meanwhile (expected version {expected}, now {actual}); reload and retry",
            "Hồ sơ vừa được người khác cập nhật, vui lòng tải lại và thử lại.",
        )


class UnknownReferenceError(DomainError):
    """A procedure, department or other catalogue reference does not exist."""

    code = "unknown_reference"

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message, message_vi)


class KioskRefusal(DomainError):
    """A kiosk step was refused; `message_vi` is what the citizen's screen shows."""

    code = "kiosk_refused"

    def __init__(self, message: str, message_vi: str, **details: object) -> None:
        super().__init__(message, message_vi)
        for key, value in details.items():
            setattr(self, key, value)


class ProcedureNotAtKioskError(KioskRefusal):
    code = "procedure_not_at_kiosk"


class FaceMismatchError(KioskRefusal):
    code = "face_mismatch"


class WrongOtpError(KioskRefusal):
    code = "otp_wrong"


class NotReadyError(KioskRefusal):
    code = "not_processed_yet"


class PickupRefusedError(KioskRefusal):
    code = "pickup_refused"


class KioskFullError(KioskRefusal):
    code = "kiosk_full"
