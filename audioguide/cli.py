"""The ``audioguide`` command. Library errors become one clean line and exit status 2."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__, catalogs
from .errors import AudioGuideError
from .languages import resolve
from .script import load_guide

EXIT_USER_ERROR = 2


def _paths(command):
    """The folder options every command takes."""

    @click.option(
        "--scripts", type=click.Path(path_type=Path), default=Path("scripts"), show_default=True,
        help="Folder with guide.yaml and the section scripts.",
    )
    @click.option(
        "--locales", type=click.Path(path_type=Path), default=Path("locales"), show_default=True,
        help="Folder with the gettext catalogs.",
    )
    @click.option(
        "--output", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
        help="Folder the guide is built into.",
    )
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AudioGuideError as exc:
            click.echo(f"audioguide: error: {exc}", err=True)
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            click.echo("audioguide: interrupted; run the same command again to resume", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audioguide")
def main():
    """Turn a written guide into an accessible, multilingual, narrated audio guide.

    The usual order: extract, update (then translate the .po files), build.
    """


@main.command()
@_paths
def extract(scripts, locales, output):
    """Write the translation template locales/audioguide.pot from the scripts."""
    guide = load_guide(scripts)
    changed = catalogs.extract(guide, locales)
    click.echo(f"{locales / catalogs.TEMPLATE}: {'written' if changed else 'unchanged'}")


@main.command()
@click.option(
    "--lang", "langs", multiple=True, metavar="LANG",
    help="Only this language (repeatable). Default: every language of the guide.",
)
@_paths
def update(scripts, locales, output, langs):
    """Merge the template into each language's catalog, creating missing ones.

    Translations are kept; a changed source text makes its translation fuzzy, and a removed
    one is kept as obsolete (#~), so no translator's work is lost.
    """
    guide = load_guide(scripts)
    languages = [resolve(lang) for lang in langs] or None
    results = catalogs.update(guide, locales, languages)
    for locale_id, result in results.items():
        click.echo(f"{locale_id}: {result}")


@main.command(name="compile")
@_paths
def compile_(scripts, locales, output):
    """Write the binary .mo catalogs next to the .po files."""
    guide = load_guide(scripts)
    written = catalogs.compile_catalogs(guide, locales)
    click.echo(f"{len(written)} catalog(s) compiled")


@main.command()
@click.option("--check", is_flag=True, help="Exit 1 if any language is incomplete or a "
              "translation loses or adds a {placeholder}.")
@_paths
def stats(scripts, locales, output, check):
    """Print translated, fuzzy and untranslated messages per language."""
    guide = load_guide(scripts)
    results = catalogs.stats(guide, locales)
    click.echo(f"{'language':<10} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} {'done':>6}")
    for s in results:
        click.echo(
            f"{s.language.locale_id:<10} {s.translated:>10} {s.fuzzy:>6} {s.untranslated:>12} "
            f"{s.percent:>5.1f}%"
        )
        for problem in s.problems:
            click.echo(f"  {problem}")
    if check and not all(s.complete for s in results):
        incomplete = ", ".join(s.language.locale_id for s in results if not s.complete)
        click.echo(f"incomplete: {incomplete}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
