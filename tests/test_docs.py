"""The README cannot drift from the command line and the scripts: every command and every option
is in it, and its examples of guide.yaml and of a section script have exactly their fields."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from audioguide.cli import main
from audioguide.script import SECTION_FIELDS, SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
TABLE_ROWS = "\n".join(line for line in README.splitlines() if line.startswith("|"))


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = list(_commands(main))
OPTIONS = sorted(
    {
        (" ".join(path), option)
        for path, command in [((), main), *COMMANDS]
        for param in command.params
        if isinstance(param, click.Option)
        for option in param.opts
        if option.startswith("--") and option != "--help"
    }
)


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"audioguide {' '.join(path)}" in README


COMMAND_TABLE = README.split("## Commands", 1)[1].split("\n\n", 2)[1]


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_every_command_is_in_the_command_table(path: tuple[str, ...]) -> None:
    rows = [row.split("|")[1].strip() for row in COMMAND_TABLE.splitlines()[2:]]

    assert any(re.fullmatch(rf"`audioguide {' '.join(path)}( [^`]*)?`", row) for row in rows), (
        f"`audioguide {' '.join(path)}` is not in the command table under ## Commands"
    )


def test_the_shell_completion_the_readme_gives_completes_commands() -> None:
    assert 'eval "$(_AUDIOGUIDE_COMPLETE=bash_source audioguide)"' in README
    env = {
        "_AUDIOGUIDE_COMPLETE": "bash_complete",
        "COMP_WORDS": "audioguide ne",
        "COMP_CWORD": "1",
    }

    result = CliRunner().invoke(main, [], prog_name="audioguide", env=env)

    assert result.output.splitlines() == ["plain,new"]
    script = CliRunner().invoke(
        main, [], prog_name="audioguide", env={"_AUDIOGUIDE_COMPLETE": "bash_source"}
    )
    assert "_AUDIOGUIDE_COMPLETE=bash_complete" in script.output


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[" ".join(o) for o in OPTIONS])
def test_every_option_is_in_an_option_table(command: str, option: str) -> None:
    assert re.search(rf"`[^`|]*(?<![\w-]){re.escape(option)}(?![\w-])", TABLE_ROWS), (
        f"`audioguide {command} {option}` is not in any option table of README.md"
    )


def _example(caption: str) -> dict[str, object]:
    """The YAML example the README gives below ``caption`` (in *Writing a guide*)."""
    block = README.split(f"{caption}\n\n```yaml\n", 1)[1].split("\n```", 1)[0]
    return yaml.safe_load(block)


def test_the_guide_yaml_example_has_every_field_a_guide_may_have_and_no_other() -> None:
    given = set(_example("`scripts/guide.yaml`:"))

    assert given == {setting.name for setting in SETTINGS}


def test_the_section_example_has_every_field_a_section_may_have_and_no_other() -> None:
    given = set(_example("`scripts/NN-<slug>.yaml`, one per section, in order:"))

    assert given == set(SECTION_FIELDS)
