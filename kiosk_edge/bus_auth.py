"""How a kiosk connects to the bus: its own NKEY seed, the CA of the servers' TLS, and its own reply inbox.

The server lets a kiosk's NKEY user publish only `<prefix>.<kiosk>.events.>` and `.heartbeat` and receive only
`.commands` and replies under `_INBOX.<kiosk>` (infrastructure/natsconf on the core's side), so JetStream's acks must
come back there: every connection of the kiosk uses that inbox prefix.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any


def bus_options(kiosk: str, seed: str = "", ca: Path | None = None) -> dict[str, Any]:
    """Keyword arguments for `nats.connect` besides the servers; none for an open development bus."""
    options: dict[str, Any] = {}
    if seed:
        options |= {"nkeys_seed_str": seed, "inbox_prefix": f"_INBOX.{kiosk}"}
    if ca is not None:
        options["tls"] = ssl.create_default_context(cafile=str(ca))
    return options
