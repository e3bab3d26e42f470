"""Imports point inwards only: domain ← application ← projections ← infrastructure ← api; kiosk_edge stands alone.

`application` reaches persistence through the EventStorage port (application/ports.py), whose implementation it
names once, by topic (application/base.py STORAGE_TOPIC), as eventsourcing names its own by PERSISTENCE_MODULE.
"""

from __future__ import annotations

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from eventsourcing.utils import resolve_topic

from application.base import STORAGE_TOPIC
from application.ports import EventStorage

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "infrastructure", "projections", "api", "kiosk_edge")
ALLOWED = {
    "domain": {"domain"},
    "application": {"domain", "application"},
    "projections": {"domain", "projections"},  # read models and their queries; the SQL machinery is infrastructure's
    "infrastructure": {"domain", "application", "infrastructure", "projections"},  # eventstore/, readstore/, adapters
    "api": {"domain", "application", "infrastructure", "projections", "api"},
    "kiosk_edge": {"kiosk_edge"},
}
# Entry points (`__main__.py`: nothing imports them) may wire more. `python -m projections` is an alias of
# `python -m infrastructure.readstore`; only `python -m api` may import kiosk_edge (the demo kiosk of `make run`);
# the kiosk's entry point reads the one settings tree (infrastructure/settings) and hands the kiosk its part.
ENTRY_POINT_EXTRA = {"projections": {"infrastructure"}, "api": {"kiosk_edge"}, "kiosk_edge": {"infrastructure"}}
# The kiosk process shares exactly one module with the core: the wire messages.
SHARED_WIRE = "domain.kiosk_wire"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] in PACKAGES}


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


SOURCES = [(package, path) for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize(("package", "path"), SOURCES, ids=[str(p.relative_to(ROOT)) for _, p in SOURCES])
def test_imports_point_inwards(package: str, path: Path) -> None:
    allowed = ALLOWED[package] | (ENTRY_POINT_EXTRA.get(package, set()) if path.name == "__main__.py" else set())
    modules = imported_modules(path)
    if package == "kiosk_edge":
        modules.discard(SHARED_WIRE)
    wrong = {name.split(".")[0] for name in modules} - allowed
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_nothing_imports_an_entry_point() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for _, path in SOURCES
        if path.name != "__main__.py"  # an alias may
        and any(name.endswith(".__main__") for name in imported_modules(path))
    ]
    assert not importers, f"entry points must stay roots (so they close no cycle): {importers}"


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for package, path in SOURCES:
        if path.name != "__main__.py":  # entry points are roots: nothing imports them, so they close no cycle
            graph[package] |= imported_packages(path) - {package}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"packages import each other: {error.args[1]}")


def test_the_walker_sees_a_cycle() -> None:
    with pytest.raises(CycleError):
        tuple(TopologicalSorter({"infrastructure": {"projections"}, "projections": {"infrastructure"}}).static_order())


def test_application_names_persistence_only_by_the_storage_topic() -> None:
    named = {
        path.name
        for path in (ROOT / "application").rglob("*.py")
        if re.search(r"[\"']infrastructure\.", path.read_text(encoding="utf-8"))
    }
    assert named == {"base.py"}
    storage = resolve_topic(STORAGE_TOPIC)
    port = [name for name in vars(EventStorage) if not name.startswith("_")]
    assert port and all(callable(getattr(storage, name, None)) for name in port)


def test_the_wire_messages_import_nothing_but_domain_errors() -> None:
    assert imported_modules(ROOT / "domain" / "kiosk_wire.py") <= {"domain.errors"}


def test_the_walker_sees_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from api.app import create_app\nimport infrastructure.settings\n")
    assert imported_packages(bad) == {"api", "infrastructure"}
