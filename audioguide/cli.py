"""The ``audioguide`` command. Library errors become one clean line and exit status 2; a bug in
audioguide itself becomes one line saying so, exit status 3. What the package logs is shown on
stderr: warnings always, notices unless --quiet, the debug trail with --verbose.

Each command imports what it uses when it runs, so that ``--help`` and the light commands do
not load the audio, packaging and catalog stacks."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Never, NoReturn

import click

from . import __version__
from .cache import DEFAULT_CACHE
from .errors import REPORT_BUGS, AudioGuideError, BuildError, OptionError
from .report import Reporter

if TYPE_CHECKING:
    from tqdm import tqdm

    from .languages import Language
    from .stamp import Stamped, Summary

EXIT_USER_ERROR = 2
EXIT_BUG = 3
log = logging.getLogger("audioguide")


def _reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """--verbose, and the one place errors are shown."""

    @click.option("--verbose", "-v", is_flag=True, help="Show what it does, step by step.")
    @functools.wraps(command)
    def wrapper(*args: Any, verbose: bool = False, **kwargs: Any) -> Any:
        level = (
            logging.DEBUG if verbose else logging.WARNING if kwargs.get("quiet") else logging.INFO
        )
        handler, previous = _Echo(level), log.level
        log.addHandler(handler)
        log.setLevel(level)
        try:
            result = command(*args, **kwargs)
            handler.show_held()
            sys.stdout.flush()  # here, where a closed pipe is caught, not at the exit
            return result
        except AudioGuideError as exc:
            click.echo(f"audioguide: error: {exc}", err=True)
            sys.exit(EXIT_USER_ERROR)
        except BrokenPipeError:  # the reader went away (`audioguide stats | head -1`)
            _closed_pipe()
        except OSError as exc:  # a folder that is a file, no permission, disk full, ...
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"audioguide: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_USER_ERROR)
        except SystemExit:  # a command's own exit status (stats --check): not an error
            handler.show_held()
            raise
        except KeyboardInterrupt:
            click.echo("audioguide: interrupted; run the same command again to resume", err=True)
            sys.exit(130)
        except Exception as exc:  # InternalError or anything unforeseen: a bug, not the user's
            log.debug("the traceback:", exc_info=True)
            what = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            click.echo(
                f"audioguide: internal error, a bug in audioguide ({what}); "
                f"please report it to {REPORT_BUGS}",
                err=True,
            )
            sys.exit(EXIT_BUG)
        finally:
            if handler in _Echo.holding:
                _Echo.holding.remove(handler)
            log.removeHandler(handler)
            log.setLevel(previous)

    return wrapper


# How a command ends whose reader has gone: quietly, with the status a shell gives a Unix tool
# that SIGPIPE ended (128 + 13), so `set -o pipefail` still sees the output was cut short. (Not
# by SIGPIPE itself: a build writes into ffmpeg's pipes and a server to clients that leave, and
# must hear of that as an error it handles, not die of it.)
EXIT_CLOSED_PIPE = 128 + signal.SIGPIPE


def _closed_pipe() -> NoReturn:
    """End quietly: nothing more goes to the closed pipe, not even at the interpreter's exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no descriptor behind sys.stdout: nothing left to flush
        pass
    sys.exit(EXIT_CLOSED_PIPE)


class _Main(click.Group):
    """The ``audioguide`` group: click's own output (``--help``) to a closed pipe ends as a
    command's does (click ends it with status 1)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except SystemExit as exc:
            if exc.code == 1 and isinstance(sys.stdout, click.utils.PacifyFlushWrapper):
                _closed_pipe()
            raise


_FOLDERS = (
    ("--scripts", "scripts", "Folder with guide.yaml and the section scripts."),
    ("--locales", "locales", "Folder with the gettext catalogs."),
    ("--output", "output", "Folder the guide is built into."),
)


def _paths(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The folder options a command uses (of ``scripts``, ``locales``, ``output``), and
    :func:`_reported`'s --verbose and errors."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = _reported(command)
        for option, default, help in reversed(_FOLDERS):  # as decorators do: first shown first
            if option[2:] in names:
                path = click.Path(path_type=Path)
                command = click.option(option, type=path, default=Path(default),
                                       show_default=True, help=help)(command)  # fmt: skip
        return command

    return decorate


class _Echo(logging.Handler):
    """The package's log records on stderr, one line each, "audioguide: [level: ]message";
    above a progress bar when one is showing.

    Warnings are held back until the command's checks are over (the build's work starts, or
    the command ends well): an error that stops the command is then its only line, never
    buried under warnings about what it would have done."""

    bars: ClassVar[dict[str, tqdm[Never]]] = {}  # the build's progress bars, while they show
    holding: ClassVar[list[_Echo]] = []  # handlers still holding warnings back

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.held: list[str] | None = []
        _Echo.holding.append(self)

    def show_held(self) -> None:
        """Show the warnings held back, and the ones to come as they come."""
        held, self.held = self.held or [], None
        if self in _Echo.holding:
            _Echo.holding.remove(self)
        for text in held:
            self._show(text)

    @classmethod
    def checked(cls) -> None:
        """The command's checks are over: release every handler's warnings."""
        for handler in list(cls.holding):
            handler.show_held()

    def emit(self, record: logging.LogRecord) -> None:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        text = f"audioguide: {level}{record.getMessage()}"
        if record.exc_info and self.level <= logging.DEBUG:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if self.held is not None and record.levelno >= logging.WARNING:
            self.held.append(text)
        else:
            self._show(text)

    def _show(self, text: str) -> None:
        if _Echo.bars:
            from tqdm import tqdm

            tqdm.write(text, file=sys.stderr)
        else:
            click.echo(text, err=True)


class _Warnings(logging.Handler):
    """Keeps the text of each warning logged, for ``build --json``."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _languages(
    help: str = "Only this language (repeatable). Default: every language of the guide.",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The repeatable ``--lang`` option, as ``langs``."""
    return click.option("--lang", "langs", multiple=True, metavar="LANG", help=help)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audioguide")
def main() -> None:
    """Turn a written guide into an accessible, multilingual, narrated audio guide.

    The usual order: extract, update (then translate the .po files), build.
    """


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--languages",
    default="",
    metavar="LANG,...",
    help="The editions besides the source language, such as ko,zh_Hans. Default: none.",
)
@click.option(
    "--source",
    default="en",
    show_default=True,
    metavar="LANG",
    help="The language the scripts are written in (the sample sections are in English).",
)
@_reported
def new(folder: Path, languages: str, source: str) -> None:
    """Create a guide in FOLDER (new or empty) that builds at once.

    It holds scripts/ (guide.yaml, every field explained, and two short sections),
    locales/ (a catalog per language, and a pronunciation lexicon for each), babel.cfg,
    a .gitignore, and .github/workflows/publish.yml, which publishes the guide on GitHub Pages.
    """
    import shlex

    from .starter import create, editions

    chosen = editions(source, languages)
    commands = ["audioguide build", "audioguide serve"]
    if create(folder, chosen) != Path.cwd().resolve():
        commands.insert(0, f"cd {shlex.quote(str(folder))}")
    tags = ", ".join(language.locale_id for language in chosen)
    click.echo(f"{folder}: a new guide in {tags}; next:")
    for command in commands:
        click.echo(f"  {command}")


@main.command()
@_paths("scripts", "locales")
def extract(scripts: Path, locales: Path) -> None:
    """Write the translation template locales/audioguide.pot from the scripts."""
    from . import catalogs
    from .script import load_guide

    guide = load_guide(scripts)
    changed = catalogs.extract(guide, locales)
    click.echo(f"{locales / catalogs.TEMPLATE}: {'written' if changed else 'unchanged'}")


@main.command()
@_languages()
@_paths("scripts", "locales")
def update(scripts: Path, locales: Path, langs: tuple[str, ...]) -> None:
    """Merge the template into each language's catalog, creating missing ones.

    Translations are kept; a changed source text makes its translation fuzzy, and a removed
    one is kept as obsolete (#~), so no translator's work is lost.
    """
    from . import catalogs
    from .script import load_guide

    guide = load_guide(scripts)
    languages = [guide.language(lang) for lang in langs] or None
    results = catalogs.update(guide, locales, languages)
    for locale_id, result in results.items():
        click.echo(f"{locale_id}: {result}")


@main.command(name="compile")
@_paths("scripts", "locales")
def compile_(scripts: Path, locales: Path) -> None:
    """Write the binary .mo catalogs next to the .po files."""
    from . import catalogs
    from .script import load_guide

    guide = load_guide(scripts)
    written = catalogs.compile_catalogs(guide, locales)
    click.echo(f"{len(written)} catalog(s) compiled")


@main.command()
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 if any language is incomplete or a translation's {placeholders} are broken.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the same as a JSON list.")
@_paths("scripts", "locales")
def stats(scripts: Path, locales: Path, check: bool, as_json: bool) -> None:
    """Print what is translated per language, and each message that needs work.

    Under the counts, each untranslated, fuzzy or placeholder-broken message is listed with
    its file:line in the catalog and the start of its English.
    """
    from . import catalogs, voices
    from .script import load_guide

    guide = load_guide(scripts)
    results = catalogs.stats(guide, locales)
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in results], ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"{'language':<10} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} "
            f"{'broken':>6} {'done':>6}"
        )
        for s in results:
            click.echo(
                f"{s.language.locale_id:<10} {s.translated:>10} {s.fuzzy:>6} "
                f"{s.untranslated:>12} {s.broken:>6} {s.percent:>5.1f}%"
            )
            if s.empty:
                click.echo(f"  {s.path}: no messages; run `audioguide update` to fill it")
            for message in s.messages:
                click.echo(f"  {message}")
        for line in voices.unused_lexemes(guide, locales):
            click.echo(f"lexicon: {line}")
    if check and not all(s.complete for s in results):
        incomplete = ", ".join(s.language.locale_id for s in results if not s.complete)
        click.echo(f"incomplete: {incomplete}", err=True)
        sys.exit(1)


class _Progress(Reporter):
    """A progress bar per language on a terminal; plain lines otherwise; nothing with --quiet.
    (Notices and warnings are log records: see :class:`_Echo`.)"""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.terminal = sys.stderr.isatty()
        self.bars: dict[str, tqdm[Never]] = _Echo.bars

    def start(self, language: Language, total: int) -> None:
        _Echo.checked()  # the build's work starts: its checks passed
        if not self.quiet and self.terminal:
            from tqdm import tqdm

            # No monitor thread: the build forks its workers only while it runs no thread.
            tqdm.monitor_interval = 0
            self.bars[language.tag] = tqdm(
                total=total, desc=f"{language.tag:<8}", unit="track", file=sys.stderr,
                position=len(self.bars), leave=True,
            )  # fmt: skip

    def advance(self, language: Language, name: str, written: bool) -> None:
        if language.tag in self.bars:
            self.bars[language.tag].update(1)
        elif not self.quiet:
            click.echo(f"{language.tag}/{name}: {'written' if written else 'unchanged'}", err=True)

    def finish(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


def _as_before(stamped: Stamped, progress: _Progress, started: float) -> Summary:
    """What the build tells when its stamp shows nothing changed: the warnings of its checks,
    every track unchanged."""
    from .stamp import Summary

    for text in stamped.warnings:
        log.warning(text)
    _Echo.checked()
    if not progress.quiet and not progress.terminal:
        for tag, name in stamped.tracks:
            click.echo(f"{tag}/{name}: unchanged", err=True)
    return Summary(0, 0, 0, len(stamped.tracks), stamped.audio_seconds,
                   time.monotonic() - started)  # fmt: skip


class _EngineChoice(click.Choice):
    """``auto`` and every engine's name, looked up (plug-ins included) only when an ``--engine``
    is given or help is shown: the registry reads every installed package's entry points."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from .engines import choices

        return choices()

    @choices.setter
    def choices(self, value: object) -> None:
        pass

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in _BUILT_IN:  # no need to load the registry and look for plug-ins
            return value
        return super().convert(value, param, ctx)


# auto and built-in engines, named without loading the registry (engines.BUILT_IN; another one
# is found there, only more slowly).
_BUILT_IN = frozenset({"auto", "gtts", "espeak", "piper", "kokoro"})


def _engine_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--engine", type=_EngineChoice(), default=None,
        help="Voice for every language: gtts (online), espeak or piper (offline), an installed "
        "plug-in, or auto (gtts when reachable, else espeak). Default: guide.yaml's voices, "
        "else auto.",
    )(command)  # fmt: skip


@main.command(name="build")
@_engine_option
@_languages("Build only this language (repeatable); the source language is always built.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Tracks rendered at once (and gTTS requests in flight).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CACHE,
    show_default=True,
    help="Folder of synthesised sentences, reused by later builds.",
)
@click.option("--no-cache", is_flag=True, help="Synthesise everything again; keep nothing.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail if a message is untranslated or fuzzy (default: speak it in the source "
    "language, with a warning).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where output/ will be published, for the podcast feeds' absolute links.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Read every published file again and make again any that is not as the manifest "
    "lists it (by default a file's size and tags are trusted).",
)
@click.option(
    "--audiobook/--no-audiobook",
    default=None,
    help="Make an M4B audiobook per language, or not, whatever guide.yaml's audiobook: says "
    "(its AAC encoding is about a third of a build's work).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar="AUDIOGUIDE_SCHEDULER",
    help="Synthesise and render the tracks on the Dask cluster whose scheduler is at ADDRESS "
    "(tcp://host:8786; needs audioguide[dask]).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress, only warnings and errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as a JSON object.")
@_paths("scripts", "locales", "output")
def build_(
    scripts: Path,
    locales: Path,
    output: Path,
    engine: str | None,
    langs: tuple[str, ...],
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
    strict: bool,
    base_url: str | None,
    verify: bool,
    audiobook: bool | None,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Synthesise every track in every language and package the guide into --output."""
    from . import stamp

    started = time.monotonic()
    options = stamp.Options(
        engine=engine,
        jobs=jobs,
        cache=None if no_cache else cache_dir,
        strict=strict,
        languages=tuple(langs),
        base_url=base_url,
        verify=verify,
        audiobook=audiobook,
        scheduler=scheduler or None,
    )
    progress, warned = _Progress(quiet), _Warnings()
    log.addHandler(warned)
    try:
        # Nothing changed since the last build (its stamp says so): done, with the pipeline
        # not even imported.
        stamped = stamp.check(output, stamp.key(scripts, locales, output, options))
        if stamped is not None:
            summary = _as_before(stamped, progress, started)
        else:
            from .build import build

            summary = build(scripts, locales, output, options, progress)
    finally:
        progress.finish()
        log.removeHandler(warned)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(summary) | {"warnings": warned.messages}))
    elif not quiet:
        click.echo(summary.line())


@main.command(name="voices")
@_languages()
@_paths("scripts")
def voices_(scripts: Path, langs: tuple[str, ...]) -> None:
    """List the voices available now for each language, and what auto picks."""
    from . import voices
    from .script import load_guide

    guide = load_guide(scripts)
    languages = [guide.language(lang) for lang in langs] or list(guide.languages)
    for entry in voices.survey(guide, languages):
        language = entry.language
        click.echo(f"{language.tag} ({language.english_name})")
        for row in entry.engines:
            if not row.speaks:
                what = (
                    "no voice for this language" if row.state in {"available", "reachable"} else ""
                )
            else:
                what = ", ".join(row.voices) or "its default voice"
            click.echo(f"  {row.engine:<8} {row.state:<14} {what}".rstrip())
        click.echo(f"  guide.yaml: engine {entry.configured}; auto picks {entry.auto} now")


@main.command()
@click.argument("text")
@click.option("--lang", metavar="LANG", help="The language (default: the guide's source).")
@_engine_option
@click.option(
    "-o",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The MP3 to write (default: a new temporary file, whose name is printed).",
)
@_paths("scripts", "locales")
def say(
    scripts: Path, locales: Path, text: str, lang: str | None, engine: str | None, out: Path | None
) -> None:
    """Speak TEXT with the language's voice and pronunciation lexicon, into an MP3."""
    from . import voices
    from .script import forbidden_character, load_guide

    if found := forbidden_character(text):
        raise OptionError(f"TEXT holds {found}, which cannot be spoken; remove it")
    guide = load_guide(scripts)
    language = guide.language(lang) if lang else guide.source_language
    if out is None:
        handle = tempfile.NamedTemporaryFile(prefix="audioguide-say-", suffix=".mp3", delete=False)
        handle.close()
        out = Path(handle.name)
        try:
            spoken = voices.say(guide, locales, language, text, engine, out)
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    else:
        spoken = voices.say(guide, locales, language, text, engine, out)
    for said in spoken:
        click.echo(f"spoken: {said}")
    click.echo(f"{out}: written")


@main.command()
@click.option("--lang", required=True, metavar="LANG", help="The language to proof.")
@click.option(
    "--changed", is_flag=True, help="Only the messages changed since the last build in --output."
)
@_engine_option
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CACHE,
    show_default=True,
    help="Folder of synthesised sentences, shared with the build.",
)
@click.option(
    "-o",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The page to write (default: proof/LANG.html, or proof/LANG-changed.html with --changed, "
    "beside the scripts folder; never in --output); its audio goes in a folder "
    "beside it, named after it with -audio.",
)
@_paths("scripts", "locales", "output")
def proof(
    scripts: Path,
    locales: Path,
    output: Path,
    lang: str,
    changed: bool,
    engine: str | None,
    cache_dir: Path,
    out: Path | None,
) -> None:
    """Write a page to hear every message of a language as the guide will speak it.

    Each message with its source, translation, status, the text the voice is given and its
    audio (synthesising only what the cache lacks). Open the page in a browser.
    """
    from .proof import proof as write_proof
    from .script import load_guide

    guide = load_guide(scripts)
    done = write_proof(guide, locales, output, guide.language(lang), engine=engine, page=out,
                       cache_root=cache_dir, changed_only=changed)  # fmt: skip
    listed = f"{done.shown} of {done.total} messages" if changed else f"{done.total} messages"
    since = f"{done.changed} changed since the last build" if done.compared else "no build yet"
    click.echo(
        f"{done.page}: written; {listed} ({since}); {done.synthesised} sentences synthesised, "
        f"{done.cached} from the cache"
    )


@main.command(name="check-speech")
@_languages("Only this language (repeatable). Default: every language built.")
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    metavar="FOLDER",
    help="The Whisper model folder the recogniser runs (faster-whisper's CTranslate2 format).",
)
@click.option(
    "--max-cer",
    type=click.FloatRange(0, 1),
    default=0.3,
    show_default=True,
    help="With --check: the most a language's character error rate may be.",
)
@click.option(
    "--max-sentence-cer",
    type=click.FloatRange(0, 1),
    default=0.6,
    show_default=True,
    help="With --check: the most one sentence's character error rate may be.",
)
@click.option(
    "--worst",
    type=click.IntRange(0, 1000),
    default=5,
    show_default=True,
    help="How many of each language's worst-heard sentences to list.",
)
@click.option("--check", is_flag=True, help="Exit 1 if a language or a sentence is past its limit.")
@click.option("--json", "as_json", is_flag=True, help="Print the same as a JSON list.")
@_paths("output")
def check_speech(
    output: Path,
    langs: tuple[str, ...],
    model: Path | None,
    max_cer: float,
    max_sentence_cer: float,
    worst: int,
    check: bool,
    as_json: bool,
) -> None:
    """Hear the built tracks: is each language understood?

    An offline speech recogniser hears each sentence, compared with what the voice was meant
    to say. Prints each language's character error rate (CER: 0 is best, 1 nothing right) and
    its worst-heard sentences, with their track and time, to listen to in `audioguide proof`.
    Needs
    `pip install 'audioguide[check]'` and a Whisper model folder (--model).
    """
    from . import hearing

    chosen = hearing.editions(output, langs)
    hearing.check_installed([edition.language.code for edition in chosen])
    if model is None:
        raise OptionError(
            "check-speech needs --model FOLDER, a faster-whisper (CTranslate2) Whisper model "
            "folder (see the README: Checking the speech)"
        )
    transcribe, judge = hearing.whisper(model)
    results = []
    for edition in chosen:
        log.info(f"{edition.language.tag}: hearing its sentences with {judge}")
        results.append(hearing.hear(output, edition, transcribe, judge))
    failed = [
        f"{r.tag} (CER {r.cer:.2f} > {max_cer:.2f})" if r.cer > max_cer
        else f"{r.tag} ({len(r.past(max_sentence_cer))} sentences past {max_sentence_cer:.2f})"
        for r in results
        if r.cer > max_cer or r.past(max_sentence_cer)
    ]  # fmt: skip
    if as_json:
        data = [r.as_dict(worst, max_sentence_cer) for r in results]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for r in results:
            looped = sum(h.looped for h in r.sentences)
            click.echo(
                f"{r.tag}: CER {r.cer:.2f} over {len(r.sentences)} sentences, {r.voice} heard by "
                f"{r.judge}; {len(r.past(max_sentence_cer))} past {max_sentence_cer:.2f}"
                + (f", {looped} not understood at all (the recogniser looped)" if looped else "")
            )
            for heard in r.worst(worst):
                click.echo(f"  {heard.cer:.2f}  {heard.where}  ({heard.section_id} {heard.block})")
                click.echo(f"        meant: {heard.meant}")
                click.echo(f"        heard: {heard.heard}")
            if r.sentences and worst:
                click.echo(f"  hear them: {hearing.proof_command(r.locale_id)}")
    if check and failed:
        click.echo(f"past the limits: {', '.join(failed)}", err=True)
        sys.exit(1)


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 to listen on.",
)
@_paths("output")
def serve(output: Path, port: int) -> None:
    """Preview the built guide at http://127.0.0.1:PORT/ (this computer only)."""
    from .serve import serve as run

    if not (output / "index.html").is_file():
        raise BuildError("nothing built yet; run `audioguide build` first", output)
    run(output, port)


if __name__ == "__main__":
    main()
