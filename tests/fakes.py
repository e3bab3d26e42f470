"""Fakes for the ports, for tests that do not exercise the real adapters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 5, 20, 1, 30, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class WeekdayCalendar:
    """Monday to Friday are working days; no holidays."""

    def add_working_days(self, received: datetime, days: int) -> date:
        day = received.astimezone(VIETNAM).date()
        while days > 0 or day.weekday() >= 5:
            day += timedelta(days=1)
            if day.weekday() < 5:
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += day.weekday() < 5
        return count


class FakeOtp:
    """Remembers the last code sent per phone and purpose; tests read it as the citizen reads the SMS."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, str], str] = {}
        self._counter = 0

    def send(self, phone: str, purpose: str, at: datetime, *, kiosk: str | None = None, quota: str = "phone") -> None:
        self._counter += 1
        self.sent[phone, purpose] = f"{(self._counter * 7919) % 10**6:06d}"

    def check(self, phone: str, purpose: str, code: str, at: datetime, *, quota: str = "phone") -> bool:
        expected = self.sent.get((phone, purpose))
        if expected is not None and code == expected:
            del self.sent[phone, purpose]
            return True
        return False

    def code_for(self, phone: str, purpose: str) -> str:
        return self.sent[phone, purpose]


class MemoryKeys:
    """The PersonalDataKeys port in memory (reversible 'encryption' suffices to test transcoding and file layout)."""

    def __init__(self) -> None:
        self.by_subject: dict[str, str] = {}
        self.destroyed: set[str] = set()

    def seal(self, subject: str, plaintext: bytes) -> tuple[str, bytes]:
        key_id = self.by_subject.setdefault(subject, f"k{len(self.by_subject)}")
        return key_id, bytes(b ^ 0x5A for b in plaintext)

    def prepare(self, subject: str) -> None:
        self.by_subject.setdefault(subject, f"k{len(self.by_subject)}")

    def open(self, key_id: str, sealed: bytes) -> bytes | None:
        return None if key_id in self.destroyed else bytes(b ^ 0x5A for b in sealed)

    def preload(self, key_ids) -> None:
        return None  # every key is in memory already

    def subject_hash(self, subject: str) -> str:
        import hashlib
        import hmac

        return hmac.new(b"memory-keys", subject.encode(), hashlib.sha256).hexdigest()

    def destroy(self, subjects) -> int:
        """Destroy the subjects' keys; a later seal for the subject gets a new one."""
        gone = {self.by_subject.pop(subject) for subject in subjects if subject in self.by_subject}
        self.destroyed |= gone
        return len(gone)

    def close(self) -> None:
        return None


class InMemoryBlobStore:
    """BlobStore in a dict, with the same hash checks and errors as the filesystem store; `subjects` says whose each
    is."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.subjects: dict[str, str] = {}

    def put(self, data: bytes, subject: str) -> str:
        import hashlib

        sha256 = hashlib.sha256(data).hexdigest()
        self.files.setdefault(sha256, bytes(data))
        self.subjects.setdefault(sha256, subject)
        return sha256

    def get(self, sha256: str) -> bytes:
        from application.errors import NotFoundError
        from domain.vault_errors import check_sha256

        if check_sha256(sha256) not in self.files:
            raise NotFoundError("file", "tệp", sha256)
        return self.files[sha256]

    def exists(self, sha256: str) -> bool:
        return sha256 in self.files


class FakeNotifier:
    """The Notifier port in memory: records what each channel sent; channels in `failing` raise DeliveryError."""

    def __init__(self, failing: dict[str, str] | None = None) -> None:
        self.sent: list[tuple[str, str, str, int, dict[str, str]]] = []
        self.failing = dict(failing or {})  # channel -> "transient" or "rejected"
        self.tries: list[str] = []
        self.senders: list[str | None] = []  # the sender (SMS brandname) of each message sent

    def send(self, channel: str, address: str, template: str, version: int, params, *, sender=None) -> str:
        from domain.notification import DeliveryError, ErrorKind

        self.tries.append(channel)
        if channel in self.failing:
            raise DeliveryError(ErrorKind(self.failing[channel]), f"{channel} is down")
        self.sent.append((channel, address, template, version, dict(params)))
        self.senders.append(sender)
        return f"fake-{len(self.sent)}"

    def last_code(self, address: str) -> str:
        """The code of the last OTP sent to the address, as the citizen reads it."""
        return next(
            params["code"] for _, to, template, _, params in reversed(self.sent) if to == address and template == "otp"
        )


class NoAttempts:
    """The Attempts port that never locks: for tests of things other than throttling."""

    def locked_until(self, key: str, at: datetime) -> datetime | None:
        return None

    def fail(
        self, key: str, at: datetime, *, allowed: int, window: timedelta, lockout: timedelta, ceiling: timedelta
    ) -> datetime | None:
        return None

    def clear(self, key: str) -> None:
        return None


class FakeDoors:
    """The KioskDoors port: every door opens, and the test reads which were asked for."""

    def __init__(self, answer: str = "opened") -> None:
        self.answer, self.opened = answer, []

    def open_trays(self, kiosk: str, trays) -> dict[int, str]:
        self.opened.extend((kiosk, tray) for tray in trays)
        return {tray: self.answer for tray in trays}


class UnusedSigner:
    """The DocumentSigner port of tests that never sign nor verify a PDF: any use fails the test."""

    def sign(self, pdf: bytes, **_: object):
        raise AssertionError("this test does not sign documents")

    def verify(self, pdf: bytes):
        raise AssertionError("this test does not verify documents")
