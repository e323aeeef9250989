"""Every input is checked before the first write.

One table: each row breaks a copy of a built guide in one way a user could, and the build must
answer with exit status 2 and one line naming the file (and line) or the option, while the output
folder and the catalogs stay byte for byte, and time for time, as they were. Then the inputs that
must *not* be refused, and the environment: no traceback, ever.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from build_helpers import (
    BASE_URL,
    Site,
    cli_runner,
    environment,
    png,
    set_translation,
    summary,
    tree,
)
from mutagen.id3 import ID3, CTOCFlags

from audioguide import audio, cli
from audioguide import build as pipeline
from audioguide.edition import Chapter
from audioguide.errors import REPORT_BUGS, InternalError

KO_PO = "locales/ko/LC_MESSAGES/audioguide.po"
KO_PLS = "locales/ko/pronunciation.pls"
SECRET = "root:$6$do-not-print-me$"
TOKEN = "hf_DoNotPrintMe0123456789"  # one word, as an access token is


def append(path: Path, text: str) -> int:
    """Add ``text`` to a file; the line number its first line lands on."""
    old = path.read_text("utf-8")
    old = old if old.endswith("\n") else old + "\n"
    path.write_text(old + text, "utf-8")
    return len(old.splitlines()) + 1


def replace(path: Path, old: str, new: str) -> int:
    """Replace the one line holding ``old`` by ``new``; that line's number."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    (number,) = [n for n, line in enumerate(lines) if old in line]
    lines[number] = new + "\n"
    path.write_text("".join(lines), "utf-8")
    return number + 1


@dataclass(frozen=True)
class Case:
    """One way to get the input wrong."""

    id: str
    # Breaks the copied guide; returns the line the error must name, or None for no line.
    breaks: Callable[[Site], int | None]
    where: str  # the end of the path the error names (or the option)
    args: tuple[str, ...] = ()  # build options, after --base-url BASE_URL
    never_shown: str | None = None  # text of the file the message must not quote


def _guide(text: str) -> Callable[[Site], int]:
    return lambda site: append(site.scripts / "guide.yaml", text)


def _welcome(old: str, new: str) -> Callable[[Site], int]:
    return lambda site: replace(site.scripts / "01-welcome.yaml", old, new)


def _laughs(site: Site) -> int:
    """A 700-byte document whose aliases expand to 9**9 values."""
    levels = ["&a [" + ", ".join(["lol"] * 9) + "]"]
    for name, inner in zip("bcdefghi", "abcdefgh", strict=True):
        levels.append(f"&{name} [" + ", ".join([f"*{inner}"] * 9) + "]")
    return append(site.scripts / "guide.yaml", f"pauses:\n  sentence: [{', '.join(levels)}]\n") + 1


def _too_big(site: Site) -> None:
    append(site.scripts / "01-welcome.yaml", ("# " + "x" * 98 + "\n") * 11_000)  # 1.1 MB


def _outside(site: Site) -> None:
    """The section is a symlink to a file outside the scripts folder (as to /etc/shadow)."""
    secret = site.root / "shadow"
    secret.write_text(f"{SECRET}:19000:0:99999:7:::\n", "utf-8")
    (site.scripts / "01-welcome.yaml").unlink()
    (site.scripts / "01-welcome.yaml").symlink_to(secret)


def _pipe(site: Site) -> None:
    """The section is a named pipe: reading it would wait forever."""
    (site.scripts / "01-welcome.yaml").unlink()
    os.mkfifo(site.scripts / "01-welcome.yaml")


def _pipe_cover(site: Site) -> int:
    """guide.yaml names a cover that is a named pipe: reading it would wait forever."""
    os.mkfifo(site.scripts / "cover.png")
    return append(site.scripts / "guide.yaml", "cover: cover.png\n")


def _folder(site: Site) -> None:
    (site.scripts / "guide.yaml").unlink()
    (site.scripts / "guide.yaml").mkdir()


def _binary(content: bytes) -> Callable[[Site], None]:
    def breaks(site: Site) -> None:
        (site.scripts / "01-welcome.yaml").write_bytes(content)

    return breaks


def _translation(text: str) -> Callable[[Site], int]:
    def breaks(site: Site) -> int:
        set_translation(site.po("ko"), "Welcome to the museum.", text)
        lines = site.po("ko").read_text("utf-8").splitlines()
        return lines.index('msgid "Welcome to the museum."') + 2  # the msgstr line

    return breaks


def _pipe_catalog(site: Site) -> None:
    site.po("ko").unlink()
    os.mkfifo(site.po("ko"))


def _plural(site: Site) -> int:
    # the line of msgid_plural
    return append(site.po("ko"), 'msgid "A room"\nmsgid_plural "Rooms"\nmsgstr[0] "방"\n') + 1


def _outside_file(site: Site, name: str, content: bytes) -> Path:
    """A file beside the guide's folders, where no input may lead."""
    path = site.root / name
    path.write_bytes(content)
    return path


def _catalog_outside(site: Site) -> None:
    """The Korean catalog is a symlink to a secret outside the locales folder."""
    secret = _outside_file(site, "token", f"{TOKEN}\n".encode())
    site.po("ko").unlink()
    site.po("ko").symlink_to(secret)


def _catalog_is_a_secret(site: Site) -> int:
    """A secret pasted into the catalog: the parse error must not repeat it."""
    return append(site.po("ko"), f"{TOKEN}\n")


def _lexicon_outside(site: Site) -> None:
    secret = _outside_file(site, "secret.pls", f"<{TOKEN}/>".encode())
    path = site.locales / "ko" / "pronunciation.pls"
    path.unlink(missing_ok=True)
    path.symlink_to(secret)


def _cover_at(value: str) -> Callable[[Site], int]:
    """guide.yaml names a square RGB PNG outside the scripts folder (``value`` leads there)."""

    def breaks(site: Site) -> int:
        _outside_file(site, "cover.png", png(1400, 1400))
        if value == "cover.png":  # a symlink inside the scripts folder, to the file outside
            (site.scripts / value).symlink_to(site.root / "cover.png")
        where = str(site.root / "cover.png") if value == "ABSOLUTE" else value
        return append(site.scripts / "guide.yaml", f"cover: {where}\n")

    return breaks


def _huge_cover(side: int) -> Callable[[Site], int]:
    def breaks(site: Site) -> int:
        (site.scripts / "cover.png").write_bytes(png(side, side, whole=False))
        return append(site.scripts / "guide.yaml", "cover: cover.png\n")

    return breaks


def _catalog_entry(text: str) -> Callable[[Site], int]:
    """An entry added to the Korean catalog; the line of its first line."""
    return lambda site: append(site.po("ko"), "\n" + text) + 1


def _language_header(site: Site) -> int:
    return replace(site.po("ko"), '"Language: ko\\n"', '"Language: ja\\n"')


def _misplaced_catalogs(site: Site) -> None:
    """The Chinese catalogs under zh_CN, a folder audioguide does not read for zh_Hans."""
    (site.locales / "zh_Hans").rename(site.locales / "zh_CN")


def _voice(name: str) -> Callable[[Site], None]:
    def breaks(site: Site) -> None:
        append(site.scripts / "guide.yaml", f'voices:\n  en: {{engine: espeak, voice: "{name}"}}\n')

    return breaks


def _lexicon(content: bytes | None) -> Callable[[Site], None]:
    """The Korean lexicon holds ``content``, or is a named pipe (None)."""

    def breaks(site: Site) -> None:
        path = site.locales / "ko" / "pronunciation.pls"
        path.unlink(missing_ok=True)
        if content is None:
            os.mkfifo(path)
        else:
            path.write_bytes(content)

    return breaks


CASES = [
    # --- options ------------------------------------------------------------------------------
    Case("base-url-ftp", lambda _: None, "--base-url", ("--base-url", "ftp://example.org/")),
    Case("base-url-no-host", lambda _: None, "--base-url", ("--base-url", "https:///guide")),
    Case("base-url-control", lambda _: None, "--base-url", ("--base-url", "https://a.org/\x07")),
    # --- guide.yaml ---------------------------------------------------------------------------
    Case("guide-base-url-ftp", _guide("base_url: ftp://example.org/\n"), "scripts/guide.yaml"),
    Case("nesting", _guide("pauses: " + "[" * 5000 + "]" * 5000 + "\n"), "scripts/guide.yaml"),
    Case("billion-laughs", _laughs, "scripts/guide.yaml"),
    Case("cover-is-a-pipe", _pipe_cover, "scripts/guide.yaml"),
    Case(
        "guide-id-too-long",
        lambda site: replace(site.scripts / "guide.yaml", "id:", "id: " + "g" * 230),
        "scripts/guide.yaml",
    ),
    # --- section scripts ----------------------------------------------------------------------
    Case("too-big", _too_big, "scripts/01-welcome.yaml"),
    Case(
        "lone-surrogate", _welcome("title:", 'title: "Wel\\uD800come"'), "scripts/01-welcome.yaml"
    ),
    Case(
        "nul", _welcome("- Welcome", '  - "Welcome\\0 to the museum."'), "scripts/01-welcome.yaml"
    ),
    Case(
        "bell", _welcome("- Welcome", '  - "Welcome\\a to the museum."'), "scripts/01-welcome.yaml"
    ),
    Case("escape-in-key", _welcome("title:", '"ti\\x1btle": Welcome'), "scripts/01-welcome.yaml"),
    Case("symlink-outside", _outside, "scripts/01-welcome.yaml", never_shown=SECRET),
    Case("section-id-too-long", _welcome("id:", "id: " + "w" * 215), "scripts/01-welcome.yaml"),
    Case("named-pipe", _pipe, "scripts/01-welcome.yaml"),
    Case("guide-is-a-folder", _folder, "scripts/guide.yaml"),
    Case("not-a-date", _welcome("title:", "title: 2001-13-45"), "scripts/01-welcome.yaml"),
    Case(
        "not-utf8",
        _binary(f"id: welcome\ntitle: {SECRET}\xff\n".encode("latin-1")),
        "scripts/01-welcome.yaml",
        never_shown=SECRET,
    ),
    Case(
        "binary",
        _binary(f"id: welcome\ntitle: {SECRET}\0\n".encode()),
        "scripts/01-welcome.yaml",
        never_shown=SECRET,
    ),
    # --- catalogs -----------------------------------------------------------------------------
    Case("plural-forms", _plural, KO_PO),
    Case("control-in-translation", _translation("박물관에\x07 오신 것을 환영합니다."), KO_PO),
    # --- voices and lexicons ------------------------------------------------------------------
    # (built with --engine espeak, the error names that option, where the voice was chosen)
    Case("voice-not-offered", _voice("../voices/!v/m1"), "--engine"),
    Case("lexicon-not-xml", _lexicon(b"<lexicon version="), KO_PLS),
    Case("lexicon-is-a-pipe", _lexicon(None), KO_PLS),
    Case("catalog-is-a-pipe", _pipe_catalog, KO_PO),
    # --- every input stays inside the guide's folders, and no error quotes what it read -------
    Case("catalog-symlink-outside", _catalog_outside, KO_PO, never_shown=TOKEN),
    Case("catalog-holds-a-secret", _catalog_is_a_secret, KO_PO, never_shown=TOKEN),
    Case("lexicon-symlink-outside", _lexicon_outside, KO_PLS, never_shown=TOKEN),
    Case("cover-absolute-path", _cover_at("ABSOLUTE"), "scripts/guide.yaml"),
    Case("cover-dot-dot", _cover_at("../cover.png"), "scripts/guide.yaml"),
    Case("cover-symlink-outside", _cover_at("cover.png"), "scripts/guide.yaml"),
    # --- catalogs and covers: one clear line ------------------------------------------------
    Case("cover-decompression-bomb-warning", _huge_cover(10_000), "scripts/guide.yaml"),
    Case("cover-decompression-bomb", _huge_cover(20_000), "scripts/guide.yaml"),
    Case(
        "msgctxt", _catalog_entry('msgctxt "menu"\nmsgid "Welcome"\nmsgstr "어서 오세요"\n'), KO_PO
    ),
    Case(
        "pybabel-update-format-flags",
        lambda site: replace(
            site.po("ko"), "#, no-python-format", "#, no-python-format, python-format"
        ),
        KO_PO,
    ),
    Case("language-header-of-another-language", _language_header, KO_PO),
    Case(
        "catalogs-in-a-zh_CN-folder", _misplaced_catalogs, "locales/zh_CN/LC_MESSAGES/audioguide.po"
    ),
    # --- accepted without a word until now --------------------------------------------------
    Case(
        "guide-base-url-newline",
        _guide('base_url: "https://example.org/\\nguide/"\n'),
        "scripts/guide.yaml",
    ),
    Case("base-url-newline", lambda _: None, "--base-url", ("--base-url", "https://a.org/\nb/")),
    Case(
        "title-of-zero-width-characters",
        _welcome("title:", 'title: "\\u200b\\u200d\\u2060\\ufeff"'),
        "scripts/01-welcome.yaml",
    ),
    Case(
        "voices-for-a-language-the-guide-lacks",
        lambda site: append(site.scripts / "guide.yaml", "voices:\n  de: {engine: espeak}\n") + 1,
        "scripts/guide.yaml",
    ),
    # --- rows that other checks add -----------------------------------------------------------
    # catalogs: a strict catalog with a broken placeholder or an unknown message
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_before_the_first_write(site: Site, case: Case, user_error) -> None:
    line = case.breaks(site)
    before = tree(site.output), tree(site.locales)

    result = site.build("--base-url", BASE_URL, *case.args)

    message = user_error(result, case.where, line)
    assert (tree(site.output), tree(site.locales)) == before
    if case.never_shown:
        assert case.never_shown not in message and "do-not-print" not in message


# --- what must not be refused ----------------------------------------------------------------


def test_one_language_needs_only_its_own_catalog(site: Site) -> None:
    site.po("zh-Hans").unlink()

    result = site.build("--base-url", BASE_URL, "--lang", "ko")

    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout)["tracks_written"] == 0  # en and ko were built already


def test_a_second_catalog_under_another_spelling_is_named_with_the_one_read(site: Site) -> None:
    """A zh_CN folder beside zh_Hans: both hold a Chinese catalog; the build says which one it
    reads, and that the other is not read, instead of leaving a translator to wonder."""
    read = site.po("zh-Hans")
    other = site.locales / "zh_CN" / "LC_MESSAGES" / "audioguide.po"
    other.parent.mkdir(parents=True)
    other.write_bytes(read.read_bytes())

    result = site.build("--base-url", BASE_URL)

    assert result.exit_code == 0, result.stderr
    assert f"audioguide: warning: {other}: another zh-Hans catalog, which is not read" in (
        result.stderr
    )
    assert f"audioguide reads {read}" in result.stderr


def test_base_url_in_any_case_and_with_non_ascii_is_accepted(site: Site) -> None:
    result = site.build("--base-url", "HTTPS://example.org/안내/guide")

    assert result.exit_code == 0, result.stderr
    feed = (site.output / "ko" / "feed.xml").read_text("utf-8")
    assert "https://example.org/%EC%95%88%EB%82%B4/guide/ko/01-welcome.mp3" in feed


def test_aliases_within_the_limits_still_work(site: Site) -> None:
    append(site.scripts / "guide.yaml", "voices:\n  ko: &offline {engine: espeak}\n"
           "  zh_Hans: *offline\n")  # fmt: skip

    result = site.build("--base-url", BASE_URL)

    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout)["tracks_written"] == 0


def _chapters_through_tocs(path: Path) -> list[tuple[int, int, str]]:
    """The chapters a player reaches from the top-level CTOC, through child CTOCs, in order."""
    tags = ID3(path)
    tocs = {toc.element_id: toc for toc in tags.getall("CTOC")}
    chaps = {chap.element_id: chap for chap in tags.getall("CHAP")}
    (top,) = [toc for toc in tocs.values() if toc.flags & CTOCFlags.TOP_LEVEL]

    def walk(toc) -> list:
        found = []
        for child in toc.child_element_ids:
            assert len(toc.child_element_ids) <= 255
            found += walk(tocs[child]) if child in tocs else [chaps[child]]
        return found

    return [(c.start_time, c.end_time, str(c.sub_frames["TIT2"].text[0])) for c in walk(top)]


@pytest.mark.parametrize("count", [255, 256, 700])
def test_any_number_of_chapters_is_tagged(tmp_path: Path, count: int) -> None:
    path = tmp_path / "many.mp3"
    audio.encode_normalised([audio.pause(200, 22_050)], path)  # silence: encoded as it is
    chapters = tuple(Chapter(n * 10, n * 10 + 10, f"paragraph {n + 1}") for n in range(count))
    tags = audio.Tags("t", "album", "1/1", "eng", ("espeak en",), "text", chapters, "inputs")

    audio.write_tags(path, tags)

    assert _chapters_through_tocs(path) == [(c.start_ms, c.end_ms, c.title) for c in chapters]


def test_a_section_of_hundreds_of_paragraphs_builds(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.scripts.mkdir()
    site.locales.mkdir()
    (site.scripts / "guide.yaml").write_text(  # no pauses: a shorter track, a quicker test
        "id: long\ntitle: Long\nlanguages: [en]\n"
        "pauses: {sentence: 0, paragraph: 0, announcement: 0}\n",
        "utf-8",
    )
    words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    paragraphs = "".join(f"  - {words[n % 10]}.\n" for n in range(256))
    (site.scripts / "01-long.yaml").write_text(f"id: long\ntitle: Long\nparagraphs:\n{paragraphs}")

    done = site.build_ok()

    assert done["tracks_written"] == 1
    marks = _chapters_through_tocs(site.output / "en" / "01-long.mp3")
    assert len(marks) == 256 and marks[-1][2] == "six."


# --- no traceback from any environment, and bugs owned up to ---------------------------------


def test_no_environment_at_all(site: Site) -> None:
    """``env -i audioguide stats``: no PATH, no HOME, no locale."""
    command = [sys.executable, "-m", "audioguide", "stats", *site.folders("stats")]

    done = subprocess.run(command, env={}, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("language ")


def test_a_bug_says_it_is_a_bug_in_one_line(site: Site, monkeypatch) -> None:
    for fault in (InternalError("the plan lost a track"), KeyError("PATH")):

        def broken(*args, fault=fault, **kwargs):
            raise fault

        monkeypatch.setattr(pipeline, "build", broken)  # the CLI imports it when it runs
        result = site.build()

        assert result.exit_code == cli.EXIT_BUG == 3
        message = result.stderr.strip()
        assert "\n" not in message and "Traceback" not in message
        assert message.startswith("audioguide: internal error, a bug in audioguide (")
        assert type(fault).__name__ in message and REPORT_BUGS in message


def test_verbose_shows_the_trail_of_a_bug(site: Site, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise InternalError("the plan lost a track")

    monkeypatch.setattr(pipeline, "build", broken)  # the CLI imports it when it runs
    result = site.build("--verbose")

    assert result.exit_code == 3
    assert "Traceback" in result.stderr and "the plan lost a track" in result.stderr


def test_without_path_a_build_still_runs(built, tmp_path: Path) -> None:
    site = built.site.copy(tmp_path / "site")
    env = {key: value for key, value in environment().items() if key != "PATH"}

    done = subprocess.run(site.command(), env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    assert summary(done.stdout)["tracks_written"] == 0


@pytest.mark.parametrize("text", ["a\x07b", "\ud800", "tab\tand\nnewline \x1b[31m"])
def test_say_refuses_text_with_control_characters(site: Site, text: str, user_error) -> None:
    result = site.cli("say", "--engine", "espeak", "-o", str(site.root / "say.mp3"), text)

    message = user_error(result, "TEXT")
    assert "U+" in message and not (site.root / "say.mp3").exists()


# --- writes go only to regular files the command owns ------------------------------------------


def _say(project, *args: str):
    return project.run("say", "--engine", "espeak", "Welcome.", *args)


def test_say_never_replaces_a_pipe_or_device(project, tmp_path: Path, user_error) -> None:
    fifo = tmp_path / "node"
    os.mkfifo(fifo)
    user_error(_say(project, "-o", str(fifo)), "-o", None)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("target", ["scripts/guide.yaml", KO_PO, "scripts/new.mp3"])
def test_say_never_writes_into_the_guide(project, target: str, user_error) -> None:
    path = project.root / target
    before = path.read_bytes() if path.exists() else None
    message = user_error(_say(project, "-o", str(path)), "-o", None)
    assert "inside the guide's folder" in message
    assert (path.read_bytes() if path.exists() else None) == before


def test_say_creates_no_folder(project, tmp_path: Path, user_error) -> None:
    missing = tmp_path / "nonexistent"
    message = user_error(_say(project, "-o", str(missing / "word.mp3")), "-o", None)
    assert "does not exist" in message
    assert not missing.exists()


def test_say_replaces_an_mp3_but_no_other_file(project, tmp_path: Path, user_error) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", "utf-8")
    user_error(_say(project, "-o", str(notes)), "-o", None)
    assert notes.read_text("utf-8") == "my notes\n"

    word = tmp_path / "word.mp3"
    assert _say(project, "-o", str(word)).exit_code == 0
    first = word.read_bytes()
    result = project.run("say", "--engine", "espeak", "Goodbye.", "-o", str(word))
    assert result.exit_code == 0, result.stderr
    assert word.read_bytes() != first


@pytest.mark.parametrize("where", ["scripts", "locales", "scripts/out", "."])
def test_the_output_folder_is_not_the_guide(project, where: str, user_error) -> None:
    before = tree(project.scripts), tree(project.locales)
    folders = ["--scripts", str(project.scripts), "--locales", str(project.locales)]
    result = cli_runner().invoke(
        cli.main,
        ["build", "--engine", "espeak", *folders, "--output", str(project.root / where)],
        catch_exceptions=False,
    )
    message = user_error(result, "--output", None)
    assert "overlaps" in message
    assert (tree(project.scripts), tree(project.locales)) == before


@pytest.mark.parametrize("theirs", ["index.html", "manifest.json", "assets/player.js"])
def test_a_file_the_build_did_not_make_is_never_overwritten(
    project, theirs: str, user_error
) -> None:
    path = project.output / theirs
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("someone's own file\n", "utf-8")
    before = tree(project.output)
    message = user_error(project.run("build", "--engine", "espeak"), f"output/{theirs}", None)
    assert "was not made by audioguide" in message
    assert tree(project.output) == before


def test_a_pipe_where_the_build_writes_is_refused_before_anything_changes(
    site: Site, user_error
) -> None:
    captions = site.output / "ko" / "01-welcome.vtt"
    captions.unlink()
    os.mkfifo(captions)
    before = tree(site.output)
    message = user_error(site.build("--base-url", BASE_URL), "output/ko/01-welcome.vtt", None)
    assert "not a regular file" in message
    assert tree(site.output) == before


def test_warnings_never_come_before_the_error_that_stops_the_build(site: Site, user_error):
    set_translation(site.po("ko"), "Welcome to the museum.", "")  # a warning: untranslated
    line = append(site.po("zh-Hans"), 'msgid "Broken\n')  # an error: an unterminated string
    result = site.build()  # no --base-url: a warning about the feeds' links too
    user_error(result, "locales/zh_Hans/LC_MESSAGES/audioguide.po", line)
    assert "audioguide: warning" not in result.stderr


@pytest.mark.parametrize("kind", ["symlink", "dangling-symlink", "hard-link", "pipe"])
def test_a_lock_file_that_is_not_a_plain_file_of_ours_is_refused(
    site: Site, kind: str, user_error
) -> None:
    """The build's lock is never opened through a link: truncating it would truncate the file
    it leads to, and a dangling one would create a file outside the output folder."""
    victim = site.root / "victim.txt"
    lock = site.output / ".audioguide.lock"
    lock.unlink(missing_ok=True)
    before = tree(site.output)
    if kind == "symlink":
        victim.write_text("someone's notes\n", "utf-8")
        lock.symlink_to(Path("..") / "victim.txt")
    elif kind == "dangling-symlink":
        lock.symlink_to(Path("..") / "victim.txt")
    elif kind == "hard-link":
        victim.write_text("someone's notes\n", "utf-8")
        os.link(victim, lock)
    else:
        os.mkfifo(lock)
    planted = os.lstat(lock)
    message = user_error(site.build("--base-url", BASE_URL), "output/.audioguide.lock", None)
    assert "remove it" in message
    assert (os.lstat(lock).st_ino, os.lstat(lock).st_mode) == (planted.st_ino, planted.st_mode)
    lock.unlink()
    assert tree(site.output) == before
    if kind == "dangling-symlink":
        assert not victim.exists()
    elif kind != "pipe":
        assert victim.read_text("utf-8") == "someone's notes\n"


# --- the cache and the output are folders of their own, outside the guide ----------------------


@pytest.mark.parametrize("where", ["scripts", "locales", "scripts/cache"])
def test_the_cache_is_not_put_into_the_guide(site: Site, where: str, user_error) -> None:
    before = tree(site.scripts), tree(site.locales), tree(site.output)
    message = user_error(site.build("--cache", str(site.root / where)), "--cache", None)
    assert "inside" in message or "overlaps" in message
    assert (tree(site.scripts), tree(site.locales), tree(site.output)) == before


@pytest.mark.parametrize("option", ["--cache", "--output"])
def test_a_file_given_for_a_folder_is_named_with_what_to_do(project, option: str, user_error):
    given = project.root / "notes.txt"
    given.write_text("my notes\n", "utf-8")
    folders = {"--scripts": project.scripts, "--locales": project.locales}
    folders |= {"--output": project.output, "--cache": project.root / "cache", option: given}
    command = ["build", "--engine", "espeak", *(f"{o}={p}" for o, p in folders.items())]
    message = user_error(cli_runner().invoke(cli.main, command, catch_exceptions=False), option)
    assert f"{given} is a file" in message and "give a folder" in message
    assert given.read_text("utf-8") == "my notes\n"
    assert sorted(p.name for p in project.output.iterdir()) == ["README.md"]  # not even a lock


def test_a_linked_subfolder_of_the_output_is_refused(site: Site, user_error) -> None:
    elsewhere = site.root / "elsewhere"
    (site.output / "en").rename(elsewhere)
    (site.output / "en").symlink_to(Path("..") / "elsewhere")
    (elsewhere / "01-welcome.mp3").unlink()  # something to write there
    before = tree(elsewhere), tree(site.output)
    message = user_error(site.build("--base-url", BASE_URL), "output/en", None)
    assert "symbolic link" in message
    assert (tree(elsewhere), tree(site.output)) == before


def test_a_name_too_long_for_the_file_system_says_how_long_it_may_be(project, tmp_path, user_error):
    target = tmp_path / ("a" * 250 + ".mp3")
    message = user_error(_say(project, "-o", str(target)), target.name)
    assert ".audioguide-tmp-" not in message and "bytes" in message and "shorter name" in message
    assert list(tmp_path.glob("*.mp3")) == []


@pytest.mark.parametrize("refused", ["creating a file (read-only)", "replacing one (sticky)"])
def test_a_folder_that_refuses_the_write_is_named_with_what_to_do(
    project, tmp_path: Path, monkeypatch, refused: str, user_error
) -> None:
    """What a read-only or sticky folder answers a user who is not root (the tests may run as
    root, whom no folder refuses: the system's answer is stood in for)."""
    from audioguide import files

    def refuse(*args, **kwargs):
        code = errno.EACCES if refused.startswith("creating") else errno.EPERM
        raise OSError(code, os.strerror(code), str(tmp_path / ".audioguide-tmp-word.mp3.x.tmp"))

    target = "tempfile.mkstemp" if refused.startswith("creating") else "os.replace"
    monkeypatch.setattr(f"{files.__name__}.{target}", refuse)
    folder = tmp_path / "theirs"
    folder.mkdir()
    message = user_error(_say(project, "-o", str(folder / "word.mp3")), "word.mp3")
    assert ".audioguide-tmp-" not in message and "give a path in a folder of yours" in message
    assert list(folder.iterdir()) == []
