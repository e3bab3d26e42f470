#!/usr/bin/env bash
# Lint and type-check the packages with the configuration of pyproject.toml ([tool.ruff], [tool.mypy]).
# Runs every check and fails if any fails; `make test` runs it before pytest. mypy keeps its cache in .mypy_cache
# (git-ignored), so a second run only re-checks what changed.
# RUFF / MYPY name other executables (default: those of .venv, installed by the dev extra); mypy resolves the
# third-party packages of PYTHON.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
RUFF=${RUFF:-$BIN/ruff}
MYPY=${MYPY:-$BIN/mypy}
PYTHON=${PYTHON:-$BIN/python}
status=0
echo "== ruff check"; "$RUFF" check --output-format=concise . || status=1
echo "== ruff format --check"; "$RUFF" format --check . || status=1
echo "== mypy"; "$MYPY" --python-executable "$PYTHON" --cache-dir .mypy_cache || status=1
exit $status
