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
from dataclasses import dataclass
from pathlib import Path

import pytest
from build_helpers import Built, Site, need, shared_build
from click.testing import CliRunner, Result

from audioguide import catalogs
from audioguide.cli import main
from audioguide.script import load_guide

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


def cli_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (click < 8.2 needs mix_stderr=False)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()


@dataclass
class Project:
    """A guide folder laid out like the repository, in tmp_path."""

    root: Path
    scripts: Path
    locales: Path
    output: Path

    def po(self, locale_id: str) -> Path:
        return self.locales / locale_id / "LC_MESSAGES" / "audioguide.po"

    @property
    def pot(self) -> Path:
        return self.locales / "audioguide.pot"

    def run(self, *args: str) -> Result:
        """Run ``audioguide <args> --scripts .. --locales .. --output ..`` in-process.

        Exceptions other than SystemExit are not caught: a traceback fails the test.
        """
        folders = ["--scripts", str(self.scripts), "--locales", str(self.locales)]
        folders += ["--output", str(self.output)]
        return cli_runner().invoke(
            main, [*args, *folders], prog_name="audioguide", catch_exceptions=False
        )

    def snapshot(self) -> dict[str, object]:
        """Every path under output/ and locales/, with bytes and mtime for files."""
        return snapshot(self.output, self.locales)


def snapshot(*roots: Path) -> dict[str, object]:
    state: dict[str, object] = {}
    for root in roots:
        if not root.exists():
            state[str(root)] = None
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file():
                state[str(path)] = (path.read_bytes(), path.stat().st_mtime_ns)
            else:
                state[str(path)] = "dir"
    return state


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh copy of the fixture guide and its complete catalogs."""
    scripts = tmp_path / "scripts"
    locales = tmp_path / "locales"
    output = tmp_path / "output"
    shutil.copytree(FIXTURES / "guide", scripts)
    shutil.copytree(FIXTURES / "locales", locales)
    output.mkdir()
    (output / "README.md").write_text("Generated files go here.\n", encoding="utf-8")
    # audioguide's own strings (audioguide.strings) grow with the tool; merging them in fills
    # them from the package's translations, so the copy stays complete. A no-op when the
    # fixture catalogs are current.
    catalogs.update(load_guide(scripts), locales)
    return Project(tmp_path, scripts, locales, output)


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
