"""The messages of a dossier's steps (seed 003 Đ4.2đ, Đ5.2, Đ8.3, Đ9.2b, Đ17.5), in the "Ông/Bà" register.

One entry per (template, version) with the SMS (unaccented, `{sender}` is the agency's brandname: at most 160
characters with typical values, tests/unit/test_step_templates.py), Zalo and e-mail texts. The values are those
`application/citizen_steps.py` puts in: code, agency, dates (dd/mm/yyyy), kiosk, tray, days, items, reason, place.
A new wording is a new version, never an edit: stored notifications name the version they were requested with.
"""

from __future__ import annotations

FOOTER = "\n\nĐây là thư tự động của hệ thống Một Cửa 24/7, Ông/Bà vui lòng không trả lời thư này."
LOOKUP = "Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ và 4 số cuối số điện thoại đã đăng ký."


def _email(subject: str, body: str) -> tuple[str, str]:
    return subject, "Kính gửi Ông/Bà,\n\n" + body + FOOTER


RECEIVED = "{agency} đã tiếp nhận hồ sơ {code} của Ông/Bà. Ngày hẹn trả kết quả: {due_on}."
ACCEPTED = "{agency} đã tiếp nhận hồ sơ trực tuyến {code} của Ông/Bà. Ngày hẹn trả kết quả: {due_on}."
SUPPLEMENT = (
    "Hồ sơ {code} của Ông/Bà cần bổ sung: {items}. Ông/Bà vui lòng bổ sung tại Bộ phận Một cửa {agency} "
    "trước ngày {by}."
)
REJECTED = (
    "Hồ sơ {code} của Ông/Bà không được giải quyết. Lý do: {reason}. Ông/Bà vui lòng liên hệ Bộ phận Một cửa "
    "{agency} để được hướng dẫn."
)
RESULT_READY = (
    "Hồ sơ {code} của Ông/Bà đã có kết quả. Ông/Bà vui lòng đến nhận tại Bộ phận Một cửa {agency}, "
    "mang theo giấy biên nhận."
)
PICKUP_READY = (
    "Hồ sơ {code} của Ông/Bà đã có kết quả tại {kiosk}, khay {tray}. Ông/Bà vui lòng đến nhận trong {days} ngày "
    "làm việc (nhập số CCCD và số biên nhận, hoặc mã hồ sơ và mã OTP)."
)
PICKUP_REMINDER = (
    "Kết quả hồ sơ {code} vẫn chờ Ông/Bà tại {kiosk}, khay {tray}. Ông/Bà vui lòng đến nhận trước hết ngày "
    "{deadline}; sau đó kết quả có thể được chuyển về Bộ phận Một cửa."
)
PULLED_BACK = (
    "Kết quả hồ sơ {code} đã được chuyển từ kiosk về {place}. Ông/Bà vui lòng đến nhận tại đó trong giờ hành "
    "chính, mang theo giấy biên nhận."
)

STEP_TEMPLATES: dict[tuple[str, int], dict[str, tuple[str, str]]] = {
    ("received", 1): {
        "sms": ("", "{sender}: Ho so {code} da duoc tiep nhan. Ngay hen tra ket qua: {due_on}. Tra cuu bang ma ho so."),
        "zalo": ("", RECEIVED + " " + LOOKUP),
        "email": _email("Hồ sơ {code} đã được tiếp nhận", RECEIVED + "\n\n" + LOOKUP),
    },
    ("accepted", 1): {
        "sms": ("", "{sender}: Ho so truc tuyen {code} da duoc tiep nhan. Ngay hen tra ket qua: {due_on}."),
        "zalo": ("", ACCEPTED + " " + LOOKUP),
        "email": _email("Hồ sơ trực tuyến {code} đã được tiếp nhận", ACCEPTED + "\n\n" + LOOKUP),
    },
    ("supplement", 1): {
        "sms": ("", "{sender}: Ho so {code} can bo sung: {items}. Ong/Ba vui long bo sung truoc ngay {by}."),
        "zalo": ("", SUPPLEMENT),
        "email": _email("Hồ sơ {code} cần bổ sung", SUPPLEMENT),
    },
    ("rejected", 1): {
        "sms": ("", "{sender}: Ho so {code} khong duoc giai quyet. Ly do: {reason}. Lien he Bo phan Mot cua."),
        "zalo": ("", REJECTED),
        "email": _email("Hồ sơ {code} không được giải quyết", REJECTED),
    },
    ("result_ready", 1): {
        "sms": (
            "",
            "{sender}: Ho so {code} da co ket qua. Ong/Ba vui long den nhan tai Bo phan Mot cua, mang theo giay "
            "bien nhan.",
        ),
        "zalo": ("", RESULT_READY),
        "email": _email("Hồ sơ {code} đã có kết quả", RESULT_READY),
    },
    ("pickup_ready", 2): {
        "sms": (
            "",
            "{sender}: Ho so {code} da co ket qua tai {kiosk}, khay {tray}. Ong/Ba vui long den nhan trong {days} "
            "ngay lam viec.",
        ),
        "zalo": ("", PICKUP_READY),
        "email": _email("Hồ sơ {code} đã có kết quả tại kiosk", PICKUP_READY),
    },
    ("pickup_reminder", 1): {
        "sms": (
            "",
            "{sender}: Nhac Ong/Ba nhan ket qua ho so {code} tai {kiosk}, khay {tray} truoc het ngay {deadline}.",
        ),
        "zalo": ("", PICKUP_REMINDER),
        "email": _email("Nhắc nhận kết quả hồ sơ {code}", PICKUP_REMINDER),
    },
    ("pulled_back", 1): {
        "sms": (
            "",
            "{sender}: Ket qua ho so {code} da chuyen tu kiosk ve {place}. Ong/Ba vui long den nhan trong gio "
            "hanh chinh.",
        ),
        "zalo": ("", PULLED_BACK),
        "email": _email("Kết quả hồ sơ {code} đã được chuyển về {place}", PULLED_BACK),
    },
}
