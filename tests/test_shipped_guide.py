"""The guide that ships in scripts/ and locales/, and audioguide's own translations."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from audioguide import catalogs
from audioguide.cli import main
from audioguide.script import load_guide
from audioguide.strings import STRINGS

REPO = Path(__file__).parent.parent
SCRIPTS = REPO / "scripts"
LOCALES = REPO / "locales"
# The author's text as it was given, kept beside the tests so the check runs anywhere.
SOURCE_TEXT = Path(__file__).parent / "fixtures" / "the-other-side-of-the-story.txt"
LANGUAGES = ["ko", "zh_Hans"]
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _read(path: Path):
    return read_po(io.BytesIO(path.read_bytes()), domain="audioguide")


def test_shipped_guide_loads() -> None:
    guide = load_guide(SCRIPTS)

    assert guide.id == "the-other-side-of-the-story"
    assert [lang.tag for lang in guide.languages] == ["en", "ko", "zh-Hans"]
    assert 5 <= len(guide.sections) <= 6
    assert all(section.title.value for section in guide.sections)


def test_paragraphs_are_the_authors_text_in_order() -> None:
    title, *rest = SOURCE_TEXT.read_text(encoding="utf-8").strip().split("\n", 1)
    source = [" ".join(p.split()) for p in "".join(rest).split("\n\n") if p.strip()]
    guide = load_guide(SCRIPTS)

    paragraphs = [p.value for section in guide.sections for p in section.paragraphs]

    assert guide.title.value == title.strip()
    assert paragraphs == source


def test_shipped_catalogs_are_complete_and_placeholder_consistent() -> None:
    results = catalogs.stats(load_guide(SCRIPTS), LOCALES)

    assert [s.language.locale_id for s in results] == LANGUAGES
    for s in results:
        assert (s.fuzzy, s.untranslated, s.broken, s.problems()) == (0, 0, 0, [])
        assert s.complete


def test_stats_check_passes_on_the_shipped_guide() -> None:
    runner = CliRunner()
    args = ["stats", "--check", "--scripts", str(SCRIPTS), "--locales", str(LOCALES)]

    result = runner.invoke(main, args, catch_exceptions=False)

    assert result.exit_code == 0, result.output


def test_extract_and_update_leave_the_shipped_catalogs_byte_identical(tmp_path: Path) -> None:
    shutil.copytree(SCRIPTS, tmp_path / "scripts")
    shutil.copytree(LOCALES, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    folders = ["--scripts", "scripts", "--locales", "locales"]

    for command in ("extract", "update"):
        done = subprocess.run(
            [sys.executable, "-m", "audioguide", command, *folders],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    for name in ["audioguide.pot", *(f"{lang}/LC_MESSAGES/audioguide.po" for lang in LANGUAGES)]:
        assert (tmp_path / "locales" / name).read_bytes() == (LOCALES / name).read_bytes(), name


def test_an_edited_paragraph_gives_catalogs_gettext_accepts(tmp_path: Path, gettext) -> None:
    """The long fuzzy entry's #| lines are wrapped as gettext wraps them."""
    shutil.copytree(SCRIPTS, tmp_path / "scripts")
    shutil.copytree(LOCALES, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    journey = tmp_path / "scripts" / "03-journey.yaml"
    text = journey.read_text(encoding="utf-8")
    assert "safely travel" in text
    journey.write_text(text.replace("safely travel", "travel safely"), encoding="utf-8")
    folders = ["--scripts", "scripts", "--locales", "locales"]

    for command in ("extract", "update"):
        done = subprocess.run(
            [sys.executable, "-m", "audioguide", command, *folders],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    for name in ["audioguide.pot", *(f"{lang}/LC_MESSAGES/audioguide.po" for lang in LANGUAGES)]:
        path = tmp_path / "locales" / name
        checked = gettext("msgfmt", "-c", "-o", "/dev/null", path)
        assert checked.returncode == 0, checked.stderr.decode()
        assert gettext("msgcat", path).stdout == path.read_bytes(), name
        if name != "audioguide.pot":
            assert "#| " in path.read_text(encoding="utf-8")


def test_pybabel_compile_counts_every_message_translated(tmp_path: Path) -> None:
    shutil.copytree(LOCALES, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    pybabel = Path(sys.executable).with_name("pybabel")

    done = subprocess.run(
        [str(pybabel), "compile", "-d", "locales", "-D", "audioguide", "--statistics"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    report = done.stdout + done.stderr
    for lang in LANGUAGES:
        found = re.search(rf"(\d+) of (\d+) messages \(100%\) translated in \S*/{lang}/", report)
        assert found and found.group(1) == found.group(2), report
        assert (tmp_path / "locales" / lang / "LC_MESSAGES" / "audioguide.mo").is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_package_translates_every_tool_string_with_the_same_placeholders(lang: str) -> None:
    shipped = _read(REPO / "audioguide" / "locales" / lang / "LC_MESSAGES" / "audioguide.po")

    for string in STRINGS:
        message = shipped.get(string.msgid)
        assert message is not None, f"{lang} lacks {string.msgid!r}"
        assert message.string and not message.fuzzy, string.msgid
        wanted = set(_PLACEHOLDER.findall(string.msgid))
        assert set(_PLACEHOLDER.findall(message.string)) == wanted, string.msgid
        assert catalogs.placeholder_problem(string.msgid, message.string) is None


def _spoken_sentences(tag: str) -> list[tuple[str, str]]:
    """Every sentence of the shipped guide in one language as the espeak voice is given it
    (split, the lexicon and espeak's text rules applied), with the section it is in: the
    announcement, the title and each paragraph, as the build speaks them."""
    from audioguide import lexicon, strings
    from audioguide.speakers import choose, sentences

    guide = load_guide(SCRIPTS)
    language = guide.language(tag)
    translation = catalogs.translation(guide, LOCALES, language)
    lexicons = {language.tag: lexicon.load(LOCALES, language)}
    who = choose(guide, [language], lexicons, "espeak")[language.tag]
    found = []
    for number, section in enumerate(guide.sections, 1):
        title = translation(section.title.value).text
        texts = [
            translation.tool(
                strings.TRACK_ANNOUNCEMENT, number=number, total=len(guide.sections), title=title
            ),
            *(translation(p.value).text for p in section.paragraphs),
        ]
        found += [(section.id, said) for text in texts for _, said, _ in sentences(text, who)]
    return found


def test_chinese_border_lockdowns_are_read_as_extreme_not_as_duandi() -> None:
    """espeak reads 端的 in 极端的边境 as one word (duāndì): the listener heard "jí duāndì
    biānjìng". The translation says 极其严厉的边境封锁 instead."""
    spoken = [said for section, said in _spoken_sentences("zh_Hans") if section == "pandemic"]

    assert not any("极端的边境" in said for said in spoken), spoken
    assert any("极其严厉的边境封锁" in said for said in spoken), spoken


@pytest.mark.parametrize(("tag", "most"), [("ko", 80), ("zh_Hans", 55)])
def test_no_sentence_is_too_long_to_hold_by_ear(tag: str, most: int) -> None:
    """No sentence is longer than a listener can hold: about 11 s of speech, the longest the
    review for listening accepted (80 Korean characters with their spaces; 55 Chinese
    characters, which espeak reads more slowly). The Chinese edition's 14-17 s sentences, and
    Korean ones of 82 and 90 characters, were split."""
    longest = max(_spoken_sentences(tag), key=lambda found: len(found[1]))

    assert len(longest[1]) <= most, longest


@pytest.mark.parametrize(
    "path",
    [
        *(LOCALES / lang / "LC_MESSAGES" / "audioguide.po" for lang in LANGUAGES),
        *(REPO / "audioguide" / "locales" / lang / "LC_MESSAGES" / "audioguide.po"
          for lang in LANGUAGES),
    ],
    ids=lambda path: str(path.relative_to(REPO)),
)  # fmt: skip
def test_shipped_catalogs_pass_gettext_without_a_warning(path: Path, gettext) -> None:
    """A translator opening a shipped catalog in Poedit sees no warning: the header names who
    revised it and when, and its team (msgfmt -c warns when any of them is missing)."""
    checked = gettext("msgfmt", "-c", "-o", "/dev/null", path)

    assert (checked.returncode, checked.stderr.decode()) == (0, "")
