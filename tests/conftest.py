"""Shared fixtures: a small guide copied into a temporary folder, and the CLI run in-process.

The fixture guide (``tests/fixtures/guide``) has three short sections in English with complete
Korean and Simplified Chinese catalogs (``tests/fixtures/locales``, made by ``audioguide update``
and then translated). Each test gets its own copy laid out like the repository:
``scripts/``, ``locales/``, ``output/``.

A test that needs a system tool skips locally, saying what to install; under ``CI=true`` (set by
``.ci/run``, which installs every tool) any skip is reported as a failure instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import kokoro_files
import pytest
from build_helpers import Built, Site, need, new_site, shared_build
from click.testing import Result

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI=true a skipped test fails: CI has every tool, so a skip hides a broken setup."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where it must run: {reason}"


@pytest.fixture
def project(tmp_path: Path) -> Site:
    """A fresh copy of the fixture guide, its catalogs complete (``audioguide update`` run), and
    an output folder holding only a README: ``scripts/``, ``locales/``, ``output/``."""
    site = new_site(tmp_path)
    site.output.mkdir()
    (site.output / "README.md").write_text("Generated files go here.\n", encoding="utf-8")
    return site


def gettext_tool(name: str) -> str:
    """The path of a GNU gettext program; skipped with a hint when it is missing."""
    path = shutil.which(name)
    need(path is not None, f"{name} not found: install GNU gettext (e.g. apt-get install gettext)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def gettext():
    """Run a GNU gettext program: ``gettext("msgcat", path)`` -> CompletedProcess (bytes)."""

    def run(name: str, *args: str | Path) -> subprocess.CompletedProcess:
        command = [gettext_tool(name), *map(str, args)]
        return subprocess.run(command, capture_output=True, timeout=60, check=False)

    return run


@pytest.fixture
def user_error():
    """The check for a bad-input error: see :func:`assert_user_error`."""
    return assert_user_error


def assert_user_error(result: Result, where: str, line: int | str | None = None) -> str:
    """Exit status 2 and one clean line on stderr naming ``where`` (and ``:line`` if given).

    ``where`` is the end of the path, e.g. ``scripts/01-welcome.yaml``; ``line`` may be a
    regular expression such as ``r"\\d+"``. Returns the message.
    """
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == 2, output
    message = result.stderr.strip()
    assert message, "nothing on stderr"
    assert "\n" not in message, f"not one line: {message!r}"
    assert message.startswith("audioguide: error: "), message
    suffix = re.escape(where) + (f":{line}:" if line is not None else r"[:\s]")
    assert re.search(suffix, message.replace("\\", "/")), message
    return message


# --- a real build of the fixture guide, made once per test session -----------------------


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture guide built with the espeak voice; read it, never change it."""
    return shared_build(tmp_path_factory)


@pytest.fixture
def site(built: Built, tmp_path: Path) -> Site:
    """A copy of the built guide (output and cache) that a test may change."""
    return built.site.copy(tmp_path / "site")


@pytest.fixture(scope="session")
def kokoro_voice() -> dict[str, str]:
    """guide.yaml's ``voices:`` entry for Mandarin spoken by Kokoro (``zf_xiaobei``), with the
    absolute paths of the model and voices the tests assemble from package registries
    (``tests/kokoro_files.py``); skipped locally, saying what to install, without them."""
    return kokoro_files.mandarin()
