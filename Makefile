# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test console lint bench

$(BIN)/plgbot: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "plgbot needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
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

# The suite runs twice: on SQLite files, then on a throwaway PostgreSQL server.
test: lint
	$(BIN)/pytest
	PLGBOT_TEST_DATABASE=postgresql $(BIN)/pytest

# The benchmarks of bench/ (6-15 minutes); their figures go into bench/README.md.
bench: $(BIN)/plgbot
	$(BIN)/python -m bench.run
