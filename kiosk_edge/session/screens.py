"""The kiosk's screens, the Vietnamese message of every refusal, and how long each screen waits."""

from __future__ import annotations

from enum import StrEnum

class Screen(StrEnum):
    """What the citizen sees."""

    HOME = "home"
    # submission (nộp hồ sơ)
    PROCEDURES = "procedures"
    SCAN_CCCD = "scan_cccd"
    PHONE = "phone"
    OTP = "otp"
    FACE = "face"
    ENVELOPE = "envelope"
    PAYMENT = "payment"
    RECEIPT = "receipt"
    # pickup (nhận kết quả)
    PICKUP_CHOICE = "pickup_choice"
    PICKUP_RECEIPT = "pickup_receipt"
    PICKUP_CODE = "pickup_code"
    PICKUP_OTP = "pickup_otp"
    PICKUP_FACE = "pickup_face"
    PICKUP_PAYMENT = "pickup_payment"
    RELEASE = "release"
    TRAY_OPEN = "tray_open"
    RATING = "rating"
    THANKS = "thanks"
    # refusals and the offline mode
    BAD_QR = "bad_qr"
    BAD_PHONE = "bad_phone"
    OTP_LIMIT = "otp_limit"
    WRONG_OTP = "wrong_otp"
    FACE_MISMATCH = "face_mismatch"
    UNKNOWN_ENVELOPE = "unknown_envelope"
    SUBMISSION_REFUSED = "submission_refused"
    NOT_PROCESSED_YET = "not_processed_yet"
    PICKUP_REFUSED = "pickup_refused"
    PICKUP_LOCKED = "pickup_locked"
    PAYMENT_PENDING = "payment_pending"
    TRAY_FAULT = "tray_fault"
    OFFLINE = "offline"


class Flow(StrEnum):
    SUBMIT = "submit"
    PICKUP = "pickup"


S = Screen
REFUSAL_MESSAGES: dict[Screen, str] = {
    S.BAD_QR: "Không đọc được mã QR trên thẻ Căn cước. Vui lòng đặt mặt có mã QR của thẻ lên đầu đọc và thử lại.",
    S.BAD_PHONE: "Số điện thoại không hợp lệ. Vui lòng nhập số di động 10 chữ số (bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
    S.OTP_LIMIT: "Không gửi được mã OTP lúc này (đã gửi quá số lần cho phép). Vui lòng thử lại sau ít phút.",
    S.WRONG_OTP: "Mã OTP không đúng hoặc đã hết hạn. Vui lòng kiểm tra tin nhắn và nhập lại.",
    S.FACE_MISMATCH: "Xác thực khuôn mặt không thành công. Vui lòng nhìn thẳng vào camera và thử lại, "
                     "hoặc liên hệ Bộ phận Một cửa.",
    S.UNKNOWN_ENVELOPE: "Phong bì không hợp lệ hoặc đã được sử dụng nên máy đã trả ra. Vui lòng lấy phong bì "
                        "của kiosk, đặt mã vạch hướng lên trên và đưa lại vào khe nhận hồ sơ.",
    S.SUBMISSION_REFUSED: "Hệ thống chưa tiếp nhận được hồ sơ. Vui lòng thử lại hoặc liên hệ Bộ phận Một cửa.",
    S.NOT_PROCESSED_YET: "Hồ sơ chưa được xử lý xong hoặc chưa có tại kiosk này. "
                         "Vui lòng quay lại khi nhận được tin nhắn thông báo.",
    S.PICKUP_REFUSED: "Thông tin không khớp với hồ sơ nào. Vui lòng kiểm tra số Căn cước và số biên nhận (mã hồ sơ).",
    S.PICKUP_LOCKED: "Đã nhập sai thông tin quá nhiều lần nên việc nhận kết quả tại kiosk tạm khóa. "
                     "Vui lòng thử lại sau ít phút hoặc đến quầy Bộ phận Một cửa.",
    S.PAYMENT_PENDING: "Hệ thống đang ghi nhận khoản tiền vừa nộp. Vui lòng chờ giây lát rồi bấm Thử lại.",
    S.TRAY_FAULT: "Khay trả hồ sơ không mở được. Vui lòng liên hệ Bộ phận Một cửa để được hỗ trợ.",
    S.OFFLINE: "Kiosk đang mất kết nối với hệ thống. Tạm thời chưa thể nộp hồ sơ hoặc nhận kết quả; "
               "vui lòng quay lại sau hoặc đến quầy Bộ phận Một cửa.",
}
REFUSALS = frozenset(REFUSAL_MESSAGES) - {S.OFFLINE}
# Seconds without input before a screen gives up; the payment screen then prints the receipt anyway.
TIMEOUTS: dict[Screen, float] = {screen: 120.0 for screen in Screen} | {
    S.HOME: 0.0, S.PAYMENT: 180.0, S.PICKUP_PAYMENT: 180.0, S.RECEIPT: 30.0, S.THANKS: 10.0, S.RATING: 60.0,
} | {screen: 30.0 for screen in REFUSAL_MESSAGES}
