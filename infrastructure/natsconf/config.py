"""nats-server configuration generated from the kiosk list: NKEY users with their permissions, TLS, JetStream and
the cluster routes (docs/OPERATIONS.md, "The kiosk bus: credentials, TLS, cluster")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import msgspec

from infrastructure.natsconf.credentials import NatsUser


class Node(msgspec.Struct, frozen=True, kw_only=True):
    """One server of the cluster: its name, client, monitoring and route addresses, JetStream directory."""

    name: str
    host: str = "127.0.0.1"
    port: int = 4222
    monitor_port: int = 8222
    cluster_port: int = 6222
    store_dir: Path


class Tls(msgspec.Struct, frozen=True):
    """The server's certificate and key, and the CA clients are told to trust (`MOTCUA_NATS_CA`)."""

    cert: Path
    key: Path
    ca: Path


def server_config(
    node: Node,
    users: Sequence[NatsUser],
    *,
    tls: Tls | None = None,
    peers: Sequence[Node] = (),
    cluster: str = "motcua",
) -> str:
    """The configuration file of `node`; with `peers` it routes to them as one JetStream cluster (R3 streams)."""
    lines = [
        f"server_name: {_q(node.name)}",
        f"listen: {_q(f'{node.host}:{node.port}')}",
        f"http: {_q(f'{node.host}:{node.monitor_port}')}",
        f"jetstream {{ store_dir: {_q(str(node.store_dir))} }}",
    ]
    if tls is not None:
        lines.append(
            f"tls {{ cert_file: {_q(str(tls.cert))}, key_file: {_q(str(tls.key))}, "
            f"ca_file: {_q(str(tls.ca))}, timeout: 5 }}"
        )
    lines += ["authorization {", "  users: ["] + [f"    {_user(user)}" for user in users] + ["  ]", "}"]
    if peers:
        routes = ", ".join(_q(f"nats-route://{p.host}:{p.cluster_port}") for p in peers if p.name != node.name)
        lines.append(
            f"cluster {{ name: {_q(cluster)}, listen: {_q(f'{node.host}:{node.cluster_port}')}, routes: [{routes}] }}"
        )
    return "\n".join(lines) + "\n"


def _user(user: NatsUser) -> str:
    permissions = {"publish": {"allow": list(user.publish)}, "subscribe": {"allow": list(user.subscribe)}}
    if user.allow_responses:
        permissions["allow_responses"] = True  # type: ignore[assignment]
    allowed = json.dumps(permissions, ensure_ascii=False)
    return f"{{ nkey: {_q(user.public_key)}, permissions: {allowed} }}  # {user.name}"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
