# One task runner. `make run` and `make test` are the README's two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench setup setup-dev browser clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (or: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .

setup-dev: setup
	$(BIN)/pip install --quiet -r requirements-dev.txt

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium missing and not root: browser tests will be skipped"; fi

# Build the store from the bundled Netflix data, print a short summary (what it holds, the most
# at-risk seasons, The Imperfects' answer), then serve the dashboard: its address is the last line.
run: setup
	@$(BIN)/renewcast info
	@$(BIN)/renewcast forecast | head -8
	@$(BIN)/renewcast show "The Imperfects" | head -3
	@$(BIN)/renewcast serve --host $(HOST) --port $(PORT) || test $$? -eq 130 -o $$? -eq 143

test: setup-dev browser
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy src
	$(BIN)/python -m pytest -q

lint: setup-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy src
	$(BIN)/mypy src

bench: setup-dev
	$(BIN)/python bench/bench_core.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache artifacts
