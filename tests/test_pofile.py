"""The .po layer against GNU gettext itself: what msgfmt -c refuses we refuse, and what we write
is byte for byte what msgcat and msgmerge write."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from build_helpers import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audioguide.catalogs import PoFile, read_po, write_po
from audioguide.errors import CatalogError

HEADER = [
    ("Project-Id-Version", "test-guide"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Content-Transfer-Encoding", "8bit"),
]
KO = FIXTURES / "locales" / "ko" / "LC_MESSAGES" / "audioguide.po"


def _catalog_text(body: str) -> str:
    return 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + body


# --- writing: byte for byte what msgcat writes --------------------------------------------------

WORDS = [
    "the", "market", "refugees'", "80%", "COVID-19", "(Human", "Rights)", "“quoted”", '"q"',
    "back\\slash", "tab\there", "시장과", "외부", "정보가", "탈북민들.", "장마당(jangmadang)은",
    "中国", "边境，", "越来越", "严格。", "《报告》", "“你好”", "（注）", "—", "-", "…", "x" * 40,
    "https://example.org/a/b?c=d", "{number}", "{total}번", "e\u0301", "🙂", "\u00a0", "l'été",
    "«", "»", "！", "？", "、", "1,000", "$5", "10:30", "ａｂｃ", "\n", "word/other", "end.",
]  # fmt: skip
text = st.lists(st.sampled_from(WORDS), max_size=50).map(" ".join).map(str.strip)
line = text.map(lambda value: value.replace("\n", " ").strip())
message = st.fixed_dictionaries(
    {
        "id": text.filter(bool),
        "string": text,
        "fuzzy": st.booleans(),
        "previous": st.one_of(st.none(), text.filter(bool)),
        "notes": st.lists(line, max_size=2),
        "comments": st.lists(line, max_size=2),
        "files": st.lists(st.integers(1, 40), max_size=4),
        "obsolete": st.booleans(),
        "no_python_format": st.booleans(),
        "newline": st.booleans(),  # msgid and msgstr both end with one, as gettext requires
    }
)


def _build(messages: list[dict]) -> Catalog:
    catalog = Catalog(locale="ko", fuzzy=False)
    for number, spec in enumerate(messages):
        end = "\n" if spec["newline"] else ""
        msgid = f"{spec['id']} #{number}{end}"
        flags = {"fuzzy"} if spec["fuzzy"] else set()
        if spec["no_python_format"]:
            flags.add("no-python-format")
        entry = Message(
            msgid,
            spec["string"] + end if spec["string"] else "",
            locations=[(f"scripts/{'n' * size}.yaml", size * 7) for size in spec["files"]],
            auto_comments=spec["notes"],
            user_comments=spec["comments"],
            previous_id=[spec["previous"]] if spec["previous"] else [],
        )
        entry.flags = flags
        if spec["obsolete"] and number:  # the first one stays: msgcat drops a header-only file
            catalog.obsolete[msgid] = entry
        else:
            catalog[msgid] = entry
    return catalog


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(message, min_size=1, max_size=12))
def test_written_catalogs_are_what_msgcat_writes(messages, gettext, tmp_path_factory) -> None:
    """Long lines, escapes, CJK, fuzzy with #|, obsolete: msgcat leaves every byte as it is,
    and reading the file back gives the same messages."""
    path = tmp_path_factory.mktemp("msgcat") / "ko.po"
    catalog = _build(messages)
    data = write_po(PoFile(catalog, HEADER, ["A translator's note", ""]))
    path.write_bytes(data)

    done = gettext("msgcat", path)

    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode() == data.decode()
    again = read_po(path)
    assert write_po(again) == data


def test_long_previous_msgid_is_wrapped_as_gettext_wraps_it(gettext, tmp_path: Path) -> None:
    previous = "The 5,000 km journey " + "across five countries and many borders " * 4
    catalog = Catalog(fuzzy=False)
    catalog.add(previous.replace("five", "5"), "번역", flags=["fuzzy"], previous_id=[previous])
    path = tmp_path / "ko.po"
    path.write_bytes(write_po(PoFile(catalog, HEADER)))

    assert gettext("msgfmt", "-c", "-o", "/dev/null", path).returncode == 0
    text = path.read_text("utf-8")
    assert '#| msgid ""\n#| "The 5,000 km journey across five countries' in text
    assert all(len(line) <= 79 for line in text.splitlines())
    assert gettext("msgcat", path).stdout == path.read_bytes()


# --- reading: as strict as msgfmt -c -------------------------------------------------------------

BAD = {
    "unterminated string": ('msgid "a"\nmsgstr "b\n', 6, "end of the line inside a quoted"),
    "deleted msgid line": ('msgid "a"\nmsgstr "b"\n\nmsgstr "c"\n', 8, "restore the msgid"),
    "bad escape": ('msgid "a"\nmsgstr "b\\qc"\n', 6, "an unknown escape at column 10"),
    "stray quote": ('msgid "a"\nmsgstr "b"c"\n', 6, "a word outside the quotes at column 11"),
    "trailing garbage": ('msgid "a"\nmsgstr "b" ;\n', 6, "a character outside the quotes"),
    "unquoted msgid": ('msgid a\nmsgstr "b"\n', 5, "a word outside the quotes at column 7"),
    "duplicate msgid": ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 8, "line 5"),
    "plural entry": ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n', 6, "plural forms"),
    "missing msgstr": ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 5, 'add msgstr ""'),
    "newline mismatch": ('msgid "a\\n"\nmsgstr "b"\n', 6, "line break"),
    "obsolete mixed": ('#~ msgid "a"\nmsgstr "b"\n', 6, "partly obsolete"),
    "comment inside": ('msgid "a"\n# note\nmsgstr "b"\n', 5, "has no msgstr"),
    "both format flags": (  # what pybabel update writes on "80% of"
        '#, no-python-format, python-format\nmsgid "80% of"\nmsgstr "80%가"\n',
        5,
        "contradict",
    ),
}
STRICTER = {  # msgfmt lets these through; a listener would hear or see them
    "control character": ('msgid "a"\nmsgstr "b\x01"\n', 6, "control character U+0001"),
    "NUL": ('msgid "a"\nmsgstr "b\\0c"\n', 6, "control character U+0000"),
    "format flag": ('#, python-format\nmsgid "a"\nmsgstr "b"\n', 5, "python-format"),
    # a message context: audioguide has one message per text, so it would be silently ignored
    "msgctxt": ('msgctxt "menu"\nmsgid "a"\nmsgstr "b"\n', 5, "msgctxt"),
    "previous msgctxt": ('#, fuzzy\n#| msgctxt "x"\nmsgid "a"\nmsgstr "b"\n', 6, "msgctxt"),
    "obsolete msgctxt": ('#~ msgctxt "x"\n#~ msgid "a"\n#~ msgstr "b"\n', 5, "msgctxt"),
}


@pytest.mark.parametrize("case", sorted(BAD) + sorted(STRICTER))
def test_damaged_catalogs_are_refused_like_msgfmt_does(case, gettext, tmp_path) -> None:
    body, line, words = BAD.get(case) or STRICTER[case]
    path = tmp_path / "ko.po"
    path.write_text(_catalog_text(body), encoding="utf-8")
    if case in BAD:
        assert gettext("msgfmt", "-c", "-o", "/dev/null", path).returncode != 0

    with pytest.raises(CatalogError) as raised:
        read_po(path)

    assert raised.value.path == path
    assert raised.value.line == line, str(raised.value)
    assert words in str(raised.value)


@pytest.mark.parametrize(
    ("charset", "words"),
    [("ISO-8859-1", "charset=iso8859-1"), ("nonsense-xyz", "a charset Python does not know")],
)
def test_a_catalog_that_is_not_utf8_is_refused_with_what_to_do(charset, words, tmp_path):
    path = tmp_path / "ko.po"
    path.write_text(
        f'msgid ""\nmsgstr "Content-Type: text/plain; charset={charset}\\n"\n\n'
        'msgid "Markets"\nmsgstr "시장"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="convert the file to UTF-8") as raised:
        read_po(path)
    assert words in str(raised.value)
    assert raised.value.line == 1


TOKEN = "hf_DoNotPrintMe0123456789"


@pytest.mark.parametrize(
    "body",
    [
        f"{TOKEN}\n",
        f'msgid "a"\nmsgstr "b" {TOKEN}\n',
        f'msgid "a"\nmsgstr "b"{TOKEN}"\n',
        f'msgid "a"\nmsgstr "b" ~{TOKEN}\n',
        f'msgid "a"\nmsgstr "b\\{TOKEN}"\n',
        f'#, {TOKEN}-format\nmsgid "a"\nmsgstr "b"\n',
        'msgid "a"\nmsgstr "\\xDEADBEEF"\n',
    ],
    ids=["bare word", "after a string", "inside a string", "character", "escape", "flag", "byte"],
)
def test_no_refusal_repeats_what_the_file_says(body, tmp_path) -> None:
    """What failed to parse may be anything (a secret, had the file been one): an error
    describes it by its place, never by its content."""
    path = tmp_path / "ko.po"
    path.write_text(_catalog_text(body), encoding="utf-8")

    with pytest.raises(CatalogError) as raised:
        read_po(path)

    assert raised.value.line is not None
    assert "DoNotPrint" not in str(raised.value) and "DEADBEEF" not in str(raised.value)


def test_an_unknown_charset_is_not_repeated(tmp_path) -> None:
    path = tmp_path / "ko.po"
    path.write_text(f'msgid ""\nmsgstr "Content-Type: text/plain; charset={TOKEN}\\n"\n', "utf-8")
    with pytest.raises(CatalogError, match="a charset Python does not know") as raised:
        read_po(path)
    assert "DoNotPrint" not in str(raised.value)


def test_pybabels_contradicting_format_flags_are_repaired_only_when_asked(tmp_path) -> None:
    path = tmp_path / "ko.po"
    path.write_text(_catalog_text(
        '#, fuzzy, no-python-format, python-format\nmsgid "80% of"\nmsgstr "80%가"\n'
    ), "utf-8")  # fmt: skip

    with pytest.raises(CatalogError, match="contradict"):
        read_po(path)
    po = read_po(path, repair=True)

    assert po.repaired == [5]
    assert po.catalog["80% of"].flags == {"fuzzy", "no-python-format"}
    assert b"#, fuzzy, no-python-format\n" in write_po(po)


def test_what_gettext_accepts_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ko.po"
    path.write_bytes(
        _catalog_text(
            "# translator\n#. note\n#: a.yaml:3 b.yaml:4\n#, fuzzy, no-python-format\n"
            '#| msgid "old"\nmsgid "new"\nmsgstr "새" "것\\t\\"x\\""\r\n\n'
            '#~ msgid "gone"\n#~ msgstr "사라짐"\n'
        ).encode()
    )
    po = read_po(path)

    message = po.catalog["new"]
    assert message.string == '새것\t"x"'
    assert message.fuzzy and message.previous_id == ["old"]
    assert message.flags == {"fuzzy", "no-python-format"}
    assert message.locations == [("a.yaml", 3), ("b.yaml", 4)]
    assert (message.user_comments, message.auto_comments) == (["translator"], ["note"])
    assert message.lineno == 10
    assert po.catalog.obsolete["gone"].string == "사라짐"


# --- random damage: whatever msgfmt -c refuses, every command refuses, writing nothing -----------


def _damage(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(lines))
        kind = rng.choice(["truncate", "delete", "quote", "flip", "backslash", "duplicate"])
        target = lines[index]
        if kind == "truncate" and target:
            lines[index] = target[: rng.randrange(len(target))]
        elif kind == "delete":
            del lines[index]
        elif kind == "quote":
            at = rng.randint(0, len(target))
            lines[index] = target[:at] + '"' + target[at:]
        elif kind == "flip" and '"' in target:
            quotes = [i for i, char in enumerate(target) if char == '"']
            at = rng.choice(quotes)
            lines[index] = target[:at] + rng.choice(["'", "“", ""]) + target[at + 1 :]
        elif kind == "backslash":
            at = rng.randint(0, len(target))
            lines[index] = target[:at] + "\\" + target[at:]
        elif kind == "duplicate":
            lines.insert(index, target)
    return "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(seed=st.integers(0, 2**32 - 1))
def test_whatever_msgfmt_refuses_every_command_refuses(seed, project, gettext) -> None:
    path = project.po("ko")
    original = path.read_text("utf-8")
    damaged = _damage(original, random.Random(seed))
    path.write_text(damaged, encoding="utf-8")
    try:
        refused = gettext("msgfmt", "-c", "-o", "/dev/null", path).returncode != 0
        if not refused:
            return
        before = project.snapshot()
        for command in (["stats"], ["update"], ["compile"], ["build", "--no-cache"]):
            result = project.run(*command)
            output = result.stdout + result.stderr
            assert result.exit_code == 2, f"{command} accepted:\n{damaged}\n{output}"
            assert re.search(r"audioguide\.po:\d+: ", result.stderr), result.stderr
            assert "Traceback" not in output
        assert project.snapshot() == before
    finally:
        path.write_text(original, encoding="utf-8")


def test_shipped_catalogs_read_back_as_written(tmp_path: Path) -> None:
    for source in sorted((FIXTURES / "locales").rglob("*.po*")):
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        po = read_po(copy)
        assert write_po(po) == source.read_bytes(), source


def test_catalogs_audioguide_ships_are_canonical_and_hold_only_its_strings(tmp_path: Path) -> None:
    """audioguide's own translations fill new catalogs: they must read back as written (the
    form msgcat gives) and hold no string audioguide no longer has."""
    from audioguide.strings import STRINGS

    ours = {string.msgid for string in STRINGS}
    shipped = sorted((Path(__file__).parents[1] / "audioguide" / "locales").rglob("*.po"))
    assert shipped
    for source in shipped:
        po = read_po(source)
        assert write_po(po) == source.read_bytes(), source
        assert {message.id for message in po.catalog if message.id} == ours, source
