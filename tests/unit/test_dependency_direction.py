"""Imports point inwards only: domain ← application ← infrastructure/projections ← api; kiosk_edge stands alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "infrastructure", "projections", "api", "kiosk_edge")
ALLOWED = {
    "domain": {"domain"},
    "application": {"domain", "application"},
    "projections": {"domain", "projections"},
    "infrastructure": {"domain", "application", "infrastructure", "projections"},  # bootstrap wires read models
    "api": {"domain", "application", "infrastructure", "projections", "api"},
    "kiosk_edge": {"kiosk_edge"},
}
# Composition roots (process entry points) may also wire in infrastructure.
# Entry points may wire more: only `python -m api` may import kiosk_edge (the embedded demo kiosk of `make run`).
# The kiosk's entry point reads the one settings tree (infrastructure/settings) and hands the kiosk its part.
ENTRY_POINT_EXTRA = {"projections": {"application", "infrastructure"}, "api": {"kiosk_edge"},
                     "kiosk_edge": {"infrastructure"}}
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


def test_the_wire_messages_import_nothing_but_domain_errors() -> None:
    assert imported_modules(ROOT / "domain" / "kiosk_wire.py") <= {"domain.errors"}


def test_the_walker_sees_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from api.app import create_app\nimport infrastructure.settings\n")
    assert imported_packages(bad) == {"api", "infrastructure"}
