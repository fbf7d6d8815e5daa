# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test console lint bench lock

# Installs come from the lock files, every package pinned with its hashes, so that a
# new release of anything cannot change what runs (or turn CI red) overnight. The
# Dockerfile installs requirements.lock the same way; `make lock` renews both.
$(BIN)/plgbot: pyproject.toml requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "plgbot needs Python 3.11 to 3.13 ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

run: $(BIN)/plgbot
	$(BIN)/plgbot db upgrade
	$(BIN)/plgbot demo --if-empty
	$(BIN)/plgbot serve

console: $(BIN)/plgbot
	$(BIN)/plgbot db upgrade
	$(BIN)/plgbot demo --if-empty
	$(BIN)/plgbot console --as anouk

lint: $(BIN)/plgbot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The suite runs twice: on SQLite files, then on a throwaway PostgreSQL server; each
# time on every core (pytest-xdist: one worker per core, each with its own server).
test: lint
	$(BIN)/pytest -n auto
	PLGBOT_TEST_DATABASE=postgresql $(BIN)/pytest -n auto

# Renew the lock files after changing pyproject.toml's dependencies (or to take new
# releases): pip-tools, in a venv of its own, resolves and hashes every package.
lock:
	$(PYTHON) -m venv .lock-tools
	.lock-tools/bin/pip install --quiet 'pip-tools>=7.4'
	.lock-tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--output-file requirements.lock pyproject.toml
	.lock-tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--extra dev --output-file requirements-dev.lock pyproject.toml

# The benchmarks of bench/ (6-15 minutes); their figures go into bench/README.md.
bench: $(BIN)/plgbot
	$(BIN)/python -m bench.run
