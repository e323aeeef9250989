"""``audioguide build``: the whole pipeline, top to bottom.

    1. inputs    scripts, catalogs, lexicons, cover, voices: all read and checked
    2. plans     each language's edition as it will read, before it is spoken (tracks.py)
    3. render    the tracks whose inputs changed, in worker processes (tracks.py, jobs.py)
    4. editions  as soon as a language's tracks are all there: its whole-guide files, joined in
                 the workers (whole_guide.py), then its listener files and talking books
                 (package/listener.py), written here while the workers go on (publish.py)
    5. site      the web player (package/player.py)
    6. manifest  from the ledger of every file written (output.py)

Every input is checked before anything is written, so bad input leaves the output as it was.
Every file is written atomically and only when its content changes: a rebuild with nothing
changed synthesises nothing and rewrites nothing. One build at a time per output folder.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, catalogs, jobs, lexicon, published, stamp, tracks
from .engines import AUTO, BUILT_IN, get_engine
from .errors import CatalogError, OptionError
from .lock import locked
from .output import MANIFEST, RECORD, Output, Site, build_date, check_folder
from .package import player
from .package.cover import keep_cover, load_cover
from .publish import Languages
from .report import Reporter
from .script import GUIDE_FILE, check_base_url, load_guide, placeholder
from .speakers import Speaker, choose, warn_poorly_understood
from .stamp import Options, Stamped, Summary

if TYPE_CHECKING:
    from .cluster import Cluster

log = logging.getLogger(__name__)
PREVIEW_URL = "http://127.0.0.1:8000/"  # where `audioguide serve` shows the output
LOCK_FILE = ".audioguide.lock"


def build(
    scripts: Path, locales: Path, output: Path, options: Options, report: Reporter | None = None
) -> Summary:
    started = time.monotonic()
    report = report or Reporter()
    output = Path(output)
    # What the inputs are now (before they are read: an edit during the build is one more).
    stamp_key = stamp.key(scripts, locales, output, options)
    told = _Told()  # the checks' warnings, which a rebuild with nothing changed tells again
    package_log = logging.getLogger("audioguide")
    package_log.addHandler(told)
    try:
        return _build(scripts, locales, output, options, report, started, stamp_key, told)
    finally:
        package_log.removeHandler(told)


def _build(
    scripts: Path,
    locales: Path,
    output: Path,
    options: Options,
    report: Reporter,
    started: float,
    stamp_key: str | None,
    told: _Told,
) -> Summary:
    # 1. Inputs: every one read and checked before the first write.
    check_folder(output, scripts, locales, options.cache)
    guide = load_guide(scripts)
    cover = load_cover(guide, options.cache)
    base_url = _base_url(options.base_url) or guide.base_url or PREVIEW_URL
    languages = guide.to_build(options.languages)
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
    warn_poorly_understood(speakers)
    if base_url == PREVIEW_URL:
        log.warning(f"the feeds link to the local preview {PREVIEW_URL}; give --base-url or "
                    "base_url in guide.yaml before publishing them")  # fmt: skip
    elif base_url == guide.base_url and placeholder(base_url):
        log.warning(f"{guide.path / GUIDE_FILE}:{guide.base_url_line}: base_url {base_url} is "
                    "an address reserved for examples; replace it with where output/ will be "
                    "published before publishing the feeds")  # fmt: skip

    told.stop()  # what a rebuild would tell is told

    # 2. Plans: each language's edition as it will read, before it is spoken.
    source = speakers[guide.source_language.tag]
    book = guide.audiobook if options.audiobook is None else options.audiobook
    plans = {
        lang.tag: tracks.plan_edition(guide, lang, translations[lang.tag], speakers[lang.tag],
                                      source, completeness.get(lang.tag, 100.0), cover, book)
        for lang in languages
    }  # fmt: skip

    # The cluster, when one is given: its workers checked before anything is written.
    remote = _cluster(options, speakers.values())
    output.mkdir(parents=True, exist_ok=True)
    waiting = f"another build is writing {output}; waiting for it to finish"
    with (
        remote or contextlib.nullcontext(),
        locked(output / LOCK_FILE, waiting),
        cache.opened(options.cache) as cache_root,
    ):
        keep_cover(guide, cover, cache_root)
        folder = Output.read(output)
        folder.built = build_date(folder)
        # The guide's other languages stay as the last build left them, when it left them whole.
        kept = {
            lang.tag: found
            for lang in guide.languages
            if lang not in languages and (found := folder.kept(lang.tag, guide.id))
        }
        # Nothing of anyone else's is overwritten: each file to write is new or a build's.
        site_names = player.site_files([lang.tag for lang in guide.languages])
        writes = [MANIFEST, cover.path, *site_names]
        writes += [edition.page for edition, _ in kept.values()]
        writes += [path for plan in plans.values() for path in published.files(plan.edition)]
        folder.check_ours(writes)
        folder.remove_temporary_files()
        if options.verify:
            folder.verify()

        # 3. Render the tracks whose inputs changed, and 4. write each language's files as
        #    soon as its tracks are all there.
        run = Languages(plans, folder, guide, translations, cover, base_url, cache_root, report,
                        verify=options.verify)  # fmt: skip
        with jobs.pool(run.workers(options.jobs), run.preload(), remote) as queue:
            run.start(queue)
            player.prepare()  # while the workers render: not after the last track
            queue.run()
        infos = run.infos
        for _, kept_infos in kept.values():
            infos |= kept_infos

        # 5. The web player, over every language there is now.
        now = {**{tag: edition for tag, (edition, _) in kept.items()}, **run.built}
        every = [now[lang.tag] for lang in guide.languages if lang.tag in now]
        others = catalogs.readable_translations(guide, locales, kept)
        sizes = {path: info.bytes for path, info in infos.items()}
        # The cover is written with the pages: its size and hash are its bytes', on every build.
        sizes[cover.path] = len(cover.data)
        hashes = {path: info.sha256 for path, info in infos.items()}
        hashes[cover.path] = cover.sha256
        site = player.render_site(every, translations | others, sizes, cover=cover.path,
                                  hashes=hashes)  # fmt: skip
        for tag in kept.keys() - others.keys():  # its catalog is gone: its page stays as it was
            del site[kept[tag][0].page]
        infos |= folder.publish({cover.path: cover.data, **site}, {})

        # 6. The manifest, from the ledger. What is left of the guide's other languages, whole
        #    or not, stays for a later build.
        site_files = tuple(path for path in site if path in site_names)
        others_left = [lang.tag for lang in guide.languages if lang.tag not in run.built]
        folder.finish(Site(guide.id, guide.source_language, cover.path, site_files), every,
                      infos, keep=folder.files_of_languages(guide.id, others_left))  # fmt: skip

        # The stamp: what a rebuild with nothing changed would find, so that it need not look.
        audio_seconds = sum(t.duration_ms for e in run.built.values() for t in e.tracks) / 1000
        chosen = [guide.voice(lang).engine for lang in languages]
        if (
            options.engine == AUTO
            or (options.engine is None and AUTO in chosen)
            or any(who.engine not in BUILT_IN for who in speakers.values())
        ):  # auto asks the network, a plug-in has files of its own: only a build knows
            stamp_key = None
        relied = run.relied_on()
        for who in speakers.values():
            relied += get_engine(who.engine).files(who.language, who.voice)
        names = tuple((t, track.name) for t, plan in plans.items() for track in plan.tracks)
        stamp.write(output, stamp_key, [*folder.files, RECORD], relied,
                    Stamped(names, audio_seconds, tuple(told.messages)))  # fmt: skip

    return Summary(
        clips_synthesised=run.counts["synthesised"],
        clips_cached=run.counts["cached"],
        tracks_written=run.counts["written"],
        tracks_unchanged=run.counts["unchanged"],
        audio_seconds=audio_seconds,
        wall_seconds=time.monotonic() - started,
    )


class _Told(logging.Handler):
    """The warnings logged until :meth:`close`."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.open = True

    def emit(self, record: logging.LogRecord) -> None:
        if self.open:
            self.messages.append(record.getMessage())

    def stop(self) -> None:
        self.open = False


def _cluster(options: Options, speakers: Iterable[Speaker]) -> Cluster | None:
    """The Dask cluster ``--scheduler`` names, connected and checked; None without one (and
    then nothing of Dask is imported)."""
    if not options.scheduler:
        return None
    try:
        from .cluster import Cluster
    except ImportError:
        raise OptionError("--scheduler needs Dask's distributed; install it with "
                          "pip install 'audioguide[dask]'") from None  # fmt: skip
    return Cluster(options.scheduler, speakers, options.jobs)


def _base_url(given: str | None) -> str | None:
    """``--base-url``, checked as guide.yaml's ``base_url`` is."""
    if given is None:
        return None
    try:
        return check_base_url(given)
    except ValueError as exc:
        raise OptionError(f"--base-url {exc}") from None
