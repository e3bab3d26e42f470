"""How a settings field names its environment variable, and how a tree of such fields is read and documented."""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)
TRUE, FALSE = ("1", "true", "yes", "y"), ("0", "false", "no", "n", "")


class SettingsError(ValueError):
    """An environment variable has a value we cannot use; the message names it."""


class Var(msgspec.Struct, frozen=True):
    """The variable behind a field: its name, what it means, how its default reads in the docs, what it accepts."""

    name: str
    doc: str
    shown: str | None = None  # the default as the README states it, when the typed default alone would mislead
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    secret: bool = False  # also read from the file `<name>_FILE` names (a mounted secret)


def var(
    name: str,
    doc: str,
    *,
    shown: str | None = None,
    choices: tuple[str, ...] = (),
    minimum: float | None = None,
    secret: bool = False,
) -> msgspec.Meta:
    """Field metadata naming the environment variable (use as `Annotated[type, var(...)]`); a `secret` may instead
    be a file named by `<name>_FILE`, as compose mounts secrets under /run/secrets."""
    return msgspec.Meta(extra={"var": Var(name, doc, shown, choices, minimum, secret)})


def load(cls: type[S], environ: Mapping[str, str]) -> S:
    """Read a settings tree: each field from its variable (absent: the field's default), nested Structs recursively."""
    values: dict[str, Any] = {}
    for field, kind, meta in _fields(cls):
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            values[field.name] = load(kind, environ)
        elif meta is not None and meta.name in environ:
            values[field.name] = _convert(meta, kind, environ[meta.name])
        elif meta is not None and meta.secret and environ.get(f"{meta.name}_FILE"):
            values[field.name] = _convert(meta, kind, _secret_file(meta, environ[f"{meta.name}_FILE"]))
    return cls(**values)


def _secret_file(meta: Var, path: str) -> str:
    """The secret in a mounted file (trailing newline dropped); the error names the variable, never the content."""
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise SettingsError(f"{meta.name}_FILE names {path}, which cannot be read: {reason}") from None


def variables(cls: type[msgspec.Struct]) -> Iterator[tuple[Var, Any]]:
    """Every variable of a tree with its typed default, in declaration order."""
    for field, kind, meta in _fields(cls):
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            yield from variables(kind)
        elif meta is not None:
            yield meta, field.default
            if meta.secret:
                yield (
                    Var(
                        f"{meta.name}_FILE",
                        f"a file holding `{meta.name}` (a mounted secret, e.g. "
                        f"`/run/secrets/…`); read at start-up, never written; the variable itself wins",
                        "unset",
                    ),
                    "",
                )


def _fields(cls: type[msgspec.Struct]) -> Iterator[tuple[msgspec.structs.FieldInfo, Any, Var | None]]:
    hints = typing.get_type_hints(cls, include_extras=True)
    for field in msgspec.structs.fields(cls):
        hint, meta = hints[field.name], None
        if typing.get_origin(hint) is Annotated:
            hint, *extras = typing.get_args(hint)
            meta = next((m.extra["var"] for m in extras if isinstance(m, msgspec.Meta) and m.extra), None)
        yield field, hint, meta


def _convert(meta: Var, kind: Any, raw: str) -> Any:
    optional = type(None) in typing.get_args(kind)
    if optional:
        if raw == "":
            return None
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    if meta.choices and raw not in meta.choices:
        raise SettingsError(f"{meta.name} must be one of {', '.join(meta.choices)}, not {raw!r}")
    if kind is bool:
        if raw.lower() not in TRUE + FALSE:
            raise SettingsError(f"{meta.name} must be 1/true/yes or 0/false/no, not {raw!r}")
        return raw.lower() in TRUE
    if kind in (int, float):
        return _number(meta, kind, raw)
    if kind is Path:
        return Path(raw)
    if typing.get_origin(kind) is tuple:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def _number(meta: Var, kind: type[int] | type[float], raw: str) -> int | float:
    what = "a whole number" if kind is int else "a number"
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{meta.name} must be {what}, not {raw!r}") from None
    if meta.minimum is not None and value < meta.minimum:
        raise SettingsError(f"{meta.name} must be {what} of at least {meta.minimum:g}, not {raw!r}")
    return value
