"""Who is calling. Until accounts and tokens arrive ([4]), the caller names itself in two headers."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from domain.values import Actor, Role


def actor_from_headers(request: Request) -> Actor:
    """The Actor named by X-Account-Id and X-Role."""
    account, role = request.headers.get("x-account-id"), request.headers.get("x-role")
    if not account or not role:
        raise NotAuthorizedException("send X-Account-Id and X-Role headers")
    try:
        return Actor(account_id=account[:200], role=Role(role))
    except ValueError:
        raise NotAuthorizedException(f"unknown role; use one of {', '.join(r.value for r in Role)}") from None
