"""Texts the citizen reads in more than one place (screen and receipt), written once, in the formal "Ông/Bà".

The excess rule is what the one-stop counter does (issue [13]): the kiosk gives no change; an excess is refunded at
the Bộ phận Một cửa counter when the citizen receives the result. The screen gets these through `/api/state`, the
receipt from `receipt.py`: one wording everywhere.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

NO_CHANGE = "Máy không trả lại tiền thừa."
EXCESS_REFUND = "Số tiền nộp thừa được hoàn trả tại quầy Bộ phận Một cửa khi Ông/Bà nhận kết quả."
SHORTFALL_LATER = "Số tiền còn thiếu được nộp khi Ông/Bà nhận kết quả."
# The kiosk's business time: Vietnam keeps UTC+07:00 all year (the core's zone is domain.clock.VIETNAM, which this
# package may not import; tests/kiosk_edge/test_citizen_defects.py checks the two agree).
LOCAL_TIME = timezone(timedelta(hours=7), "ICT")
# When the counter is staffed (Monday to Friday, 07:30-11:30 and 13:00-17:00, Asia/Ho_Chi_Minh): outside these hours
# the screen never sends anyone to the counter.
COUNTER_HOURS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


def counter_open(at: datetime) -> bool:
    """Whether the Bộ phận Một cửa counter is staffed at `at` (any aware time; judged in local business time)."""
    at = at.astimezone(LOCAL_TIME)
    return at.weekday() < 5 and any(start <= at.time() < end for start, end in COUNTER_HOURS)


def help_line(hotline: str, at: datetime) -> str:
    """The footer: the kiosk's hotline, and the counter only while it is open."""
    counter = " hoặc đến quầy Bộ phận Một cửa" if counter_open(at) else ""
    return f"Cần hỗ trợ? Ông/Bà vui lòng gọi đường dây nóng {hotline}{counter}."
