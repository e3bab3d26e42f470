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
    CASH_CONFIRM = "cash_confirm"  # a note larger than what is owed waits in escrow: no change is given
    RECEIPT = "receipt"
    # pickup (nhận kết quả)
    PICKUP_CHOICE = "pickup_choice"
    PICKUP_RECEIPT = "pickup_receipt"  # scan the card's QR and the receipt's code
    PICKUP_TYPING = "pickup_typing"  # the fallback: type the ID number and the receipt number
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
    OTP_LOCKED = "otp_locked"
    FACE_MISMATCH = "face_mismatch"
    UNKNOWN_ENVELOPE = "unknown_envelope"
    SUBMISSION_REFUSED = "submission_refused"
    NOT_PROCESSED_YET = "not_processed_yet"
    PICKUP_REFUSED = "pickup_refused"
    PICKUP_LOCKED = "pickup_locked"
    PAYMENT_PENDING = "payment_pending"
    TRAY_FAULT = "tray_fault"
    OFFLINE = "offline"
    # [14] kflows2: the police ID-card return registration and the online-submission corner
    CARD_PROCEDURES = "card_procedures"  # which card the police are issuing (new, renewed, replaced)
    CARD_TYPING = "card_typing"  # no readable card: type the 12-digit number and the name
    CARD_SLIP = "card_slip"  # registered: the slip with the dossier code is printed
    SCAN_DOCS = "scan_docs"  # the documents, page by page, on the kiosk's scanner
    PORTAL_FORM = "portal_form"  # the national portal's form, filled in from the card
    ONLINE_PAYMENT = "online_payment"  # the fee, paid online by bank transfer (VietQR)
    ONLINE_DONE = "online_done"  # the portal's dossier code, shown and printed
    PORTAL_REFUSED = "portal_refused"
    CARD_RETURN_REFUSED = "card_return_refused"
    # ----- issue [14]: a supplement at the kiosk, a rejected dossier given back, pickup by CMND -----
    SUPPLEMENT_SCAN = "supplement_scan"  # scan the card's QR and the receipt's code
    SUPPLEMENT_TYPING = "supplement_typing"  # the fallback: type the ID number and the receipt number
    SUPPLEMENT_OTP = "supplement_otp"  # the code sent to the phone on the dossier
    SUPPLEMENT_ITEMS = "supplement_items"  # what is asked, then the supplement envelope
    SUPPLEMENT_RECEIPT = "supplement_receipt"
    SUPPLEMENT_NOT_AWAITED = "supplement_not_awaited"
    SUPPLEMENT_REFUSED = "supplement_refused"
    SUPPLEMENT_LOCKED = "supplement_locked"
    REJECTED_NOTICE = "rejected_notice"  # at pickup: the dossier was rejected, with the reason
    PICKUP_CMND = "pickup_cmnd"  # the keypad for the 9-digit CMND number
    PICKUP_CMND_RECEIPT = "pickup_cmnd_receipt"  # then the receipt's code, scanned or typed
    CMND_MISMATCH = "cmnd_mismatch"


class Flow(StrEnum):
    SUBMIT = "submit"
    PICKUP = "pickup"
    CARD_RETURN = "card_return"  # [14] register for the return of an ID card at this kiosk
    ONLINE = "online"  # [14] the online-submission corner
    SUPPLEMENT = "supplement"


S = Screen
# How the core's one-time codes behave (domain/otp.py; tests/kiosk_edge/test_wording.py keeps them equal): wrong
# tries before a code locks (the fifth wrong pickup check also locks the dossier's pickup), codes per phone in
# 15 minutes, and how long a code is valid. The kiosk offers "Gửi lại mã" after RESEND_AFTER seconds.
OTP_TRIES, OTP_SENDS, OTP_VALID_SECONDS, RESEND_AFTER = 5, 3, 300, 60
REFUSAL_MESSAGES: dict[Screen, str] = {
    S.BAD_QR: "Không đọc được mã QR trên thẻ Căn cước. Ông/Bà vui lòng đặt mặt có mã QR của thẻ lên đầu đọc "
    "và thử lại.",
    S.BAD_PHONE: "Số điện thoại chưa đúng. Ông/Bà vui lòng nhập số di động 10 chữ số "
    "(bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
    S.OTP_LIMIT: "Đã gửi mã xác nhận quá số lần cho phép. Ông/Bà vui lòng đợi hết thời gian ghi dưới đây rồi thử lại.",
    S.WRONG_OTP: "Mã xác nhận chưa đúng hoặc đã hết hạn. Ông/Bà vui lòng xem lại tin nhắn và nhập lại.",
    S.OTP_LOCKED: f'Mã xác nhận đã bị khóa vì nhập sai {OTP_TRIES} lần. Ông/Bà có thể bấm "Gửi lại mã" để nhận '
    "mã mới qua tin nhắn.",
    S.FACE_MISMATCH: "Xác thực khuôn mặt chưa thành công. Ông/Bà vui lòng tháo khẩu trang, kính râm, "
    "nhìn thẳng vào camera và thử lại.",
    S.UNKNOWN_ENVELOPE: "Máy đã trả lại túi hồ sơ vì mã vạch không đọc được hoặc túi đã được sử dụng. Ông/Bà vui "
    "lòng dùng túi hồ sơ lấy từ kiosk, đặt mã vạch hướng lên trên và đưa lại vào khe nhận hồ sơ.",
    S.SUBMISSION_REFUSED: "Hệ thống chưa tiếp nhận được hồ sơ. Ông/Bà vui lòng thử lại.",
    S.NOT_PROCESSED_YET: "Hồ sơ chưa có kết quả tại kiosk này. Ông/Bà vui lòng quay lại khi nhận được tin nhắn "
    "báo kết quả.",
    S.PICKUP_REFUSED: "Thông tin chưa khớp với hồ sơ nào. Ông/Bà vui lòng kiểm tra thẻ Căn cước và biên nhận "
    "rồi thử lại.",
    S.PICKUP_LOCKED: "Vì đã nhập sai quá nhiều lần, việc nhận kết quả của hồ sơ này tại kiosk tạm khóa. Ông/Bà "
    "vui lòng quay lại sau, hoặc gọi đường dây nóng ghi ở cuối màn hình để được hỗ trợ.",
    S.PAYMENT_PENDING: "Hệ thống đang ghi nhận khoản tiền vừa nộp. Ông/Bà vui lòng chờ giây lát rồi bấm Thử lại.",
    S.TRAY_FAULT: "Khay trả hồ sơ không mở được. Ông/Bà vui lòng gọi đường dây nóng ghi ở cuối màn hình để được "
    "hỗ trợ.",
    S.PORTAL_REFUSED: "Cổng Dịch vụ công chưa nhận được hồ sơ. Ông/Bà vui lòng thử lại; giấy tờ đã quét vẫn được "
    "giữ trong phiên này.",
    S.CARD_RETURN_REFUSED: "Chưa đăng ký được việc nhận thẻ Căn cước tại kiosk. Ông/Bà vui lòng kiểm tra số Căn cước "
    "rồi đăng ký lại từ đầu, hoặc gọi đường dây nóng ghi ở cuối màn hình để được hỗ trợ.",
    S.OFFLINE: "Kiosk đang mất kết nối với hệ thống nên tạm thời chưa nộp hồ sơ hoặc nhận kết quả được. "
    "Ông/Bà vui lòng quay lại sau ít phút.",
}
# ----- issue [14]: a supplement at the kiosk, pickup by CMND -------------------------------------
REFUSAL_MESSAGES |= {
    S.SUPPLEMENT_NOT_AWAITED: "Hồ sơ này hiện không ở trạng thái chờ bổ sung nên kiosk không nhận thêm giấy tờ. "
    "Ông/Bà vui lòng xem lại tin nhắn đã nhận hoặc gọi đường dây nóng ghi ở cuối màn hình.",
    S.SUPPLEMENT_REFUSED: "Thông tin trên thẻ Căn cước và biên nhận chưa khớp với hồ sơ nào của Ông/Bà. Ông/Bà vui "
    "lòng dùng thẻ của người nộp hồ sơ và biên nhận của đúng hồ sơ cần bổ sung.",
    S.SUPPLEMENT_LOCKED: "Vì đã nhập sai quá nhiều lần, việc nộp bổ sung hồ sơ này tại kiosk tạm khóa. Ông/Bà vui "
    "lòng quay lại sau.",
    S.CMND_MISMATCH: "Số CMND chưa khớp với biên nhận. Ông/Bà vui lòng kiểm tra lại số CMND 9 chữ số và biên nhận "
    "của hồ sơ.",
}
REFUSALS = frozenset(REFUSAL_MESSAGES) - {S.OFFLINE}
# Refusals without "Thử lại": trying again cannot succeed (the code or the dossier's pickup is locked).
FINAL_REFUSALS = frozenset({S.OTP_LOCKED, S.PICKUP_LOCKED, S.SUPPLEMENT_LOCKED, S.CARD_RETURN_REFUSED})
# How long a dossier's pickup (or supplement) stays locked after the fifth wrong try: the core's first lockout
# (application/throttling.PICKUP_DOSSIER; tests/kiosk_edge/test_kiosk_seed_flows.py keeps them equal). The core's own
# answer, when it gives one, wins.
LOCKOUT_SECONDS = 15 * 60
# How long one phone's codes are counted (domain/otp.py PHONE_LIMIT): a code locked with no resend left waits this
# long after the session's first code.
OTP_WINDOW_SECONDS = 15 * 60
# Seconds without input before a screen gives up; the payment screen then prints the receipt anyway.
TIMEOUTS: dict[Screen, float] = (
    {screen: 120.0 for screen in Screen}
    | {
        S.HOME: 0.0,
        S.PAYMENT: 180.0,
        S.PICKUP_PAYMENT: 180.0,
        S.RECEIPT: 30.0,
        S.THANKS: 10.0,
        S.RATING: 60.0,
        S.CASH_CONFIRM: 60.0,
        S.OTP: float(OTP_VALID_SECONDS),
        S.PICKUP_OTP: float(OTP_VALID_SECONDS),
        S.CARD_SLIP: 30.0,
        S.ONLINE_DONE: 60.0,
        S.ONLINE_PAYMENT: 300.0,
    }
    | {screen: 30.0 for screen in REFUSAL_MESSAGES}
    | {S.OTP_LOCKED: 60.0, S.SUPPLEMENT_OTP: float(OTP_VALID_SECONDS), S.SUPPLEMENT_RECEIPT: 30.0}
)
