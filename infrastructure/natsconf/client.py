"""How the core's processes connect to the kiosk bus: their NKEY seed and the CA of the servers' TLS."""

from __future__ import annotations

import ssl
from typing import Any

from infrastructure.settings import NatsSettings, SettingsError


def connect_options(settings: NatsSettings) -> dict[str, Any]:
    """Keyword arguments for `nats.connect` besides the servers: `nkeys_seed_str` (MOTCUA_NATS_NKEY_SEED) and a TLS
    context trusting MOTCUA_NATS_CA; empty for the development bus without either."""
    options: dict[str, Any] = {}
    if settings.nkey_seed:
        if not settings.nkey_seed.startswith("SU"):
            raise SettingsError("MOTCUA_NATS_NKEY_SEED must be an NKEY user seed (it starts with SU)")
        options["nkeys_seed_str"] = settings.nkey_seed
    if settings.ca is not None:
        try:
            options["tls"] = ssl.create_default_context(cafile=str(settings.ca))
        except (OSError, ssl.SSLError) as error:
            raise SettingsError(
                f"MOTCUA_NATS_CA names {settings.ca}, which is not a readable PEM file: {type(error).__name__}"
            ) from None
    return options
