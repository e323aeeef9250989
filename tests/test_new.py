"""``audioguide new DIR``: a guide folder that works at once, or a refusal that writes nothing.

Building the new guide is checked from an installed wheel (``test_package.py``); these tests
check the folder it makes and the commands run on it in-process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from build_helpers import Site, cli_runner, tree
from click.testing import Result

from audioguide import __version__, lexicon, script, starter
from audioguide.cli import main
from audioguide.languages import resolve
from audioguide.script import load_guide


def new(*args: str) -> Result:
    return cli_runner().invoke(main, ["new", *args], prog_name="audioguide", catch_exceptions=False)


@pytest.fixture
def guide(tmp_path: Path) -> Site:
    """A guide made by ``audioguide new museum --languages ko,zh_Hans``."""
    result = new(str(tmp_path / "museum"), "--languages", "ko,zh_Hans")
    assert result.exit_code == 0, result.stdout + result.stderr
    return Site(tmp_path / "museum")


def test_new_makes_scripts_catalogs_and_lexicons_for_each_language(guide: Site) -> None:
    files = sorted(str(p.relative_to(guide.root)) for p in guide.root.rglob("*") if p.is_file())

    assert files == [
        ".github/workflows/publish.yml",
        ".gitignore",
        "babel.cfg",
        "locales/audioguide.pot",
        "locales/en/pronunciation.pls",
        "locales/ko/LC_MESSAGES/audioguide.po",
        "locales/ko/pronunciation.pls",
        "locales/zh_Hans/LC_MESSAGES/audioguide.po",
        "locales/zh_Hans/pronunciation.pls",
        "scripts/01-welcome.yaml",
        "scripts/02-first-room.yaml",
        "scripts/guide.yaml",
    ]
    loaded = load_guide(guide.scripts)
    assert [language.locale_id for language in loaded.languages] == ["en", "ko", "zh_Hans"]
    assert loaded.id == "museum"
    assert [section.stem for section in loaded.sections] == ["01-welcome", "02-first-room"]


def test_new_prints_the_next_three_commands(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = new("my guide")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "  cd 'my guide'",
        "  audioguide build",
        "  audioguide serve",
    ]


def test_the_catalogs_are_what_extract_and_update_write(guide: Site) -> None:
    before = tree(guide.locales)

    extracted = guide.cli("extract")
    updated = guide.cli("update")

    assert extracted.exit_code == 0, extracted.stderr
    assert extracted.stdout == f"{guide.locales / 'audioguide.pot'}: unchanged\n"
    assert updated.stdout == "ko: unchanged\nzh_Hans: unchanged\n"
    assert tree(guide.locales) == before


def test_gnu_gettext_accepts_the_catalogs(guide: Site, gettext) -> None:
    for path in (guide.locales / "audioguide.pot", guide.po("ko"), guide.po("zh-Hans")):
        checked = gettext("msgfmt", "-c", "-o", "/dev/null", path)
        assert checked.returncode == 0, checked.stderr.decode()


def test_korean_and_chinese_come_translated(guide: Site) -> None:
    """The sample sections ship with translations: those editions speak their own language."""
    result = guide.cli("stats", "--check")

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "우리 박물관" in guide.po("ko").read_text("utf-8")
    assert "第一展厅" in guide.po("zh-Hans").read_text("utf-8")


def test_a_language_without_sample_translations_gets_an_untranslated_catalog(
    tmp_path: Path,
) -> None:
    result = new(str(tmp_path / "g"), "--languages", "fr")
    fr = Site(tmp_path / "g")

    assert result.exit_code == 0, result.stderr
    stats = fr.cli("stats", "--json")
    (french,) = json.loads(stats.stdout)
    assert french["language"] == "fr"
    assert french["translated"] == 0 and french["untranslated"] > 0


def test_languages_are_given_in_any_spelling_and_kept_in_order(tmp_path: Path) -> None:
    result = new(str(tmp_path / "g"), "--languages", "zh-CN, ko,en,ko")

    assert result.exit_code == 0, result.stderr
    assert "languages: [en, zh_Hans, ko]" in (tmp_path / "g/scripts/guide.yaml").read_text()
    assert result.stdout.startswith(f"{tmp_path / 'g'}: a new guide in en, zh_Hans, ko; next:")


def test_without_languages_the_guide_has_only_its_source_language(tmp_path: Path) -> None:
    result = new(str(tmp_path / "g"), "--source", "ko")

    assert result.exit_code == 0, result.stderr
    loaded = load_guide(tmp_path / "g" / "scripts")
    assert loaded.languages == (resolve("ko"),)
    assert sorted(p.name for p in (tmp_path / "g" / "locales").iterdir()) == [
        "audioguide.pot",
        "ko",
    ]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--languages", "ko,xx"], "--languages"),
        (["--source", "klingon"], "--source"),
        (["--languages", "ko@x"], "--languages"),
        (["--languages", "de_DE@euro"], "--languages"),
    ],
)
def test_an_unknown_language_is_one_line_and_writes_nothing(
    tmp_path: Path, user_error, args: list[str], option: str
) -> None:
    result = new(str(tmp_path / "g"), *args)

    message = user_error(result, option)
    assert re.search(r"unknown language id|has a modifier", message)
    assert "audioguide.po" not in message  # not audioguide's own catalogs
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("leftover", ["notes.txt", ".git"])
def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path, user_error, leftover) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / leftover).write_text("mine\n")
    before = tree(tmp_path)

    result = new(str(folder))

    assert "is not empty" in user_error(result, "g")
    assert tree(tmp_path) == before
    assert list(tmp_path.rglob("*")) == [folder, folder / leftover]


def test_a_file_is_refused(tmp_path: Path, user_error) -> None:
    (tmp_path / "g").write_text("mine\n")

    result = new(str(tmp_path / "g"))

    assert "is not a folder" in user_error(result, "g")
    assert (tmp_path / "g").read_text() == "mine\n"


def test_an_empty_folder_is_used_even_the_current_one(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "Musée d'Art"
    folder.mkdir()
    monkeypatch.chdir(folder)

    result = new(".")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["  audioguide build", "  audioguide serve"]
    assert load_guide(folder / "scripts").id == "musee-d-art"
    assert sorted(p.name for p in folder.iterdir()) == sorted(starter.PLACED)


def test_a_failure_half_way_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(starter.catalogs, "update", fail)

    result = new(str(tmp_path / "g"), "--languages", "ko")

    assert result.exit_code == 2
    assert result.stderr.startswith("audioguide: error: ")
    assert list(tmp_path.iterdir()) == []


def test_a_language_the_offline_voice_cannot_speak_is_warned_about(tmp_path: Path) -> None:
    result = new(str(tmp_path / "g"), "--languages", "wo")

    assert result.exit_code == 0, result.stderr
    assert "warning: the offline voice, espeak-ng, does not speak Wolof (wo)" in result.stderr


def test_guide_yaml_shows_every_field_with_a_comment_and_each_one_works(guide: Site) -> None:
    """Every field load_guide accepts is in guide.yaml, after a comment line; with every optional
    one uncommented (cover: names a file the build would look for) the guide still loads."""
    path = guide.scripts / "guide.yaml"
    lines = path.read_text("utf-8").splitlines()
    field = re.compile(r"# ((  )?[a-z_]+:( |$))")  # a field, commented out
    for name in (setting.name for setting in script.SETTINGS):
        (at,) = [n for n, line in enumerate(lines) if re.match(rf"(# )?{name}:( |$)", line)]
        explained = lines[at - 1]
        assert explained.startswith("# ") and not field.match(explained), name
    uncommented = [field.sub(r"\1", line) for line in lines]
    path.write_text("\n".join(uncommented) + "\n", "utf-8")

    loaded = load_guide(guide.scripts)

    assert loaded.author == "Example Museum"
    assert loaded.base_url == "https://example.org/guide/"
    assert loaded.cover is not None and loaded.cover.value == "cover.jpg"
    assert dict((k, v) for k, v, _ in loaded.voice(loaded.source_language).settings)["rate"] == 160
    assert loaded.pauses == script.Pauses()


def test_the_sample_sections_use_every_section_field(guide: Site) -> None:
    used = set()
    for path in guide.scripts.glob("0*.yaml"):
        used |= set(yaml.safe_load(path.read_text("utf-8")))

    assert used == set(script.SECTION_FIELDS)


@pytest.mark.parametrize(
    ("locale_id", "word"), [("en", "HRW"), ("ko", "박물관"), ("zh_Hans", "重庆")]
)
def test_each_lexicon_is_valid_and_its_example_works_uncommented(
    guide: Site, locale_id: str, word: str
) -> None:
    language = resolve(locale_id)
    assert lexicon.load(guide.locales, language).lexemes == ()
    path = lexicon.path_for(guide.locales, language)
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"<!--\s*(<lexeme>.*?</lexeme>)\s*-->", r"\1", text, flags=re.S))

    (lexeme,) = lexicon.load(guide.locales, language).lexemes

    assert lexeme.graphemes == (word,)
    assert lexeme.alias


def test_the_readmes_pybabel_command_works_in_a_new_guide(guide: Site) -> None:
    """The README's *Translating* runs pybabel with the guide's babel.cfg: new writes one."""
    pybabel = Path(sys.executable).with_name("pybabel")
    done = subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-o", "locales/audioguide.pot", "scripts"],
        cwd=guide.root, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    template = (guide.root / "locales" / "audioguide.pot").read_text("utf-8")
    assert 'msgid "Our Museum"' in template


def test_new_writes_a_workflow_that_publishes_the_guide_on_github_pages(guide: Site) -> None:
    path = guide.root / ".github" / "workflows" / "publish.yml"
    done = subprocess.run(
        [Path(sys.executable).with_name("check-jsonschema"), "--builtin-schema",
         "vendor.github-workflows", path],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr

    workflow = yaml.safe_load(path.read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[0] == f'python -m pip install "audioguide=={__version__}"'
    assert runs[1:] == ["audioguide stats --check", 'audioguide build --base-url "$BASE_URL/"']
    build = next(step for step in steps if step.get("run", "").startswith("audioguide build"))
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "actions/configure-pages" in uses
    upload = next(step for step in steps if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == "output"
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_what_builds_make_is_kept_out_of_git(guide: Site) -> None:
    ignored = (guide.root / ".gitignore").read_text("utf-8").split()
    assert {"/output/", "/proof/", "/.audioguide-cache/"} <= set(ignored)


def test_a_long_folder_name_gives_a_guide_with_an_id_cut_to_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / ("a" * 80)

    result = new(str(folder))

    assert result.exit_code == 0, result.stderr
    assert load_guide(folder / "scripts").id == "a" * script.MAX_ID


def test_a_folder_name_too_long_for_the_file_system_is_named_with_the_limit(
    tmp_path: Path, user_error
) -> None:
    result = new(str(tmp_path / ("c" * 256)))

    message = user_error(result, "c" * 256)
    assert "256 bytes" in message and "at most 255" in message
    assert ".audioguide" not in message
    assert list(tmp_path.iterdir()) == []


KILL_AT = {
    "while writing the catalogs": "starter.catalogs.update = lambda *a, **k: die()",
    "while moving the guide into place": (
        "moves = iter(range(3))\n"
        "real = starter.os.replace\n"
        "starter.os.replace = lambda *a: real(*a) if next(moves, None) is not None else die()"
    ),
}


@pytest.mark.parametrize("where", sorted(KILL_AT))
@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "empty-folder"])
def test_a_new_killed_midway_leaves_a_folder_the_next_new_uses(
    tmp_path: Path, where: str, existing: bool
) -> None:
    folder = tmp_path / "g"
    if existing:
        folder.mkdir()
    program = (
        "import os, signal, sys\n"
        "from audioguide import starter\n"
        "from audioguide.cli import main\n"
        "def die(): os.kill(os.getpid(), signal.SIGKILL)\n"
        f"{KILL_AT[where]}\n"
        "main(['new', sys.argv[1], '--languages', 'ko'])\n"
    )
    killed = subprocess.run([sys.executable, "-c", program, folder], check=False)
    assert killed.returncode == -9
    assert folder.is_dir() and any(folder.iterdir())  # it was stopped with work half done

    result = new(str(folder), "--languages", "ko")

    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(starter.PLACED)
    assert load_guide(folder / "scripts").languages[1] == resolve("ko")
