# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GATEWAY := gateway
CONFIG ?= $(if $(wildcard config.toml),config.toml,config.example.toml)
# pytest-xdist workers (docs/testing.md). The gateway and browser tests mostly wait on their subprocesses,
# so four workers beat one per core even on two cores; TEST_WORKERS=0 runs the suite in one process.
# worksteal: an idle worker takes queued tests from a busy one, so no worker ends with a queue of slow e2e tests.
TEST_WORKERS ?= 4
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)

.PHONY: run test test-deep test-at lint bench gateway clean

# A git worktree may link .venv to another checkout's virtualenv: installing into it would point its editable
# install at this worktree, under the other checkout's feet. Then leave it alone (the tests put this checkout
# first on PYTHONPATH, tests/conftest.py).
$(STAMP): pyproject.toml
	@if [ -L $(VENV) ]; then echo "$(VENV) links to a shared virtualenv: not reinstalling into it"; else \
	  { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV); } && \
	  $(BIN)/pip install --quiet -e '.[dev]' && touch $(STAMP); fi

$(GATEWAY)/node_modules/.installed: $(GATEWAY)/package.json
	cd $(GATEWAY) && npm install --no-audit --no-fund --prefer-offline --loglevel=error
	@touch $@

gateway: $(GATEWAY)/node_modules/.installed

run: $(STAMP)
	$(BIN)/unionbot chat --config $(CONFIG)

test: $(STAMP) gateway
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(XDIST) $(PYTEST_ARGS)

# The generated tests (invariants, fuzz) with the long hypothesis profile (more examples, longer sequences; docs/testing.md).
test-deep: $(STAMP)
	UNIONBOT_HYPOTHESIS=deep $(BIN)/python -m pytest -q $(XDIST) tests/test_invariants_*.py tests/test_fuzz.py $(PYTEST_ARGS)

# The whole suite at another hour (Asia/Shanghai), e.g. make test-at WHEN='2026-12-31 23:59':
# Debian's faketime shifts every process the tests start (bots, gateway, PostgreSQL) by the same offset.
test-at: $(STAMP) gateway
	@test -n "$(WHEN)" || { echo "usage: make test-at WHEN='2026-11-26 23:30'"; exit 2; }
	@command -v faketime >/dev/null || { echo "needs Debian's faketime (apt-get install faketime)"; exit 2; }
	off=$$(( $$(TZ=Asia/Shanghai date -d "$(WHEN)" +%s) - $$(date +%s) )); \
	faketime -f "+$${off}" $(MAKE) --no-print-directory test

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP) gateway
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(GATEWAY)/node_modules var
