"""Secrets of the embedded (SQLite) store, generated once into the data dir: an explicit bootstrap step, never
taken with PostgreSQL, where every process must be given the same secret."""

from __future__ import annotations

import secrets

from infrastructure.settings import Settings, SettingsError


def secret_key(settings: Settings) -> bytes:
    """The key for OTP hashes and kiosk proofs: MOTCUA_SECRET_KEY, or one kept in the data dir (embedded only)."""
    if settings.secret:
        if len(settings.secret) < 32:
            raise SettingsError("MOTCUA_SECRET_KEY must be at least 32 characters")
        return settings.secret.encode()
    if settings.store == "postgres":
        raise SettingsError("set MOTCUA_SECRET_KEY (32+ characters, the same for every process) with PostgreSQL")
    path = settings.data_dir / "secret.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
