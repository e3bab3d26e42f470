"""Why the vault refused a command (in English and in Vietnamese for the officer's screen), and the checks that
refuse."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from domain.errors import DomainError, InvalidValueError

SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)


class UnknownDocumentError(DomainError):
    """No such document in the vault."""

    code = "unknown_document"

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        super().__init__(
            f"no document {document_id} in this vault", f"Không có giấy tờ {document_id} trong kho dữ liệu điện tử."
        )


class DuplicateDocumentError(DomainError):
    """The same file (same SHA-256) is already in the vault."""

    code = "duplicate_document"

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__(
            f"a file with SHA-256 {sha256} is already in the vault", "Tệp này đã có trong kho dữ liệu điện tử."
        )


class DocumentStateError(DomainError):
    """The document cannot take this change in its current state."""

    code = "document_state"

    def __init__(self, document_id: str, reason: str, reason_vi: str) -> None:
        self.document_id = document_id
        super().__init__(f"document {document_id} {reason}", f"Giấy tờ {document_id} {reason_vi}.")


class NothingToReuseError(DomainError):
    """No valid, current document of the type is in the vault: it has to be scanned."""

    code = "nothing_to_reuse"

    def __init__(self, type_code: str) -> None:
        self.type_code = type_code
        super().__init__(
            f"no valid document of type {type_code} to reuse; scan the paper instead",
            f"Kho dữ liệu điện tử không có giấy tờ loại {type_code} còn hiệu lực để dùng lại; "
            "cần scan, ký số thành phần hồ sơ giấy.",
        )


class ResultStillValidError(DomainError):
    """A still-valid earlier result of this type is in the vault: reuse it, never scan it again."""

    code = "result_still_valid"

    def __init__(self, document_id: UUID, type_code: str, valid_until: date | None) -> None:
        self.document_id, self.type_code = str(document_id), type_code
        self.valid_until = valid_until.isoformat() if valid_until else None
        until = f"đến ngày {valid_until:%d/%m/%Y}" if valid_until else "không thời hạn"
        super().__init__(
            f"a valid result of type {type_code} (document {document_id}) is already in the vault: "
            "reuse it instead of scanning",
            f"Kết quả giải quyết TTHC loại {type_code} còn hiệu lực ({until}) đã có trong kho dữ liệu điện tử. "
            "Không được scan, ký số, đính kèm lại; hãy lấy giấy tờ từ kho dữ liệu điện tử.",
        )


class PageCountMismatchError(DomainError):
    """The scan does not have as many pages as the paper original."""

    code = "page_count_mismatch"

    def __init__(self, declared: int, scanned: int) -> None:
        self.declared, self.scanned = declared, scanned
        super().__init__(
            f"the paper has {declared} pages but the scan has {scanned}; scan every page, in order",
            f"Bản giấy có {declared} trang nhưng bản quét có {scanned} trang. Số trang bản quét phải "
            "bằng số trang bản giấy, đúng thứ tự; vui lòng quét lại.",
        )


class UnreadableDocumentError(DomainError):
    """The bytes are not a readable PDF (or image, for a scan)."""

    code = "unreadable_document"

    def __init__(self, detail: str) -> None:
        super().__init__(f"not a readable document: {detail}", "Tệp không phải là tài liệu PDF hoặc ảnh quét đọc được.")


def check_page_count(declared: int, scanned: int) -> None:
    """A scan must have exactly as many pages as the paper original."""
    if check_count("declared_pages", declared) != scanned:
        raise PageCountMismatchError(declared, scanned)


def check_sha256(value: str) -> str:
    """Return the hash if it is 64 lowercase hex digits (it names a file: nothing else may pass)."""
    if not isinstance(value, str) or not SHA256.fullmatch(value):
        raise InvalidValueError(
            "sha256", "must be 64 lowercase hex digits", "mã băm SHA-256 phải gồm 64 ký tự hex thường"
        )
    return value


def check_count(field: str, value: int) -> int:
    """Return a positive whole number, or raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValueError(field, "must be a positive whole number", "phải là số nguyên dương")
    return value


class NoSigningKeyError(DomainError):
    """The account has no signing key of its own; nobody signs with another person's key."""

    code = "no_signing_key"

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(
            f"account {account_id} has no personal signing key configured",
            f"Tài khoản {account_id} chưa được cấu hình chứng thư số cá nhân để ký.",
        )


class NotASignerError(DomainError):
    """Only the competent person (signer role) signs a result, with their own key."""

    code = "not_a_signer"

    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__(
            f"only an account with the signer role signs a result (you act as {role})",
            "Chỉ người có thẩm quyền ký (vai trò người ký) mới được ký số kết quả.",
        )
