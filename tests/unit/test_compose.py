"""compose.yaml, the Dockerfile and .dockerignore are deployable, and `make stack` runs what compose.yaml declares.

Static: nothing is built or pulled. Each check is also shown to catch the defect it is for, on a small bad file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.settings import Settings
from infrastructure.settings.fields import variables
from infrastructure.stack.checks import (
    all_problems,
    healthchecks,
    kiosk_bus,
    port_clashes,
    restart_policies,
    unknown_variables,
    volumes_and_secrets,
    writable_paths,
)
from infrastructure.stack.compose import ComposeError, Port, interpolate, load
from infrastructure.stack.local import plan, start_order

ROOT = Path(__file__).resolve().parents[2]
KNOWN = [v.name for v, _ in variables(Settings)]
REQUIRED = {
    "MOTCUA_SECRET_KEY": "s" * 32,
    "MOTCUA_DATA_KEY": "k",
    "MOTCUA_EVENT_MAC_KEY": "m",
    "MOTCUA_KIOSK_SECRET": "d",
}


def topology(text: str, tmp_path: Path, environ: dict[str, str] | None = None):
    path = tmp_path / "compose.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path, REQUIRED if environ is None else environ)


# ----- the real files -------------------------------------------------------------------------------------------


def test_the_compose_file_has_no_problems() -> None:
    assert all_problems(load(ROOT / "compose.yaml", REQUIRED), KNOWN) == []


def test_the_compose_file_refuses_to_start_without_its_secrets() -> None:
    with pytest.raises(ComposeError, match="MOTCUA_SECRET_KEY is required"):
        load(ROOT / "compose.yaml", {})


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker is not installed")
def test_docker_compose_reads_the_file_when_it_is_available() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("docker compose is not available here")
    config = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        env={"PATH": "/usr/bin:/bin", **REQUIRED},
        capture_output=True,
        text=True,
        check=False,
    )
    assert config.returncode == 0, config.stderr


def test_the_image_is_multi_stage_non_root_and_checks_its_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(rf"install -d -o {users[-1]} .*/var/lib/motcua", dockerfile), "the data dir belongs to the user"
    assert re.search(r"^HEALTHCHECK .*\n.*/health/ready", dockerfile, re.M)
    assert not re.search(r"^COPY \. ", dockerfile, re.M), "copy the packages, not the working tree"


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {"var/", ".venv/", ".git/", "secrets/", "*.sqlite3"} <= ignored


def test_every_data_volume_of_the_compose_file_is_the_images_writable_directory() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for service in load(ROOT / "compose.yaml", REQUIRED).services.values():
        if service.image.startswith("motcua"):
            assert set(service.mounts) == {"/var/lib/motcua"} and "/var/lib/motcua" in dockerfile, service.name


# ----- each check catches its defect ----------------------------------------------------------------------------

APP = """
x-app: &app
  image: motcua:latest
  restart: unless-stopped
  environment: &env
    MOTCUA_DATA_DIR: /var/lib/motcua
  volumes: [appdata:/var/lib/motcua]
"""


def test_replicas_behind_one_published_port_are_refused(tmp_path: Path) -> None:
    found = topology(
        APP
        + """
services:
  api: {<<: *app, command: [python, -m, api], ports: ["8000:8000"], deploy: {replicas: 2}}
volumes: {appdata: }
""",
        tmp_path,
    )
    assert port_clashes(found) == [
        "api: 2 replicas publish 1 host port(s) for 8000: use a range of 2 or no published port"
    ]


def test_two_services_on_one_host_port_clash_but_a_range_per_replica_does_not(tmp_path: Path) -> None:
    found = topology(
        APP
        + """
services:
  api: {<<: *app, command: [python, -m, api], ports: ["8000-8001:8000"], deploy: {replicas: 2}}
  kiosk: {<<: *app, command: [python, -m, kiosk_edge, run], ports: ["127.0.0.1:8001:8100"]}
volumes: {appdata: }
""",
        tmp_path,
    )
    assert port_clashes(found) == ["host port 8001 is published by both api and kiosk"]


def test_a_variable_no_setting_reads_is_refused(tmp_path: Path) -> None:
    found = topology(
        APP
        + """
services:
  api: {<<: *app, command: [python, -m, api], environment: {<<: *env, MOTCUA_API_PROT: "8000"}}
  postgres: {image: "postgres:15", environment: {POSTGRES_DB: x}}
volumes: {appdata: }
""",
        tmp_path,
    )
    assert unknown_variables(found, KNOWN) == ["api: MOTCUA_API_PROT is not a setting (infrastructure/settings)"]


def test_secrets_and_volumes_must_be_declared_and_used(tmp_path: Path) -> None:
    found = topology(
        APP
        + """
services:
  chainer:
    <<: *app
    command: [python, -m, infrastructure.audit, chain, --follow]
    environment: {<<: *env, MOTCUA_AUDIT_KEY_FILE: /run/secrets/audit-key}
    volumes: [other:/var/lib/motcua]
volumes: {appdata: }
secrets: {unused: {file: ./x}}
""",
        tmp_path,
    )
    assert volumes_and_secrets(found) == [
        "chainer: volume other (at /var/lib/motcua) is not declared under volumes:",
        "chainer: MOTCUA_AUDIT_KEY_FILE reads /run/secrets/audit-key but the service does not list that secret",
        "volume appdata is declared but no service uses it",
        "secret unused is declared but no service uses it",
    ]


def test_a_process_may_write_only_on_its_volumes(tmp_path: Path) -> None:
    found = topology(
        """
services:
  api: {image: motcua, command: [python, -m, api], restart: always}
  kiosk:
    {image: motcua, command: [python, -m, kiosk_edge, run], environment: {MOTCUA_KIOSK_OUTBOX: /app/outbox.sqlite3}}
""",
        tmp_path,
    )
    assert writable_paths(found) == [
        "api: MOTCUA_DATA_DIR is unset, so it writes under the image's directory",
        "kiosk: MOTCUA_KIOSK_OUTBOX=/app/outbox.sqlite3 is not on a volume of the service",
    ]


def test_restart_policies_and_real_healthchecks_are_required(tmp_path: Path) -> None:
    found = topology(
        APP
        + """
services:
  nats: {image: "nats:2.10", command: [-js], healthcheck: {test: [CMD, nats-server, --help]}, restart: always}
  api: {<<: *app, command: [python, -m, api], restart: "no", healthcheck: {test: [CMD, curl, "http://x/health"]}}
  kiosk: {<<: *app, command: [python, -m, kiosk_edge, run], ports: ["8100:8100"], healthcheck: {disable: true}}
volumes: {appdata: }
""",
        tmp_path,
    )
    assert restart_policies(found) == ["api: no restart policy"]
    assert healthchecks(found) == [
        "nats: the healthcheck only runs the binary (CMD nats-server --help)",
        "nats: NATS needs `-m 8222` and a healthcheck of http://…:8222/healthz",
        "api: the API's healthcheck must ask /health/ready",
        "kiosk: publishes a port but has no healthcheck",
    ]


def test_with_a_kiosk_the_api_uses_the_nats_bus(tmp_path: Path) -> None:
    found = topology(
        APP
        + """
services:
  api: {<<: *app, command: [python, -m, api]}
  kiosk: {<<: *app, command: [python, -m, kiosk_edge, run]}
volumes: {appdata: }
""",
        tmp_path,
    )
    assert kiosk_bus(found) == [
        "a kiosk runs but no service runs infrastructure.device_consumer",
        "api: MOTCUA_BUS must be nats (tray doors and device events go over NATS)",
    ]


# ----- make stack: the same services as local processes ---------------------------------------------------------


def test_the_stack_runs_every_replica_of_every_service_of_the_compose_file(tmp_path: Path) -> None:
    compose = load(ROOT / "compose.yaml", REQUIRED)
    processes = plan(compose, REQUIRED, "/venv/python", tmp_path)
    declared = sorted(
        (s.name, s.command[1:])
        for s in compose.services.values()
        if s.command[:1] == ("python",)
        for _ in range(s.replicas)
    )
    assert sorted((p.service, p.argv[1:]) for p in processes) == declared
    assert {p.service for p in processes} == set(compose.services) - {"postgres", "nats"}
    assert all(p.argv[0] == "/venv/python" for p in processes)


def test_local_processes_get_the_compose_environment_translated_to_this_machine(tmp_path: Path) -> None:
    machine = REQUIRED | {"POSTGRES_DBNAME": "test", "MOTCUA_DATA_DIR": "/elsewhere", "STACK_PORTS_API": "18000 18001"}
    processes = {p.label: p for p in plan(load(ROOT / "compose.yaml", machine), machine, "py", tmp_path)}
    first, second, kiosk, chainer = processes["api.1"], processes["api.2"], processes["kiosk"], processes["chainer"]
    assert (first.port, second.port) == (18000, 18001)
    assert (first.environment["MOTCUA_API_PORT"], second.environment["MOTCUA_API_PORT"]) == ("18000", "18001")
    assert first.environment["MOTCUA_API_HOST"] == "127.0.0.1" and first.environment["MOTCUA_BUS"] == "nats"
    assert "http://127.0.0.1:18001/health/ready" in second.healthcheck[-1]
    assert first.environment["POSTGRES_HOST"] == "127.0.0.1" and first.environment["POSTGRES_DBNAME"] == "test"
    assert first.environment["MOTCUA_DATA_DIR"] == str(tmp_path / "appdata")  # the volume, not the machine's value
    assert kiosk.environment["MOTCUA_CORE_URL"] == "http://127.0.0.1:18000"
    assert kiosk.environment["MOTCUA_KIOSK_OUTBOX"] == str(tmp_path / "kioskdata" / "kiosk-Q6-01-outbox.sqlite3")
    assert chainer.environment["MOTCUA_AUDIT_KEY_FILE"] == str(tmp_path / "secrets" / "audit-checkpoint-key")
    assert first.environment["MOTCUA_NATS_URL"] == "nats://127.0.0.1:4222"


def test_a_service_starts_after_those_it_depends_on(tmp_path: Path) -> None:
    order = start_order(load(ROOT / "compose.yaml", REQUIRED))
    assert order.index("kiosk") > order.index("api") and order[0] == "api"


# ----- the readers, for any input ---------------------------------------------------------------------------------

NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True)
VALUES = st.text(alphabet=st.characters(blacklist_characters="${}", blacklist_categories=("Cs",)), max_size=12)


@given(NAMES, VALUES, VALUES)
def test_a_default_applies_when_the_variable_is_unset_or_empty(name: str, value: str, default: str) -> None:
    assert interpolate(f"${{{name}:-{default}}}", {name: value}) == (value or default)
    assert interpolate(f"${{{name}-{default}}}", {name: value}) == value
    assert interpolate(f"${{{name}:-{default}}}", {}) == default
    assert interpolate(f"a$${{{name}}}b", {name: value}) == f"a${{{name}}}b"


@given(NAMES, VALUES)
def test_a_required_variable_names_itself_when_missing(name: str, message: str) -> None:
    with pytest.raises(ComposeError, match=re.escape(name)):
        interpolate(f"x ${{{name}:?{message}}}", {})
    assert interpolate(f"${{{name}:?{message}}}", {name: "v"}) == "v"


@given(st.integers(1, 65535), st.integers(0, 5), st.integers(1, 65535), st.sampled_from(["", "127.0.0.1:", "[::1]:"]))
def test_a_port_mapping_reads_back_its_host_ports_and_container_port(
    host: int, extra: int, container: int, ip: str
) -> None:
    text = f"{ip}{host}-{host + extra}:{container}" if extra else f"{ip}{host}:{container}"
    port = Port.parse(text)
    assert port.hosts == tuple(range(host, host + extra + 1)) and port.container == container
    assert port.ip == {"": "", "127.0.0.1:": "127.0.0.1", "[::1]:": "::1"}[ip]


@given(st.text(max_size=20))
def test_an_unreadable_port_mapping_is_refused_clearly(text: str) -> None:
    try:
        Port.parse(text)
    except ComposeError as error:
        assert "port mapping" in str(error) or "runs backwards" in str(error)
