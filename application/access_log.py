"""Recording every read of a citizen's personal data, and showing a citizen who read or changed it.

Officers' reads are recorded by the API (the dossier page, its history, vault documents) with the reason the caller
gives in `X-Purpose` (a default per screen otherwise). A citizen sees their log after an OTP sent to a phone that
appears on one of their dossiers: every read (who, role, when, which dossier, what, why) and every change of those
dossiers (each event's actor, role and time).

Asking for the code answers the same whether or not the ID/phone pair is on a dossier: every request counts against
the person's and the phone's access-log quota (not the pickup OTP quota), and the code is sent in the background.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import msgspec
from eventsourcing.persistence import IntegrityError

from application.base import MAX_RETRIES, OneStop
from application.errors import NotFoundError
from application.ports import Attempts, Clock, Otp
from application.throttling import ACCESS_LOG_CODE, Throttle, TooManyAttemptsError, seconds_until
from application.views import history_of
from domain.access import AccessLog, access_log_id
from domain.codes import dossier_id
from domain.errors import DomainError
from domain.values import Actor, check_phone

log = logging.getLogger("motcua.access_log")
PURPOSE = QUOTA = "access_log"
Later = Callable[[Callable[[], None]], Any]
LOG = ("access log", "nhật ký truy cập")


class AccessEntry(msgspec.Struct, frozen=True):
    """One line of a citizen's access log."""

    at: datetime
    account_id: str
    role: str
    kind: str  # "read" or "change"
    dossier_code: str | None
    what: str
    purpose: str | None = None


class AccessLogRefusedError(DomainError):
    code = "access_log_refused"

    def __init__(self) -> None:
        super().__init__("wrong or expired code", "Mã OTP không đúng hoặc đã hết hạn, vui lòng thử lại.")


class AccessLogs:
    """Per-person logs of reads of personal data."""

    def __init__(
        self, app: OneStop, *, key: bytes, otp: Otp, clock: Clock, attempts: Attempts, later: Later | None = None
    ) -> None:
        self.app = app
        self._key = hmac.new(key, b"motcua/access-log", hashlib.sha256).digest()
        self.otp, self.clock, self.throttle = otp, clock, Throttle(attempts)
        self._sender: ThreadPoolExecutor | None = None
        if later is None:
            self._sender = ThreadPoolExecutor(1, thread_name_prefix="access-log-otp")
            later = self._sender.submit
        self.later: Later = later

    def subject(self, id_number: str) -> str:
        return hmac.new(self._key, f"id|{id_number}".encode(), hashlib.sha256).hexdigest()

    def phone_key(self, phone: str) -> str:
        return hmac.new(self._key, f"phone|{phone}".encode(), hashlib.sha256).hexdigest()[:32]

    def record_read(
        self, *, id_number: str, phone: str | None, dossier_code: str | None, what: str, purpose: str, actor: Actor
    ) -> None:
        """Append one read to the person's log (creating it on the first read)."""
        subject, at = self.subject(id_number), self.clock.now()
        for _ in range(MAX_RETRIES):
            try:
                log = self.app.load(access_log_id(subject), LOG, "?")
            except NotFoundError:
                log = AccessLog(subject=subject)
            log.read(
                actor=actor,
                at=at,
                dossier_code=dossier_code,
                what=what,
                purpose=purpose,
                phone_key=self.phone_key(phone) if phone else None,
            )
            try:
                self.app.commit(log)
                return
            except IntegrityError:
                self.app.evict(log.id)
        raise RuntimeError("access log kept conflicting")

    def request_code(self, id_number: str, phone: str) -> None:
        """Send an OTP if the phone appears on the person's dossiers; the caller learns nothing either way (no
        enumeration): the quota counts every request, and sending (or failing to) happens after the answer."""
        check_phone(phone)
        at, keys = (
            self.clock.now(),
            [f"access-log:id:{self.subject(id_number)}", f"access-log:phone:{self.phone_key(phone)}"],
        )
        locked = self.throttle.locked_until(keys, at)
        if locked is not None:
            raise TooManyAttemptsError(seconds_until(locked, at))
        self.throttle.failed([(key, ACCESS_LOG_CODE) for key in keys], at)
        self.later(lambda: self._send_if_known(id_number, phone, at))

    def _send_if_known(self, id_number: str, phone: str, at: datetime) -> None:
        access_log = self._log(id_number)
        if access_log is None or self.phone_key(phone) not in access_log.phone_keys:
            return
        try:
            self.otp.send(phone, PURPOSE, at, quota=QUOTA)
        except DomainError as error:  # the caller was already answered; the code only goes in the log
            log.warning("access-log code not sent: %s", error.code)
        except Exception as error:  # a background job has nobody to answer: log the type only (no personal data)
            log.error("access-log code not sent: %s", type(error).__name__)

    def close(self) -> None:
        """Finish the codes still being sent (the application itself is closed by its owner)."""
        if self._sender is not None:
            self._sender.shutdown(wait=True)

    def entries(self, id_number: str, phone: str, code: str) -> list[AccessEntry]:
        """The citizen's log, oldest first, once the OTP checks: their reads and the changes of their dossiers."""
        log = self._log(id_number)
        if (
            log is None
            or self.phone_key(phone) not in log.phone_keys
            or not self.otp.check(phone, PURPOSE, code, self.clock.now(), quota=QUOTA)
        ):
            raise AccessLogRefusedError()
        lines, codes = [], []
        for e in self.app.events.get(log.id):
            if isinstance(e, AccessLog.Read):
                lines.append(
                    AccessEntry(
                        at=e.at,
                        account_id=e.actor.account_id,
                        role=e.actor.role.value,
                        kind="read",
                        dossier_code=e.dossier_code,
                        what=e.what,
                        purpose=e.purpose,
                    )
                )
                if e.dossier_code and e.dossier_code not in codes:
                    codes.append(e.dossier_code)
        for dossier_code in codes:
            for h in history_of(self.app.events.get(dossier_id(dossier_code))):
                lines.append(
                    AccessEntry(
                        at=h.at,
                        account_id=h.actor.account_id,
                        role=h.actor.role.value,
                        kind="change",
                        dossier_code=dossier_code,
                        what=h.type,
                    )
                )
        return sorted(lines, key=lambda line: line.at)

    def _log(self, id_number: str) -> AccessLog | None:
        try:
            return self.app.load(access_log_id(self.subject(id_number)), LOG, "?", fresh=True)
        except NotFoundError:
            return None
