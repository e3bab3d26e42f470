"""Message templates (mẫu tin nhắn), Vietnamese, versioned: a new wording is a new version, never an edit.

SMS texts are written without diacritics (an unaccented SMS holds 160 characters, an accented one 70), and
the values put into them are folded to ASCII too; Zalo and e-mail keep the diacritics. The values are only
what the message needs: the dossier code, kiosk, tray, agency, days, and for an OTP the code.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping

import msgspec

from domain.notification import DeliveryError, ErrorKind
from infrastructure.notifications.step_templates import STEP_TEMPLATES


class Message(msgspec.Struct, frozen=True):
    """A rendered message: the subject is used by e-mail only; the template's name lets a log say what was sent;
    `sender` is the SMS brandname it goes out under."""

    subject: str
    text: str
    template: str = ""
    sender: str = ""


PICKUP_BODY = (
    "{agency}: Hồ sơ {code} đã có kết quả tại {kiosk}, khay {tray}. Vui lòng đến nhận trong {days} ngày "
    "(nhập số CCCD và số biên nhận, hoặc mã hồ sơ và mã OTP)."
)
REJECTED_BODY = (
    "{agency}: Hồ sơ {code} không được giải quyết; hồ sơ gốc và thông báo lý do đã có tại {kiosk}, khay {tray}. "
    "Vui lòng đến nhận lại trong {days} ngày."
)
OTP_BODY = "Mã OTP của bạn là {code}, hiệu lực {minutes} phút. Không cung cấp mã này cho người khác."

TEMPLATES: dict[tuple[str, int], dict[str, tuple[str, str]]] = {
    ("pickup_ready", 1): {
        "sms": (
            "",
            "{sender}: Ho so {code} da co ket qua tai {kiosk}, khay {tray}. Vui long den nhan trong {days} ngay "
            "(nhap so CCCD va so bien nhan, hoac ma ho so va ma OTP).",
        ),
        "zalo": ("", PICKUP_BODY),
        "email": (
            "Hồ sơ {code} đã có kết quả",
            "Kính gửi Quý công dân,\n\n"
            + PICKUP_BODY
            + "\n\nĐây là thư tự động của hệ thống Một Cửa 24/7, vui lòng không trả lời thư này.",
        ),
    },
    ("rejected_return", 1): {  # a rejected dossier and its notice wait in a kiosk tray (issue [14])
        "sms": (
            "",
            "{sender}: Ho so {code} khong duoc giai quyet; ho so goc va thong bao ly do da co tai {kiosk}, khay "
            "{tray}. Vui long den nhan lai trong {days} ngay.",
        ),
        "zalo": ("", REJECTED_BODY),
        "email": (
            "Hồ sơ {code}: nhận lại hồ sơ và thông báo",
            "Kính gửi Quý công dân,\n\n"
            + REJECTED_BODY
            + "\n\nĐây là thư tự động của hệ thống Một Cửa 24/7, vui lòng không trả lời thư này.",
        ),
    },
    ("kiosk_alert", 1): {  # to the kiosk team (infrastructure/fleet): one per threshold crossing
        "sms": ("", "{sender}: Kiosk {kiosk} can xu ly: {problem}."),
        "zalo": ("", "Kiosk {kiosk} cần xử lý: {problem}."),
        "email": (
            "Kiosk {kiosk} cần xử lý",
            "Kính gửi Tổ tư vấn dịch vụ công,\n\nKiosk {kiosk} cần xử lý: {problem}."
            "\n\nĐây là thư tự động của hệ thống Một Cửa 24/7.",
        ),
    },
    ("otp", 1): {
        "sms": (
            "",
            "{sender}: Ma OTP cua ban la {code}, hieu luc {minutes} phut. Khong cung cap ma nay cho nguoi khac.",
        ),
        "zalo": ("", OTP_BODY),
        "email": ("Mã OTP Một Cửa 24/7", OTP_BODY + "\n\nNếu bạn không yêu cầu mã này, vui lòng bỏ qua thư."),
    },
    **STEP_TEMPLATES,
}


def fold(text: str) -> str:
    """Vietnamese text without diacritics: 'Đã có kết quả' -> 'Da co ket qua'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def fields(template: str) -> set[str]:
    """The placeholders a template text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Templates:
    """Renders a template version for a channel; the sender name goes into SMS texts."""

    def __init__(
        self, sender: str, templates: Mapping[tuple[str, int], Mapping[str, tuple[str, str]]] = TEMPLATES
    ) -> None:
        self.sender, self.templates = sender, templates

    def render(
        self, channel: str, template: str, version: int, params: Mapping[str, str], *, sender: str | None = None
    ) -> Message:
        """The subject and text, signed by `sender` (else the default sender); DeliveryError(rejected) for an unknown
        template or a missing value."""
        variants = self.templates.get((template, version))
        if variants is None or channel not in variants:
            raise DeliveryError(ErrorKind.REJECTED, f"no template {template}.v{version} for {channel}")
        subject, text = variants[channel]
        sender = sender or self.sender
        values = {**params, "sender": sender}
        if channel == "sms":
            values = {key: fold(str(value)) for key, value in values.items()}
        missing = (fields(subject) | fields(text)) - set(values)
        if missing:
            raise DeliveryError(ErrorKind.REJECTED, f"template {template}.v{version} needs {sorted(missing)}")
        return Message(
            subject=subject.format(**values),
            text=text.format(**values),
            template=f"{template}.v{version}",
            sender=sender,
        )
