"""Vietnamese labels and one-line summaries of events for auditors' histories (application/history.py).

Never a citizen's name, phone or ID number: summaries name codes, amounts, parties (officers and units) and reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.account import Account as A
from domain.dossier import Dossier as D
from domain.kiosk import Kiosk as K
from domain.money import format_dong as dong
from domain.tray import Tray as T
from domain.vault import Vault as V

ROLE_VI = {
    "reception_officer": "Cán bộ tiếp nhận",
    "department_officer": "Cán bộ phòng chuyên môn",
    "consultant": "Tổ tư vấn",
    "police_officer": "Cán bộ công an",
    "signer": "Lãnh đạo ký duyệt",
    "auditor": "Kiểm tra",
    "analyst": "Phân tích",
    "administrator": "Quản trị",
    "citizen": "Công dân",
    "kiosk": "Kiosk",
    "system": "Hệ thống",
}
CHANNEL_VI = {"kiosk": "kiosk 24/7", "counter": "quầy một cửa", "online": "cổng dịch vụ công", "postal": "bưu chính"}
PICKUP_VI = {
    "cccd_and_receipt": "số CCCD và biên nhận",
    "code_and_otp": "mã hồ sơ và OTP",
    "cmnd_and_receipt": "số CMND, biên nhận và OTP",
}
NOTIFY_VI = {"sms": "tin nhắn SMS", "zalo": "Zalo", "email": "thư điện tử", "console": "màn hình cán bộ"}
LEVEL_VI = {
    "very_satisfied": "rất hài lòng",
    "satisfied": "hài lòng",
    "acceptable": "chấp nhận được",
    "dissatisfied": "không hài lòng",
}
CONTACT_VI = {
    "will_come": "công dân hẹn đến nhận",
    "asked_counter": "công dân xin nhận tại quầy",
    "no_answer": "không liên lạc được",
    "wrong_number": "sai số điện thoại",
}
REFUND_VI = {"excess": "tiền nộp thừa", "rejected": "lệ phí hồ sơ bị từ chối", "withdrawn": "lệ phí hồ sơ đã rút"}
ORIGIN_VI = {"scan": "bản số hóa", "result": "kết quả giải quyết", "electronic": "giấy tờ điện tử"}


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else "chưa xác định"


def _party(who: Any) -> str:
    return f"{who.name} ({who.unit})"


def _rating(rating: Any) -> str:
    return f"{rating.stars} sao" if rating.stars else f"mức {LEVEL_VI.get(rating.level.value, rating.level.value)}"


LABELS: dict[type, tuple[str, Callable[[Any], str]]] = {
    D.Registered: ("Đăng ký trực tuyến", lambda e: f"Hồ sơ {e.code}, thủ tục {e.procedure_code}"),
    D.Received: (
        "Tiếp nhận hồ sơ giấy",
        lambda e: (
            f"Hồ sơ {e.code} qua {CHANNEL_VI[e.channel]}, thủ tục {e.procedure_code}, "
            f"hẹn trả {_day(e.due_on)}" + (", có đối chiếu khuôn mặt" if e.face else "")
        ),
    ),
    D.Accepted: ("Tiếp nhận xử lý", lambda e: f"Hẹn trả {_day(e.due_on)}"),
    D.Rejected: ("Từ chối", lambda e: f"Lý do: {e.reason}"),
    D.SupplementRequested: ("Yêu cầu bổ sung", lambda e: f"Cần bổ sung: {'; '.join(e.items)}. Lý do: {e.reason}"),
    D.SupplementProvided: ("Bổ sung hồ sơ", lambda e: f"{len(e.components)} thành phần, hẹn trả mới {_day(e.due_on)}"),
    D.WithdrawalRequested: ("Xin rút hồ sơ", lambda e: f"Lý do: {e.reason}"),
    D.Withdrawn: ("Rút hồ sơ", lambda e: "Đã rút hồ sơ theo yêu cầu"),
    D.FeeAssessed: ("Xác định lệ phí", lambda e: f"Lệ phí {dong(e.amount)}"),
    D.PaymentReceived: (
        "Thanh toán",
        lambda e: (
            f"{dong(e.amount)} bằng "
            f"{'tiền mặt' if e.method == 'cash' else 'chuyển khoản QR'}; còn thiếu {dong(e.shortfall)}, "
            f"nộp thừa {dong(e.excess)}"
        ),
    ),
    D.Routed: ("Chuyển xử lý", lambda e: f"Chuyển đến phòng {e.department}"),
    D.HandedOver: ("Giao nhận hồ sơ giấy", lambda e: f"{e.item}: {_party(e.giver)} → {_party(e.receiver)}"),
    D.HandoverConfirmed: ("Xác nhận đã nhận", lambda e: f"Người nhận xác nhận lượt giao nhận số {e.line}"),
    D.ResultIssued: ("Có kết quả", lambda e: e.summary + (f" (số {e.document_number})" if e.document_number else "")),
    D.LoadedIntoTray: ("Nạp kết quả vào khay", lambda e: f"Khay {e.tray} kiosk {e.kiosk}"),
    D.NotificationRequested: ("Yêu cầu gửi thông báo", lambda e: f"Qua {NOTIFY_VI.get(e.channel, e.channel)}"),
    D.PulledBackFromTray: ("Thu hồi kết quả từ khay", lambda e: f"Khay {e.tray} kiosk {e.kiosk}"),
    D.ResultDelivered: ("Trả kết quả", lambda e: f"Trả qua {CHANNEL_VI[e.channel]}"),
    D.Rated: ("Đánh giá mức độ hài lòng", lambda e: _rating(e.rating)),
    # [14] kiosk flows
    D.ReturnRegistered: ("Đăng ký nhận thẻ Căn cước qua kiosk", lambda e: f"Hồ sơ {e.code} tại kiosk {e.kiosk}"),
    D.CardRecorded: ("Công an bàn giao thẻ Căn cước", lambda e: f"Mã hồ sơ của Công an: {e.police_code}"),
    D.FaceEnrolled: ("Lấy mẫu khuôn mặt tại quầy", lambda e: "Mẫu khuôn mặt được lưu mã hóa"),
    D.PortalSubmitted: ("Nộp trực tuyến tại kiosk", lambda e: f"Mã hồ sơ trên Cổng DVC: {e.portal_code}"),
    D.ExcessRefunded: ("Hoàn trả tiền nộp thừa", lambda e: f"Hoàn trả {dong(e.amount)} tại quầy"),
    D.Refunded: (
        "Hoàn trả tiền",
        lambda e: (
            f"Hoàn trả {dong(e.amount)} ({REFUND_VI[e.reason.value]}) "
            + (
                "bằng tiền mặt tại quầy"
                if e.method.value == "cash"
                else f"bằng chuyển khoản, số tham chiếu {e.bank_reference}"
            )
        ),
    ),
    D.ReturnLoadedIntoTray: ("Nạp hồ sơ bị từ chối vào khay để trả lại", lambda e: f"Khay {e.tray} kiosk {e.kiosk}"),
    D.RejectedReturned: ("Trả lại hồ sơ bị từ chối", lambda e: f"Trả qua {CHANNEL_VI[e.channel]}, kèm thông báo"),
    D.ContactRecorded: ("Liên hệ công dân", lambda e: f"Kết quả liên hệ: {CONTACT_VI[e.outcome]}"),
    D.ContactChannelsChosen: (
        "Chọn kênh nhận thông báo",
        lambda e: "Ưu tiên: " + ", ".join(NOTIFY_VI.get(c, c) for c in e.channels),
    ),
    D.PickupReminderDue: (
        "Nhắc công dân nhận kết quả",
        lambda e: f"Khay {e.tray} kiosk {e.kiosk}, hạn nhận đến hết ngày {e.deadline:%d/%m/%Y}",
    ),
    A.Created: (
        "Tạo tài khoản",
        lambda e: (
            f"Tài khoản {e.username}, vai trò {ROLE_VI[e.role]}, cơ quan {e.agency}"
            + (f", phòng {e.department}" if e.department else "")
            + (f", kiosk {e.kiosk}" if e.kiosk else "")
        ),
    ),
    A.PasswordChanged: ("Đặt lại mật khẩu", lambda e: "Mật khẩu mới (chỉ lưu mã băm)"),
    A.Disabled: ("Khóa tài khoản", lambda e: f"Lý do: {e.reason}"),
    A.Enabled: ("Mở khóa tài khoản", lambda e: "Tài khoản hoạt động lại"),
    A.Reassigned: (
        "Đổi vai trò, đơn vị",
        lambda e: (
            f"Vai trò {ROLE_VI[e.role]}, cơ quan {e.agency}" + (f", phòng {e.department}" if e.department else "")
        ),
    ),
    K.Installed: ("Lắp đặt kiosk", lambda e: f"{e.name}, {e.tray_count} khay, cơ quan {e.agency}"),
    K.EnvelopesRegistered: ("Nạp phong bì", lambda e: f"{len(e.barcodes)} mã vạch phong bì mới"),
    K.EnvelopeAccepted: (
        "Nhận phong bì vào thùng",
        lambda e: f"Phong bì {e.envelope.barcode}, hồ sơ {e.envelope.dossier_code}",
    ),
    K.CashAccepted: ("Nhận tiền mặt", lambda e: f"{dong(e.amount)} cho hồ sơ {e.dossier_code}"),
    K.Collected: (
        "Thu hồ sơ và tiền",
        lambda e: (
            f"{len(e.envelopes)} phong bì; tiền theo hệ thống {dong(e.cash_expected)}, "
            f"đếm được {dong(e.cash_counted)}; người thu {_party(e.collector)}"
        ),
    ),
    T.Installed: ("Lắp khay", lambda e: f"Khay {e.number} kiosk {e.kiosk_id}"),
    T.Loaded: ("Nạp kết quả", lambda e: f"Hồ sơ {e.dossier_code}"),
    T.Released: (
        "Mở khay trả kết quả",
        lambda e: (
            f"Hồ sơ {e.dossier_code}, xác thực bằng {PICKUP_VI[e.method]}"
            + (", có đối chiếu khuôn mặt" if e.face_checked else "")
        ),
    ),
    T.PulledBack: ("Thu hồi kết quả quá hạn", lambda e: f"Hồ sơ {e.dossier_code} giao {_party(e.receiver)}"),
    T.TakenOutOfService: ("Ngừng sử dụng khay", lambda e: f"Lý do: {e.reason}"),
    T.ReturnedToService: ("Khay hoạt động lại", lambda e: "Đã sửa xong"),
    V.Opened: ("Mở kho dữ liệu", lambda e: "Kho của " + ("công dân" if e.owner.kind == "citizen" else "tổ chức")),
    V.DocumentStored: (
        "Lưu giấy tờ",
        lambda e: (
            f"Loại {e.metadata.type_code}, {ORIGIN_VI[e.origin]}, {e.pages} trang"
            + (f", hồ sơ {e.dossier_code}" if e.dossier_code else "")
        ),
    ),
    V.DocumentSuperseded: ("Thay thế giấy tờ", lambda e: f"Giấy tờ {e.document_id} được thay bằng {e.by}"),
    V.DocumentExpired: ("Giấy tờ hết hiệu lực", lambda e: f"Giấy tờ {e.document_id}: {e.reason}"),
    V.ReuseChecked: ("Dùng lại giấy tờ", lambda e: f"Giấy tờ {e.document_id} cho hồ sơ {e.dossier_code}"),
}


def describe(event: Any) -> tuple[str, str]:
    """(Vietnamese label, short summary) of an event."""
    label, summary = LABELS.get(type(event), (type(event).__qualname__, lambda _: ""))
    return label, summary(event)
