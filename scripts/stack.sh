#!/usr/bin/env bash
# `make stack`: the services of compose.yaml as local processes against the machine's PostgreSQL and NATS
# (python -m infrastructure.stack; machine defaults in scripts/stack.env). Ctrl+C (or SIGTERM) stops every process.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" -m infrastructure.stack "$@"
