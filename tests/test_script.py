"""Section scripts: loading a guide, and every kind of bad input a user can give it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from audioguide.errors import ScriptError
from audioguide.script import Accessibility, Category, load_guide, placeholder

# --- loading -------------------------------------------------------------------------------


def test_fixture_guide_loads_with_ids_positions_and_stems(project) -> None:
    guide = load_guide(project.scripts)

    assert guide.id == "test-guide"
    assert guide.title.value == "The Test Guide"
    assert guide.description.value == "A short guide that the tests build."
    assert guide.author == "Test Org"
    assert [s.id for s in guide.sections] == ["welcome", "numbers", "goodbye"]
    assert [s.position for s in guide.sections] == [1, 2, 3]
    assert [s.stem for s in guide.sections] == ["01-welcome", "02-numbers", "03-goodbye"]
    assert [s.title.value for s in guide.sections] == ["Welcome", "Numbers", "Goodbye"]
    assert guide.sections[1].note == "Write numbers as a listener would expect to hear them."
    assert guide.sections[0].note is None


def test_texts_keep_file_and_line_and_folded_text(project) -> None:
    guide = load_guide(project.scripts)
    welcome, numbers, _ = guide.sections

    assert (guide.title.path.name, guide.title.line) == ("guide.yaml", 3)
    assert (guide.description.path.name, guide.description.line) == ("guide.yaml", 4)
    assert (welcome.title.path.name, welcome.title.line) == ("01-welcome.yaml", 2)
    assert [(p.value, p.line) for p in welcome.paragraphs] == [
        ("Welcome to the museum.", 4),
        # a folded block scalar: lines joined with one space, no trailing newline
        ("This guide has three short parts. Each part is one track.", 5),
    ]
    assert [(p.value, p.line) for p in numbers.paragraphs] == [
        ("Around 80% of visitors came back after COVID-19.", 5)
    ]
    assert welcome.line == 1  # where the id is written
    # every translatable text, in guide order
    assert [t.value for t in guide.texts()][:4] == [
        "The Test Guide",
        "A short guide that the tests build.",
        "Welcome",
        "Welcome to the museum.",
    ]
    assert len(list(guide.texts())) == 9


def test_publication_fields_are_read_and_spelled_as_apple_spells_them(project) -> None:
    guide = load_guide(project.scripts)
    assert (guide.publisher, guide.accessibility) == (None, None)
    assert guide.category == Category("Society & Culture", None)
    guide_yaml = project.scripts / "guide.yaml"
    guide_yaml.write_text(
        guide_yaml.read_text()
        + "publisher: Example Press\ncategory: tv  &  film\nsubcategory: film reviews\n"
        + "accessibility: {certified_by: Lab, report: 'https://example.org/r?id=1'}\n"
    )
    guide = load_guide(project.scripts)
    assert guide.publisher == "Example Press"
    assert guide.category == Category("TV & Film", "Film Reviews")
    assert guide.accessibility == Accessibility("Lab", None, "https://example.org/r?id=1")


@pytest.mark.parametrize(
    ("url", "example"),
    [("https://example.org/guide/", True), ("https://docs.example.com/", True),
     ("https://guide.test/", True), ("http://localhost:8000/", True),
     ("https://example.museum/guide/", False), ("https://myexample.org/", False)],
)  # fmt: skip
def test_placeholder_addresses_are_the_ones_reserved_for_examples(url: str, example: bool):
    assert placeholder(url) is example


def test_published_date_is_read_and_optional(project) -> None:
    import datetime

    assert load_guide(project.scripts).published is None
    guide_yaml = project.scripts / "guide.yaml"
    guide_yaml.write_text(guide_yaml.read_text() + "published: 2024-05-01\n")
    assert load_guide(project.scripts).published == datetime.date(2024, 5, 1)


def test_languages_resolve_source_first_with_bcp47_tags(project) -> None:
    guide = load_guide(project.scripts)

    assert [lang.tag for lang in guide.languages] == ["en", "ko", "zh-Hans"]
    assert [lang.locale_id for lang in guide.languages] == ["en", "ko", "zh_Hans"]
    assert guide.source_language.tag == "en"


def test_other_spellings_of_a_language_in_guide_yaml_are_one_language(project) -> None:
    guide_yaml = project.scripts / "guide.yaml"
    text = guide_yaml.read_text(encoding="utf-8")
    guide_yaml.write_text(
        text.replace("languages: [en, ko, zh_Hans]", "languages: [en, ko, zh-CN, zh_Hans, zh]"),
        encoding="utf-8",
    )

    assert [lang.tag for lang in load_guide(project.scripts).languages] == ["en", "ko", "zh-Hans"]


def test_sections_field_sets_the_order_and_leaves_out_unlisted_files(project) -> None:
    with (project.scripts / "guide.yaml").open("a", encoding="utf-8") as handle:
        handle.write("sections: [03-goodbye.yaml, 01-welcome.yaml]\n")

    guide = load_guide(project.scripts)

    assert [s.id for s in guide.sections] == ["goodbye", "welcome"]
    assert [s.stem for s in guide.sections] == ["01-goodbye", "02-welcome"]
    assert [p.name for p in guide.files()] == ["guide.yaml", "03-goodbye.yaml", "01-welcome.yaml"]


def test_without_sections_field_every_other_yaml_is_a_section_by_name(project) -> None:
    (project.scripts / "00-start.yaml").write_text(
        "id: start\ntitle: Start\nparagraphs:\n  - Here we start.\n", encoding="utf-8"
    )

    guide = load_guide(project.scripts)

    assert [s.id for s in guide.sections] == ["start", "welcome", "numbers", "goodbye"]


def test_load_guide_raises_script_error_with_path_and_line(project) -> None:
    (project.scripts / "02-numbers.yaml").write_text(
        "id: numbers\ntitle: [a, list]\nparagraphs:\n  - x\n", encoding="utf-8"
    )

    with pytest.raises(ScriptError) as caught:
        load_guide(project.scripts)

    assert caught.value.path == project.scripts / "02-numbers.yaml"
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{project.scripts / '02-numbers.yaml'}:2: ")


# --- bad input -----------------------------------------------------------------------------


def _write(name: str, text: str | bytes) -> Callable[..., None]:
    def change(project) -> None:
        path = project.scripts / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return change


def _replace(name: str, old: str, new: str) -> Callable[..., None]:
    def change(project) -> None:
        path = project.scripts / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return change


def _empty_folder(project) -> None:
    for path in project.scripts.iterdir():
        path.unlink()


def _only_guide_yaml(project) -> None:
    for path in project.scripts.glob("0*.yaml"):
        path.unlink()


WELCOME = "01-welcome.yaml"
GOODBYE = "03-goodbye.yaml"

# (change to the fixture, file named in the message, line (or a pattern), words in the message)
BAD_SCRIPTS = {
    "yaml-syntax-error": (
        _write(WELCOME, "id: welcome\ntitle: [unclosed\nparagraphs:\n  - Hello.\n"),
        f"scripts/{WELCOME}", r"\d+", "YAML syntax error",
    ),
    "yaml-bad-indentation": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs:\n  - One.\n - Two.\n"),
        f"scripts/{WELCOME}", r"\d+", "YAML syntax error",
    ),
    "missing-title": (
        _write(WELCOME, "id: welcome\nparagraphs:\n  - Hello.\n"),
        f"scripts/{WELCOME}", 1, "missing required field 'title'",
    ),
    "missing-paragraphs": (
        _write(WELCOME, "id: welcome\ntitle: Hi\n"),
        f"scripts/{WELCOME}", 1, "missing required field 'paragraphs'",
    ),
    "missing-guide-id": (
        _replace("guide.yaml", "id: test-guide\n", ""),
        "scripts/guide.yaml", r"\d+", "missing required field 'id'",
    ),
    "paragraphs-is-a-string": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs: Just one string.\n"),
        f"scripts/{WELCOME}", 3, "'paragraphs' must be a list",
    ),
    "paragraphs-is-empty": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs: []\n"),
        f"scripts/{WELCOME}", 3, "empty list",
    ),
    "title-is-a-list": (
        _write(WELCOME, "id: welcome\ntitle: [a, b]\nparagraphs:\n  - Hello.\n"),
        f"scripts/{WELCOME}", 2, "must be text, not a list",
    ),
    "paragraph-is-a-mapping": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs:\n  - {a: 1}\n"),
        f"scripts/{WELCOME}", 4, "must be text, not a mapping",
    ),
    "languages-is-a-string": (
        _replace("guide.yaml", "languages: [en, ko, zh_Hans]", "languages: en ko"),
        "scripts/guide.yaml", 6, "'languages' must be a list",
    ),
    "section-is-a-list": (
        _write(WELCOME, "- welcome\n- Hi\n"),
        f"scripts/{WELCOME}", 1, "must be a YAML mapping",
    ),
    "section-file-is-empty": (
        _write(WELCOME, ""),
        f"scripts/{WELCOME}", 1, "empty",
    ),
    "duplicate-section-id": (
        _replace(GOODBYE, "id: goodbye", "id: welcome"),
        f"scripts/{GOODBYE}", 1, "already used by 01-welcome.yaml",
    ),
    "duplicate-field": (
        _write(WELCOME, "id: welcome\ntitle: Hi\ntitle: Again\nparagraphs:\n  - Hello.\n"),
        f"scripts/{WELCOME}", 3, "given twice",
    ),
    "section-id-with-path": (
        _replace(GOODBYE, "id: goodbye", "id: ../x"),
        f"scripts/{GOODBYE}", 1, "'../x' may use only lowercase letters",
    ),
    "section-id-with-capitals": (
        _replace(GOODBYE, "id: goodbye", "id: Intro"),
        f"scripts/{GOODBYE}", 1, "'Intro' may use only lowercase letters",
    ),
    "section-id-with-space": (
        _replace(GOODBYE, "id: goodbye", "id: good bye"),
        f"scripts/{GOODBYE}", 1, "may use only lowercase letters",
    ),
    "guide-id-with-path": (
        _replace("guide.yaml", "id: test-guide", "id: ../x"),
        "scripts/guide.yaml", 2, "'../x' may use only lowercase letters",
    ),
    "empty-paragraph": (
        _write(WELCOME, 'id: welcome\ntitle: Hi\nparagraphs:\n  - Hello.\n  - "   "\n'),
        f"scripts/{WELCOME}", 5, "paragraphs item 2 is empty",
    ),
    "null-paragraph": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs:\n  - Hello.\n  -\n"),
        f"scripts/{WELCOME}", 5, "paragraphs item 2",
    ),
    "language-babel-cannot-parse": (
        _replace("guide.yaml", "languages: [en, ko, zh_Hans]", "languages: [en, ko, xx_QQ]"),
        "scripts/guide.yaml", 6, "unknown language id",
    ),
    "language-babel-does-not-know": (
        _replace("guide.yaml", "languages: [en, ko, zh_Hans]", "languages: [en, klingon]"),
        "scripts/guide.yaml", 6, "unknown language id 'klingon'",
    ),
    "language-with-a-modifier": (
        _replace("guide.yaml", "languages: [en, ko, zh_Hans]", "languages: [en, de_DE@euro]"),
        "scripts/guide.yaml", 6, "has a modifier (@euro), which BCP 47",
    ),
    "source-language-babel-cannot-parse": (
        _replace("guide.yaml", "source_language: en", "source_language: tlh"),
        "scripts/guide.yaml", 5, "unknown language id",
    ),
    "script-in-latin-1": (
        _write(WELCOME, "id: welcome\ntitle: Café\nparagraphs:\n  - Hello.\n".encode("latin-1")),
        f"scripts/{WELCOME}", 2, "UTF-8",
    ),
    "script-in-utf-16": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs:\n  - Hello.\n".encode("utf-16")),
        f"scripts/{WELCOME}", r"\d+", "UTF-8",
    ),
    "script-in-utf-16-without-bom": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagraphs:\n  - Hello.\n".encode("utf-16-le")),
        f"scripts/{WELCOME}", r"\d+", "UTF-8",
    ),
    "guide-yaml-in-latin-1": (
        _write("guide.yaml", "id: test-guide\ntitle: Caf\xe9\n".encode("latin-1")),
        "scripts/guide.yaml", 2, "UTF-8",
    ),
    "empty-scripts-folder": (_empty_folder, "scripts", None, "guide.yaml"),
    "guide-without-sections": (_only_guide_yaml, "scripts", None, "no sections"),
    "sections-lists-a-path": (
        _replace("guide.yaml", "author: Test Org", "author: Test Org\nsections: [../x.yaml]"),
        "scripts/guide.yaml", 8, "plain file names",
    ),
    "sections-lists-a-missing-file": (
        _replace("guide.yaml", "author: Test Org", "author: Test Org\nsections: [04-no.yaml]"),
        "scripts/guide.yaml", 8, "'04-no.yaml', which does not exist",
    ),
    "unknown-section-field": (
        _write(WELCOME, "id: welcome\ntitle: Hi\nparagrahs:\n  - Hello.\n"),
        f"scripts/{WELCOME}", 3, "unknown field 'paragrahs'",
    ),
    "published-is-not-a-date": (
        _replace("guide.yaml", "author: Test Org", "author: Test Org\npublished: next week"),
        "scripts/guide.yaml", 8, "published must be a date such as 2024-05-01",
    ),
    "audiobook-is-not-true-or-false": (
        _replace("guide.yaml", "audiobook: true", "audiobook: 1"),
        "scripts/guide.yaml", 10, "audiobook must be true or false, not a number",
    ),
    "email-is-not-an-address": (
        _replace("guide.yaml", "email: guide@example.org", "email: guide at example org"),
        "scripts/guide.yaml", 8, "is not an email address such as guide@example.org",
    ),
    "category-not-apples": (
        _replace("guide.yaml", "author: Test Org", "author: Test Org\ncategory: Museums"),
        "scripts/guide.yaml", 8, "'Museums' is not one of Apple Podcasts' categories",
    ),
    "subcategory-of-another-category": (
        _replace("guide.yaml", "author: Test Org",
                 "author: Test Org\ncategory: History\nsubcategory: Documentary"),
        "scripts/guide.yaml", 9, "'Documentary' is not one of History's subcategories",
    ),
    "subcategory-without-category": (
        _replace("guide.yaml", "author: Test Org", "author: Test Org\nsubcategory: Documentary"),
        "scripts/guide.yaml", 8, "subcategory needs a category",
    ),
    "accessibility-without-certifier": (
        _replace("guide.yaml", "author: Test Org",
                 "author: Test Org\naccessibility:\n  credential: Badge"),
        "scripts/guide.yaml", 9, "missing required field 'certified_by'",
    ),
    "accessibility-report-not-an-address": (
        _replace("guide.yaml", "author: Test Org",
                 "author: Test Org\naccessibility:\n  certified_by: Lab\n  report: the report"),
        "scripts/guide.yaml", 10, "accessibility.report 'the report' must be the http",
    ),
    "accessibility-unknown-field": (
        _replace("guide.yaml", "author: Test Org",
                 "author: Test Org\naccessibility:\n  certified_by: Lab\n  level: AA"),
        "scripts/guide.yaml", 10, "unknown field 'level' in accessibility",
    ),
    "unknown-guide-field": (
        _replace("guide.yaml", "author: Test Org", "autor: Test Org"),
        "scripts/guide.yaml", 7, "unknown field 'autor'",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "where", "line", "words"), list(BAD_SCRIPTS.values()), ids=list(BAD_SCRIPTS)
)
def test_bad_script_is_one_clean_error_and_changes_nothing(
    project, user_error, change, where: str, line, words: str
) -> None:
    project.run("extract")  # a written template, so "nothing changed" has something to guard
    change(project)
    before = project.snapshot()

    result = project.run("update")

    message = user_error(result, where, line)
    assert words in message
    assert project.snapshot() == before


def test_unknown_field_error_lists_the_fields(project, user_error) -> None:
    _write(WELCOME, "id: welcome\ntitle: Hi\nparagrahs:\n  - Hello.\n")(project)

    message = user_error(project.run("extract"), f"scripts/{WELCOME}", 3)

    assert "id, title, paragraphs, note" in message


@pytest.mark.parametrize("command", ["extract", "update", "compile", "stats"])
def test_every_command_reports_a_bad_script_the_same_way(project, user_error, command: str) -> None:
    _replace(GOODBYE, "id: goodbye", "id: ../x")(project)
    before = project.snapshot()

    result = project.run(command)

    assert "'../x'" in user_error(result, f"scripts/{GOODBYE}", 1)
    assert project.snapshot() == before


PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/apply:subprocess.call [[touch, {marker}]]",
    "!!python/name:os.system",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("where", ["title", "paragraph"])
def test_yaml_tags_that_build_python_objects_are_rejected_not_run(
    project, user_error, tag: str, where: str
) -> None:
    marker = project.root / "hacked"
    value = tag.format(marker=marker)
    if where == "title":
        text = f"id: welcome\ntitle: {value}\nparagraphs:\n  - Hello.\n"
        line = 2
    else:
        text = f"id: welcome\ntitle: Hi\nparagraphs:\n  - {value}\n"
        line = 4
    _write(WELCOME, text)(project)
    before = project.snapshot()

    result = project.run("update")

    user_error(result, f"scripts/{WELCOME}", line)
    assert not marker.exists()
    assert project.snapshot() == before


def test_python_tag_in_guide_yaml_is_rejected(project, user_error) -> None:
    marker = project.root / "hacked"
    _replace(
        "guide.yaml",
        "author: Test Org",
        f'author: !!python/object/apply:os.system ["touch {marker}"]',
    )(project)

    user_error(project.run("extract"), "scripts/guide.yaml", 7)
    assert not marker.exists()


def test_missing_scripts_folder(project, user_error) -> None:
    _empty_folder(project)
    project.scripts.rmdir()

    message = user_error(project.run("stats"), "scripts")

    assert "not a folder" in message


# --- bad catalogs and language ids ------------------------------------------------------------
# Always the second language (zh_Hans) is broken, so a command that handles the first one
# (ko) before it notices would show up as a changed file.


def _change_a_script(project) -> None:
    """A script change, so that update would rewrite the template and the ko catalog."""
    _replace(GOODBYE, "Thank you for listening.", "Thank you all for listening.")(project)


@pytest.mark.parametrize("command", ["stats", "compile"])
def test_declared_language_without_catalog_says_to_run_update(
    project, user_error, command: str
) -> None:
    project.po("zh_Hans").unlink()
    before = project.snapshot()

    message = user_error(project.run(command), "locales/zh_Hans/LC_MESSAGES/audioguide.po")

    assert "no catalog for zh-Hans" in message
    assert "run `audioguide update`" in message
    assert project.snapshot() == before


def _junk_at_end(project) -> int:
    """Append a line Babel cannot read to the zh_Hans catalog; return its line number."""
    path = project.po("zh_Hans")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "this is not a .po line\n", encoding="utf-8")
    return text.count("\n") + 1


def _msgid_without_msgstr(project) -> int:
    path = project.po("zh_Hans")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'msgid "dangling"\n\nmsgid "next"\nmsgstr ""\n', encoding="utf-8")
    return text.count("\n") + 1


def _latin_1_translation(project) -> int:
    """Save one translation in Latin-1 inside an otherwise UTF-8 catalog; return its line."""
    path = project.po("zh_Hans")
    raw = path.read_bytes()
    old = 'msgstr "欢迎"'.encode()
    assert raw.count(old) == 1
    path.write_bytes(raw.replace(old, 'msgstr "Bienvenue à vous"'.encode("latin-1")))
    return raw[: raw.index(old)].count(b"\n") + 1


def _whole_catalog_in(encoding: str):
    def change(project) -> int | None:
        path = project.po("zh_Hans")
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
        return None

    return change


BAD_CATALOGS = {
    "po-with-junk-line": (_junk_at_end, "a word outside the quotes"),
    "po-msgid-without-msgstr": (_msgid_without_msgstr, "has no msgstr"),
    "po-line-in-latin-1": (_latin_1_translation, "not UTF-8"),
    "po-in-gb2312": (_whole_catalog_in("gb2312"), "not UTF-8"),
    "po-in-utf-16": (_whole_catalog_in("utf-16"), "not UTF-8"),
}


@pytest.mark.parametrize("command", ["update", "compile", "stats"])
@pytest.mark.parametrize(("change", "words"), list(BAD_CATALOGS.values()), ids=list(BAD_CATALOGS))
def test_unreadable_catalog_is_one_clean_error_and_changes_nothing(
    project, user_error, command: str, change, words: str
) -> None:
    project.run("extract")
    _change_a_script(project)
    line = change(project)
    before = project.snapshot()

    result = project.run(command)

    where = "locales/zh_Hans/LC_MESSAGES/audioguide.po"
    message = user_error(result, where, line if line is not None else r"\d+")
    assert words in message
    assert project.snapshot() == before


def test_language_id_babel_cannot_parse_on_the_command_line(project, user_error) -> None:
    before = project.snapshot()

    result = project.run("update", "--lang", "klingon")

    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip() == (
        "audioguide: error: unknown language id 'klingon'; use a Babel locale id such as en, "
        "ko, zh_Hans or pt_BR"
    )
    assert project.snapshot() == before


# --- through a real process -----------------------------------------------------------------


def _run_module(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "audioguide",
            *args,
            *(str(part).replace(f"{project.root}/", "") for part in project.folders(args[0])),
        ],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_real_process_prints_one_line_and_exits_2_without_traceback(project) -> None:
    _write(WELCOME, 'id: welcome\ntitle: !!python/object/apply:os.system ["echo hacked"]\n')(
        project
    )
    before = project.snapshot()

    done = _run_module(project, "update")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "hacked" not in done.stdout  # the command was not run
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"audioguide: error: scripts/{WELCOME}:2: ")
    assert project.snapshot() == before


def test_real_process_reports_a_missing_catalog(project) -> None:
    project.po("zh_Hans").unlink()

    done = _run_module(project, "stats")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "audioguide: error: locales/zh_Hans/LC_MESSAGES/audioguide.po: no catalog for zh-Hans "
        "(Chinese (Simplified)); run `audioguide update` to create it"
    )
