"""Argon2id password hashing (the `PasswordHasher` port) and the list of common passwords staff may not use."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """argon2-cffi's defaults (RFC 9106 low-memory profile); `fast()` for tests only."""

    def __init__(self, hasher: Argon2 | None = None) -> None:
        self._hasher = hasher or Argon2()

    @classmethod
    def fast(cls) -> Argon2Hasher:
        """Cheap parameters so tests create many accounts quickly; never for production."""
        return cls(Argon2(time_cost=1, memory_cost=8, parallelism=1))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt"


def load_common_passwords(path: Path = COMMON_PASSWORDS) -> frozenset[str]:
    """The refused common passwords (lower-case); '#' lines are comments."""
    lines = (line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))
