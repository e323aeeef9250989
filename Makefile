# The README's commands. Each one sets up what it needs on a fresh machine.
VENV   := .venv
PYTHON := $(VENV)/bin/python
BASE   := $(VENV)/.installed
TESTS  := $(VENV)/.installed-test

.PHONY: guide test test-fast bench lint catalogs clean

guide: $(BASE)
	$(VENV)/bin/audioguide build

test: $(TESTS)
	$(VENV)/bin/pytest

# The edit-test loop: every test but those marked slow (processes, browsers, Java), on every core.
test-fast: $(TESTS)
	$(VENV)/bin/pytest -q -m "not slow" -n auto

bench: $(TESTS)
	$(PYTHON) benchmarks/run.py

lint: $(TESTS)
	$(VENV)/bin/ruff check audioguide tests benchmarks
	$(VENV)/bin/ruff format --check audioguide tests benchmarks
	$(VENV)/bin/mypy

# The translator's loop: refresh the template and catalogs, then check them.
catalogs: $(BASE)
	$(VENV)/bin/audioguide extract
	$(VENV)/bin/audioguide update
	$(VENV)/bin/audioguide stats --check

$(BASE): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade "pip>=23.1"
	$(PYTHON) -m pip install --quiet -e .
	touch $@

$(TESTS): $(BASE)
	$(PYTHON) -m pip install --quiet -e ".[test]"
	touch $@

# Removes what the build made (output/ but its README, and the sentence cache).
clean:
	find output -mindepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf .audioguide-cache
