"""``audioguide build``: the whole pipeline, top to bottom.

    1. inputs    scripts, catalogs, lexicons, cover, voices: all read and checked
    2. plans     each language's edition as it will read, before it is spoken (tracks.py)
    3. render    the tracks whose inputs changed, in worker processes (tracks.py, jobs.py)
    4. editions  as soon as a language's tracks are all there: its whole-guide files, joined in
                 the workers (whole_guide.py), then its listener files and talking books
                 (package/listener.py), written here while the workers go on
    5. site      the web player (package/player.py)
    6. manifest  from the ledger of every file written (output.py)

Every input is checked before anything is written, so bad input leaves the output as it was.
Every file is written atomically and only when its content changes: a rebuild with nothing
changed synthesises nothing and rewrites nothing. One build at a time per output folder.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import catalogs, jobs, lexicon, tracks, whole_guide
from .cache import DEFAULT_CACHE, Cache
from .catalogs import Translation
from .edition import Edition
from .engines import get_engine
from .errors import AudioGuideError, CatalogError, OptionError
from .languages import Language
from .lock import locked
from .output import MANIFEST, Output, Site, files_of, info_of
from .package import player
from .package.cover import Cover, load_cover
from .package.listener import language_files
from .package.manifest import FileInfo
from .report import Reporter
from .script import Guide, check_base_url, load_guide
from .speakers import choose

log = logging.getLogger(__name__)
PREVIEW_URL = "http://127.0.0.1:8000/"  # where `audioguide serve` shows the output
LOCK_FILE = ".audioguide.lock"


@dataclass(frozen=True)
class Options:
    engine: str | None = None  # overrides guide.yaml's voices: "auto" or an engine's name
    jobs: int = 4
    cache: Path | None = DEFAULT_CACHE  # None: --no-cache
    strict: bool = False  # untranslated or fuzzy messages are an error
    languages: tuple[str, ...] = ()  # only these (default: all of the guide's)
    base_url: str | None = None
    verify: bool = False  # read every published file again; make again what differs


@dataclass(frozen=True)
class Summary:
    clips_synthesised: int
    clips_cached: int
    tracks_written: int
    tracks_unchanged: int
    audio_seconds: float
    wall_seconds: float

    def line(self) -> str:
        return (
            f"{self.clips_synthesised} clips synthesised, {self.clips_cached} from cache; "
            f"{self.tracks_written} tracks written, {self.tracks_unchanged} unchanged; "
            f"{self.audio_seconds:.1f} s of audio in {self.wall_seconds:.1f} s"
        )


def build(
    scripts: Path, locales: Path, output: Path, options: Options, report: Reporter | None = None
) -> Summary:
    started = time.monotonic()
    report = report or Reporter()
    output = Path(output)

    # 1. Inputs: every one read and checked before the first write.
    _check_output(output, scripts, locales)
    guide = load_guide(scripts)
    cover = load_cover(guide)
    base_url = _base_url(options.base_url) or guide.base_url or PREVIEW_URL
    languages = _languages(guide, options.languages)
    log.debug(f"{len(guide.sections)} sections; building {', '.join(x.tag for x in languages)}")
    translations = {lang.tag: catalogs.translation(guide, locales, lang) for lang in languages}
    loaded = {tag: t.catalog for tag, t in translations.items() if t.catalog is not None}
    completeness = {}
    for stats in catalogs.stats(guide, locales, languages, loaded=loaded):
        completeness[stats.language.tag] = stats.percent
        for problem in stats.problems():
            if options.strict:
                raise CatalogError(f"{problem.message}; {problem.fix} or build without --strict",
                                   problem.path, problem.line)  # fmt: skip
            log.warning(f"{problem.message}; {problem.fallback}")
    lexicons = {lang.tag: lexicon.load(locales, lang) for lang in languages}
    speakers = choose(guide, languages, lexicons, options.engine)
    if base_url == PREVIEW_URL:
        log.warning(f"the feeds link to the local preview {PREVIEW_URL}; give --base-url or "
                    "base_url in guide.yaml before publishing them")  # fmt: skip

    # 2. Plans: each language's edition as it will read, before it is spoken.
    source = speakers[guide.source_language.tag]
    plans = {
        lang.tag: tracks.plan_edition(guide, lang, translations[lang.tag], speakers[lang.tag],
                                      source, completeness.get(lang.tag, 100.0), cover, output)
        for lang in languages
    }  # fmt: skip

    output.mkdir(parents=True, exist_ok=True)
    waiting = f"another build is writing {output}; waiting for it to finish"
    with locked(output / LOCK_FILE, waiting), _cache_root(options.cache) as cache_root:
        folder = Output.read(output)
        # The guide's other languages stay as the last build left them, when it left them whole.
        kept = {
            lang.tag: found
            for lang in guide.languages
            if lang not in languages and (found := folder.kept(lang.tag, guide.id))
        }
        # Nothing of anyone else's is overwritten: each file to write is new or a build's.
        writes = [MANIFEST, cover.path, *player.site_files()]
        writes += [edition.page for edition, _ in kept.values()]
        writes += [path for plan in plans.values() for path in files_of(plan.edition)]
        folder.check_ours(writes)
        folder.remove_temporary_files()
        if options.verify:
            _verify(folder)

        # 3. Render the tracks whose inputs changed; 4. each language's files once its tracks
        #    are all there.
        write = _Writer(output, folder, guide, translations, cover, base_url, cache_root)
        run = _Languages(plans, folder, cache_root, report, write)
        with jobs.pool(_workers(plans, options.jobs), _preload(plans)) as queue:
            run.start(queue)
            queue.run()
        infos = write.infos
        for _, kept_infos in kept.values():
            infos |= kept_infos

        # 5. The web player, over every language there is now.
        now = {**{tag: edition for tag, (edition, _) in kept.items()}, **write.built}
        every = [now[lang.tag] for lang in guide.languages if lang.tag in now]
        others = _translations(guide, locales, kept)
        sizes = {path: info.bytes for path, info in infos.items()}
        site = player.render_site(every, translations | others, sizes, cover=cover.path)
        for tag in kept.keys() - others.keys():  # its catalog is gone: its page stays as it was
            del site[kept[tag][0].page]
        infos |= folder.publish({cover.path: cover.data, **site}, {})

        # 6. The manifest, from the ledger. What is left of the guide's other languages, whole
        #    or not, stays for a later build.
        site_files = tuple(path for path in site if path in player.site_files())
        folder.finish(Site(guide.id, guide.source_language, cover.path, site_files), every,
                      infos, keep=_others(folder, guide, write.built))  # fmt: skip

    audio_ms = sum(t.duration_ms for e in write.built.values() for t in e.tracks)
    counts = run.counts
    return Summary(
        clips_synthesised=counts["synthesised"],
        clips_cached=counts["cached"],
        tracks_written=counts["written"],
        tracks_unchanged=counts["unchanged"],
        audio_seconds=audio_ms / 1000,
        wall_seconds=time.monotonic() - started,
    )


# --- 3. render, 4. editions --------------------------------------------------------------------


class _Languages:
    """Each language's way from its plan to its files, as the workers come back: the tracks
    whose inputs changed are rendered; once all a language's tracks are there, its whole-guide
    files are joined (in the workers too), and once those are there, its listener files and
    books are written here, while the workers go on with the other languages."""

    def __init__(self, plans: dict[str, tracks.EditionPlan], folder: Output, cache_root: Path,
                 report: Reporter, write: _Writer):  # fmt: skip
        self.plans = plans
        self.folder = folder
        self.store = Cache(cache_root)
        self.report = report
        self.write = write
        self.rendered: dict[str, dict[str, tracks.Rendered]] = {tag: {} for tag in plans}
        self.joins: dict[str, set[str]] = {}  # the whole-guide files a language waits for
        self.counts = dict.fromkeys(("synthesised", "cached", "written", "unchanged"), 0)

    def start(self, queue: jobs.Jobs) -> None:
        """Queue every track whose MP3 is missing or was made from other inputs."""
        todo = []
        for tag, plan in self.plans.items():
            self.report.start(plan.edition.language, len(plan.tracks))
            for track in plan.tracks:
                found = tracks.made(track, self.store)
                log.debug(f"{track.path}: {'to render' if found is None else 'up to date'}")
                if found is None:
                    todo.append(track)
                    continue
                self.rendered[tag][track.inputs] = found
                self.counts["unchanged"] += 1
                self.report.advance(plan.edition.language, track.path.name, written=False)
        _tell_damaged(str(path) for path in self.store.damaged)
        # Before any file of a language changes, the manifest stops listing that language.
        self.folder.claim(str(track.path.relative_to(self.folder.root)) for track in todo)
        for tag in dict.fromkeys(track.speaker.language.tag for track in todo):
            self.folder.withdraw(tag)
        for track in todo:
            who = track.speaker
            queue.submit(f"{who.language.tag}/{track.path.name} (with {who.engine})",
                         tracks.render, track, self.store.root,
                         then=functools.partial(self._made, queue, track))  # fmt: skip
        for tag in self.plans:
            if len(self.rendered[tag]) == len(self.plans[tag].tracks):  # nothing to render
                self._tracks_done(queue, tag)

    def _made(self, queue: jobs.Jobs, track: tracks.TrackPlan, result: tracks.Rendered) -> None:
        tag = track.speaker.language.tag
        self.rendered[tag][track.inputs] = result
        self.counts["synthesised"] += result.synthesised
        self.counts["cached"] += result.cached
        self.counts["written"] += 1
        _tell_damaged(result.damaged)
        self.report.advance(track.speaker.language, track.path.name, written=True)
        if len(self.rendered[tag]) == len(self.plans[tag].tracks):
            self._tracks_done(queue, tag)

    def _tracks_done(self, queue: jobs.Jobs, tag: str) -> None:
        """The language's timeline is whole: join its whole-guide files where they changed."""
        plan, rendered = self.plans[tag], self.rendered[tag]
        edition = tracks.spoken(plan, rendered)
        self.write.built[tag] = edition
        joins = self.write.joins(edition, plan, rendered)
        self.joins[tag] = {join.path for join in joins}
        for join in joins:
            self.folder.claim([join.path])
            self.folder.withdraw(tag)
            queue.submit(f"{join.path} ({join.what})", join.function, *join.args, first=True,
                         then=functools.partial(self._joined, tag, join.path))  # fmt: skip
        if not joins:
            self.write.language(edition)

    def _joined(self, tag: str, path: str, _: object) -> None:
        self.joins[tag].discard(path)
        if not self.joins[tag]:
            self.write.language(self.write.built[tag])


class _Writer:
    """What the build writes of each language once its audio is there, and the size and hash
    of every file it has (``infos``)."""

    def __init__(self, output: Path, folder: Output, guide: Guide,
                 translations: dict[str, Translation], cover: Cover, base_url: str,
                 cache_root: Path):  # fmt: skip
        self.output, self.folder, self.guide, self.cover = output, folder, guide, cover
        self.translations, self.base_url, self.cache_root = translations, base_url, cache_root
        self.built: dict[str, Edition] = {}
        self.lengths: dict[str, int] = {}  # of the whole-guide files, in ms
        self.infos: dict[str, FileInfo] = {}

    def joins(self, edition: Edition, plan: tracks.EditionPlan,
              rendered: dict[str, tracks.Rendered]) -> list[whole_guide.Join]:  # fmt: skip
        """The whole-guide files to make again (the others are up to date)."""
        translation = self.translations[edition.language.tag]
        full, self.lengths[edition.full_guide] = whole_guide.full_guide(
            self.output, edition, translation, self.cover
        )
        book, self.lengths[edition.audiobook] = whole_guide.audiobook(
            self.output, edition, list(plan.tracks), rendered, self.cache_root, self.cover
        )
        return [join for join in (full, book) if join]

    def language(self, edition: Edition) -> None:
        """The language's audio is all there: write everything else its listeners get."""
        trusted = self.folder.trusted(edition.language.tag)
        lengths = {edition.full_guide: self.lengths[edition.full_guide],
                   edition.audiobook: self.lengths[edition.audiobook]}  # fmt: skip
        lengths |= {
            edition.track_file(track, ".mp3"): track.duration_ms for track in edition.tracks
        }
        audio = {path: self.output / path for path in lengths}
        infos = {path: info_of(audio[path], trusted.get(path), ms) for path, ms in lengths.items()}
        contents = language_files(
            edition, self.translations[edition.language.tag], source=self.guide.source_language,
            base_url=self.base_url, cover=self.cover, published=self.guide.published,
            email=self.guide.email, audio=audio, sizes={p: i.bytes for p, i in infos.items()},
        )  # fmt: skip
        sources = {audio[path]: info for path, info in infos.items()}
        self.infos |= infos | self.folder.publish(contents, sources, edition.language.tag)


def _workers(plans: dict[str, tracks.EditionPlan], jobs: int) -> int:
    """One worker per core for offline voices, ``jobs`` for network voices (at most ``jobs``
    requests in flight)."""
    network = any(get_engine(name).parallel == "thread" for name in _engines(plans))
    return max(1, jobs if network else min(jobs, os.cpu_count() or 1))


def _preload(plans: dict[str, tracks.EditionPlan]) -> list[str]:
    """What every worker needs: the track renderer, the loudness meter, the engines."""
    engines = sorted({type(get_engine(name)).__module__ for name in _engines(plans)})
    return ["audioguide.tracks", "audioguide.whole_guide", "numpy", "loudness", *engines]


def _engines(plans: dict[str, tracks.EditionPlan]) -> set[str]:
    return {track.speaker.engine for plan in plans.values() for track in plan.tracks}


# --- inputs ----------------------------------------------------------------------------------


# --- inputs ----------------------------------------------------------------------------------


def _check_output(output: Path, scripts: Path, locales: Path) -> None:
    """``--output`` is a folder of its own: not the scripts or locales folder, not inside one,
    not holding one (the build would publish them, or write among them)."""
    where = Path(output).resolve()
    for name, inputs in (("--scripts", scripts), ("--locales", locales)):
        folder = Path(inputs).resolve()
        if where == folder or where.is_relative_to(folder) or folder.is_relative_to(where):
            raise OptionError(
                f"--output {output} overlaps the {name} folder {inputs}; build into a folder "
                "of its own, such as output"
            )


def _base_url(given: str | None) -> str | None:
    """``--base-url``, checked as guide.yaml's ``base_url`` is."""
    if given is None:
        return None
    try:
        return check_base_url(given)
    except ValueError as exc:
        raise OptionError(f"--base-url {exc}") from None


def _languages(guide: Guide, wanted: tuple[str, ...]) -> list[Language]:
    chosen = [guide.language(given) for given in wanted] or list(guide.languages)
    # The source language is always built: untranslated text is spoken in its voice.
    return [lang for lang in guide.languages if lang in chosen or lang == guide.source_language]


def _translations(guide: Guide, locales: Path, tags: Iterable[str]) -> dict[str, Translation]:
    """The translations of the languages ``tags`` whose catalogs can be read (for their player
    pages, when they are kept from an earlier build)."""
    found = {}
    for language in guide.languages:
        if language.tag in tags:
            try:
                found[language.tag] = catalogs.translation(guide, locales, language)
            except AudioGuideError:
                pass
    return found


# --- the output folder ---------------------------------------------------------------------


def _others(folder: Output, guide: Guide, built: Iterable[str]) -> list[str]:
    """The files earlier builds made for the guide's languages that this build does not."""
    others = {lang.tag for lang in guide.languages} - set(built)
    return [path for path in folder.owned if _language_of(path, guide) in others]


def _language_of(path: str, guide: Guide) -> str | None:
    """The tag of the language whose file ``path`` is (None for the site's own files)."""
    for language in guide.languages:
        tag = language.tag
        if path.startswith(f"{tag}/") or path in (f"{guide.id}-{tag}.zip",
                                                   f"{guide.id}-{tag}-daisy.zip"):  # fmt: skip
            return tag
    return None


def _verify(folder: Output) -> None:
    """``--verify``: every file the manifest lists is read again; a language's file that is not
    as recorded is removed (its language first leaves the manifest), so that the build makes it
    again. (The site's own files are always compared byte for byte and rewritten.)"""
    for path, owners in [(path, folder.languages_of(path)) for path in folder.differing()]:
        log.info(f"{folder.root / path} is not as the manifest lists it; making it again")
        for tag in owners:
            folder.withdraw(tag)
            (folder.root / path).unlink(missing_ok=True)


def _tell_damaged(paths: Iterable[str]) -> None:
    for path in paths:
        log.info(f"the cache entry {path} was damaged; ignored it and made it again")


@contextmanager
def _cache_root(root: Path | None) -> Iterator[Path]:
    """The sentence cache; with --no-cache, a temporary one that lives for this build only."""
    if root is not None:
        Path(root).mkdir(parents=True, exist_ok=True)
        yield Path(root)
        return
    with tempfile.TemporaryDirectory(prefix="audioguide-cache-") as tmp:
        yield Path(tmp)
