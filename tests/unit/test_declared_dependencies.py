"""Every third-party import is declared where it is used: the core's in [project.dependencies], the kiosk's in the
`kiosk` extra, the tests' and benchmarks' in `dev`; and the core declares nothing only the kiosk needs."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"domain", "application", "infrastructure", "projections", "api", "kiosk_edge", "tests", "bench"}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Draws the test images (tests and benchmarks only), though it lives beside the kiosk's readers.
TEST_ONLY = {"kiosk_edge/readers/synthetic.py": {"barcode", "segno"}}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*groups: str) -> set[str]:
    """Distribution names of the requirements of these groups ("" is the core), extras of a requirement included."""
    names = set()
    for group in groups:
        for requirement in PROJECT["dependencies"] if group == "" else PROJECT["optional-dependencies"][group]:
            match = re.match(r"([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?", requirement)
            assert match, requirement
            name, extras = match.group(1), match.group(2) or ""
            names.add(normalised(name))
            names.update(normalised(f"{name}-{extra}") for extra in extras.split(",") if extra)
    return names


def third_party(folders: list[str]) -> dict[str, Path]:
    """Top-level module names imported by the files under these folders, each with one file importing it."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
                )
                for name in names:
                    top = name.split(".")[0]
                    skip = TEST_ONLY.get(str(path.relative_to(ROOT)), set())
                    if top not in sys.stdlib_module_names and top not in OURS and top not in skip:
                        found.setdefault(top, path)
    return found


def undeclared(folders: list[str], allowed: set[str]) -> list[str]:
    distributions = packages_distributions()
    return [
        f"{module} ({path.relative_to(ROOT)})"
        for module, path in sorted(third_party(folders).items())
        if not {normalised(d) for d in distributions.get(module, [module])} & allowed
    ]


def test_the_core_imports_only_what_it_declares() -> None:
    assert undeclared(["domain", "application", "infrastructure", "projections", "api"], declared("")) == []


def test_the_kiosk_imports_only_the_core_and_the_kiosk_extra() -> None:
    assert undeclared(["kiosk_edge"], declared("", "kiosk")) == []


def test_tests_and_benchmarks_import_only_what_dev_adds() -> None:
    assert undeclared(["tests", "bench"], declared("", "kiosk", "dev") | {"insightface"}) == []  # see the Makefile


def test_the_core_does_not_install_the_kiosk_camera_stack() -> None:
    assert declared("") & declared("kiosk") == set()
