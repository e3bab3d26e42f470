"""`python -m api`: serve the API and officer console (embedded default: SQLite in ./var)."""

from __future__ import annotations

import logging

import uvicorn

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.demo import seed
from infrastructure.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    system = build(settings)
    if settings.demo:
        seed(system)
    # No access log: request paths carry dossier codes and, for vaults, citizens' ID numbers.
    uvicorn.run(create_app(system), host=settings.api_host, port=settings.api_port, log_level="info", access_log=False)


if __name__ == "__main__":
    main()
