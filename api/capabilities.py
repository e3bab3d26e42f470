"""What the caller's role may call, read from the app's own route table (the `opt=rules(...)` each handler declares):
the console shows only these menus and actions, so the rules live once, where the API enforces them."""

from __future__ import annotations

import re
from typing import Any

from domain.values import Role

TEMPLATE_TYPE = re.compile(r"\{(\w+):\w+\}")
SKIP = ("HEAD", "OPTIONS")


def operation(method: str, path: str) -> str:
    """`POST /dossiers/{code}/accept`: the name of an operation, its path parameters without their types."""
    return method + " " + TEMPLATE_TYPE.sub(r"{\1}", path)


def operations_for(app: Any, role: Role) -> list[str]:
    """Every protected operation whose declared roles include `role`, sorted (public ones need no capability)."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if role not in (handler.opt.get("roles") or ()):
                continue
            for method in getattr(handler, "http_methods", ()):
                if method not in SKIP:
                    found.add(operation(method, route.path))
    return sorted(found)
