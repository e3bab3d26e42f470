"""Transcodings so value objects, enums and dates survive a round trip through any event store."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import msgspec
from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    """`date` as an ISO string."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """A `StrEnum` member as its value."""

    def __init__(self, enum_class: type[Enum]) -> None:
        self.type, self.name = enum_class, f"enum:{enum_class.__name__}"

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        return self.type(data)


class StructAsBuiltins(Transcoding):
    """A msgspec Struct as its builtins form, validated again when decoded."""

    def __init__(self, struct_class: type[msgspec.Struct]) -> None:
        self.type, self.name = struct_class, f"struct:{struct_class.__name__}"

    def encode(self, obj: msgspec.Struct) -> Any:
        return msgspec.to_builtins(obj)

    def decode(self, data: Any) -> msgspec.Struct:
        return msgspec.convert(data, self.type)


class ValueTranscoder(JSONTranscoder):
    """JSONTranscoder that also tags top-level StrEnum values.

    The json module writes a str subclass as a plain string without asking for a transcoding,
    so a StrEnum attribute of an event would come back as a str; tagging it keeps its type.
    """

    def encode(self, obj: Any) -> bytes:
        if isinstance(obj, dict):
            obj = {key: self._tagged(value) for key, value in obj.items()}
        return super().encode(obj)

    def _tagged(self, value: Any) -> Any:
        if isinstance(value, Enum):
            transcoding = self.types[type(value)]
            return {"_type_": transcoding.name, "_data_": transcoding.encode(value)}
        return value


def register_value_types(transcoder: JSONTranscoder, *types: type) -> None:
    """Register a transcoding for each enum and Struct class given."""
    transcoder.register(DateAsISO())
    for value_type in types:
        if issubclass(value_type, Enum):
            transcoder.register(EnumAsValue(value_type))
        elif issubclass(value_type, msgspec.Struct):
            transcoder.register(StructAsBuiltins(value_type))
        else:
            raise TypeError(f"no transcoding for {value_type!r}")
