"""The catalog workflow: extract, update, stats, compile and translation, with real Babel."""

from __future__ import annotations

import gettext
import io
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from audioguide import catalogs
from audioguide.languages import resolve
from audioguide.script import load_guide
from audioguide.strings import STRINGS, TRACK_ANNOUNCEMENT

REPO = Path(__file__).parent.parent
PACKAGE_LOCALES = REPO / "audioguide" / "locales"
TOOL_MSGIDS = {string.msgid for string in STRINGS}
PERCENT = "Around 80% of visitors came back after COVID-19."
GOODBYE = "Thank you for listening."


def _read(path: Path):
    return read_po(io.BytesIO(path.read_bytes()), domain="audioguide")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _flags_line(text: str, msgid: str) -> str:
    """The ``#,`` line just above ``msgid "<msgid>"`` (empty when there is none)."""
    lines = text.splitlines()
    index = lines.index(f'msgid "{msgid}"')
    above = lines[index - 1]
    return above if above.startswith("#,") else ""


# --- extract -------------------------------------------------------------------------------


def test_extractor_is_registered_for_babel() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="babel.extractors")}

    assert found.get("audioguide") == "audioguide.catalogs:extract_yaml"
    assert "[audioguide:" in (REPO / "babel.cfg").read_text(encoding="utf-8")


def test_pybabel_extract_with_shipped_babel_cfg_gives_the_same_script_messages(project) -> None:
    shutil.copy(REPO / "babel.cfg", project.root / "babel.cfg")
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", "pybabel.pot", "scripts"],
        cwd=project.root, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert project.run("extract").exit_code == 0

    def messages(path: Path) -> dict:
        return {
            m.id: (m.locations, m.auto_comments)
            for m in _read(path)
            if m.id and m.id not in TOOL_MSGIDS
        }

    theirs = messages(project.root / "pybabel.pot")
    ours = messages(project.pot)
    assert len(ours) == 9
    assert theirs == ours
    assert theirs[PERCENT] == (
        [("scripts/02-numbers.yaml", 5)],
        ["section numbers: paragraph 1", "Write numbers as a listener would expect to hear them."],
    )


def test_extract_writes_template_with_references_and_section_comments(project) -> None:
    project.pot.unlink()

    result = project.run("extract")

    assert result.exit_code == 0, result.output
    assert "written" in result.stdout
    text = project.pot.read_text(encoding="utf-8")
    assert (
        "#. section welcome: paragraph 2\n"
        "#: scripts/01-welcome.yaml:5\n"
        'msgid "This guide has three short parts. Each part is one track."\n'
        'msgstr ""\n'
    ) in text
    assert '#. guide title\n#: scripts/guide.yaml:3\nmsgid "The Test Guide"\n' in text
    assert "#. Write numbers as a listener would expect to hear them.\n" in text
    template = _read(project.pot)
    assert [m.id for m in template if m.id][:3] == [
        "The Test Guide",
        "A short guide that the tests build.",
        "Welcome",
    ]
    assert TOOL_MSGIDS <= {m.id for m in template}
    assert "msgctxt" not in text


def test_identical_text_is_one_message_with_every_location(project) -> None:
    (project.scripts / "04-again.yaml").write_text(
        "id: again\ntitle: Welcome\nparagraphs:\n  - Welcome to the museum.\n", encoding="utf-8"
    )

    assert project.run("extract").exit_code == 0

    text = project.pot.read_text(encoding="utf-8")
    assert text.count('msgid "Welcome to the museum."') == 1
    assert text.count('msgid "Welcome"') == 1
    message = _read(project.pot)["Welcome to the museum."]
    assert message.locations == [("scripts/01-welcome.yaml", 4), ("scripts/04-again.yaml", 4)]


def test_second_extract_leaves_the_template_byte_identical(project) -> None:
    project.pot.unlink()
    assert project.run("extract").exit_code == 0
    before = project.snapshot()

    result = project.run("extract")

    assert "unchanged" in result.stdout
    assert project.snapshot() == before


# --- update --------------------------------------------------------------------------------


def test_update_creates_catalogs_with_correct_headers(project) -> None:
    shutil.rmtree(project.locales)

    result = project.run("update")

    assert result.exit_code == 0, result.output
    assert "ko: created" in result.stdout
    assert "zh_Hans: created" in result.stdout
    for locale_id in ("ko", "zh_Hans"):
        text = project.po(locale_id).read_text(encoding="utf-8")
        header = text.split('msgid ""', 1)[0] + text.split('msgid ""', 1)[1].split("\n\n", 1)[0]
        assert f'"Language: {locale_id}\\n"' in header
        assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
        assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
        assert "fuzzy" not in header
        catalog = _read(project.po(locale_id))
        assert catalog.fuzzy is False
        assert str(catalog.locale) == locale_id


def test_update_only_the_language_asked_for_in_any_spelling(project) -> None:
    shutil.rmtree(project.locales)

    result = project.run("update", "--lang", "zh-CN")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == ["zh_Hans: created"]
    assert project.po("zh_Hans").is_file()
    assert not project.po("ko").exists()


def test_update_keeps_translations(project) -> None:
    before = {m.id: m.string for m in _read(project.po("ko")) if m.id}
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you all for listening.")

    assert project.run("update").exit_code == 0

    after = {m.id: m.string for m in _read(project.po("ko")) if m.id}
    del before[GOODBYE]
    for msgid, string in before.items():
        assert after[msgid] == string
        assert string


def test_changed_source_message_becomes_fuzzy_with_previous_msgid(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")

    assert project.run("update").exit_code == 0

    for locale_id, translation in (
        ("ko", "들어 주셔서 감사합니다."),
        ("zh_Hans", "感谢您的收听。"),
    ):
        text = project.po(locale_id).read_text(encoding="utf-8")
        assert (
            "#, fuzzy\n"
            f'#| msgid "{GOODBYE}"\n'
            'msgid "Thank you so much for listening."\n'
            f'msgstr "{translation}"\n'
        ) in text
        message = catalogs.load(project.locales, resolve(locale_id))[
            "Thank you so much for listening."
        ]
        assert message.fuzzy
        assert message.previous_id == [GOODBYE]
        assert message.string == translation


def test_fuzzy_message_keeps_its_previous_msgid_through_later_updates(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    welcome = project.scripts / "01-welcome.yaml"
    _edit(welcome, "three short parts.", "three very short parts.")
    assert project.run("update").exit_code == 0
    before = project.snapshot()

    result = project.run("update")

    assert result.stdout.strip().splitlines() == ["ko: unchanged", "zh_Hans: unchanged"]
    assert project.snapshot() == before
    text = project.po("ko").read_text(encoding="utf-8")
    assert f'#| msgid "{GOODBYE}"\n' in text
    assert '#| msgid "This guide has three short parts. Each part is one track."\n' in text
    assert "# |" not in text  # not turned into a translator comment


def test_previous_msgid_stays_the_english_the_translation_was_made_for(project) -> None:
    """After two edits, ``#|`` still shows the text the Korean was translated from."""
    welcome = project.scripts / "01-welcome.yaml"
    original = "This guide has three short parts. Each part is one track."
    first = "This guide has three short parts. Each part is one track, and each track is short."
    second = "This guide has three short parts. Each part is one track, and every track is short."
    _edit(welcome, "Each part is one track.", first.split("parts. ", 1)[1])
    assert project.run("update").exit_code == 0
    _edit(welcome, "and each track", "and every track")
    assert project.run("update").exit_code == 0
    before = project.snapshot()

    assert project.run("update").exit_code == 0

    assert project.snapshot() == before
    message = catalogs.load(project.locales, resolve("ko"))[second]
    assert message.fuzzy
    assert message.previous_id == [original]
    assert message.user_comments == []


def test_removed_message_is_kept_obsolete_and_revived_when_it_returns(project) -> None:
    welcome = project.scripts / "01-welcome.yaml"
    original = welcome.read_text(encoding="utf-8")
    catalog_before = project.po("ko").read_bytes()
    _edit(welcome, "  - Welcome to the museum.\n", "")

    assert project.run("update").exit_code == 0

    text = project.po("ko").read_text(encoding="utf-8")
    assert '#~ msgid "Welcome to the museum."\n#~ msgstr "박물관에 오신 것을 환영합니다."\n' in text
    assert '\nmsgid "Welcome to the museum."' not in text

    welcome.write_text(original, encoding="utf-8")
    assert project.run("update").exit_code == 0

    catalog = _read(project.po("ko"))
    assert catalog["Welcome to the museum."].string == "박물관에 오신 것을 환영합니다."
    assert not catalog["Welcome to the museum."].fuzzy
    assert "#~" not in project.po("ko").read_text(encoding="utf-8")

    def without_date(data: bytes) -> list[bytes]:  # the template was remade in between
        return [line for line in data.splitlines() if b"POT-Creation-Date" not in line]

    assert without_date(project.po("ko").read_bytes()) == without_date(catalog_before)


def test_second_update_changes_nothing(project) -> None:
    shutil.rmtree(project.locales)
    assert project.run("update").exit_code == 0
    before = project.snapshot()

    result = project.run("update")

    assert result.stdout.strip().splitlines() == ["ko: unchanged", "zh_Hans: unchanged"]
    assert project.snapshot() == before


def test_update_of_complete_catalogs_changes_nothing(project) -> None:
    before = project.snapshot()

    assert project.run("extract").exit_code == 0
    assert project.run("update").exit_code == 0

    assert project.snapshot() == before


@pytest.mark.parametrize("locale_id", ["ko", "zh_Hans"])
def test_new_catalogs_get_the_shipped_translations_of_tool_strings(project, locale_id) -> None:
    shutil.rmtree(project.locales)

    assert project.run("update").exit_code == 0  # both languages in one run

    shipped = _read(PACKAGE_LOCALES / locale_id / "LC_MESSAGES" / "audioguide.po")
    catalog = _read(project.po(locale_id))
    for msgid in TOOL_MSGIDS:
        assert catalog[msgid].string == shipped[msgid].string
        assert catalog[msgid].string
    guide_messages = [m for m in catalog if m.id and m.id not in TOOL_MSGIDS]
    assert len(guide_messages) == 9
    assert not any(m.string for m in guide_messages)  # nobody translated the guide yet


def test_tool_string_changed_since_a_catalog_was_made_gets_the_shipped_translation(
    project,
) -> None:
    # The catalog holds an older wording of a tool string, as after an upgrade of audioguide.
    _edit(
        project.po("ko"),
        f'msgid "{TRACK_ANNOUNCEMENT}"',
        'msgid "Track {number} of {total}: {title}"',
    )
    _edit(
        project.po("ko"),
        "전체 {total}개 트랙 중 {number}번 트랙. {title}.",
        "{number}번 트랙: {title}",
    )

    assert project.run("update").exit_code == 0

    message = _read(project.po("ko"))[TRACK_ANNOUNCEMENT]
    assert message.string == "전체 {total}개 트랙 중 {number}번 트랙. {title}."
    assert not message.fuzzy
    assert not message.previous_id
    assert project.run("stats", "--check").exit_code == 0


def test_translators_own_wording_of_a_tool_string_is_kept(project) -> None:
    _edit(
        project.po("ko"),
        "전체 {total}개 트랙 중 {number}번 트랙.",
        "전체 {total}개 중 {number}번째 트랙입니다.",
    )

    assert project.run("update").exit_code == 0

    assert _read(project.po("ko"))[TRACK_ANNOUNCEMENT].string == (
        "전체 {total}개 중 {number}번째 트랙입니다. {title}."
    )


def test_percent_message_is_no_python_format_everywhere(project) -> None:
    shutil.rmtree(project.locales)
    assert project.run("update").exit_code == 0
    assert project.run("update").exit_code == 0  # a merge into existing catalogs

    for path in (project.pot, project.po("ko"), project.po("zh_Hans")):
        assert _flags_line(path.read_text(encoding="utf-8"), PERCENT) == "#, no-python-format"


# --- stats ---------------------------------------------------------------------------------


def _stats_rows(stdout: str) -> dict[str, tuple[int, int, int, int, str]]:
    """language: (translated, fuzzy, untranslated, broken, done)."""
    rows = {}
    for line in stdout.splitlines():
        found = re.fullmatch(r"(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+%)", line.strip())
        if found:
            name, *counts, percent = found.groups()
            rows[name] = (*map(int, counts), percent)
    return rows


def test_stats_counts_translated_fuzzy_and_untranslated(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    _edit(project.scripts / "01-welcome.yaml", "  - Welcome to the museum.\n",
          "  - Welcome to the museum.\n  - Please switch off your phone now.\n")  # fmt: skip
    assert project.run("update", "--lang", "ko").exit_code == 0

    result = project.run("stats")

    assert result.exit_code == 0
    n = len(STRINGS) + 8  # translated: the tool strings and 8 of the guide's 10 messages
    percent = f"{100 * n / (n + 2):.1f}%"
    assert _stats_rows(result.stdout) == {
        "ko": (n, 1, 1, 0, percent),
        # zh_Hans was not updated: its catalog lacks both new texts
        "zh_Hans": (n, 0, 2, 0, percent),
    }


def test_stats_check_passes_for_complete_catalogs(project) -> None:
    result = project.run("stats", "--check")

    assert result.exit_code == 0, result.output
    total = len(STRINGS) + 9
    assert _stats_rows(result.stdout) == {
        "ko": (total, 0, 0, 0, "100.0%"),
        "zh_Hans": (total, 0, 0, 0, "100.0%"),
    }


def test_stats_check_fails_for_an_incomplete_language(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    assert project.run("update").exit_code == 0

    result = project.run("stats", "--check")

    assert result.exit_code not in (0, 2)
    assert "incomplete: ko, zh_Hans" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("트랙. {title}.", "트랙.", "loses {title}"),
        ("트랙. {title}.", "트랙. {title} {name}.", "adds {name}"),
        ("{number}번 트랙.", "{numero}번 트랙.", "loses {number}; adds {numero}"),
    ],
)
def test_stats_check_fails_when_a_translation_loses_or_adds_a_placeholder(
    project, old, new, problem
) -> None:
    _edit(project.po("ko"), old, new)

    result = project.run("stats", "--check")

    assert result.exit_code not in (0, 2)
    assert "incomplete: ko" in result.stderr
    assert f"the translation {problem}" in result.stdout
    found = re.search(r"audioguide\.po:(\d+): the translation", result.stdout)
    line = project.po("ko").read_text(encoding="utf-8").splitlines()[int(found.group(1)) - 1]
    assert line == f'msgid "{TRACK_ANNOUNCEMENT}"'  # the line points at the message


# --- compile and translation ---------------------------------------------------------------


def test_compile_writes_mo_files_that_gettext_reads(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    assert project.run("update").exit_code == 0

    result = project.run("compile")

    assert result.exit_code == 0, result.output
    assert "2 catalog(s) compiled" in result.stdout
    for locale_id, welcome in (("ko", "환영합니다"), ("zh_Hans", "欢迎")):
        with project.po(locale_id).with_suffix(".mo").open("rb") as handle:
            translations = gettext.GNUTranslations(handle)
        assert translations.gettext("Welcome") == welcome
        assert translations.gettext(PERCENT) != PERCENT
        # fuzzy translations stay out of the .mo
        fuzzy = "Thank you so much for listening."
        assert translations.gettext(fuzzy) == fuzzy
        assert translations.info()["language"] == locale_id
    assert project.run("compile").stdout.strip() == "0 catalog(s) compiled"


def test_translation_falls_back_to_source_for_fuzzy_and_untranslated(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    _edit(project.scripts / "01-welcome.yaml", "  - Welcome to the museum.\n",
          "  - Welcome to the museum.\n  - Please switch off your phone now.\n")  # fmt: skip
    assert project.run("update").exit_code == 0
    guide = load_guide(project.scripts)

    korean = catalogs.translation(guide, project.locales, resolve("ko"))
    assert korean("Welcome") == catalogs.Translated("환영합니다", False)
    fuzzy = "Thank you so much for listening."
    assert korean(fuzzy) == catalogs.Translated(fuzzy, True)
    new = "Please switch off your phone now."
    assert korean(new) == catalogs.Translated(new, True)
    assert korean.tool(TRACK_ANNOUNCEMENT, number=1, total=3, title="환영합니다") == (
        "전체 3개 트랙 중 1번 트랙. 환영합니다."
    )

    english = catalogs.translation(guide, project.locales, resolve("en"))
    assert english("Welcome") == catalogs.Translated("Welcome", False)
    assert english.tool(TRACK_ANNOUNCEMENT, number=1, total=3, title="Hi") == "Track 1 of 3. Hi."


# --- broken catalogs: every command refuses before writing ---------------------

DAMAGE = {
    "unterminated string": ('msgstr "환영합니다"', 'msgstr "환영합니', "quoted string"),
    "deleted msgid line": ('msgid "Welcome"\n', "", "restore the msgid"),
    "ISO-8859-1 charset": ("charset=UTF-8", "charset=ISO-8859-1", "convert the file to UTF-8"),
    "unknown charset": ("charset=UTF-8", "charset=nonsense-xyz", "convert the file to UTF-8"),
    "bad escape": ('msgstr "환영합니다"', 'msgstr "환영\\q합니다"', "unknown escape"),
    "stray quote": ('msgstr "환영합니다"', 'msgstr "환영"합니다"', "outside the quotes"),
    "trailing garbage": ('msgstr "환영합니다"', 'msgstr "환영합니다" x', "outside the quotes"),
    "unquoted msgid": ('msgid "Welcome"', "msgid Welcome", "outside the quotes"),
    "plural guide message": (
        'msgid "Welcome"\nmsgstr "환영합니다"',
        'msgid "Welcome"\nmsgid_plural "Welcomes"\nmsgstr[0] "환영합니다"',
        "plural forms",
    ),
    "control character": ('msgstr "환영합니다"', 'msgstr "환영\\a합니다"', "control character"),
    "NUL": ('msgstr "환영합니다"', 'msgstr "환영\\0합니다"', "control character U+0000"),
}
COMMANDS = {
    "stats": ["stats"],
    "update": ["update"],
    "compile": ["compile"],
    "build": ["build", "--engine", "espeak", "--no-cache"],
}


def _canonical(project, locale_id: str) -> str:
    """The catalog as audioguide writes it (the fixtures may predate the current layout)."""
    assert project.run("update", "--lang", locale_id).exit_code == 0
    return project.po(locale_id).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_every_command_refuses_a_broken_catalog_and_writes_nothing(
    project, user_error, case, command
) -> None:
    old, new, words = DAMAGE[case]
    text = _canonical(project, "ko")
    assert old in text
    project.po("ko").write_text(text.replace(old, new, 1), encoding="utf-8")
    before = project.snapshot()

    result = project.run(*COMMANDS[command])

    message = user_error(result, "locales/ko/LC_MESSAGES/audioguide.po", r"\d+")
    assert words in message
    assert project.snapshot() == before


def test_duplicate_msgids_are_an_error_not_a_silent_drop(project, user_error) -> None:
    text = _canonical(project, "ko")
    entry = 'msgid "Welcome"\nmsgstr "환영합니다"\n'
    project.po("ko").write_text(text + "\n" + entry.replace("환영합니다", "어서 오세요"), "utf-8")
    before = project.snapshot()
    duplicate = len(text.splitlines()) + 2

    for command in ("update", "stats"):
        message = user_error(project.run(command), "audioguide.po", duplicate)
        assert "already on line" in message
    assert project.snapshot() == before


HEADER_ONLY = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n'


@pytest.mark.parametrize("content", ["", HEADER_ONLY])
def test_an_empty_catalog_fails_a_strict_build_and_stats_says_so(project, user_error, content):
    project.po("ko").write_text(content, encoding="utf-8")

    result = project.run("build", "--engine", "espeak", "--no-cache", "--strict")

    message = user_error(result, "locales/ko/LC_MESSAGES/audioguide.po")
    assert "no messages" in message
    assert "audioguide update --lang ko" in message
    stats = project.run("stats")
    assert "no messages; run `audioguide update`" in stats.stdout
    assert project.run("update", "--lang", "ko").stdout.strip() == "ko: updated"
    assert _read(project.po("ko"))["Play"].string == "재생"  # filled again


def test_an_empty_catalog_is_a_clear_warning_for_a_build(site) -> None:
    site.po("ko").write_text("", encoding="utf-8")

    result = site.build("--lang", "ko")

    assert result.exit_code == 0, result.stderr
    assert (
        "warning: ko: the catalog has no messages (it is empty or only a header); the whole ko "
        "guide is spoken and shown in English"
    ) in result.stderr


# --- no lost work ------------------------------------------------------


def test_a_translators_fuzzy_translation_of_a_tool_string_is_kept(project) -> None:
    text = _canonical(project, "ko")
    old = 'msgid "Play"\nmsgstr "재생"\n'
    assert old in text
    project.po("ko").write_text(
        text.replace(old, '#, fuzzy\nmsgid "Play"\nmsgstr "듣기"\n'), encoding="utf-8"
    )

    assert project.run("update", "--lang", "ko").exit_code == 0

    message = _read(project.po("ko"))["Play"]
    assert (message.string, message.fuzzy) == ("듣기", True)


def test_a_blank_tool_string_gets_the_shipped_translation(project) -> None:
    text = _canonical(project, "ko")
    project.po("ko").write_text(text.replace('msgstr "재생"', 'msgstr "  "'), encoding="utf-8")

    assert project.run("update", "--lang", "ko").exit_code == 0

    assert _read(project.po("ko"))["Play"].string == "재생"


def test_a_save_made_while_update_runs_is_not_overwritten(project, user_error, monkeypatch):
    from audioguide.catalogs import workflow

    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you all for listening.")
    saved = _canonical(project, "zh_Hans") + "\n# saved by the translator's editor\n"
    merge = workflow._merge

    def merge_then_save(catalog, template, shipped):  # a save between update's read and write
        merge(catalog, template, shipped)
        if str(catalog.locale) == "ko":
            project.po("ko").write_text(saved.replace("zh_Hans", "ko"), encoding="utf-8")

    monkeypatch.setattr(workflow, "_merge", merge_then_save)

    result = project.run("update", "--lang", "ko")

    message = user_error(result, "locales/ko/LC_MESSAGES/audioguide.po")
    assert "changed while `audioguide update` was running" in message
    assert project.po("ko").read_text(encoding="utf-8") == saved.replace("zh_Hans", "ko")
    assert not list(project.po("ko").parent.glob(".audioguide-tmp-*"))


def test_update_removes_what_a_killed_update_left_and_nothing_else(project) -> None:
    folder = project.po("ko").parent
    leftovers = [
        folder / ".audioguide-tmp-audioguide.po.k1ll3d.tmp",
        project.locales / ".audioguide-tmp-audioguide.pot.x2y3z4.tmp",
    ]
    theirs = [folder / ".audioguide.po.swp", folder / "notes.tmp", project.locales / ".x.tmp"]
    for path in leftovers + theirs:
        path.write_text("half written", encoding="utf-8")

    assert project.run("update", "--lang", "ko").exit_code == 0

    assert not any(path.exists() for path in leftovers)
    assert all(path.read_text(encoding="utf-8") == "half written" for path in theirs)


# --- placeholders are data -------------------------------------------------------

EVIL = ["{number.__class__.__doc__}", "{total:>2000000000}", "{title!r}", "{0}", "{number[0]}"]


@pytest.mark.parametrize("evil", EVIL)
def test_a_placeholder_with_code_in_it_is_reported_and_never_evaluated(project, evil) -> None:
    text = _canonical(project, "ko")
    assert "{number}번 트랙." in text
    project.po("ko").write_text(
        text.replace("{number}번 트랙.", f"{evil} {{number}}번 트랙."),
        encoding="utf-8",
    )
    guide = load_guide(project.scripts)

    result = project.run("stats", "--check")

    assert result.exit_code == 1
    found = re.search(r"audioguide\.po:(\d+): the translation writes (\S+)", result.stdout)
    assert found, result.stdout
    line = project.po("ko").read_text(encoding="utf-8").splitlines()[int(found.group(1)) - 1]
    assert line == f'msgid "{TRACK_ANNOUNCEMENT}"'
    korean = catalogs.translation(guide, project.locales, resolve("ko"))
    spoken = korean.tool(TRACK_ANNOUNCEMENT, number=1, total=3, title="환영합니다")
    assert spoken == "Track 1 of 3. 환영합니다."  # the source text, filled in safely
    assert "Built-in" not in spoken and "int(" not in spoken


def test_a_strict_build_refuses_broken_placeholders(project, user_error) -> None:
    text = _canonical(project, "ko")
    assert "{number}번 트랙." in text
    project.po("ko").write_text(
        text.replace("{number}번 트랙.", "{numero}번 트랙."), encoding="utf-8"
    )
    before = project.snapshot()

    result = project.run("build", "--engine", "espeak", "--no-cache", "--strict")

    message = user_error(result, "locales/ko/LC_MESSAGES/audioguide.po", r"\d+")
    assert "loses {number}; adds {numero}" in message
    assert project.snapshot() == before


def test_fill_replaces_plain_fields_only() -> None:
    template = "{title} — {number.real} {total:>9} {title!r} {unknown} {title}"
    assert catalogs.fill(template, title="T", number=1, total=2) == (
        "T — {number.real} {total:>9} {title!r} {unknown} T"
    )
    assert catalogs.placeholder_problem("{title}", "{{title}}") == (
        "writes a lone { or } (only plain placeholders such as {title} work)"
    )


# --- stats says what needs work ------------------------------------------------


def test_whitespace_only_translation_counts_as_untranslated(project) -> None:
    text = _canonical(project, "ko")
    project.po("ko").write_text(
        text.replace('msgstr "환영합니다"', 'msgstr " \\t "'), encoding="utf-8"
    )
    guide = load_guide(project.scripts)

    assert "1" in _stats_rows(project.run("stats").stdout)["ko"][2:3][0].__str__()
    korean = catalogs.translation(guide, project.locales, resolve("ko"))
    assert korean("Welcome") == catalogs.Translated("Welcome", True)


def test_stats_lists_each_message_that_needs_work_with_file_and_line(project) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    _edit(project.scripts / "01-welcome.yaml", "  - Welcome to the museum.\n",
          "  - Welcome to the museum.\n  - Please switch off your phone now.\n")  # fmt: skip
    assert project.run("update", "--lang", "ko").exit_code == 0
    lines = project.po("ko").read_text(encoding="utf-8").splitlines()

    result = project.run("stats")

    listed = re.findall(r"^  (\S+audioguide\.po):?(\d*): (\w+)(?:[^:]*): \"(.*)\"$",
                        result.stdout, re.M)  # fmt: skip
    ko = {(kind, start): line for path, line, kind, start in listed if "/ko/" in path}
    fuzzy_line = ko[("fuzzy", "Thank you so much for listening.")]
    new_line = ko[("untranslated", "Please switch off your phone now.")]
    assert lines[int(fuzzy_line) - 1] == 'msgid "Thank you so much for listening."'
    assert lines[int(new_line) - 1] == 'msgid "Please switch off your phone now."'
    zh = [entry for entry in listed if "/zh_Hans/" in entry[0]]  # not updated: no line yet
    assert ("", "untranslated", "Please switch off your phone now.") in [z[1:] for z in zh]

    data = json.loads(project.run("stats", "--json").stdout)
    korean = next(item for item in data if item["language"] == "ko")
    assert (korean["translated"], korean["fuzzy"], korean["untranslated"]) == (
        len(STRINGS) + 8, 1, 1,
    )  # fmt: skip
    assert {(m["kind"], m["line"], m["msgid"]) for m in korean["messages"]} == {
        ("fuzzy", int(fuzzy_line), "Thank you so much for listening."),
        ("untranslated", int(new_line), "Please switch off your phone now."),
    }


def test_stats_shows_the_start_of_a_long_message(project) -> None:
    _edit(project.scripts / "01-welcome.yaml", "three short parts.", "four short parts.")
    assert project.run("update", "--lang", "ko").exit_code == 0

    result = project.run("stats")

    assert ': fuzzy: "This guide has four short parts. Each part is one…"' in result.stdout


# --- the header ----------------------------------------------------------------


def _header(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(r'^"([^:]+): (.*)\\n"$', text.split("\n\n", 1)[0], re.M)


def test_headers_name_the_guide_and_hold_no_placeholders(project) -> None:
    shutil.rmtree(project.locales)
    assert project.run("update").exit_code == 0

    template = dict(_header(project.pot))
    korean = _header(project.po("ko"))
    assert template["Project-Id-Version"] == dict(korean)["Project-Id-Version"] == "test-guide"
    assert [name for name, _ in korean] == [
        "Project-Id-Version", "POT-Creation-Date", "PO-Revision-Date", "Language",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Plural-Forms",
    ]  # fmt: skip
    for path in (project.pot, project.po("ko"), project.po("zh_Hans")):
        text = path.read_text(encoding="utf-8")
        for placeholder in ("EMAIL@ADDRESS", "LL@li.org", "VERSION", "FULL NAME", "YEAR"):
            assert placeholder not in text, (path, placeholder)


def test_contact_in_guide_yaml_fills_bugs_address_and_language_team(project) -> None:
    guide_yaml = project.scripts / "guide.yaml"
    contact = "Translators <translators@example.org>"
    guide_yaml.write_text(
        guide_yaml.read_text(encoding="utf-8") + f"contact: {contact}\n", encoding="utf-8"
    )

    assert project.run("update").exit_code == 0

    assert dict(_header(project.pot))["Report-Msgid-Bugs-To"] == contact
    korean = dict(_header(project.po("ko")))
    assert korean["Report-Msgid-Bugs-To"] == korean["Language-Team"] == contact


# --- GNU gettext agrees ----------------------------------------------


def _fresh_french(project) -> None:
    guide_yaml = project.scripts / "guide.yaml"
    text = guide_yaml.read_text(encoding="utf-8")
    guide_yaml.write_text(re.sub(r"languages: \[(.*)\]", r"languages: [\1, fr]", text), "utf-8")
    for command in (["extract"], ["update", "--lang", "fr"]):
        assert project.run(*command).exit_code == 0


@pytest.mark.parametrize("guide", ["fixture", "fresh fr"])
def test_update_then_msgcat_and_msgmerge_change_no_byte(project, gettext, guide) -> None:
    if guide == "fresh fr":
        _fresh_french(project)
    _edit(project.scripts / "01-welcome.yaml", "three short parts.", "three very short parts.")
    assert project.run("extract").exit_code == 0
    assert project.run("update").exit_code == 0
    paths = [project.pot, *sorted(project.locales.glob("*/LC_MESSAGES/audioguide.po"))]
    assert len(paths) == (4 if guide == "fresh fr" else 3)

    for path in paths:
        data = path.read_bytes()
        assert gettext("msgfmt", "-c", "-o", "/dev/null", path).returncode == 0, path
        assert gettext("msgcat", path).stdout == data, path
        merged = path.with_suffix(".merged")
        merged.write_bytes(data)
        # --previous keeps the #| lines of fuzzy entries, which plain msgmerge drops
        previous = ["--previous"] if b"#| msgid" in data else []
        done = gettext("msgmerge", "--quiet", "--update", "--no-fuzzy-matching", *previous,
                       "--backup=none", merged, project.pot)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert merged.read_bytes() == data, path


def test_a_file_reformatted_by_gettext_comes_back_from_update_unchanged(project, gettext):
    text = _canonical(project, "ko")
    hand_edit = 'msgstr "들어 주셔서 감사합니다. ' + "정말 고맙습니다. " * 12 + '"'
    project.po("ko").write_text(
        text.replace('msgstr "들어 주셔서 감사합니다."', hand_edit), encoding="utf-8"
    )
    assert project.run("update", "--lang", "ko").exit_code == 0
    ours = project.po("ko").read_bytes()
    strings = [line for line in ours.decode().splitlines() if line.startswith(('"', "msg"))]
    assert max(len(line) for line in strings) <= 79

    project.po("ko").write_bytes(gettext("msgcat", project.po("ko")).stdout)
    assert project.po("ko").read_bytes() == ours
    assert project.run("update", "--lang", "ko").stdout.strip() == "ko: unchanged"


def test_an_editors_own_header_fields_stay_where_msgmerge_keeps_them(project, gettext) -> None:
    text = _canonical(project, "ko")
    poedit = '"X-Generator: Poedit 3.4.2\\n"\n"X-Poedit-Bookmarks: 3\\n"\n'
    text = text.replace(
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n',
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n' + poedit,
        1,
    )
    project.po("ko").write_text(text, encoding="utf-8")

    assert project.run("update", "--lang", "ko").stdout.strip() == "ko: unchanged"
    merged = project.root / "merged.po"
    merged.write_bytes(project.po("ko").read_bytes())
    gettext("msgmerge", "-q", "-U", "--no-fuzzy-matching", "--backup=none", merged, project.pot)
    assert merged.read_bytes() == project.po("ko").read_bytes()
    assert poedit in project.po("ko").read_text(encoding="utf-8")


def test_a_broken_placeholder_is_not_counted_done(project) -> None:
    _edit(project.po("ko"), "{number}번 트랙.", "{numero}번 트랙.")

    result = project.run("stats")

    total = len(STRINGS) + 9
    translated, fuzzy, untranslated, broken, done = _stats_rows(result.stdout)["ko"]
    assert (translated, fuzzy, untranslated, broken) == (total - 1, 0, 0, 1)
    assert done == f"{100 * (total - 1) / total:.1f}%" != "100.0%"
    assert "the translation loses {number}; adds {numero}" in result.stdout
    korean = next(s for s in json.loads(project.run("stats", "--json").stdout)
                  if s["language"] == "ko")  # fmt: skip
    assert (korean["broken"], korean["total"]) == (1, total) and korean["percent"] < 100
    assert project.run("stats", "--check").exit_code == 1


# --- what msgmerge and msgfmt do, update and compile do -------------------------------------


def test_a_removed_message_is_made_obsolete_byte_for_byte_as_msgmerge_previous(
    project, gettext
) -> None:
    """msgmerge keeps an obsolete entry's translator comments and flags, not its #. and #:."""
    _edit(project.po("ko"), "#. section welcome: paragraph 1\n",
          "# checked with the curator\n#. section welcome: paragraph 1\n")  # fmt: skip
    assert project.run("update", "--lang", "ko").stdout.strip() == "ko: unchanged"
    old = project.root / "old.po"
    shutil.copy(project.po("ko"), old)
    _edit(project.scripts / "01-welcome.yaml", "  - Welcome to the museum.\n", "")
    assert project.run("extract").exit_code == 0
    merged = project.root / "msgmerge.po"
    done = gettext("msgmerge", "--quiet", "--previous", "--no-fuzzy-matching", "-o", merged,
                   old, project.pot)  # fmt: skip
    assert done.returncode == 0, done.stderr

    assert project.run("update", "--lang", "ko").exit_code == 0

    text = project.po("ko").read_text(encoding="utf-8")
    assert '# checked with the curator\n#~ msgid "Welcome to the museum."\n' in text
    assert project.po("ko").read_bytes() == merged.read_bytes()


def _po_header_of_mo(gettext, mo: Path) -> bytes:
    done = gettext("msgunfmt", mo)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_compile_writes_what_msgfmt_writes_header_and_all(project, gettext) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    assert project.run("update").exit_code == 0  # a fuzzy message, which stays out

    assert project.run("compile").exit_code == 0

    for locale_id in ("ko", "zh_Hans"):
        po = project.po(locale_id)
        theirs = project.root / f"{locale_id}.msgfmt.mo"
        assert gettext("msgfmt", "-c", "-o", theirs, po).returncode == 0
        ours = _po_header_of_mo(gettext, po.with_suffix(".mo"))
        assert ours == _po_header_of_mo(gettext, theirs)
        header = ours.split(b"\n\n", 1)[0].decode()
        revised = dict(_header(po))["PO-Revision-Date"]  # the translator's, not compile time
        assert f'"Language: {locale_id}\\n"' in header and f"PO-Revision-Date: {revised}" in header
        for invented in ("PROJECT", "VERSION", "FULL NAME", "EMAIL@ADDRESS"):
            assert invented not in header


def test_update_never_replaces_a_translators_team_or_name(project) -> None:
    guide_yaml = project.scripts / "guide.yaml"
    original = guide_yaml.read_text(encoding="utf-8")
    guide_yaml.write_text(original + "contact: Old list <old@example.org>\n", encoding="utf-8")
    assert project.run("update").exit_code == 0
    _edit(project.po("ko"), '"Language-Team: Old list <old@example.org>\\n"',
          '"Last-Translator: Kim <kim@example.org>\\n"\n'
          '"Language-Team: Korean <ko@example.org>\\n"')  # fmt: skip
    guide_yaml.write_text(original + "contact: New list <new@example.org>\n", encoding="utf-8")

    assert project.run("update").exit_code == 0

    korean = dict(_header(project.po("ko")))
    assert korean["Report-Msgid-Bugs-To"] == "New list <new@example.org>"  # the template's
    assert korean["Language-Team"] == "Korean <ko@example.org>"
    assert korean["Last-Translator"] == "Kim <kim@example.org>"
    chinese = dict(_header(project.po("zh_Hans")))  # filled by the first update, then kept
    assert chinese["Language-Team"] == "Old list <old@example.org>"


# --- Babel's own tools ----------------------------------------------------------------------

PYBABEL_UPDATE = ("update", "-i", "locales/audioguide.pot", "-d", "locales", "-D", "audioguide")


def _pybabel(project, *args: str) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    done = subprocess.run([str(pybabel), *args], cwd=project.root, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


def _gettext_accepts(gettext, project) -> None:
    for path in sorted(project.locales.glob("*/LC_MESSAGES/audioguide.po")):
        done = gettext("msgfmt", "-c", "-o", "/dev/null", path)
        assert done.returncode == 0, done.stderr.decode()
        assert _flags_line(path.read_text(encoding="utf-8"), PERCENT) == "#, no-python-format"


def test_pybabel_update_then_audioguide_update_gives_catalogs_gettext_accepts(
    project, gettext
) -> None:
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    assert project.run("extract").exit_code == 0
    _pybabel(project, *PYBABEL_UPDATE)
    text = project.po("ko").read_text(encoding="utf-8")
    flags = _flags_line(text, PERCENT)

    result = project.run("update")

    assert result.exit_code == 0, result.stderr
    if flags == "#, no-python-format, python-format":  # Babel's guess, python-babel/babel#1268
        line = text.splitlines().index(flags) + 1
        assert (f"audioguide: {project.po('ko')}: removed python-format beside "
                f"no-python-format on line(s) {line} ") in result.stderr  # fmt: skip
    _gettext_accepts(gettext, project)
    message = catalogs.load(project.locales, resolve("ko"))["Thank you so much for listening."]
    assert (message.fuzzy, message.string) == (True, "들어 주셔서 감사합니다.")  # pybabel's merge
    assert project.run("update").stdout.strip() == "ko: unchanged\nzh_Hans: unchanged"


def test_audioguide_update_then_pybabel_update_never_breaks_a_catalog_silently(
    project, gettext, user_error
) -> None:
    assert project.run("update").exit_code == 0
    _pybabel(project, *PYBABEL_UPDATE)
    text = project.po("ko").read_text(encoding="utf-8")
    flags = _flags_line(text, PERCENT)

    if flags != "#, no-python-format":  # Babel's guess, python-babel/babel#1268
        assert flags == "#, no-python-format, python-format"
        assert gettext("msgfmt", "-c", "-o", "/dev/null", project.po("ko")).returncode != 0
        line = text.splitlines().index(flags) + 1
        before = project.snapshot()
        for command in (["stats"], ["compile"], ["build", "--engine", "espeak", "--no-cache"]):
            message = user_error(project.run(*command), "locales/ko/LC_MESSAGES/audioguide.po",
                                 line)  # fmt: skip
            assert "contradict" in message and "run `audioguide update`" in message
        assert project.snapshot() == before

    assert project.run("update").exit_code == 0
    _gettext_accepts(gettext, project)
    assert project.run("stats", "--check").exit_code == 0


# --- one update at a time -----------------------------------------------------------------

HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from audioguide.catalogs import workflow
with workflow._locked(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(600)
"""


def _audioguide(project, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "audioguide", *args, "--scripts", str(project.scripts),
               "--locales", str(project.locales)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_update_waits_for_the_catalogs_lock_and_a_killed_holder_never_blocks_it(project):
    _edit(project.scripts / "03-goodbye.yaml", GOODBYE, "Thank you so much for listening.")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(project.locales)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline() == "holding\n"
        update = _audioguide(project, "update")
        notice = update.stderr.readline()
        assert notice == (f"audioguide: another audioguide command is writing the catalogs in "
                          f"{project.locales}; waiting for it to finish\n")  # fmt: skip
        with pytest.raises(subprocess.TimeoutExpired):
            update.wait(timeout=1)  # it waits: nothing written meanwhile
        assert 'msgid "Thank you so much for listening."' not in project.po("ko").read_text()
    finally:
        holder.kill()  # as kill -9: the kernel releases the lock
        holder.wait()
    stdout, stderr = update.communicate(timeout=60)
    assert update.returncode == 0, stderr
    assert stdout.splitlines() == ["ko: updated", "zh_Hans: updated"]
    assert not list(project.locales.glob(".audioguide*"))  # the lock is the folder's own


def test_two_updates_at_once_both_finish(project) -> None:
    for round_ in range(3):
        _edit(project.scripts / "03-goodbye.yaml", "listening", f"listening {round_}")
        both = [_audioguide(project, "update"), _audioguide(project, "compile")]
        for process in both:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            assert ".tmp" not in stderr


# --- a catalog belongs to its folder's language ------------------------------------------


@pytest.mark.parametrize(("folder", "given"), [("ko", "ko_KR"), ("zh_Hans", "zh_CN")])
def test_a_language_header_in_another_spelling_is_read_and_kept(project, folder, given):
    _edit(project.po(folder), f'"Language: {folder}\\n"', f'"Language: {given}\\n"')

    assert project.run("stats", "--check").exit_code == 0
    assert project.run("update").exit_code == 0

    assert dict(_header(project.po(folder)))["Language"] == given


@pytest.mark.parametrize("command", ["update", "stats", "compile"])
def test_a_catalog_of_another_language_is_refused(project, user_error, command) -> None:
    _edit(project.po("zh_Hans"), '"Language: zh_Hans\\n"', '"Language: ko\\n"')
    line = project.po("zh_Hans").read_text("utf-8").splitlines().index('"Language: ko\\n"') + 1
    before = project.snapshot()

    message = user_error(project.run(command), "locales/zh_Hans/LC_MESSAGES/audioguide.po", line)

    assert "names another language than zh-Hans" in message
    assert "set Language: zh_Hans" in message
    assert project.snapshot() == before


@pytest.mark.parametrize("command", ["update", "stats"])
@pytest.mark.parametrize("folder", ["zh_CN", "zh-Hans", "zh"])
def test_a_catalog_in_a_folder_named_otherwise_names_the_folder_it_belongs_in(
    project, user_error, command, folder
) -> None:
    (project.locales / "zh_Hans").rename(project.locales / folder)
    before = project.snapshot()

    message = user_error(project.run(command), f"locales/{folder}/LC_MESSAGES/audioguide.po")

    assert f"move it to {project.po('zh_Hans')}" in message
    assert project.snapshot() == before
    assert not (project.locales / "zh_Hans").exists()  # no empty catalog beside it


# --- the Babel extractor reads the guide as every command does ------------------------------


def _pybabel_extract(project) -> subprocess.CompletedProcess:
    shutil.copy(REPO / "babel.cfg", project.root / "babel.cfg")
    pybabel = Path(sys.executable).with_name("pybabel")
    return subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", "pybabel.pot", "scripts"],
        cwd=project.root, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_extractor_reads_scripts_within_the_same_limits(project) -> None:
    _edit(project.scripts / "02-numbers.yaml", "note:", "extra: " + "[" * 30 + "]" * 30 + "\nnote:")

    done = _pybabel_extract(project)

    assert done.returncode != 0
    assert "02-numbers.yaml" in done.stderr and "nested more than 20 deep" in done.stderr
    assert project.run("extract").exit_code == 2


def test_the_extractor_gives_only_the_guides_files(project) -> None:
    guide_yaml = project.scripts / "guide.yaml"
    listed = "sections: [01-welcome.yaml, 02-numbers.yaml, 03-goodbye.yaml]\n"
    guide_yaml.write_text(guide_yaml.read_text(encoding="utf-8") + listed, encoding="utf-8")
    (project.scripts / "draft.yaml").write_text(
        "id: draft\ntitle: Not yet\nparagraphs:\n  - A draft no one should translate.\n", "utf-8"
    )

    done = _pybabel_extract(project)

    assert done.returncode == 0, done.stderr
    template = _read(project.root / "pybabel.pot")
    assert "Welcome" in template and "Not yet" not in template
