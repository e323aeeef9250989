"""``audioguide proof``: one language as the build will speak it, message by message.

A translator checks pronunciation and rhythm without rebuilding the guide, and a reviewer signs
off an edition, on one HTML page: every message of the language's catalog in catalog order, its
source text, its translation, its status (translated, fuzzy, untranslated, broken placeholder;
changed since the last build), what the voice is given to read, and a player for just that
message's sentences.

What is spoken is decided as the build decides it: the same voices (:func:`speakers.choose`),
the same sentences (:func:`speakers.sentences`), the announcement as :func:`tracks.plan_track`
plans it, and every sentence's clip under the build's own cache key (:func:`speech.key`), taken
from the sentence cache or synthesised into it (:func:`speech.clip`). So a proof after a build, or a
build after a proof, synthesises nothing twice.

The audio of each message (its sentences with the track's pauses between them) is encoded as
``audioguide say`` encodes, an MP3 at -16 LUFS, into a folder beside the page
(``<page>-audio/``), one file per message named by a hash of what it holds: a second proof
encodes nothing again, and the page itself stays small. Without ``-o`` the page is
``proof/<tag>.html`` (``proof/<tag>-changed.html`` for ``--changed``) beside the scripts folder:
proofs are for reviewers, so they are never written into the published output. What a proof
wrote is listed in a record in the audio folder (:class:`_Record`); only what the record names
is replaced or removed, never a file that merely looks like a proof's. The page has no script; its
Content-Security-Policy allows its own style, and audio from its own folder only.

*Changed since the last build* compares with the timeline the last build recorded for the
language in the output folder (:class:`audioguide.output.Output`): a spoken message changed when
its text, the sentences the voice is given, the language they are spoken in, or the voice
differ from what that build spoke, or when that build did not speak it; the guide's title and
description when they differ from what it showed. audioguide's other strings are not recorded
by a build, so they are never counted as changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from babel.messages.catalog import Message

from . import __version__, audio, catalogs, lexicon, speech, tracks
from .cache import DEFAULT_CACHE, Cache, key
from .catalogs import Stats, Translated, Translation
from .edition import Block, Edition, Sentence
from .errors import OptionError
from .files import into_place, read_input, remove_temporary, write_atomic
from .languages import Language
from .output import Output
from .package.player import templates as player_templates
from .script import Guide, Text
from .speakers import Speaker, choose, sentences
from .strings import TRACK_ANNOUNCEMENT
from .voices import check_target

_PACKAGE = Path(__file__).parent / "package"
_STYLE = _PACKAGE / "static" / "proof.css"
_GENERATOR = "audioguide proof"  # in every page's <meta name="generator">
PROOF_FOLDER = "proof"  # beside scripts/: where pages go without -o
# In a page's audio folder, the record of what proof wrote: the page (by its SHA-256) and the
# audio files. Only what it names is ever replaced or removed.
RECORD = ".audioguide-proof.json"
AUDIO_VERSION = "1"  # bump when a change to how a message's audio is made should remake it

# A message's status in its catalog (the kinds of catalogs.Problem, and two more).
TRANSLATED = "translated"
FUZZY = "fuzzy"
UNTRANSLATED = "untranslated"
BROKEN = "placeholders"
SOURCE = "source"  # the source language's own text: there is no catalog
UNUSED = "unused"  # in the catalog, but no longer in the scripts

# What becomes of a message.
SPOKEN = "spoken"  # the guide's title, a section's title or paragraph, the track announcement
SHOWN = "shown"  # shown to listeners, never spoken: the description, the player's strings...


@dataclass(frozen=True)
class Said:
    """One sentence as the build speaks it: as written and as given to the voice (``sentence``),
    who says it and its clip's cache key (``utterance``), and the lexicon entries applied."""

    sentence: Sentence
    utterance: speech.Utterance
    lexemes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Hearing:
    """What one player on the page plays: a message's sentences, in one place of the guide."""

    label: str  # "" or, for the announcement, the track it opens
    said: tuple[Said, ...]
    changed: bool  # not as the last build spoke it there

    @property
    def file(self) -> str | None:
        """The name of its MP3: a hash of its clips' keys, the pauses and the encoding (None:
        nothing in it to say)."""
        if not self.said:
            return None
        parts = [[s.utterance.key, s.utterance.pause_ms] for s in self.said]
        made = [AUDIO_VERSION, __version__, speech.LEAD_MS, audio.BITRATE, audio.TARGET_LUFS,
                audio.CEILING_DBFS]  # fmt: skip
        return key(made, parts)[:24] + ".mp3"

    @property
    def lexemes(self) -> tuple[tuple[str, str], ...]:
        """The lexicon entries applied to its sentences, each once."""
        return tuple(dict.fromkeys(entry for s in self.said for entry in s.lexemes))


@dataclass(frozen=True)
class Entry:
    """One message of the catalog, as the page shows it."""

    number: int  # its place in the catalog, from 1
    msgid: str
    translation: str | None  # the catalog's msgstr as written, fuzzy or not (None: none)
    status: str  # TRANSLATED, FUZZY, UNTRANSLATED, BROKEN, SOURCE or UNUSED
    detail: str  # what is wrong with a broken placeholder ("loses {title}")
    line: int | None  # its line in the catalog (None: not in it yet)
    notes: tuple[str, ...]  # what the catalog's #. lines tell the translator
    use: str  # SPOKEN or SHOWN (a message no longer in the scripts is neither: SHOWN)
    hearings: tuple[Hearing, ...]
    changed: bool

    @property
    def heading(self) -> str:
        return tracks.first_words(self.msgid.strip())


@dataclass(frozen=True)
class Proof:
    """What :func:`proof` did."""

    page: Path
    shown: int  # messages on the page
    total: int  # messages in the catalog (and not in it yet)
    changed: int  # of the total, changed since the last build
    compared: bool  # whether there was a last build to compare with
    synthesised: int  # clips made now
    cached: int  # clips taken from the cache
    encoded: int  # MP3s made now (the others were there from an earlier proof)


def default_page(guide: Guide, language: Language, changed_only: bool = False) -> Path:
    """Where the page goes without ``-o``: ``proof/`` beside the guide's scripts folder, never
    in the published output; the changes page apart from the full one."""
    name = f"{language.tag}-changed.html" if changed_only else f"{language.tag}.html"
    return Path(guide.path).parent / PROOF_FOLDER / name


def proof(
    guide: Guide,
    locales: Path,
    output: Path,
    language: Language,
    *,
    engine: str | None = None,
    page: Path | None = None,
    cache_root: Path = DEFAULT_CACHE,
    changed_only: bool = False,
) -> Proof:
    """Write the listening proof of ``language`` to ``page`` (default: :func:`default_page`)
    and its audio beside it, synthesising only the sentences the cache lacks. ``engine``
    overrides guide.yaml's voices as ``build --engine`` does; ``changed_only`` lists only the
    messages changed since the last build in ``output``. Every input is checked before the
    first write."""
    # 1. Inputs: every one read and checked before the first write.
    source = guide.source_language
    translation = catalogs.translation(guide, locales, language)
    stats = None
    if translation.catalog is not None:
        loaded = {language.tag: translation.catalog}
        stats = catalogs.stats(guide, locales, [language], loaded=loaded)[0]
    languages = list(dict.fromkeys([language, source]))
    words = {lang.tag: lexicon.load(locales, lang) for lang in languages}
    speakers = choose(guide, languages, words, engine)
    voice, fallback = speakers[language.tag], speakers[source.tag]
    option = "-o" if page is not None else "--scripts"
    page = Path(page) if page is not None else default_page(guide, language, changed_only)
    if page.resolve().is_relative_to(Path(output).resolve()):
        raise OptionError(
            f"{option} {page} is inside the output folder {output}, which is published; "
            "write the proof page elsewhere"
        )
    folder = page.with_name(f"{page.stem}-audio")
    record = _Record.read(folder, option, page)
    owned = record.owns_page(page)
    check_target(page, guide.path, locales, "a page audioguide proof wrote", lambda _: owned,
                 made_later=page.parent if option != "-o" else None,
                 option=option)  # fmt: skip
    _check_writable(page, option)
    last = Output.read(Path(output)).editions.get(language.tag)
    if last is not None and last.guide_id != guide.id:
        last = None  # another guide's build
    entries = _entries(guide, translation, stats, voice, fallback, last)
    shown = [entry for entry in entries if entry.changed] if changed_only else entries

    # 2. The audio of every message on the page: clips from the cache, or synthesised into it.
    store = Cache(cache_root)
    counts = {"synthesised": 0, "cached": 0, "encoded": 0}
    hearings = [hearing for entry in shown for hearing in entry.hearings]
    wanted = {hearing.file for hearing in hearings if hearing.file is not None}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OptionError(f"{option} {page}: cannot make {folder} ({exc.strerror}); "
                          "give a page in a folder you can write to") from None  # fmt: skip
    remove_temporary(folder)
    made = record.audio | wanted  # recorded before they are made: a kill leaves them owned
    record.write(audio=made)
    for hearing in hearings:
        _make_audio(hearing, folder, store, counts, reuse=hearing.file in record.audio)

    # 3. The page, then the audio files no page of this name plays any more.
    counted = {
        "total": len(entries),
        "changed": sum(entry.changed for entry in entries),
        "unused": sum(entry.status == UNUSED for entry in entries),
    }
    title = translation(guide.title.value)
    lexemes = words[language.tag]
    catalog = catalogs.catalog_path(locales, language) if stats is not None else None
    data = render(
        guide_title=title.text,
        guide_title_lang=source.tag if title.fallback else language.tag,
        language=language,
        source=source,
        catalog=catalog,
        catalog_sha256=_sha256(catalog) if catalog is not None else None,
        lexicon=lexemes.path if lexemes.lexemes else None,
        lexemes=len(lexemes.lexemes),
        voice=voice,
        fallback=fallback,
        output=output,
        compared=last is not None,
        stats=stats,
        changed_only=changed_only,
        entries=shown,
        attention=[e for e in shown if e.changed or e.status not in (TRANSLATED, SOURCE)],
        audio_folder=folder.name,
        **counted,
    )
    digest = hashlib.sha256(data).hexdigest()
    record.write(pages=record.pages | {digest})  # the old page or the new: both are ours
    write_atomic(page, data)
    record.write(pages={digest})
    for name in sorted(made - wanted):  # what no page of this name plays any more
        path = folder / name
        if not path.is_symlink():
            path.unlink(missing_ok=True)
    record.write(audio=wanted)
    return Proof(
        page=page,
        shown=len(shown),
        total=counted["total"],
        changed=counted["changed"],
        compared=last is not None,
        **counts,
    )


@dataclass
class _Record:
    """What proof wrote for one page: the page's SHA-256 (two while it is being replaced) and
    the audio files in its folder. Read before anything is written; nothing else there is
    ever replaced or removed, whatever it looks like."""

    folder: Path
    page: str
    pages: set[str]
    audio: set[str]

    @classmethod
    def read(cls, folder: Path, option: str, page: Path) -> _Record:
        empty = cls(folder, page.name, set(), set())
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise OptionError(
                f"{option} {page}: {folder}, where its audio goes, is there and is not a "
                "folder; give another page name or move it away"
            )
        path = folder / RECORD
        if not folder.exists() or (not path.exists() and not any(folder.iterdir())):
            return empty
        try:
            data = json.loads(read_input(path, 1 << 20, inside=folder))
            pages, audio = set(data["pages"]), set(data["audio"])
            if data["page"] != page.name or not all(_AUDIO.fullmatch(n) for n in audio):
                raise ValueError("another page's record")
        except (OSError, ValueError, KeyError, TypeError):
            raise OptionError(
                f"{option} {page}: {folder}, where its audio goes, is there and was not made "
                "by audioguide proof for this page; give another page name or move it away"
            ) from None
        return cls(folder, page.name, pages, audio)

    def owns_page(self, page: Path) -> bool:
        try:
            return _sha256(page) in self.pages
        except OSError:
            return False

    def write(self, pages: set[str] | None = None, audio: set[str] | None = None) -> None:
        self.pages = self.pages if pages is None else pages
        self.audio = self.audio if audio is None else audio
        data = {"page": self.page, "pages": sorted(self.pages), "audio": sorted(self.audio)}
        write_atomic(self.folder / RECORD, json.dumps(data, indent=1).encode() + b"\n")


_AUDIO = re.compile(r"[0-9a-f]{24}\.mp3")  # the names of the audio files a proof writes


def _check_writable(page: Path, option: str) -> None:
    """Refuse, before anything is written, a page that cannot be written where it is asked
    for: a folder that is read-only, or a page of another user's in a sticky folder (/tmp)."""
    parent = page.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OptionError(
            f"{option} {page}: the folder {parent} is read-only for you; give a page in a "
            "folder you can write to"
        )
    info = parent.stat()
    if info.st_mode & stat.S_ISVTX and page.exists():
        owner = page.stat().st_uid
        if os.geteuid() not in (0, owner, info.st_uid):
            raise OptionError(
                f"{option} {page} belongs to another user in {parent}, where only its owner "
                "may replace it; give the name of a new file"
            )


# --- the messages ----------------------------------------------------------------------------


def _entries(
    guide: Guide,
    translation: Translation,
    stats: Stats | None,
    voice: Speaker,
    fallback: Speaker,
    last: Edition | None,
) -> list[Entry]:
    """Every message in catalog order (then those not in the catalog yet, in template order)."""
    template = catalogs.build_template(guide)
    wanted = [str(message.id) for message in template if message.id]
    catalog = translation.catalog
    listed: list[tuple[str, Message | None]] = []
    if catalog is not None:
        listed = [(str(message.id), message) for message in catalog if message.id]
    inside = {msgid for msgid, _ in listed}
    listed += [(msgid, None) for msgid in wanted if msgid not in inside]
    problems = {problem.msgid: problem for problem in stats.messages} if stats else {}
    hearings = _hearings(guide, translation, voice, fallback, last)
    shown = _shown_changes(guide, translation, last)
    entries = []
    for number, (msgid, message) in enumerate(listed, 1):
        problem = problems.get(msgid)
        if catalog is None:
            status = SOURCE
        elif msgid not in template:
            status = UNUSED
        else:
            status = problem.kind if problem else TRANSLATED
        notes = (message if message is not None else template[msgid]).auto_comments
        said = tuple(hearings.get(msgid, ()))
        entries.append(
            Entry(
                number=number,
                msgid=msgid,
                translation=str(message.string) if message is not None and message.string else None,
                status=status,
                detail=problem.detail if problem else "",
                line=message.lineno if message is not None else None,
                notes=tuple(notes),
                use=SPOKEN if said else SHOWN,
                hearings=said,
                changed=any(h.changed for h in said) or shown.get(msgid, False),
            )
        )
    return entries


def _hearings(
    guide: Guide,
    translation: Translation,
    voice: Speaker,
    fallback: Speaker,
    last: Edition | None,
) -> dict[str, list[Hearing]]:
    """What the build speaks of each spoken message, by msgid, and whether the last build spoke
    it otherwise: the guide's title (the DAISY book speaks it), a section's title and
    paragraphs once, the announcement once per track."""
    found: dict[str, list[Hearing]] = {}
    recorded = {track.section_id: track for track in last.tracks} if last else {}
    album = translation(guide.title.value).text
    pause = guide.pauses.sentence

    def said(text: Translated) -> tuple[Said, ...]:
        who = fallback if text.fallback else voice
        return tuple(
            Said(Sentence(written, given, who.language.tag, None),
                 speech.Utterance(who, speech.key(who, given, applied), pause), applied)
            for written, given, applied in sentences(text.text, who)
        )  # fmt: skip

    def add(msgid: str, hearing: Hearing) -> None:
        """One hearing per message, but the announcement's one per track; a message spoken in
        several places changed if it changed in any."""
        heard = found.setdefault(msgid, [])
        if heard and msgid != TRACK_ANNOUNCEMENT:
            heard[0] = replace(heard[0], changed=heard[0].changed or hearing.changed)
        else:
            heard.append(hearing)

    for section in guide.sections:
        then = recorded.get(section.id)
        if then is not None and then.voices[0] != voice.description:
            then = None  # another voice spoke it: everything in it sounds otherwise now
        plan = tracks.plan_track(section, len(guide.sections), album, translation, voice,
                                 fallback, guide.pauses, section.stem)  # fmt: skip
        announcement = plan.track.announcement
        utterances = plan.utterances[: len(announcement.sentences)]
        add(
            TRACK_ANNOUNCEMENT,
            Hearing(
                f"Track {section.position} ({section.stem})",
                tuple(Said(s, u) for s, u in zip(announcement.sentences, utterances, strict=True)),
                then is None or _shape(then.announcement) != _shape(announcement),
            ),
        )
        # The title is heard in the announcement too: the last build said each of its sentences
        # there, in that language.
        title = translation(section.title.value)
        heard = said(title)
        before = {(s.spoken, s.lang) for s in then.announcement.sentences} if then else set()
        lang = (fallback if title.fallback else voice).language.tag
        same = then is not None and (then.title, then.title_lang) == (title.text, lang)
        same = same and all((s.sentence.spoken, s.sentence.lang) in before for s in heard)
        add(section.title.value, Hearing("", heard, not same))
        blocks = {block.id: block for block in then.paragraphs} if then else {}
        for number, paragraph in enumerate(section.paragraphs, 1):
            text = translation(paragraph.value)
            heard = said(text)
            who = fallback if text.fallback else voice
            now = (text.text, who.language.tag, tuple(_sentence(s.sentence) for s in heard))
            block = blocks.get(f"p{number}")
            add(paragraph.value, Hearing("", heard, block is None or _shape(block) != now))
    # The guide's title, which the DAISY book speaks on its own.
    title = translation(guide.title.value)
    heard = said(title)
    clip = last.title_clip if last is not None else None
    then_said = tuple(_sentence(s) for s in clip.sentences) if clip is not None else None
    spoken_by = clip.voices[0] if clip is not None else None
    who = fallback if title.fallback else voice
    same = then_said == tuple(_sentence(s.sentence) for s in heard) and spoken_by == who.description
    add(guide.title.value, Hearing("", heard, not same))
    return found


def _shape(block: Block) -> tuple[str, str, tuple[tuple[str, str, str], ...]]:
    """What of a block is heard or shown: its text, language and sentences (not their times)."""
    return (block.text, block.lang, tuple(_sentence(s) for s in block.sentences))


def _sentence(sentence: Sentence) -> tuple[str, str, str]:
    return (sentence.text, sentence.spoken, sentence.lang)


def _shown_changes(guide: Guide, translation: Translation, last: Edition | None) -> dict[str, bool]:
    """Whether the guide's title and description differ from what the last build showed (the
    text, and the language it is shown in), by msgid."""
    shown: list[tuple[Text, tuple[str | None, str] | None]] = [
        (guide.title, (last.title, last.title_lang) if last else None)
    ]
    if guide.description is not None:
        then = (last.description, last.description_lang) if last else None
        shown.append((guide.description, then))
    changes = {}
    for text, then in shown:
        now = translation(text.value)
        tag = guide.source_language.tag if now.fallback else translation.language.tag
        changes[text.value] = then != (now.text, tag)
    return changes


# --- the audio -------------------------------------------------------------------------------


def _make_audio(
    hearing: Hearing, folder: Path, store: Cache, counts: dict[str, int], reuse: bool
) -> None:
    """The hearing's MP3 in ``folder``, unless an earlier proof made it (``reuse``: the record
    names it): its clips from the cache (the missing ones synthesised into it) joined as a
    track joins them, then encoded."""
    if hearing.file is None or (reuse and (folder / hearing.file).is_file()):
        return
    clips = [speech.clip(s.sentence.spoken, s.utterance, store) for s in hearing.said]
    for _, made in clips:
        counts["synthesised" if made else "cached"] += 1
    pauses = [*(s.utterance.pause_ms for s in hearing.said[:-1]), 0]  # none after the last
    joined = speech.join([clip for clip, _ in clips], pauses)
    with into_place(folder / hearing.file) as tmp:
        audio.encode_normalised(joined.pieces, tmp)
    counts["encoded"] += 1


# --- the page --------------------------------------------------------------------------------


def render(**context: object) -> bytes:
    """The page's bytes (see the template, ``package/templates/proof.html``, for what
    ``context`` holds). The same input always gives the same bytes."""
    style = _STYLE.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    csp = (
        f"default-src 'none'; style-src 'sha256-{digest}'; media-src 'self'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    env = player_templates()  # the player's: autoescape, strict, compiled in memory
    text = env.get_template("proof.html").render(
        csp=csp,
        style=style,  # audioguide's own style sheet: the template leaves it unescaped
        generator=f"{_GENERATOR} {__version__}",
        statuses=_STATUS_WORDS,
        SPOKEN=SPOKEN,
        **context,
    )
    return text.encode("utf-8")


_STATUS_WORDS = {
    TRANSLATED: "translated",
    FUZZY: "fuzzy",
    UNTRANSLATED: "untranslated",
    BROKEN: "broken placeholder",
    SOURCE: "source text",
    UNUSED: "not in the scripts",
}


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
