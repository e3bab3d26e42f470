"""compose.yaml as local processes for `make stack`: the same services, replicas, commands and environments.

What a container has and a local process has not is translated by fixed rules, so nothing of the topology is
restated here:
- a service whose command starts with `python` runs here (the project's interpreter); the others (postgres, nats)
  are the machine's (scripts/services.sh) and must answer on their usual ports;
- a URL or a `*_HOST` variable naming a service means 127.0.0.1 (a published service: its first replica's host port);
  `0.0.0.0` listens on 127.0.0.1;
- a published port: each replica takes the next host port of the mapping (`STACK_PORTS_<SERVICE>`, e.g.
  `STACK_PORTS_API="18000 18001"`, chooses others), given to it in the variable whose value is the container port,
  and the healthcheck asks that port;
- a container path under a volume mount lives under `<stack dir>/<volume>`, a secret `/run/secrets/<name>` is
  `<stack dir>/secrets/<name>`;
- the machine's settings (database, its schemas, NATS stream names...) are the `MOTCUA_*`/`POSTGRES_*` variables of
  the environment, then of scripts/stack.env; they also fill compose's `${...}` references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from graphlib import TopologicalSorter
from pathlib import Path

from infrastructure.stack.compose import Service, Topology

SETTING = re.compile(r"(?:MOTCUA|POSTGRES)_[A-Z0-9_]+")
SECRETS = "/run/secrets/"


@dataclass(frozen=True)
class LocalProcess:
    """One replica of one service, as a local process."""

    service: str
    replica: int  # 1-based
    argv: tuple[str, ...]
    environment: dict[str, str]  # what the service declares, translated, plus the machine's settings
    healthcheck: tuple[str, ...]  # an argv, or empty
    port: int | None = None
    label: str = ""  # the prefix of its output lines: the service, with the replica's number when there are several


def runs_locally(service: Service) -> bool:
    return bool(service.command) and service.command[0] == "python"


def start_order(topology: Topology) -> list[str]:
    """The local services, each after those it depends on (then in file order)."""
    local = [name for name, service in topology.services.items() if runs_locally(service)]
    graph = {name: [d for d in topology.services[name].depends_on if d in local] for name in local}
    sorter, order = TopologicalSorter(graph), []
    sorter.prepare()
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=local.index)
        order += ready
        sorter.done(*ready)
    return order


def host_ports(service: Service, variables: Mapping[str, str]) -> list[int]:
    """One host port per replica: from STACK_PORTS_<SERVICE>, else the published mapping (none: no port)."""
    chosen = variables.get(f"STACK_PORTS_{service.name.upper().replace('-', '_')}")
    if chosen:
        return [int(port) for port in chosen.split()]
    return list(service.ports[0].hosts) if service.ports else []


def plan(topology: Topology, variables: Mapping[str, str], python: str, stack_dir: Path) -> list[LocalProcess]:
    """Every replica of every local service, in start order."""
    first_port = {
        name: ports[0] for name, service in topology.services.items() if (ports := host_ports(service, variables))
    }
    machine = {key: value for key, value in variables.items() if SETTING.fullmatch(key)}
    processes = []
    for name in start_order(topology):
        service = topology.services[name]
        ports = host_ports(service, variables)
        if len(ports) < service.replicas and service.ports:
            raise ValueError(f"{name}: {service.replicas} replicas but {len(ports)} host ports")
        for replica in range(1, service.replicas + 1):
            port = ports[replica - 1] if ports else None
            container = service.ports[0].container if service.ports else None
            env = {
                key: _value(key, value, topology, service, stack_dir, first_port)
                for key, value in service.environment.items()
            }
            if port is not None:
                env = {key: str(port) if value == str(container) else value for key, value in env.items()}
            env |= {key: value for key, value in machine.items() if key not in env or key not in _TOPOLOGY_OWNED}
            argv = (python, *service.command[1:])
            health = _healthcheck(service, python, container, port)
            label = name if service.replicas == 1 else f"{name}.{replica}"
            processes.append(LocalProcess(name, replica, argv, env, health, port, label))
    return processes


# Variables whose compose value describes the topology (where to listen, whom to call, where files live): the
# machine's environment does not replace them, so the stack runs what compose declares.
_TOPOLOGY_OWNED = frozenset(
    {
        "MOTCUA_API_HOST",
        "MOTCUA_API_PORT",
        "MOTCUA_KIOSK_SCREEN_HOST",
        "MOTCUA_KIOSK_SCREEN_PORT",
        "MOTCUA_CORE_URL",
        "MOTCUA_DATA_DIR",
        "MOTCUA_KIOSK_OUTBOX",
        "MOTCUA_AUDIT_KEY_FILE",
        "MOTCUA_DEV_PKI_DIR",
        "MOTCUA_BUS",
        "MOTCUA_PROJECTIONS",
        "MOTCUA_NOTIFICATIONS",
        "MOTCUA_STORE",
        "MOTCUA_KIOSK_KEY",
    }
)


def _value(
    key: str, value: str, topology: Topology, service: Service, stack_dir: Path, first_port: Mapping[str, int]
) -> str:
    if value == "0.0.0.0":
        return "127.0.0.1"
    if value.startswith(SECRETS):
        return str(stack_dir / "secrets" / value.removeprefix(SECRETS))
    for target, volume in sorted(service.mounts.items(), key=lambda item: -len(item[0])):
        if value == target or value.startswith(target.rstrip("/") + "/"):
            return str(stack_dir / volume) + value[len(target.rstrip("/")) :]
    for other in topology.services:
        if value == other and key.endswith("_HOST"):
            return "127.0.0.1"
        if f"//{other}:" in value:
            value = re.sub(rf"//{re.escape(other)}:(\d+)", partial(_local_url, first_port.get(other)), value)
    return value


def _local_url(port: int | None, match: re.Match[str]) -> str:
    return f"//127.0.0.1:{port or match[1]}"


def _healthcheck(service: Service, python: str, container: int | None, port: int | None) -> tuple[str, ...]:
    test = service.healthcheck
    if not test or test[0] not in ("CMD", "CMD-SHELL"):
        return ()
    words = list(test[1:]) if test[0] == "CMD" else ["sh", "-c", test[1]]
    if words[0] == "python":
        words[0] = python
    if port is not None and container is not None:
        words = [word.replace(f":{container}/", f":{port}/") for word in words]
    return tuple(words)
