"""The package's shape: the pipeline's stages in order, each module importing only from its own
stage and the ones before it (README, *How it works*), and so no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "audioguide"

# Each module's stage, earliest first. A module may import from its own stage and earlier ones.
STAGES: list[tuple[str, ...]] = [
    # below every stage
    (
        "audioguide",
        "errors",
        "files",
        "lock",
        "languages",
        "strings",
        "clip",
        "report",
        "cache",
        "ffmpeg",
        "stamp",
    ),
    # 1. inputs
    ("script", "catalogs", "lexicon", "speech_text", "engines", "speakers"),
    # 2. plans and 3. render
    ("edition", "published", "audio", "speech", "tracks", "jobs", "cluster"),
    # 4. editions and 5. site
    ("whole_guide", "package"),
    # 6. the ledger and the manifest
    ("output",),
    # the pipeline and the commands
    ("publish", "build", "voices", "starter", "proof", "hearing", "serve", "cli", "__main__"),
]


def _stage(module: str) -> int:
    """The stage of ``audioguide.<module>`` (by its first part: ``package.feed`` -> package)."""
    first = module.split(".")[0] if module else "audioguide"
    for number, names in enumerate(STAGES):
        if first in names:
            return number
    raise AssertionError(f"audioguide.{module} is in no stage: add it to STAGES")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The audioguide modules ``name`` imports when it is imported (not for type checking, not
    inside functions), relative to the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "audioguide":
                target = (node.module or "").removeprefix("audioguide").lstrip(".")
            else:
                continue
            # `from . import audio` imports the module audio; `from . import __version__` a name
            # of the package itself.
            names = {".".join(filter(None, [target, alias.name])) for alias in node.names}
            modules = names & MODULES.keys()
            found |= modules | ({target} if modules != names else set())
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.removeprefix("audioguide").lstrip(".")
                for alias in node.names
                if alias.name.split(".")[0] == "audioguide"
            }
    return found


@pytest.mark.parametrize("name", sorted(MODULES), ids=lambda n: n or "audioguide")
def test_a_module_imports_only_from_its_own_stage_and_earlier(name: str) -> None:
    later = {target for target in _imports(name, MODULES[name]) if _stage(target) > _stage(name)}
    assert not later, f"audioguide.{name} imports from a later stage: {sorted(later)}"


def test_the_package_has_no_import_cycle() -> None:
    graph = {
        name: {t for t in _imports(name, path) if t in MODULES and t != name}
        for name, path in MODULES.items()
    }
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"an import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for target in graph[name]:
            visit(target, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())
