"""HTTP client of the core's kiosk device endpoints (`/kiosks/{key}/...`), on the standard library only.

Two kinds of failure: `CoreUnreachableError` (no answer, a timeout, a 5xx, or the kiosk's own login refused:
the kiosk goes offline) and `CoreRefusal` (any other 4xx, with the core's error code and Vietnamese message:
the session shows a refusal).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from kiosk_edge.auth import Auth


class CoreUnreachableError(Exception):
    """The core did not answer (network down, timeout) or failed (5xx)."""


class CoreRefusal(Exception):
    """The core refused the request: HTTP status, error code and the Vietnamese message."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after  # seconds the core says to wait (a lock-out, a code quota), when it says
        super().__init__(f"HTTP {status} {code}")


class CoreClient:
    """The kiosk's calls to the core, authenticated by `auth` (`kiosk` names the device endpoints' key)."""

    def __init__(
        self, base_url: str, kiosk: str, auth: Auth, *, timeout: float = 5.0, backlog: Callable[[], int] | None = None
    ) -> None:
        self.base_url, self.kiosk, self.auth, self.timeout = base_url.rstrip("/"), kiosk, auth, timeout
        self.backlog = backlog  # the outbox depth, reported with every call (the core's /metrics shows it)

    def health(self) -> dict[str, Any]:
        return self.call("GET", "/health")

    def read_identity(self, qr_payload: str) -> dict[str, Any]:
        return self._device("POST", "/identity", {"qr_payload": qr_payload})

    def send_otp(self, phone: str) -> None:
        self._device("POST", "/otp", {"phone": phone})

    def verify_otp(self, phone: str, code: str) -> str:
        return str(self._device("POST", "/otp/verify", {"phone": phone, "code": code})["proof"])

    def submit(self, **body: Any) -> dict[str, Any]:
        """procedure_code, qr_payload, phone, phone_proof, envelope, face (or None) and channels (sms, zalo)."""
        return self._device("POST", "/submissions", body)

    def pay_by_qr(self, code: str, amount: int, reference: str) -> dict[str, Any]:
        body = {"method": "bank_qr", "amount": amount, "reference": reference}
        return self._device("POST", f"/dossiers/{_quote(code)}/payments", body)

    def pickup_by_receipt(self, id_number: str, code: str) -> dict[str, Any]:
        return self._device("POST", "/pickups/receipt", {"id_number": id_number, "code": code})

    def send_pickup_otp(self, code: str) -> dict[str, Any]:
        """The answer names the phone the code went to, masked (`masked_phone`)."""
        return self._device("POST", "/pickups/otp", {"code": code}) or {}

    def pickup_by_otp(self, code: str, otp_code: str) -> dict[str, Any]:
        return self._device("POST", "/pickups/otp/verify", {"code": code, "otp_code": otp_code})

    def release(self, code: str, ticket: str, method: str, face: dict[str, Any] | None) -> dict[str, Any]:
        return self._device(
            "POST", "/pickups/release", {"code": code, "ticket": ticket, "method": method, "face": face}
        )

    def rate(self, code: str, rating: dict[str, Any]) -> None:
        """`rating`: {"level": a Circular 01 level} or {"stars": 1-5}."""
        self._device("POST", f"/dossiers/{_quote(code)}/rating", {"rating": rating})

    # ----- [14] kflows2: ID-card return registration and the online corner ----------------------------
    def card_procedures(self) -> list[dict[str, Any]]:
        """The ID-card procedures whose cards come back through the kiosk (return-only)."""
        return list(self._device("GET", "/card-procedures") or [])

    def register_card_return(self, **body: Any) -> dict[str, Any]:
        """procedure_code, phone, phone_proof and qr_payload (or id_number and name); the slip to print."""
        return self._device("POST", "/card-returns", body)

    def submit_online(self, **body: Any) -> dict[str, Any]:
        """procedure_code, qr_payload, phone, phone_proof, pages, form; the portal's code and the fee."""
        return self._device("POST", "/online-submissions", body)

    # ----- issue [14]: a supplement at the kiosk, pickup by CMND -----------------------------------
    def request_supplement_otp(self, id_number: str, code: str) -> dict[str, Any]:
        """The answer names the phone the code went to, masked (`masked_phone`)."""
        return self._device("POST", "/supplements/otp", {"id_number": id_number, "code": code}) or {}

    def check_supplement_otp(self, code: str, otp_code: str) -> dict[str, Any]:
        """What is asked (`items`, `reason`, `requested_on`, `due_on`) and the `proof` for the envelope."""
        return self._device("POST", "/supplements/otp/verify", {"code": code, "otp_code": otp_code})

    def supplement(self, code: str, proof: str, envelope: str) -> dict[str, Any]:
        """The supplement envelope goes into the bin: the new `due_on` and the receipt's `text`."""
        body = {"proof": proof, "envelope": envelope}
        return self._device("POST", f"/dossiers/{_quote(code)}/supplements", body)

    def request_pickup_otp_by_cmnd(self, cmnd: str, code: str) -> dict[str, Any]:
        return self._device("POST", "/pickups/cmnd", {"cmnd": cmnd, "code": code}) or {}

    def pickup_by_cmnd(self, code: str, otp_code: str) -> dict[str, Any]:
        return self._device("POST", "/pickups/cmnd/verify", {"code": code, "otp_code": otp_code})

    def _device(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.call(method, f"/kiosks/{_quote(self.kiosk)}{path}", body)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, *, again: bool = True) -> Any:
        """One JSON request to the core; the decoded answer, CoreRefusal or CoreUnreachableError."""
        data = None if body is None else json.dumps(body).encode()
        try:
            headers = {"Content-Type": "application/json", "Accept": "application/json"} | self.auth.headers()
            if self.backlog is not None:
                headers["X-Kiosk-Outbox-Depth"] = str(self.backlog())
            request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 401 and again:  # the token expired: log in again once
                self.auth.expired()
                return self.call(method, path, body, again=False)
            raise _refusal(error) from None
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            raise CoreUnreachableError(type(error).__name__) from None
        return json.loads(raw) if raw else None


def _refusal(error: urllib.error.HTTPError) -> Exception:
    if error.code >= 500:
        return CoreUnreachableError(f"HTTP {error.code}")
    try:
        body = json.loads(error.read() or b"{}")
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    # Today's error bodies carry `error` and `message_vi`; the token-era ones `code` and a Vietnamese `message`.
    code = str(body.get("code") or body.get("error") or f"http_{error.code}")
    if error.code == 401 or code == "forbidden":  # the kiosk's own login is wrong: it cannot serve anyone
        return CoreUnreachableError(f"not authorised ({code}): check MOTCUA_KIOSK_KEY and MOTCUA_KIOSK_SECRET")
    wait = str(error.headers.get("Retry-After") or "") if error.headers else ""
    retry_after = int(wait) if wait.isdigit() else None
    return CoreRefusal(error.code, code, str(body.get("message_vi") or body.get("message") or ""), retry_after)


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")
