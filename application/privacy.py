"""Personal data at rest: the key-ring port, whose key seals which value, and the placeholders of erased values.

Every `PersonalData` value of an event (and the few personal text fields listed in PERSONAL_TEXT) is stored
sealed under the data key of its subject: the person's ID number, else their phone, e-mail or OTP phone hash,
else the stream (aggregate) it belongs to. Erasing a person destroys the keys of their ID number, of the phones
and e-mail addresses they gave, and of the streams their data was sealed in; the events stay as they were.
"""

from __future__ import annotations

import typing
from collections.abc import Collection
from functools import cache
from typing import Any, Protocol
from uuid import UUID

import msgspec

from domain.dossier import Dossier
from domain.errors import DomainError
from domain.values import ERASED

PERSONAL_TEXT: dict[type, tuple[str, ...]] = {Dossier.ResultDelivered: ("receiver_name",)}
"""Plain text fields that hold a person's data outside a PersonalData struct (the receiver signs with their name)."""
_IDENTITIES = (("id_number", "id"), ("phone", "phone"), ("email", "email"), ("phone_key", "otp"))
_PLACEHOLDERS: set[type] = set()


class PersonalDataKeys(Protocol):
    """Per-subject data keys, kept wrapped by the master key; a destroyed key can never open its values again."""

    def seal(self, subject: str, plaintext: bytes) -> tuple[str, bytes]:
        """Encrypt under the subject's key (created on first use): (key id, sealed bytes)."""

    def prepare(self, subject: str) -> None:
        """Make the subject's key now if it has none, so that a later `seal` writes nothing."""

    def open(self, key_id: str, sealed: bytes) -> bytes | None:
        """Decrypt; None when the key was destroyed by an erasure."""

    def preload(self, key_ids: Collection[str]) -> None:
        """Fetch at once the keys that `open` will soon need (a batch of events read), instead of one at a time."""

    def subject_hash(self, subject: str) -> str:
        """The keyed hash that stands for a subject in the key store and in erasure records."""

    def key_of(self, subject: str) -> str | None:
        """The subject's live key id, if it has one."""

    def sealed_with(self, key_ids: Collection[str]) -> list[tuple[UUID, bytes]]:
        """(originator id, stored state) of every event holding a value sealed under one of these keys."""

    def destroy(self, subjects: Collection[str]) -> int:
        """Destroy the subjects' live keys (in every process within its watch interval); how many were destroyed."""


class DocumentErasedError(DomainError):
    """A stored file was sealed under a data key an erasure destroyed: it can never be read again."""

    code = "erased"

    def __init__(self) -> None:
        super().__init__(
            "the document was erased on a lawful request to erase personal data",
            "Tài liệu đã bị xóa theo yêu cầu xóa dữ liệu cá nhân.",
        )


def subject_of(value: Any, stream: UUID) -> str:
    """Whose key seals a value: its person's identity when it names one, else the stream it belongs to."""
    for attribute, kind in _IDENTITIES:
        found = getattr(value, attribute, None)
        if found:
            return f"{kind}:{found}"
    return f"stream:{stream}"


@cache
def erased(cls: type) -> Any:
    """The placeholder an erased value of `cls` decodes to: required text reads ERASED, everything else is empty.

    It is an instance of a subclass without the format checks (an erased ID number is no ID number), so
    aggregates replay, read models rebuild and reports run; `is_erased` tells it apart."""
    if not (isinstance(cls, type) and issubclass(cls, msgspec.Struct)):
        return ERASED
    hints = typing.get_type_hints(cls, include_extras=False)
    values = {field.name: _blank(hints[field.name]) for field in msgspec.structs.fields(cls) if field.required}
    placeholder = msgspec.defstruct(
        f"Erased{cls.__name__}", [], bases=(cls,), namespace={"__post_init__": _no_checks}, frozen=True, kw_only=True
    )
    _PLACEHOLDERS.add(placeholder)
    return placeholder(**values)


def is_erased(value: Any) -> bool:
    """True for the placeholder of an erased value."""
    return type(value) in _PLACEHOLDERS or value == ERASED


def _no_checks(self: Any) -> None:
    return None


def _blank(hint: Any) -> Any:
    return ERASED if isinstance(hint, type) and issubclass(hint, str) else None
