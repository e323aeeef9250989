"""Shared ground for the build tests: one real build, copies of it, and independent readers.

:func:`shared_build` copies the fixture guide (``tests/fixtures/guide`` and
``tests/fixtures/locales``) into a temporary folder and builds it with the real espeak-ng voice
and the real ffmpeg, once per test session however many test files ask for it (each wraps it in
a session fixture named ``built``). Tests read that build and never change it; a test that
changes something works on :meth:`Site.copy` of it in its own ``tmp_path``.

What the guide *should* say is read here without audioguide: section scripts with PyYAML and the
catalogs with Babel (:class:`Expected`), so the tests compare the build against its inputs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from click.testing import CliRunner, Result
from mutagen.id3 import ID3
from PIL import Image

from audioguide import audio
from audioguide.cli import main

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
TAGS = ("en", "ko", "zh-Hans")
LOCALE_IDS = {"en": "en", "ko": "ko", "zh-Hans": "zh_Hans"}
ISO639_2 = {"en": "eng", "ko": "kor", "zh-Hans": "zho"}
BASE_URL = "https://example.org/guide/"
ANNOUNCEMENT = "Track {number} of {total}. {title}."
SUMMARY_KEYS = {
    "clips_synthesised",
    "clips_cached",
    "tracks_written",
    "tracks_unchanged",
    "audio_seconds",
    "wall_seconds",
    "warnings",
}


def other_warnings(warnings: list[str]) -> list[str]:
    """``warnings`` (a build's ``--json`` list, or the warning lines of its stderr) but the one
    each espeak-ng Korean and Mandarin edition gets: their voice is known to be poorly
    understood (tests/test_hearing.py checks it)."""
    return [text for text in warnings if "is poorly understood by listeners" not in text]


def cli_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (click < 8.2 needs mix_stderr=False)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()


# --- a guide folder and its build -----------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A guide laid out like a project: ``scripts/``, ``locales/``, ``output/``, ``cache/``."""

    root: Path

    @property
    def scripts(self) -> Path:
        return self.root / "scripts"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def po(self, language: str) -> Path:
        """A language's catalog, by BCP 47 tag (``zh-Hans``) or locale id (``zh_Hans``)."""
        locale_id = LOCALE_IDS.get(language, language)
        return self.locales / locale_id / "LC_MESSAGES" / "audioguide.po"

    @property
    def pot(self) -> Path:
        return self.locales / "audioguide.pot"

    def folders(self, command: str = "build") -> list[str]:
        """The folder options ``command`` takes, for this guide."""
        taken = {opt for param in main.commands[command].params for opt in param.opts}
        folders = {"--scripts": self.scripts, "--locales": self.locales, "--output": self.output}
        return [part for option, path in folders.items() if option in taken
                for part in (option, str(path))]  # fmt: skip

    def cli(self, *args: str) -> Result:
        """``audioguide <args>`` on this guide, in-process; a traceback fails the test."""
        folders = self.folders(args[0]) if args and args[0] in main.commands else []
        return cli_runner().invoke(
            main, [*args, *folders], prog_name="audioguide", catch_exceptions=False
        )

    run = cli

    def snapshot(self) -> dict[str, object]:
        """Every path under output/ and locales/, with bytes and mtime for files."""
        return snapshot(self.output, self.locales)

    def build(self, *args: str) -> Result:
        """``audioguide build --engine espeak --cache <cache> --json <args>``, in-process."""
        cache = [] if "--no-cache" in args else ["--cache", str(self.cache)]
        engine = [] if "--engine" in args else ["--engine", "espeak"]
        return self.cli("build", *engine, *cache, "--json", *args)

    def build_ok(self, *args: str) -> dict:
        """A build that must succeed; its summary."""
        result = self.build(*args)
        assert result.exit_code == 0, result.stdout + result.stderr
        return summary(result.stdout)

    def command(self, *args: str, cache: bool = True) -> list[str]:
        """The same build as a command line for a subprocess."""
        cached = ["--cache", str(self.cache)] if cache else ["--no-cache"]
        return [sys.executable, "-m", "audioguide", "build", "--engine", "espeak", *cached,
                "--json", *args, *self.folders()]  # fmt: skip

    def manifest(self) -> dict:
        return json.loads((self.output / "manifest.json").read_text("utf-8"))

    def copy(self, destination: Path) -> Site:
        """A copy of the whole folder (build and cache included), file times kept."""
        shutil.copytree(self.root, destination, symlinks=True)
        return Site(destination)


def snapshot(*roots: Path) -> dict[str, object]:
    """Every path under ``roots``: bytes and mtime for a file, "dir" for a folder, None for a
    root that is not there."""
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


def summary(stdout: str) -> dict:
    """The ``--json`` summary: the only line on stdout, one JSON object with the documented keys."""
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, f"stdout is not one line: {stdout!r}"
    data = json.loads(lines[0])
    assert isinstance(data, dict) and set(data) == SUMMARY_KEYS, data
    return data


def run(
    command: list[str], cwd: Path, timeout: float = 90, **kwargs
) -> subprocess.CompletedProcess:
    """A subprocess with text output, checked for hanging but not for its exit status."""
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )


def new_site(root: Path) -> Site:
    """A fresh copy of the fixture guide with complete catalogs (``audioguide update`` run)."""
    site = Site(root)
    shutil.copytree(FIXTURES / "guide", site.scripts)
    shutil.copytree(FIXTURES / "locales", site.locales)
    # audioguide's own strings grow with the tool; `update` fills them from its translations.
    result = site.cli("update")
    assert result.exit_code == 0, result.stdout + result.stderr
    return site


@dataclass(frozen=True)
class Built:
    site: Site
    summary: dict
    stderr: str


_SHARED: dict[str, Built] = {}


def shared_build(factory: pytest.TempPathFactory) -> Built:
    """The fixture guide built once per test session with espeak (``--base-url`` given).

    Test modules wrap it in a session fixture; the build itself runs only for the first one.
    Read only: copy it with :meth:`Site.copy` to change anything.
    """
    if "built" not in _SHARED:
        site = new_site(factory.mktemp("built"))
        result = site.build("--base-url", BASE_URL)
        assert result.exit_code == 0, result.stdout + result.stderr
        _SHARED["built"] = Built(site, summary(result.stdout), result.stderr)
    return _SHARED["built"]


def shared_shipped_build(factory: pytest.TempPathFactory) -> Built:
    """The shipped guide (``scripts/``, ``locales/``) built once per test session with espeak,
    as ``make guide`` builds it (no ``--base-url``). Read only."""
    if "shipped" not in _SHARED:
        site = Site(factory.mktemp("shipped"))
        shutil.copytree(TESTS.parent / "scripts", site.scripts)
        shutil.copytree(TESTS.parent / "locales", site.locales,
                        ignore=shutil.ignore_patterns("*.mo"))  # fmt: skip
        result = site.build()
        assert result.exit_code == 0, result.stdout + result.stderr
        _SHARED["shipped"] = Built(site, summary(result.stdout), result.stderr)
    return _SHARED["shipped"]


# --- the state of a folder ---------------------------------------------------------------------


def listed(data: object) -> dict[str, tuple[int, str]]:
    """Every file the manifest lists: path -> (bytes, sha256)."""
    found = {}
    if isinstance(data, dict):
        if "file" in data:
            found[data["file"]] = (data["bytes"], data["sha256"])
        for value in data.values():
            found |= listed(value)
    elif isinstance(data, list):
        for value in data:
            found |= listed(value)
    return found


def assert_manifest_is_true(site: Site) -> dict[str, tuple[int, str]]:
    """Every file the manifest lists is on disk with the size and SHA-256 it gives."""
    files = listed(site.manifest())
    assert files, "the manifest lists nothing"
    for path, (size, sha256) in files.items():
        data = (site.output / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256), path
    return files


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root``: relative path -> (bytes, st_mtime_ns); but the build's lock
    (``.audioguide.lock``), which every build takes, and which holds nothing when none runs."""
    found = {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    lock = found.pop(".audioguide.lock", None)
    assert lock is None or lock[0] == b"", "the lock still names a build"
    return found


def changed(before: dict, after: dict) -> set[str]:
    """Paths added, removed, or with other bytes or modification time."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def temporary_files(root: Path) -> list[str]:
    """Files the atomic writes leave behind when interrupted
    (``.audioguide-tmp-<name>.<random>.tmp``)."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob(".audioguide-tmp-*")
        if path.name.endswith(".tmp")
    )


# --- what the guide should say, read without audioguide -----------------------------------------


@dataclass(frozen=True)
class Section:
    id: str
    stem: str  # "01-welcome"
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Expected:
    """One language's texts: the guide's title, its sections, the announcement template."""

    tag: str
    title: str
    sections: tuple[Section, ...]
    announcement: str

    def announce(self, number: int) -> str:
        section = self.sections[number - 1]
        return self.announcement.format(
            number=number, total=len(self.sections), title=section.title
        )

    def first_cue(self, number: int) -> str:
        """The announcement's first sentence: everything before the title."""
        before = self.announcement.partition("{title}")[0]
        return before.format(number=number, total=len(self.sections)).strip()


def source_texts(scripts: Path) -> tuple[str, list[tuple[str, str, str, list[str]]]]:
    """The guide's title and its sections (id, stem, title, paragraphs), from the YAML."""
    guide = yaml.safe_load((scripts / "guide.yaml").read_text("utf-8"))
    sections = []
    for path in sorted(scripts.glob("[0-9]*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        sections.append((data["id"], path.stem, data["title"], list(data["paragraphs"])))
    return guide["title"], sections


def read_catalog(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (Babel), for translated, non-fuzzy messages."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def expected(site: Site, tag: str) -> Expected:
    title, sections = source_texts(site.scripts)
    words = {} if tag == "en" else read_catalog(site.po(tag))

    def say(text: str) -> str:
        return words.get(text, text)

    return Expected(
        tag=tag,
        title=say(title),
        sections=tuple(
            Section(id_, stem, say(heading), tuple(say(p) for p in paragraphs))
            for id_, stem, heading, paragraphs in sections
        ),
        announcement=say(ANNOUNCEMENT),
    )


def set_translation(po: Path, msgid: str, msgstr: str) -> None:
    """Change (or, with ``""``, remove) one translation in a catalog, through Babel."""
    from babel.messages.pofile import write_po

    with open(po, "rb") as handle:
        catalog = read_po(handle)
    message = catalog.get(msgid)
    assert message is not None, f"{msgid!r} is not in {po}"
    message.string = msgstr
    for each in catalog:  # Babel guesses python-format for "80% of" (python-babel/babel#1268),
        each.flags.discard("python-format")  # which makes gettext and audioguide refuse the file
    with open(po, "wb") as handle:
        write_po(handle, catalog, width=0)


# --- audio as a listener gets it --------------------------------------------------------------


def decoded_ms(path: Path) -> float:
    """The length of the audio ffmpeg decodes from ``path``, in milliseconds."""
    return len(audio.decode(path)) / audio.BYTES_PER_MS


def unzipped_daisy(book: Path, into: Path) -> Path:
    """The DAISY zip ``book`` unpacked into ``into``, as a listener copies it to a player: the
    one folder it holds, with ``ncc.html`` and every other file of the book."""
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        assert {name.partition("/")[0] for name in names} == {book.stem}, "not one folder"
        assert all(name.count("/") == 1 for name in names), "a subfolder"
        archive.extractall(into)
    return into / book.stem


def chapters(path: Path) -> list[tuple[int, int, str]]:
    """The MP3's CHAP frames in the CTOC's order: (start ms, end ms, title)."""
    tags = ID3(path)
    toc = tags.getall("CTOC")
    assert len(toc) == 1, "not one table of contents"
    frames = {chap.element_id: chap for chap in tags.getall("CHAP")}
    assert set(frames) == set(toc[0].child_element_ids), "CTOC and CHAP frames disagree"
    return [
        (frames[i].start_time, frames[i].end_time, str(frames[i].sub_frames["TIT2"].text[0]))
        for i in toc[0].child_element_ids
    ]


def assert_whole_mp3(path: Path) -> None:
    """A finished, tagged MP3: it decodes, has its tags, and its audio reaches its last chapter."""
    tags = ID3(path)
    for frame in ("TIT2", "TALB", "TLAN", "TPE1", "TCOM"):
        assert str(tags[frame].text[0]), f"{path.name}: empty {frame}"
    marks = chapters(path)
    assert marks, f"{path.name}: no chapters"
    assert decoded_ms(path) == pytest.approx(marks[-1][1], abs=50), f"{path.name} is cut short"


# --- a bigger guide, for interrupted and concurrent builds -----------------------------------

WORDS = (
    "amber", "bridge", "cedar", "delta", "ember", "falcon", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lantern", "meadow", "nimbus", "orchard", "pepper", "quarry", "river",
    "saffron", "timber", "umber", "violet", "willow", "yarrow", "zephyr",
)  # fmt: skip
BIG_SECTIONS = 12
BIG_PARAGRAPHS = 2
BIG_SENTENCES = 2  # per paragraph
# Clips per track: "Track n of 12." and the title, then every paragraph sentence.
BIG_CLIPS_PER_TRACK = 2 + BIG_PARAGRAPHS * BIG_SENTENCES


def write_big_guide(root: Path) -> Site:
    """An English-only guide of 12 sections whose sentences are all different (no shared clips),
    big enough that an espeak build takes a few seconds."""
    site = Site(root)
    site.scripts.mkdir(parents=True)
    site.locales.mkdir()
    (site.scripts / "guide.yaml").write_text(
        "id: big-guide\ntitle: The Big Guide\nsource_language: en\nlanguages: [en]\n",
        encoding="utf-8",
    )
    for n in range(1, BIG_SECTIONS + 1):
        paragraphs = []
        for p in range(BIG_PARAGRAPHS):
            sentences = []
            for s in range(BIG_SENTENCES):
                a, b, c = (WORDS[(n * 7 + p * 3 + s + k * 5) % len(WORDS)] for k in range(3))
                sentences.append(
                    f"In room {n}, part {p + 1}, the {a} display stands beside the {b} window "
                    f"and the old {c} map, which visitors have studied for many years."
                )
            paragraphs.append(" ".join(sentences))
        body = {"id": f"room-{n}", "title": f"Room {n}", "paragraphs": paragraphs}
        text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)
        (site.scripts / f"{n:02d}-room-{n}.yaml").write_text(text, encoding="utf-8")
    return site


def environment(**extra: str) -> dict[str, str]:
    """The environment for an audioguide subprocess."""
    env = dict(os.environ)
    env.update(extra)
    return env


def need(ok: bool, reason: str) -> None:
    """Skip with ``reason`` (what to install) when a tool is missing. Under CI=true the hook in
    conftest.py reports the skip as a failure: CI installs every tool."""
    if not ok:
        pytest.skip(reason)


def png(width: int, height: int, whole: bool = True) -> bytes:
    """A PNG of that size in RGB; with ``whole=False`` only its header (no pixels), which is
    all an image library reads before it decodes: a cheap way to claim any size."""
    if whole:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), "#336699").save(buffer, format="PNG")
        return buffer.getvalue()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IEND", b"")
