"""compose.yaml as data: services with their commands, environments, replicas, ports, volumes, secrets, health checks.

The one reader of the topology: `make stack` (infrastructure/stack/local.py) starts what it returns and
tests/unit/test_compose.py validates it. Variables are interpolated as Docker Compose does (`${VAR}`,
`${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `$$`); a required variable that is
missing raises ComposeError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

VARIABLE = re.compile(
    r"\$(?:\$|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
PORT = re.compile(
    r"(?:(?P<ip>\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?:(?P<host>\d+)(?:-(?P<host_end>\d+))?:)?"
    r"(?P<container>\d+)(?:/(?P<protocol>tcp|udp))?"
)


class ComposeError(ValueError):
    """compose.yaml cannot be read or names a variable that is not set; the message says which."""


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """`text` with its `${...}` references replaced from `variables`, as Docker Compose does."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg, value = match.group("op") or "", match.group("arg") or "", variables.get(name)
        missing = value is None or (op.startswith(":") and value == "")
        if op.endswith("-"):
            return arg if missing else str(value)
        if op.endswith("?") and missing:
            raise ComposeError(f"{name} is required: {arg or 'set it'}")
        return "" if value is None else value

    return VARIABLE.sub(one, text)


@dataclass(frozen=True)
class Port:
    """One published port: the host ports (a range for replicas) and the container's port."""

    container: int
    hosts: tuple[int, ...]  # empty: Docker picks a host port
    ip: str = ""

    @classmethod
    def parse(cls, text: str) -> Port:
        match = PORT.fullmatch(text)
        if not match:
            raise ComposeError(f"unreadable port mapping {text!r}")
        host, end = match.group("host"), match.group("host_end")
        hosts = tuple(range(int(host), int(end or host) + 1)) if host else ()
        if end and int(end) < int(host):
            raise ComposeError(f"port range {text!r} runs backwards")
        return cls(int(match.group("container")), hosts, (match.group("ip") or "").strip("[]"))


@dataclass(frozen=True)
class Service:
    """One service of compose.yaml, its variables interpolated."""

    name: str
    command: tuple[str, ...]
    environment: dict[str, str]
    replicas: int = 1
    ports: tuple[Port, ...] = ()
    volumes: tuple[str, ...] = ()  # "<volume or path>:<container path>[:mode]"
    secrets: tuple[str, ...] = ()
    depends_on: dict[str, str] = field(default_factory=dict)  # service → condition
    healthcheck: tuple[str, ...] = ()  # the test command, CMD/CMD-SHELL word first; empty: none (or disabled)
    restart: str = "no"
    image: str = ""
    build: bool = False

    @property
    def mounts(self) -> dict[str, str]:
        """Container path → volume name (or host path) of each volume of the service."""
        return {parts[1]: parts[0] for parts in (v.split(":") for v in self.volumes) if len(parts) >= 2}


@dataclass(frozen=True)
class Topology:
    """The services, and the top-level volumes and secrets (secret name → its file, relative to the compose file)."""

    services: dict[str, Service]
    volumes: frozenset[str]
    secrets: dict[str, str]


def load(path: Path, variables: Mapping[str, str]) -> Topology:
    """Read and interpolate compose.yaml; ComposeError says what is wrong."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ComposeError(f"cannot read {path}: {error}") from None
    services = {name: _service(name, spec or {}, variables) for name, spec in (document.get("services") or {}).items()}
    secrets = {name: str((spec or {}).get("file", "")) for name, spec in (document.get("secrets") or {}).items()}
    return Topology(services, frozenset(document.get("volumes") or {}), secrets)


def _service(name: str, spec: dict[str, Any], variables: Mapping[str, str]) -> Service:
    def text(value: Any) -> str:
        return interpolate(str(value), variables)

    environment = spec.get("environment") or {}
    if isinstance(environment, list):  # the "KEY=value" form
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    depends = spec.get("depends_on") or {}
    if isinstance(depends, list):
        depends = {other: {"condition": "service_started"} for other in depends}
    command = spec.get("command") or ()
    health = spec.get("healthcheck") or {}
    return Service(
        name=name,
        command=tuple(text(word) for word in ([command] if isinstance(command, str) else command)),
        environment={key: text(value) for key, value in environment.items() if value is not None},
        replicas=int((spec.get("deploy") or {}).get("replicas", 1)),
        ports=tuple(Port.parse(text(port)) for port in spec.get("ports") or ()),
        volumes=tuple(text(volume) for volume in spec.get("volumes") or ()),
        secrets=tuple(s if isinstance(s, str) else s["source"] for s in spec.get("secrets") or ()),
        depends_on={other: (cond or {}).get("condition", "service_started") for other, cond in depends.items()},
        healthcheck=() if health.get("disable") else tuple(text(word) for word in health.get("test") or ()),
        restart=str(spec.get("restart", "no")),
        image=str(spec.get("image", "")),
        build="build" in spec,
    )
