"""Plain values returned by the kiosk application, and their Vietnamese printouts."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from domain.clock import VIETNAM
from domain.money import format_dong


class Receipt(msgspec.Struct, frozen=True):
    """The kiosk receipt (biên nhận): data and the text the printer prints."""

    dossier_code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    kiosk: str
    received_at: datetime
    due_on: date
    fee: int
    paid: int
    shortfall: int
    excess: int
    text: str


class Submitted(msgspec.Struct, frozen=True):
    """A kiosk submission: the dossier code, what is owed and when to come back."""

    dossier_code: str
    due_on: date
    fee: int
    version: int
    position: int


class Balance(msgspec.Struct, frozen=True):
    """A dossier's money after a payment."""

    dossier_code: str
    fee: int
    paid: int
    shortfall: int
    excess: int
    version: int
    position: int


class LentFace(msgspec.Struct, frozen=True):
    """[14] The face template enrolled at the counter, lent to the one kiosk serving this pickup so that its camera can
    compare the holder's live face with it (personal data: in that kiosk's answer only, never logged, kept by the
    kiosk in memory for the session)."""

    embedding: list[float]
    model_id: str

    def __repr__(self) -> str:
        return f"LentFace(model_id={self.model_id!r})"


class PickupTicket(msgspec.Struct, frozen=True):
    """The right to open a tray, once any shortfall is paid and the face (if required) matches."""

    dossier_code: str
    tray: int
    shortfall: int
    face_required: bool
    token: str
    rejected: bool = False  # a rejected dossier given back with its notice, not a result
    reason: str | None = None  # the rejection's reason, for the screen
    face_template: LentFace | None = None  # a counter dossier's enrolled face (the kiosk holds no template of it)

    def __repr__(self) -> str:
        return f"PickupTicket(dossier_code={self.dossier_code!r}, tray={self.tray})"


class Released(msgspec.Struct, frozen=True):
    """The tray to open for the citizen."""

    dossier_code: str
    tray: int
    version: int
    position: int


class TrayView(msgspec.Struct, frozen=True):
    """One tray as it stands."""

    number: int
    status: str
    dossier_code: str | None
    loaded_at: datetime | None


class KioskView(msgspec.Struct, frozen=True):
    """The kiosk's containers: envelopes in the bin, cash expected, envelope stock, trays."""

    key: str
    name: str
    agency: str
    bin: list[str]
    cash_expected: int
    unused_envelopes: int
    trays: list[TrayView]

    @property
    def free_trays(self) -> int:
        return sum(t.status == "empty" for t in self.trays)


class CollectedEnvelope(msgspec.Struct, frozen=True):
    barcode: str
    dossier_code: str
    procedure_code: str
    department: str


class CollectionReport(msgspec.Struct, frozen=True):
    """What one collection took out, and the cash count beside the expected amount."""

    kiosk: str
    at: datetime
    envelopes: list[CollectedEnvelope]
    cash_expected: int
    cash_counted: int
    discrepancy: int


class SlipLine(msgspec.Struct, frozen=True):
    tray: int
    dossier_code: str
    procedure_name: str
    notice: str | None = None  # a rejected dossier given back: the rejection notice printed to go in its tray


class LoadingSlip(msgspec.Struct, frozen=True):
    """The loading slip (phiếu nạp kết quả) printed at the rear screen."""

    kiosk: str
    at: datetime
    loaded: list[SlipLine]
    refused: dict[str, str]
    text: str
    doors: dict[int, str] = {}  # tray → "opened" / "not_answering" / "fault: …", when the core opened the doors


class OverdueItem(msgspec.Struct, frozen=True):
    """A result not collected within the limit since the SMS."""

    tray: int
    dossier_code: str
    procedure_code: str
    days_since_notification: int
    receiver: str
    action: str


def local(at: datetime) -> str:
    """'08:30 20/05/2026' in Vietnam time."""
    return at.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def receipt_text(agency_name: str, r: Receipt) -> str:
    """The receipt as printed by the kiosk's thermal printer."""
    lines = [
        agency_name.upper(),
        "BỘ PHẬN MỘT CỬA - KIOSK 24/7 " + r.kiosk,
        "",
        "BIÊN NHẬN HỒ SƠ",
        "",
        f"Mã hồ sơ: {r.dossier_code}",
        f"Thủ tục: {r.procedure_name}",
        f"Người nộp: {r.applicant_name}",
        f"Thời gian nộp: {local(r.received_at)}",
        f"Ngày hẹn trả: {r.due_on:%d/%m/%Y}",
        f"Lệ phí: {format_dong(r.fee)}",
        f"Đã nộp: {format_dong(r.paid)}",
    ]
    if r.shortfall:
        lines.append(f"Còn thiếu: {format_dong(r.shortfall)} (nộp khi nhận kết quả)")
    if r.excess:
        lines.append(f"Nộp thừa: {format_dong(r.excess)} (được xử lý khi nhận kết quả tại Bộ phận Một cửa)")
    lines += ["", "Vui lòng giữ biên nhận để nhận kết quả."]
    return "\n".join(lines)


def slip_text(kiosk: str, at: datetime, staff: str, loaded: list[SlipLine], refused: dict[str, str]) -> str:
    """The loading slip text."""
    lines = [f"PHIẾU NẠP KẾT QUẢ - KIOSK {kiosk}", f"Thời gian: {local(at)}", f"Người nạp: {staff}", ""]
    lines += [
        f"Khay {line.tray:>2}: {line.dossier_code}  {line.procedure_name}" + (" (TRẢ LẠI HỒ SƠ)" if line.notice else "")
        for line in loaded
    ]
    lines += [f"Không nạp {code}: {reason}" for code, reason in refused.items()]
    lines += ["", f"Tổng số đã nạp: {len(loaded)}", "", "Người nạp (ký, ghi rõ họ tên)"]
    for line in loaded:  # each notice is cut off and put in its tray with the dossier's originals
        if line.notice:
            lines += ["", f"--- Đặt vào khay {line.tray} cùng hồ sơ ---", line.notice]
    return "\n".join(lines)


def pickup_sms(agency_name: str, code: str, kiosk_name: str, days: int) -> str:
    """The pickup SMS: the code and where to collect, no personal data."""
    return (
        f"{agency_name}: Hồ sơ {code} đã có kết quả tại {kiosk_name}. Vui lòng đến nhận trong {days} ngày "
        f"(nhập số CCCD và số biên nhận, hoặc mã hồ sơ và mã OTP)."
    )


# ----- a rejected dossier given back at the kiosk (issue [14]) --------------------------------------
def rejection_notice(agency_name: str, code: str, procedure_name: str, reason: str, at: datetime) -> str:
    """The notice (thông báo từ chối giải quyết hồ sơ) that goes back in the tray with the dossier's originals."""
    return "\n".join(
        [
            agency_name.upper(),
            "BỘ PHẬN MỘT CỬA",
            "",
            "THÔNG BÁO TỪ CHỐI GIẢI QUYẾT HỒ SƠ",
            "",
            f"Mã hồ sơ: {code}",
            f"Thủ tục: {procedure_name}",
            f"Lý do từ chối: {reason}",
            "",
            "Bộ phận Một cửa trả lại hồ sơ gốc kèm thông báo này.",
            f"Ngày trả: {local(at)}",
        ]
    )


def rejected_sms(agency_name: str, code: str, kiosk_name: str, days: int) -> str:
    """The SMS that a rejected dossier waits at the kiosk: the code and where, no reason, no personal data."""
    return (
        f"{agency_name}: Hồ sơ {code} không được giải quyết; hồ sơ gốc và thông báo lý do đã có tại {kiosk_name}. "
        f"Vui lòng đến nhận lại trong {days} ngày."
    )
