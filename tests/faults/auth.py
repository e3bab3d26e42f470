"""How the fault and bad-input tests authenticate: bearer tokens signed with the key the API checks them with.

Tokens are checked without a database read by every replica that shares the key (application/tokens.py), so
the tests mint them as the login would, for a role with the scope of the demo district (agency H29.06).
"""

from __future__ import annotations

from datetime import timedelta

from application.tokens import Tokens
from tests.auth_support import TOKENS, bearer
from tests.faults.support import SECRET

PROCESS_TOKENS = Tokens(SECRET.encode(), lifetime=timedelta(days=36500))  # the key of the processes we start
KIOSK = "Q6-01"


def headers(role: str, tokens: Tokens = PROCESS_TOKENS) -> dict[str, str]:
    """The Authorization header of an account of `role` in the demo district (the kiosk role: device Q6-01)."""
    return bearer(role, f"fault-{role}", agency="H29.06", kiosk=KIOSK if role == "kiosk" else None, tokens=tokens)


def in_process(role: str) -> dict[str, str]:
    """The same for the in-process app of the `system` fixture (its Accounts check tokens with tests' key)."""
    return headers(role, TOKENS)
