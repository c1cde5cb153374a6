# hone's entry points. `make demo` and `make test` each work on a fresh clone on their own.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test lint sysdeps agent-clis bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Runtime install (for the demo) and dev install (for the tests), each redone when pyproject changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# System packages the tests use for real (sandbox, browser, HDL tools); installed when missing.
sysdeps:
	@bash .ci/sysdeps

# The coding-agent CLIs the agent mutator's tests drive (aider in its own venv; Claude Code,
# Codex and OpenCode from npm), under .cache/agent-clis; skipped with a warning offline.
agent-clis:
	@bash .ci/agent-clis .cache/agent-clis

demo: $(VENV)/.installed
	$(BIN)/python examples/demo/run_demo.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: sysdeps agent-clis $(VENV)/.installed-dev lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/overhead.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
