"""`make stack` (scripts/stack.sh): run what compose.yaml declares as local processes against the machine's PostgreSQL
and NATS (infrastructure/stack/local.py says how a container becomes a process).

    python -m infrastructure.stack [run]   prepare (schema, development secrets, demo data), start, supervise
    python -m infrastructure.stack plan    print the processes it would start
    python -m infrastructure.stack seed    (one-shot, run by `run`) demo data into an empty store

Before starting: the event-store schema, each declared secret that is missing (development keys only, e.g. the
audit checkpoint key), and the demo data (staff logins, kiosk Q6-01 with its device secret). Replicas of a service
with a healthcheck start one after another once the previous one passes it; the development PKI
(`MOTCUA_DEV_PKI_DIR`) is made here, since no process writes keys in production mode; a service starts once those
it depends on are up (healthy, when so declared). A process that ends
is started again by the service's restart policy. SIGTERM or Ctrl+C stops every process (20 s, then SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from infrastructure.settings import Settings
from infrastructure.settings.fields import variables
from infrastructure.stack.checks import all_problems
from infrastructure.stack.compose import ComposeError, load
from infrastructure.stack.local import LocalProcess, plan

ROOT = Path(__file__).resolve().parents[2]
SECRET_RECIPES = {"audit-checkpoint-key": ("-m", "infrastructure.audit", "keygen")}  # development keys only
DEV_PKI = "/var/lib/motcua/dev-pki"  # on the `appdata` volume: `<stack dir>/appdata/dev-pki` locally
HEALTHY_WITHIN = 300.0  # seconds: six processes start on two busy cores


def machine_environment() -> dict[str, str]:
    """scripts/stack.env's defaults under this process's environment; without a signing key, the development PKI
    that `prepare` makes on the shared `appdata` volume (production mode makes none at start-up)."""
    environ = read_env_file(ROOT / "scripts" / "stack.env") | dict(os.environ)
    if not environ.get("MOTCUA_SIGNING_P12") and not environ.get("MOTCUA_PKCS11_MODULE"):
        environ.setdefault("MOTCUA_DEV_PKI_DIR", DEV_PKI)
    return environ


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; # starts a comment line."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pairs = (line.strip().partition("=") for line in lines if line.strip() and not line.strip().startswith("#"))
    return {key.strip(): value.strip() for key, _, value in pairs}


def processes(environ: dict[str, str]) -> list[LocalProcess]:
    stack_dir = Path(environ.get("STACK_DIR", "var/stack")).resolve()
    return plan(load(ROOT / "compose.yaml", environ), environ, environ.get("PYTHON", sys.executable), stack_dir)


class Supervisor:
    """Starts the planned processes, prefixes their output, restarts what ends, stops everything on request."""

    def __init__(self, planned: list[LocalProcess], restart: dict[str, str]) -> None:
        self.planned, self.restart = planned, restart
        self.running: dict[int, subprocess.Popen[bytes]] = {}
        self.stopping = threading.Event()
        self.base = {key: value for key, value in os.environ.items() if not key.startswith(("MOTCUA_", "POSTGRES_"))}

    def start(self, index: int) -> None:
        process = self.planned[index]
        child = subprocess.Popen(
            process.argv,
            cwd=ROOT,
            env=self.base | process.environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # in the stack's process group: a kill of the group ends all
        self.running[index] = child
        threading.Thread(target=_pump, args=(child.stdout, process.label), daemon=True).start()

    def healthy(self, index: int) -> bool:
        process = self.planned[index]
        if not process.healthcheck:
            return True
        check = subprocess.run(
            process.healthcheck,
            cwd=ROOT,
            env=self.base | process.environment,
            capture_output=True,
            timeout=30,
            check=False,
        )
        return check.returncode == 0

    def wait_healthy(self, index: int) -> None:
        deadline = time.monotonic() + HEALTHY_WITHIN
        while not self.healthy(index):
            label = self.planned[index].label
            if self.running[index].poll() is not None or time.monotonic() > deadline or self.stopping.is_set():
                raise RuntimeError(f"{label} did not become healthy")
            time.sleep(0.5)

    def supervise(self) -> None:
        backoff: dict[int, float] = {}
        while not self.stopping.wait(0.5):
            for index, child in list(self.running.items()):
                if child.poll() is None:
                    continue
                process = self.planned[index]
                policy = self.restart.get(process.service, "no")
                if policy in ("always", "unless-stopped") or (policy == "on-failure" and child.returncode != 0):
                    wait = backoff.get(index, 1.0)
                    print(f"stack: {process.label} ended ({child.returncode}); restarting in {wait:g}s", flush=True)
                    if self.stopping.wait(wait):
                        return
                    backoff[index] = min(wait * 2, 30.0)
                    self.start(index)
                else:
                    print(f"stack: {process.label} ended ({child.returncode})", flush=True)
                    del self.running[index]

    def stop(self) -> None:
        self.stopping.set()
        for child in self.running.values():
            _signal(child, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while any(child.poll() is None for child in self.running.values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        for child in self.running.values():
            _signal(child, signal.SIGKILL)
            child.wait()


def prepare(planned: list[LocalProcess], environ: dict[str, str]) -> None:
    """The schema, missing development secrets and the demo data (the first API's environment)."""
    first = planned[0].environment
    _create_schema(first)
    for process in planned:
        for value in process.environment.values():
            name = Path(value).name
            if Path(value).parent.name == "secrets" and name in SECRET_RECIPES and not Path(value).exists():
                Path(value).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                _one_shot([environ.get("PYTHON", sys.executable), *SECRET_RECIPES[name]], process.environment)
    api = next(p for p in planned if p.service == "api")
    if api.environment.get("MOTCUA_DEV_PKI_DIR"):  # processes in production mode only read it
        from infrastructure.signing.pki import ensure_dev_pki

        ensure_dev_pki(Path(api.environment["MOTCUA_DEV_PKI_DIR"]))
    _one_shot([environ.get("PYTHON", sys.executable), "-m", "infrastructure.stack", "seed"], api.environment)


def run() -> int:
    environ = machine_environment()
    try:
        topology = load(ROOT / "compose.yaml", environ)
        problems = all_problems(topology, [v.name for v, _ in variables(Settings)])
        if problems:  # the file would not deploy: do not pretend it runs
            raise ValueError("compose.yaml: " + "; ".join(problems))
        planned = processes(environ)
        restart = {name: s.restart for name, s in topology.services.items()}
        prepare(planned, environ)
    except (ComposeError, ValueError, subprocess.CalledProcessError) as error:
        print(f"stack: {error}", file=sys.stderr)
        return 2
    supervisor = Supervisor(planned, restart)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: supervisor.stopping.set())
    try:
        for index, process in enumerate(planned):
            supervisor.start(index)
            if process.healthcheck:
                supervisor.wait_healthy(index)
        ports = ", ".join(f"{p.label} :{p.port}" for p in planned if p.port)
        print(f"stack: {len(planned)} processes of compose.yaml running ({ports}); Ctrl+C stops everything", flush=True)
        supervisor.supervise()
    except RuntimeError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop()
    return 0


def seed() -> int:
    """Demo data into an empty store (skipped when the store has events)."""
    from infrastructure.bootstrap import build
    from infrastructure.demo import seed as write_demo
    from infrastructure.logs import setup_logging
    from infrastructure.settings import Settings, private_files

    setup_logging("stack-seed")
    private_files()
    system = build(Settings.from_env())
    try:
        write_demo(system)
    finally:
        system.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    command = (argv if argv is not None else sys.argv[1:]) or ["run"]
    if command[0] == "plan":
        for process in processes(machine_environment()):
            print(process.label, " ".join(process.argv), f"port={process.port}" if process.port else "")
        return 0
    if command[0] == "seed":
        return seed()
    if command[0] == "run":
        return run()
    print("usage: python -m infrastructure.stack [run|plan|seed]", file=sys.stderr)
    return 2


def _create_schema(env: dict[str, str]) -> None:
    import psycopg
    from psycopg import sql

    parts = {
        "host": env.get("POSTGRES_HOST"),
        "port": env.get("POSTGRES_PORT"),
        "dbname": env.get("POSTGRES_DBNAME"),
        "user": env.get("POSTGRES_USER"),
        "password": env.get("POSTGRES_PASSWORD"),
    }
    conninfo = " ".join(f"{key}='{value}'" for key, value in parts.items() if value)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        schema = sql.Identifier(env.get("POSTGRES_SCHEMA") or "public")
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))


def _one_shot(argv: list[str], env: dict[str, str]) -> None:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("MOTCUA_", "POSTGRES_"))}
    subprocess.run(argv, cwd=ROOT, env=base | env, check=True)


def _pump(stream: IO[bytes] | None, label: str) -> None:
    for line in stream or ():
        sys.stdout.write(f"[{label}] {line.decode('utf-8', 'replace')}")
        sys.stdout.flush()


def _signal(child: subprocess.Popen[bytes], signum: int) -> None:
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)


if __name__ == "__main__":
    sys.exit(main())
