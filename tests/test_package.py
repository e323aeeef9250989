"""The package stands alone: built from its sdist, installed as a wheel into a fresh virtual
environment, it makes a new guide and builds it, with no part of this checkout on its path.

The expensive part runs once per module (:func:`installed`, then :func:`new_guide`): an sdist of
a copy of the checkout, a wheel built from that sdist, a venv without pip whose only view of the
dependencies is a ``.pth`` line naming the test environment's site-packages (whose editable
install of audioguide is never activated: ``.pth`` files there are not read), and the wheel
installed into it by pip. The new guide is built offline: the proxy named for HTTP(S) refuses
every connection, so ``auto`` falls back to an offline voice as it would without a network.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import distributions, packages_distributions
from importlib.util import find_spec
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from audioguide import __version__

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`

REPO = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
# Not part of the source: what tools, builds and test runs leave in a checkout.
LEFT_BEHIND = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "output", "build", "dist", "*.egg-info", "__pycache__",
    ".*cache*", ".hypothesis", "test-artifacts", "*.mo",
)  # fmt: skip
OFFLINE = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None):
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    env: dict[str, str]  # for commands in the venv: its bin/ first, offline, no PYTHONPATH
    work: Path  # a folder outside the checkout to run them in

    def audioguide(self, *args: str, cwd: Path | None = None):
        return run([self.venv / "bin" / "audioguide", *args], cwd or self.work, self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("package")
    source, dist, venv, work = (root / name for name in ("source", "dist", "venv", "work"))
    shutil.copytree(REPO, source, ignore=LEFT_BEHIND, symlinks=True)
    build_sdist = f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})"
    run([sys.executable, "-c", build_sdist], source)
    (sdist,) = dist.glob("*.tar.gz")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", dist, sdist], root)  # fmt: skip
    (wheel,) = dist.glob("*.whl")

    run([sys.executable, "-m", "venv", "--without-pip", venv], root)
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root)
    ours = dict.fromkeys(sysconfig.get_path(name) for name in ("purelib", "platlib"))
    Path(purelib.stdout.strip(), "dependencies.pth").write_text("\n".join(ours) + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-index", wheel], root)  # fmt: skip

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env = {k: v for k, v in env.items() if k.lower() not in {"no_proxy", "virtual_env"}}
    env |= {name: OFFLINE for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work.mkdir()
    return Installed(sdist, wheel, venv, env, work)


@pytest.fixture(scope="module")
def new_guide(installed: Installed) -> tuple[Path, subprocess.CompletedProcess]:
    """``audioguide new museum --languages ko,zh_Hans``, then ``audioguide build`` in it."""
    installed.audioguide("new", "museum", "--languages", "ko,zh_Hans")
    guide = installed.work / "museum"
    return guide, installed.audioguide("build", cwd=guide)


def test_the_installed_package_comes_from_the_wheel(installed: Installed) -> None:
    code = "import audioguide, sys; print(audioguide.__file__); print(*sys.path, sep='\\n')"
    done = run([installed.venv / "bin" / "python", "-c", code], installed.work, installed.env)
    where, *path = done.stdout.splitlines()

    assert Path(where).is_relative_to(installed.venv)
    assert str(REPO) not in path and str(REPO / "audioguide") not in path
    version = installed.audioguide("--version")
    assert version.stdout.strip() == f"audioguide, version {__version__}"


def test_a_new_guide_builds_at_once_offline(new_guide) -> None:
    guide, built = new_guide

    # offline, auto speaks with the best installed voice (the test environment's Piper voice
    # for English, espeak for the rest), and says so
    assert "gTTS is not reachable; speaking" in built.stderr
    assert "untranslated" not in built.stderr
    manifest = json.loads((guide / "output" / "manifest.json").read_text("utf-8"))
    editions = manifest["languages"]
    assert [edition["tag"] for edition in editions] == ["en", "ko", "zh-Hans"]
    for edition in editions:
        tag = edition["tag"]
        assert edition["completeness"] == 100.0
        assert [track["file"] for track in edition["tracks"]] == [
            f"{tag}/01-welcome.mp3",
            f"{tag}/02-first-room.mp3",
        ]
        assert edition["full_guide"]["file"] == f"{tag}/00-full-guide.mp3"
        assert (guide / "output" / edition["full_guide"]["file"]).stat().st_size > 10_000
        assert "audiobook" not in edition  # guide.yaml leaves it commented out
    assert "박물관에 오신 것을 환영합니다." in (guide / "output/ko/transcript.txt").read_text(
        "utf-8"
    )
    assert "第一展厅" in (guide / "output/zh-Hans/transcript.txt").read_text("utf-8")
    # What the README tells the guide's author to run next ships in the wheel.
    for name in ("babel.cfg", ".gitignore", ".github/workflows/publish.yml"):
        assert (guide / name).is_file(), name


def test_the_sdist_holds_the_tests_the_changelog_and_the_license(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as archive:
        names = {name.partition("/")[2] for name in archive.getnames()}
    tests = {
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }

    assert tests <= names, sorted(tests - names)
    assert {"conftest.py", "build_helpers.py", "fixtures/guide/guide.yaml"} <= {
        name.removeprefix("tests/") for name in tests
    }
    assert {"CHANGELOG.md", "LICENSE", "README.md", "babel.cfg", "scripts/guide.yaml"} <= names
    # What the Makefile's targets and the README name: make lint and make bench, .ci/run.
    assert {"Makefile", "benchmarks/run.py", ".ci/run"} <= names
    assert "locales/ko/LC_MESSAGES/audioguide.po" in names  # the shipped guide's tests


def test_the_sdist_is_a_working_source_tree(installed: Installed, tmp_path: Path) -> None:
    """Unpacked, the sdist lints as the checkout does (make lint's ruff, over the folders the
    Makefile names), and every file the README's commands and the Makefile name is there."""
    with tarfile.open(installed.sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (tree,) = tmp_path.iterdir()
    makefile = (tree / "Makefile").read_text("utf-8")
    lint = re.search(r"ruff check (.+)", makefile)
    assert lint is not None
    folders = lint.group(1).split()
    assert all((tree / folder).is_dir() for folder in folders), folders
    ruff = Path(sys.executable).with_name("ruff")
    run([ruff, "check", "--no-cache", *folders], tree)
    assert os.access(tree / ".ci" / "run", os.X_OK)
    assert (tree / "benchmarks" / "run.py").is_file()


def test_every_imported_module_is_a_declared_dependency() -> None:
    """What audioguide imports is in [project] dependencies; only the modules an extra is for
    (the Piper and Kokoro engines, check-speech, the cluster) may import from that extra."""
    importers: dict[str, set[str]] = defaultdict(set)
    for path in (REPO / "audioguide").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top != "audioguide":
                    importers[top].add(str(path.relative_to(REPO)))

    def declared(requirements: list[str]) -> set[str]:
        return {canonicalize_name(Requirement(r).name) for r in requirements}

    core = declared(PYPROJECT["project"]["dependencies"])
    extras = {
        "audioguide/engines/piper.py": "piper",
        "audioguide/engines/kokoro.py": "kokoro",
        "audioguide/hearing.py": "check",
        "audioguide/cluster.py": "dask",
    }
    optional = PYPROJECT["project"]["optional-dependencies"]
    undeclared = []
    for module, paths in sorted(importers.items()):
        names = _distributions_of(module)
        assert names, f"{module} (imported in {sorted(paths)}) is not installed"
        in_extras = all(
            path in extras and names & declared(optional[extras[path]]) for path in paths
        )
        if not names & core and not in_extras:
            undeclared.append(f"{module} ({', '.join(sorted(names))}) in {sorted(paths)}")
    assert undeclared == []


def _distributions_of(module: str) -> set[str]:
    """The installed distributions that provide the top-level ``module``."""
    names = packages_distributions().get(module)
    if not names:  # Python 3.11 finds only pure-Python modules; look for the file itself
        spec = find_spec(module)
        origin = Path(spec.origin).resolve() if spec and spec.origin else None
        names = [
            dist.metadata["Name"]
            for dist in distributions()
            if any(Path(str(dist.locate_file(f))).resolve() == origin for f in dist.files or ())
        ]
    return {canonicalize_name(name) for name in names}


def test_the_long_description_starts_with_installing_and_a_new_guide() -> None:
    readme = (REPO / PYPROJECT["project"]["readme"]).read_text("utf-8")
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()

    # No release is on PyPI yet: the reader installs what they have.
    assert first_block[0].startswith("pip install . ")
    assert first_block[1].startswith("audioguide new ")
    assert "pip install audioguide\n" not in readme
    assert "reserved there for the first" in readme
    assert not re.search(r"^make |`make ", readme.split("## Working on audioguide")[0], re.M)
    assert "make guide" in readme and "make test" in readme


def test_the_license_is_the_mit_license_the_metadata_names() -> None:
    text = (REPO / "LICENSE").read_text("utf-8")

    assert PYPROJECT["project"]["license"] == "MIT"
    assert text.startswith("MIT License\n\nCopyright (c) audioguide contributors\n")
    assert "Permission is hereby granted, free of charge" in text
