# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml scripts/system-packages.sh | cksum | cut -d' ' -f1)
RUNTIME := $(VENV)/.runtime-$(HASH)
DEV := $(VENV)/.dev-$(HASH)

.PHONY: install install-dev run test test-faults stack clean

install: $(RUNTIME)
install-dev: $(DEV)

$(RUNTIME):
	bash scripts/system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-compile -e '.[kiosk]'  # the demo kiosk of `make run`
	rm -f $(VENV)/.runtime-*
	touch $@

$(DEV): $(RUNTIME)
	bash scripts/system-packages.sh --dev
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev,kiosk]'
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps 'insightface>=0.7.3'
	# axe-core (pinned in tests/browser/axe/package.json) for the console's accessibility test; npm registry only
	test -f tests/browser/axe/node_modules/axe-core/axe.min.js || (cd tests/browser/axe && npm ci --no-audit --no-fund)
	rm -f $(VENV)/.dev-*
	touch $@

run: install
	MOTCUA_DEMO=$${MOTCUA_DEMO:-1} $(BIN)/motcua api

# pytest: one process per core, a file each. A worker that crashes ends the run at once, naming its test: xdist's
# loadfile scheduling can wait forever for a replaced worker (pytest-dev/pytest-xdist#784).
test: install-dev
	BIN=$(BIN) bash scripts/lint.sh  # ruff and mypy of the dev extra; a finding fails `make test` before pytest
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile --max-worker-restart 0

test-faults: install-dev
	bash scripts/services.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/faults

stack: install
	bash scripts/services.sh
	bash scripts/stack.sh

clean:
	rm -rf $(VENV) var
