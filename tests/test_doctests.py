"""The examples in the package's docstrings hold, as written: every module with one is found
and its examples run (a new example runs without being listed here)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "audioguide"
WITH_EXAMPLES = sorted(
    ".".join(("audioguide", *path.relative_to(PACKAGE).with_suffix("").parts))
    for path in PACKAGE.rglob("*.py")
    if ">>> " in path.read_text("utf-8")
)


def test_the_modules_with_examples_are_found() -> None:
    assert {"audioguide.languages", "audioguide.package.times"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_the_examples_in_a_module_s_docstrings_hold(name: str) -> None:
    module = importlib.import_module(name.removesuffix(".__init__"))
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted, f"{name} has '>>> ' but no example doctest runs"
    assert not result.failed, f"{result.failed} of {name}'s examples fail (printed above)"
