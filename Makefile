# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GATEWAY := tests/gateway
CONFIG ?= $(if $(wildcard config.toml),config.toml,config.example.toml)

.PHONY: run test lint bench gateway clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(GATEWAY)/node_modules/.installed: $(GATEWAY)/package.json
	cd $(GATEWAY) && npm install --no-audit --no-fund --loglevel=error
	@touch $@

gateway: $(GATEWAY)/node_modules/.installed

run: $(STAMP)
	$(BIN)/unionbot chat --config $(CONFIG)

test: $(STAMP) gateway
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP) gateway
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(GATEWAY)/node_modules var
