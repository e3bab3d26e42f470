"""A secured NATS of one test alone: generated configs (NKEY users per kiosk, development CA) on free loopback ports,
one server or a 3-node JetStream cluster, each node to kill and watch."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
from pathlib import Path

import nats

from infrastructure.natsconf.__main__ import seed_file
from infrastructure.natsconf.client import connect_options
from infrastructure.natsconf.config import Node, Tls, server_config
from infrastructure.natsconf.credentials import core_user, kiosk_user
from infrastructure.natsconf.tls import dev_ca
from infrastructure.settings import NatsSettings
from kiosk_edge.bus_auth import bus_options
from tests.faults.support import free_port, wait_until
from tests.kiosk_bus_support import NATS_SERVER


class SecuredNats:
    """`nodes` nats-server processes with the configs `python -m infrastructure.natsconf` would write."""

    def __init__(self, directory: Path, kiosks: list[str], prefix: str, nodes: int = 3) -> None:
        self.directory = directory
        self.seeds = {name: seed_file(directory / "seeds" / f"{name}.seed") for name in ["core", *kiosks]}
        users = [core_user(self.seeds["core"])] + [kiosk_user(k, self.seeds[k], prefix) for k in kiosks]
        paths = dev_ca(directory / "tls")
        self.ca = paths["ca"]
        tls = Tls(paths["server"], paths["server_key"], paths["ca"])
        self.nodes = [
            Node(
                name=f"n{i + 1}",
                port=free_port(),
                monitor_port=free_port(),
                cluster_port=free_port(),
                store_dir=directory / "js" / f"n{i + 1}",
            )
            for i in range(nodes)
        ]
        self.processes: dict[str, subprocess.Popen] = {}
        for node in self.nodes:
            (directory / f"{node.name}.conf").write_text(
                server_config(node, users, tls=tls, peers=self.nodes if nodes > 1 else ())
            )

    @property
    def urls(self) -> list[str]:
        return [f"tls://127.0.0.1:{node.port}" for node in self.nodes]

    def start(self) -> SecuredNats:
        for node in self.nodes:
            self.processes[node.name] = subprocess.Popen(
                [NATS_SERVER, "-c", str(self.directory / f"{node.name}.conf")],
                stdout=subprocess.DEVNULL,
                stderr=(self.directory / f"{node.name}.log").open("w"),
            )
        for node in self.nodes:
            wait_until(lambda node=node: self._healthy(node), 60, f"NATS node {node.name} ready")
        return self

    def kill(self, name: str) -> None:
        """SIGKILL one node: a machine lost mid-day."""
        process = self.processes.pop(name)
        process.kill()
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait(10)
        self.processes.clear()

    def core_options(self) -> dict:
        return connect_options(NatsSettings(nkey_seed=self.seeds["core"], ca=self.ca))

    def kiosk_options(self, credentials_of: str, kiosk: str | None = None) -> dict:
        """The options a kiosk connects with, using `credentials_of`'s seed (another kiosk's, to test refusals)."""
        return bus_options(kiosk or credentials_of, self.seeds[credentials_of], self.ca)

    async def connect_core(self) -> nats.NATS:
        return await nats.connect(servers=self.urls, connect_timeout=2, **self.core_options())

    def _healthy(self, node: Node) -> bool:
        url = f"http://127.0.0.1:{node.monitor_port}/healthz?js-enabled-only=true"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.loads(answer.read()).get("status") == "ok"
        except OSError:
            return False


def run(coroutine):
    return asyncio.run(coroutine)
