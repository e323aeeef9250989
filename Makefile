# The README's commands. Each one sets up what it needs on a fresh machine.
VENV   := .venv
PYTHON := $(VENV)/bin/python
BASE   := $(VENV)/.installed
TESTS  := $(VENV)/.installed-test

.PHONY: guide test test-fast bench lint catalogs dist clean

guide: $(BASE)
	$(VENV)/bin/audioguide build

# Every test, on every core: the slow ones (real builds with the neural voices and the speech
# recogniser, browsers, Java) are most of the time, and run side by side.
test: $(TESTS)
	$(VENV)/bin/pytest -n auto

# The edit-test loop: every test but those marked slow (processes, browsers, Java), on every core.
test-fast: $(TESTS)
	$(VENV)/bin/pytest -q -m "not slow" -n auto

bench: $(TESTS) | benchmarks/run.py
	$(PYTHON) benchmarks/run.py

lint: $(TESTS) | benchmarks
	$(VENV)/bin/ruff check audioguide tests benchmarks
	$(VENV)/bin/ruff format --check audioguide tests benchmarks
	$(VENV)/bin/mypy

# The translator's loop: refresh the template and catalogs, then check them.
catalogs: $(BASE)
	$(VENV)/bin/audioguide extract
	$(VENV)/bin/audioguide update
	$(VENV)/bin/audioguide stats --check

# The release, one command away: the sdist, the wheel built from it, both checked by twine, and
# the wheel installed into a clean venv (its dependencies from PyPI) that makes a new guide and
# builds it.
SMOKE := dist/smoke
dist: $(TESTS)
	rm -rf dist
	$(PYTHON) -c "from setuptools import build_meta as b; b.build_sdist('dist')" >/dev/null
	$(PYTHON) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist dist/*.tar.gz
	$(VENV)/bin/twine check --strict dist/*.tar.gz dist/*.whl
	python3 -m venv $(SMOKE)/venv
	$(SMOKE)/venv/bin/python -m pip install --quiet dist/*.whl
	cd $(SMOKE) && venv/bin/audioguide new guide --languages ko,zh_Hans
	cd $(SMOKE)/guide && ../venv/bin/audioguide build --quiet
	test -s $(SMOKE)/guide/output/manifest.json
	rm -rf $(SMOKE)
	@ls dist

# What a target needs that this tree lacks (an sdist without it, say): one line saying so.
benchmarks benchmarks/run.py:
	@echo "make: $@ is missing: this source tree has no benchmarks; use a clone of the repository" >&2
	@exit 2

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
