# Tierline: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AGENT := $(wildcard agent/pyproject.toml)

.PHONY: install run test test-fast lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(AGENT) scripts/bootstrap.sh
	@bash scripts/bootstrap.sh "$(PYTHON)" "$(VENV)"
	@touch $@

# Plain http:// on this machine: cookies without the HTTPS-only flag (see README, TIERLINE_PLAIN_HTTP).
# The example portal runs beside it on port 8100 with the live-debugging agent attached.
run: install
	TIERLINE_PLAIN_HTTP=$${TIERLINE_PLAIN_HTTP:-1} TIERLINE_DEMO_PORTAL=$${TIERLINE_DEMO_PORTAL:-1} $(BIN)/tierline run

test: install
	@bash scripts/test.sh

# The suite on SQLite only, without starting PostgreSQL, Redis or Chromium.
test-fast: install
	$(BIN)/python -m pytest -m "not browser and not redis and not postgres" tests

lint: install
	$(BIN)/ruff check src tests bench

bench: install
	$(BIN)/python bench/desk.py --quick

clean:
	rm -rf $(VENV) .tierline tests/browser/firefox/node_modules
