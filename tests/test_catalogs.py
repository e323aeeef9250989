"""The catalog workflow: extract, update, stats, compile and translation, with real Babel."""

from __future__ import annotations

import gettext
import io
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
        assert '"Content-Type: text/plain; charset=utf-8\\n"' in header
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


def test_long_previous_msgid_survives_later_updates(project) -> None:
    welcome = project.scripts / "01-welcome.yaml"
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
    assert message.previous_id == [first]
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
        project.po("ko"), "{number}번 트랙, 전체 {total}개 중. {title}.", "{number}번 트랙: {title}"
    )

    assert project.run("update").exit_code == 0

    message = _read(project.po("ko"))[TRACK_ANNOUNCEMENT]
    assert message.string == "{number}번 트랙, 전체 {total}개 중. {title}."
    assert not message.fuzzy
    assert not message.previous_id
    assert project.run("stats", "--check").exit_code == 0


def test_translators_own_wording_of_a_tool_string_is_kept(project) -> None:
    _edit(
        project.po("ko"),
        "{number}번 트랙, 전체 {total}개 중.",
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


def _stats_rows(stdout: str) -> dict[str, tuple[int, int, int, str]]:
    rows = {}
    for line in stdout.splitlines():
        found = re.fullmatch(r"(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+%)", line.strip())
        if found:
            name, translated, fuzzy, untranslated, percent = found.groups()
            rows[name] = (int(translated), int(fuzzy), int(untranslated), percent)
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
        "ko": (n, 1, 1, percent),
        # zh_Hans was not updated: its catalog lacks both new texts
        "zh_Hans": (n, 0, 2, percent),
    }


def test_stats_check_passes_for_complete_catalogs(project) -> None:
    result = project.run("stats", "--check")

    assert result.exit_code == 0, result.output
    total = len(STRINGS) + 9
    assert _stats_rows(result.stdout) == {
        "ko": (total, 0, 0, "100.0%"),
        "zh_Hans": (total, 0, 0, "100.0%"),
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
        ("중. {title}.", "중.", "loses {title}"),
        ("중. {title}.", "중. {title} {name}.", "adds {name}"),
        ("{number}번 트랙,", "{numero}번 트랙,", "loses {number}; adds {numero}"),
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
        "1번 트랙, 전체 3개 중. 환영합니다."
    )

    english = catalogs.translation(guide, project.locales, resolve("en"))
    assert english("Welcome") == catalogs.Translated("Welcome", False)
    assert english.tool(TRACK_ANNOUNCEMENT, number=1, total=3, title="Hi") == "Track 1 of 3. Hi."
