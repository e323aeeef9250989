"""The command line: every command explains itself, and both ways of starting it work."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import requests
import responses
from build_helpers import other_warnings, set_translation
from click.testing import CliRunner

from audioguide import build as pipeline
from audioguide.cli import main


def _walk(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*path, name))


COMMANDS = [((), main), *_walk(main)]
IDS = [" ".join(path) or "audioguide" for path, _ in COMMANDS]


def test_the_catalog_commands_exist() -> None:
    names = {path[0] for path, _ in COMMANDS if path}

    assert {"extract", "update", "compile", "stats"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_has_help(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    assert command.help.strip().splitlines()[0] in result.output
    if path:  # the group lists each command with a short description
        listing = CliRunner().invoke(main, [*path[:-1], "--help"]).output
        line = next(ln for ln in listing.splitlines() if ln.strip().startswith(path[-1] + " "))
        assert line.strip() != path[-1]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_has_help(path: tuple[str, ...], command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"


# The folders each command reads or writes, and so the options it takes: no more, no less.
FOLDERS = {
    "new": set(),
    "extract": {"--scripts", "--locales"},
    "update": {"--scripts", "--locales"},
    "compile": {"--scripts", "--locales"},
    "stats": {"--scripts", "--locales"},
    "build": {"--scripts", "--locales", "--output"},
    "proof": {"--scripts", "--locales", "--output"},
    "voices": {"--scripts"},
    "say": {"--scripts", "--locales"},
    "serve": {"--output"},
    "check-speech": {"--output"},
}


@pytest.mark.parametrize("name", sorted(main.commands))
def test_each_command_takes_the_folder_options_it_uses_and_no_other(name: str) -> None:
    command = main.commands[name]
    options = {opt for param in command.params for opt in param.opts}

    assert options & {"--scripts", "--locales", "--output"} == FOLDERS[name]


def test_python_dash_m_audioguide_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "audioguide", "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: audioguide ")
    for name in ("extract", "update", "compile", "stats"):
        assert f"  {name} " in done.stdout
    assert done.stderr == ""


def test_console_script_help() -> None:
    script = Path(sys.executable).with_name("audioguide")
    if not script.exists():
        pytest.skip("the console script is not installed next to this Python")

    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: audioguide ")


# --- what is shown on stderr: log records by level ------------------------------


def test_verbose_shows_a_log_trail(site) -> None:
    result = site.build("--verbose")

    assert result.exit_code == 0, result.stderr
    trail = [line for line in result.stderr.splitlines() if line.startswith("audioguide: debug: ")]
    assert any("sections; building en, ko, zh-Hans" in line for line in trail), result.stderr
    assert any(line.endswith("01-welcome.mp3: up to date") for line in trail), result.stderr
    assert len(result.stdout.strip().splitlines()) == 1  # the summary alone, as ever


def _build_offline(site, *args: str):
    """A build with --engine auto while Google refuses: an INFO notice says espeak speaks. (Feeds
    for a real address, so the only warning is the one a test asks for.)"""
    with responses.RequestsMock() as google:
        google.head("https://translate.google.com/", body=requests.ConnectionError("refused"))
        return site.build("--engine", "auto", "--base-url", "https://example.org/guide/", *args)


def test_quiet_filters_by_level_not_by_wording(site) -> None:
    set_translation(site.po("ko"), "Welcome to the museum.", "")

    loud = _build_offline(site)
    quiet = _build_offline(site, "--quiet")

    assert loud.exit_code == quiet.exit_code == 0, loud.stderr + quiet.stderr
    notice = "audioguide: gTTS is not reachable; speaking with the offline espeak-ng voice"
    warning = "audioguide: warning: ko: 1 of "
    assert notice in loud.stderr.splitlines()
    assert [line for line in loud.stderr.splitlines() if line.startswith(warning)]
    assert notice not in quiet.stderr
    said = [line for line in quiet.stderr.splitlines() if line.startswith("audioguide:")]
    assert other_warnings(said) == [
        line for line in loud.stderr.splitlines() if line.startswith(warning)
    ]


def test_any_part_of_the_package_is_heard_by_level(site, monkeypatch) -> None:
    def build(*args, **kwargs):
        logging.getLogger("audioguide.cache").warning("a damaged clip was made again")
        logging.getLogger("audioguide.cache").info("warning-free wording, but only a notice")
        logging.getLogger("audioguide.cache").debug("looked in the cache")
        raise SystemExit(0)

    monkeypatch.setattr(pipeline, "build", build)  # the CLI imports it when it runs
    shown = {
        flags: site.build(*flags).stderr.splitlines()
        for flags in [(), ("--quiet",), ("--verbose",)]
    }

    warning = "audioguide: warning: a damaged clip was made again"
    notice = "audioguide: warning-free wording, but only a notice"
    debug = "audioguide: debug: looked in the cache"
    # (warnings come once the checks are over: after the notices of the checks)
    assert sorted(shown[()]) == sorted([warning, notice])
    assert shown[("--quiet",)] == [warning]
    assert sorted(shown[("--verbose",)]) == sorted([warning, notice, debug])


# --- a reader that stops reading --------------------------------------------------------------


@pytest.mark.parametrize("command", [["stats"], ["--help"]])
def test_a_closed_pipe_ends_the_command_quietly_as_unix_tools_do(site, command) -> None:
    """``audioguide stats | head -1``: the reader has gone, which is no mistake of the user's.
    The pipe's reading end is closed before the command starts, so every write finds it closed."""
    read, write = os.pipe()
    os.close(read)
    folders = site.folders("stats") if command == ["stats"] else []
    try:
        done = subprocess.run(
            [sys.executable, "-m", "audioguide", *command, *folders],
            stdout=write, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    finally:
        os.close(write)

    assert done.stderr == ""
    assert done.returncode == 141  # as a shell reports a tool that SIGPIPE ended: 128 + 13
