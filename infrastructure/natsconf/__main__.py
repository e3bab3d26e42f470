"""`python -m infrastructure.natsconf DIR --kiosk Q6-01 [--kiosk …] [--nodes 3]`: the kiosk bus's secrets and configs.

Writes into DIR (files already there are kept, so adding a kiosk leaves the others' seeds alone): `seeds/core.seed`
and `seeds/kiosk-<key>.seed` (NKEY user seeds: mount each as its process's MOTCUA_NATS_NKEY_SEED_FILE), `tls/` (a
development CA, `ca.pem` is MOTCUA_NATS_CA, and the servers' certificate) and `n<i>.conf` per server, which
`nats-server -c` runs. Nothing is printed but paths and public keys.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from infrastructure.natsconf.config import Node, Tls, server_config
from infrastructure.natsconf.credentials import check_kiosk, core_user, kiosk_user, new_seed
from infrastructure.natsconf.tls import dev_ca


def seed_file(path: Path) -> str:
    """The seed kept at `path`, made once (readable by its owner only)."""
    if not path.is_file():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(new_seed() + "\n")
    return path.read_text().strip()


def generate(
    directory: Path,
    kiosks: list[str],
    *,
    nodes: int = 1,
    prefix: str = "kiosk",
    host: str = "127.0.0.1",
    base_port: int = 4222,
    tls: bool = True,
    hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "nats"),
    store_root: Path | None = None,
) -> list[Path]:
    """Seeds, TLS and one config per node (ports base_port+i, monitoring 8222+i, routes 6222+i); the configs."""
    users = [core_user(seed_file(directory / "seeds" / "core.seed"))]
    users += [
        kiosk_user(key, seed_file(directory / "seeds" / f"kiosk-{check_kiosk(key)}.seed"), prefix) for key in kiosks
    ]
    certificates = dev_ca(directory / "tls", hosts) if tls else None
    secured = Tls(certificates["server"], certificates["server_key"], certificates["ca"]) if certificates else None
    store_root = store_root or directory / "jetstream"
    cluster = [
        Node(
            name=f"n{i + 1}",
            host=host,
            port=base_port + i,
            monitor_port=8222 + i + (base_port - 4222),
            cluster_port=6222 + i + (base_port - 4222),
            store_dir=store_root / f"n{i + 1}",
        )
        for i in range(nodes)
    ]
    written = []
    for node in cluster:
        path = directory / f"{node.name}.conf"
        path.write_text(server_config(node, users, tls=secured, peers=cluster if nodes > 1 else ()))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.natsconf", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--kiosk", action="append", default=[], help="a kiosk key (repeat for each kiosk)")
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 3, 5))
    parser.add_argument("--prefix", default="kiosk", help="MOTCUA_NATS_PREFIX")
    parser.add_argument("--host", default="127.0.0.1", help="the address the servers listen on")
    parser.add_argument("--base-port", type=int, default=4222)
    parser.add_argument("--no-tls", action="store_true", help="no TLS (a bus on loopback only)")
    args = parser.parse_args(argv)
    os.umask(0o077)
    try:
        configs = generate(
            args.directory,
            args.kiosk,
            nodes=args.nodes,
            prefix=args.prefix,
            host=args.host,
            base_port=args.base_port,
            tls=not args.no_tls,
        )
    except ValueError as error:
        print(f"natsconf: {error}", file=sys.stderr)
        return 2
    for path in configs:
        print(f"nats-server -c {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
