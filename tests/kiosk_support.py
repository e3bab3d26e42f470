"""Builders for kiosk tests: citizens with valid CCCD QR payloads, staff parties, a wired Kiosks application."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from application.dossiers import Dossiers
from application.kiosks import Kiosks
from domain.values import Actor, Party, Role
from tests.fakes import FakeOtp
from tests.onestop_support import kiosks_on

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KIOSK_ACTOR = Actor(account_id="kiosk-Q6-01", role=Role.KIOSK)
CITIZEN = Actor(account_id="citizen", role=Role.CITIZEN)
STAFF_ACTOR = Actor(account_id="tuvan.tuan", role=Role.CONSULTANT)
STAFF = Party(account_id="tuvan.tuan", name="Trần Minh Tuấn", role=Role.CONSULTANT, unit="Tổ tư vấn dịch vụ công")
ONE_STOP = Party(account_id="motcua.lan", name="Phạm Thị Lan", role=Role.RECEPTION_OFFICER, unit="Bộ phận Một cửa")
POLICE = Party(account_id="congan.hung", name="Đỗ Văn Hùng", role=Role.POLICE_OFFICER, unit="Công an Quận 6")
GIVEN = ["Nhung", "Bình", "Phúc", "Hương", "Dũng", "Lan", "Minh", "Thảo", "Khoa", "Vy"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def officer(department: str) -> Party:
    """A department officer who receives envelopes and returns results."""
    return Party(
        account_id=f"officer.{department}", name=f"Cán bộ {department}", role=Role.DEPARTMENT_OFFICER, unit=department
    )


class Citizen:
    """A fictitious citizen whose CCCD QR payload is valid and self-consistent."""

    def __init__(self, n: int) -> None:
        female, year = n % 2 == 1, 1960 + n % 45
        self.id_number = f"079{2 * (year >= 2000) + int(female)}{year % 100:02d}{n:06d}"
        self.name = (
            f"{FAMILY[n % len(FAMILY)]} Văn {GIVEN[n % len(GIVEN)]}"
            if not female
            else f"{FAMILY[n % len(FAMILY)]} Thị {GIVEN[n % len(GIVEN)]}"
        )
        self.born = date(year, 1 + n % 12, 1 + n % 28)
        self.phone = f"09{n:08d}"
        self.qr = (
            f"{self.id_number}||{self.name}|{self.born:%d%m%Y}|{'Nữ' if female else 'Nam'}|"
            f"{n} Hậu Giang, Phường 5, Quận 6, TP. Hồ Chí Minh|01072021"
        )


def kiosks_app(dossiers: Dossiers, otp: FakeOtp, clock) -> Kiosks:
    """The Kiosks service on the dossiers' application (one cache)."""
    return kiosks_on(dossiers, otp, clock)
