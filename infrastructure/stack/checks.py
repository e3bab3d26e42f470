"""What makes a compose.yaml deployable here; each check returns the problems it finds, in words (empty: none).

Run by tests/unit/test_compose.py on the real file and by `make stack` before it starts anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from infrastructure.stack.compose import Service, Topology
from infrastructure.stack.local import runs_locally

SETTING = re.compile(r"(?:MOTCUA|POSTGRES)_[A-Z0-9_]+")
SECRETS = "/run/secrets/"
# Paths a process writes to: each must lie on a volume of the service (the image's own files are read-only to its
# non-root user, and a container's own layer is lost with it).
WRITTEN_PATHS = ("MOTCUA_DATA_DIR", "MOTCUA_BLOB_DIR", "MOTCUA_DEV_PKI_DIR", "MOTCUA_KIOSK_OUTBOX")
NEEDS_DATA_DIR = (
    "api",
    "projections",
    "infrastructure.device_consumer",
    "infrastructure.notifications",
    "infrastructure.scheduler",
    "infrastructure.audit",
)


def app_services(topology: Topology) -> list[Service]:
    return [service for service in topology.services.values() if runs_locally(service)]


def module(service: Service) -> str:
    """The `python -m <module>` of an application service."""
    return service.command[2] if len(service.command) > 2 and service.command[1] == "-m" else ""


def port_clashes(topology: Topology) -> list[str]:
    """Two services publishing the same host port, or more replicas than host ports (the second cannot bind)."""
    problems, published = [], []
    for service in topology.services.values():
        for port in service.ports:
            if port.hosts and len(port.hosts) < service.replicas:
                problems.append(
                    f"{service.name}: {service.replicas} replicas publish {len(port.hosts)} host port(s) "
                    f"for {port.container}: use a range of {service.replicas} or no published port"
                )
            published += [(port.ip or "0.0.0.0", host, service.name) for host in port.hosts]
    for index, (ip, host, name) in enumerate(published):
        for other_ip, other_host, other in published[index + 1 :]:
            if host == other_host and (ip == other_ip or "0.0.0.0" in (ip, other_ip)):
                problems.append(f"host port {host} is published by both {name} and {other}")
    return problems


def unknown_variables(topology: Topology, known: Iterable[str]) -> list[str]:
    """MOTCUA_*/POSTGRES_* variables of application services that the settings tree does not read."""
    names = set(known)
    return [
        f"{service.name}: {key} is not a setting (infrastructure/settings)"
        for service in app_services(topology)
        for key in service.environment
        if SETTING.fullmatch(key) and key not in names
    ]


def volumes_and_secrets(topology: Topology) -> list[str]:
    """Named volumes and secrets used but not declared, declared but not used, and secret files not mounted."""
    problems, used_volumes, used_secrets = [], set(), set()
    for service in topology.services.values():
        for target, source in service.mounts.items():
            if not source.startswith((".", "/", "~")):
                used_volumes.add(source)
                if source not in topology.volumes:
                    problems.append(f"{service.name}: volume {source} (at {target}) is not declared under volumes:")
        for secret in service.secrets:
            used_secrets.add(secret)
            if secret not in topology.secrets:
                problems.append(f"{service.name}: secret {secret} is not declared under secrets:")
        for key, value in service.environment.items():
            if value.startswith(SECRETS) and value.removeprefix(SECRETS).split("/")[0] not in service.secrets:
                problems.append(f"{service.name}: {key} reads {value} but the service does not list that secret")
    problems += [f"volume {v} is declared but no service uses it" for v in sorted(topology.volumes - used_volumes)]
    problems += [f"secret {s} is declared but no service uses it" for s in sorted(set(topology.secrets) - used_secrets)]
    return problems


def writable_paths(topology: Topology) -> list[str]:
    """Every path an application process writes lies on one of its volumes (the image runs as a non-root user)."""
    problems = []
    for service in app_services(topology):
        mounts = service.mounts
        if module(service) in NEEDS_DATA_DIR and "MOTCUA_DATA_DIR" not in service.environment:
            problems.append(f"{service.name}: MOTCUA_DATA_DIR is unset, so it writes under the image's directory")
        if module(service) == "kiosk_edge" and "MOTCUA_KIOSK_OUTBOX" not in service.environment:
            problems.append(f"{service.name}: MOTCUA_KIOSK_OUTBOX is unset, so the outbox lands in the image")
        for key in WRITTEN_PATHS:
            path = service.environment.get(key)
            if path and not any(path == t or path.startswith(t.rstrip("/") + "/") for t in mounts):
                problems.append(f"{service.name}: {key}={path} is not on a volume of the service")
    return problems


def restart_policies(topology: Topology) -> list[str]:
    return [
        f"{s.name}: no restart policy"
        for s in topology.services.values()
        if s.restart not in ("always", "unless-stopped", "on-failure")
    ]


def healthchecks(topology: Topology) -> list[str]:
    """Real checks: NATS's monitoring endpoint, the API's readiness, and one for every service with a port."""
    problems = []
    for service in topology.services.values():
        test = " ".join(service.healthcheck)
        if "--help" in test or "--version" in test:
            problems.append(f"{service.name}: the healthcheck only runs the binary ({test})")
        if service.ports and not service.healthcheck:
            problems.append(f"{service.name}: publishes a port but has no healthcheck")
        if service.image.startswith("nats") and not ("8222" in " ".join(service.command) and ":8222/healthz" in test):
            problems.append(f"{service.name}: NATS needs `-m 8222` and a healthcheck of http://…:8222/healthz")
        if module(service) == "api" and "/health/ready" not in test:
            problems.append(f"{service.name}: the API's healthcheck must ask /health/ready")
    return problems


def kiosk_bus(topology: Topology) -> list[str]:
    """With a kiosk in the topology, the core talks to it over NATS and something consumes its device events."""
    modules = {module(s): s for s in app_services(topology)}
    if "kiosk_edge" not in modules:
        return []
    problems = []
    for name in ("api", "infrastructure.device_consumer"):
        if name not in modules:
            problems.append(f"a kiosk runs but no service runs {name}")
    api = modules.get("api")
    if api is not None and api.environment.get("MOTCUA_BUS") != "nats":
        problems.append(f"{api.name}: MOTCUA_BUS must be nats (tray doors and device events go over NATS)")
    return problems


def all_problems(topology: Topology, known: Iterable[str]) -> list[str]:
    checks: list[Callable[[Topology], list[str]]] = [
        port_clashes,
        volumes_and_secrets,
        writable_paths,
        restart_policies,
        healthchecks,
        kiosk_bus,
    ]
    return [problem for check in checks for problem in check(topology)] + unknown_variables(topology, known)
