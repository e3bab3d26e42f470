"""How the kiosk (and the simulator's staff) prove who they are to the core: bearer tokens, in one place.

A token comes from `POST /auth/device` (the kiosk: key + device secret, MOTCUA_KIOSK_SECRET) or
`POST /auth/login` (staff: username + password); it is fetched on first use and again after a 401.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Protocol


class Auth(Protocol):
    def headers(self) -> dict[str, str]: ...

    def expired(self) -> None: ...


class TokenAuth:
    """A bearer token from a login endpoint, kept until the core says it expired."""

    def __init__(self, login_url: str, credentials: dict[str, str], *, timeout: float = 5.0) -> None:
        self.login_url, self.credentials, self.timeout = login_url, credentials, timeout
        self._token: str | None = None
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        """The Authorization header; logs in first if needed (urllib errors propagate to the caller)."""
        with self._lock:
            if self._token is None:
                self._token = self._login()
            return {"Authorization": f"Bearer {self._token}"}

    def expired(self) -> None:
        with self._lock:
            self._token = None

    def _login(self) -> str:
        request = urllib.request.Request(
            self.login_url,
            data=json.dumps(self.credentials).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return str(json.loads(response.read())["token"])


def device_auth(base_url: str, kiosk: str, secret: str) -> TokenAuth:
    """The kiosk's device login."""
    return TokenAuth(f"{base_url.rstrip('/')}/auth/device", {"kiosk": kiosk, "secret": secret})


def staff_auth(base_url: str, username: str, password: str) -> TokenAuth:
    """A staff member's login (the simulator plays the consultant team and the department officer)."""
    return TokenAuth(f"{base_url.rstrip('/')}/auth/login", {"username": username, "password": password})
