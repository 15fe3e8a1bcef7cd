PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite lint typecheck check bench soak clean

# Creates or updates .venv; re-installs only when pyproject.toml changed. Byte-compiles src as pip does an
# installed package (with PYTHONDONTWRITEBYTECODE set, each start would otherwise compile it again).
install: $(STAMP)
	@$(BIN)/python -m compileall -q src

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/slotwise migrate
	$(BIN)/slotwise demo
	$(BIN)/slotwise serve --host $(HOST) --port $(PORT)

# The whole suite, on SQLite and on the local PostgreSQL (127.0.0.1:5432).
test: install
	$(BIN)/pytest

test-sqlite: install
	SLOTWISE_TEST_DATABASES=sqlite $(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy benchmarks

check: lint typecheck test

# Every benchmark, then benchmarks/load.py: start-up, mixed load on 1 and 2 API processes, a SIGKILL and a
# PostgreSQL outage, on a private PostgreSQL cluster (about 4 minutes; see docs/reliability.md).
bench: install
	@for b in benchmarks/bench_*.py benchmarks/load.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Ten minutes of steady load on one API process; fails if its memory grows (docs/reliability.md).
soak: install
	$(BIN)/python benchmarks/soak.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
