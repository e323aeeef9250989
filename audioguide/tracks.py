"""One narrated track: plan what is spoken, then render it to a tagged, normalised MP3 (and the
same normalised audio as AAC, kept in the cache for the language's audiobook).

Planning is cheap and pure: it decides every sentence, the voice that speaks it, the pauses, and
a hash of all of it (the track's *inputs*). Rendering is the expensive part and runs in worker
processes: it takes clips from the cache (synthesising only the missing ones), joins them,
normalises loudness, encodes and tags the MP3, and moves it into place atomically.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import __version__, audio, cache, edition
from .catalogs import Translated, Translation
from .engines import get_engine
from .errors import BuildError
from .languages import Language
from .package.cover import Cover
from .script import Pauses, Section, Voice
from .speech_text import for_speech, split_sentences
from .strings import TRACK_ANNOUNCEMENT

LEAD_MS = 250  # silence before the announcement, so no player clips the first word
# Bump when a change to rendering should rebuild every track.
RENDER_VERSION = "3"


@dataclass(frozen=True)
class Speaker:
    """A voice: an engine speaking one language with given settings."""

    engine: str
    language: Language
    voice: Voice
    version: str  # the engine's version, part of every clip's cache key
    description: str  # for tags and the manifest
    lexicon: tuple[tuple[str, str], ...] = ()  # (grapheme, what the engine is given instead)


@dataclass(frozen=True)
class Sentence:
    text: str  # as written: the caption
    spoken: str  # as handed to the voice
    speaker: Speaker
    pause_ms: int  # silence after it
    key: str  # the clip's cache key
    fallback: str | None = None  # the message id, when the source text stands in for it


@dataclass(frozen=True)
class Block:
    """The announcement (``chapter`` None) or one paragraph."""

    sentences: tuple[Sentence, ...]
    chapter: str | None
    id: str = edition.ANNOUNCEMENT  # "announcement", "p1", "p2", ...
    text: str = ""  # as written, whole
    language: Language | None = None  # what it is spoken and shown in
    fallback: str | None = None


@dataclass(frozen=True)
class TrackPlan:
    number: int
    total: int
    section_id: str
    stem: str
    title: str
    album: str
    artist: str  # the guide's author, or its title
    cover: Cover | None
    blocks: tuple[Block, ...]
    transcript: str
    fallbacks: tuple[str, ...]
    speaker: Speaker
    source_tag: str  # BCP 47 tag of the guide's source language (untranslated text is in it)
    path: Path  # the MP3 to write
    inputs: str  # hash of everything above that shapes the file

    @property
    def tags(self) -> audio.Tags:
        """The tags, without chapters (they need the rendered timings)."""
        return audio.Tags(
            title=self.title,
            album=self.album,
            artist=self.artist,
            track=f"{self.number}/{self.total}",
            language=self.speaker.language.iso639_2,
            voice=self.speaker.description,
            transcript=self.transcript,
            chapters=(),
            inputs=self.inputs,
            cover=self.cover,
        )


def speaker(
    engine_name: str, language: Language, voice: Voice, lexicon: tuple[tuple[str, str], ...] = ()
) -> Speaker:
    engine = get_engine(engine_name)
    return Speaker(
        engine=engine_name,
        language=language,
        voice=voice,
        version=engine.version(language, voice),
        description=engine.describe(language, voice),
        lexicon=lexicon,
    )


def plan_track(
    section: Section,
    total: int,
    album: str,
    translation: Translation,
    voice: Speaker,
    fallback_voice: Speaker,
    pauses: Pauses,
    path: Path,
    *,
    artist: str | None = None,
    cover: Cover | None = None,
) -> TrackPlan:
    """Decide everything spoken in one section's track, in one language. ``artist`` is the
    guide's author (default: ``album``, the guide's title); ``cover`` goes into the tags."""
    title = translation(section.title.value)
    fallbacks = [f"{section.id}/title"] if title.fallback else []

    def sentences(
        text: str, who: Speaker, last_pause: int, fallback: str | None = None
    ) -> list[Sentence]:
        spoken = []
        for sentence in split_sentences(text, who.language):
            said, applied = for_speech(sentence, who.language, who.engine, who.lexicon)
            if any(ch.isalnum() for ch in said):
                spoken.append(_sentence(sentence, said, who, pauses.sentence, fallback, applied))
        if spoken:
            spoken[-1] = dataclasses.replace(spoken[-1], pause_ms=last_pause)
        return spoken

    # The announcement. What is still in the source language is read by that language's voice:
    # an untranslated title, or the whole template while it has no translation.
    marker = "\x00"
    template = translation.tool_template(TRACK_ANNOUNCEMENT)
    announcer = fallback_voice if template.fallback else voice
    announcement = template.text.format(number=section.position, total=total, title=marker)
    before, _, after = announcement.partition(marker)
    announced = edition.ANNOUNCEMENT if template.fallback else None
    title_id = f"{section.id}/title" if title.fallback else None
    intro = sentences(before, announcer, pauses.sentence, announced)
    intro += sentences(
        title.text, fallback_voice if title.fallback else voice, pauses.sentence, title_id
    )
    closing = sentences(after, announcer, pauses.sentence, announced)
    if intro and not closing and after.strip():
        # Only punctuation follows the title ("." or "。"): the title's caption ends with it, so
        # the captions still read as the transcript.
        intro[-1] = dataclasses.replace(intro[-1], text=intro[-1].text + after.strip())
    intro += closing
    if intro:
        intro[-1] = dataclasses.replace(intro[-1], pause_ms=pauses.announcement)
    spoken_announcement = announcement.replace(marker, title.text)
    blocks = [
        Block(
            tuple(intro),
            None,
            text=spoken_announcement,
            language=announcer.language,
            fallback=announced,
        )
    ]

    paragraphs: list[Translated] = []
    for number, paragraph in enumerate(section.paragraphs, 1):
        text = translation(paragraph.value)
        paragraphs.append(text)
        message = f"{section.id}/p{number}" if text.fallback else None
        if message:
            fallbacks.append(message)
        who = fallback_voice if text.fallback else voice
        blocks.append(
            Block(
                tuple(sentences(text.text, who, pauses.paragraph, message)),
                first_words(text.text),
                id=f"p{number}",
                text=text.text,
                language=who.language,
                fallback=message,
            )
        )

    transcript = "\n\n".join([spoken_announcement, *(p.text for p in paragraphs)])
    plan = TrackPlan(
        number=section.position,
        total=total,
        section_id=section.id,
        stem=section.stem,
        title=title.text,
        album=album,
        artist=artist or album,
        cover=cover,
        blocks=tuple(blocks),
        transcript=transcript,
        fallbacks=tuple(fallbacks),
        speaker=voice,
        source_tag=fallback_voice.language.tag,
        path=path,
        inputs="",
    )
    return dataclasses.replace(plan, inputs=_inputs(plan))


def _sentence(
    text: str,
    spoken: str,
    who: Speaker,
    pause_ms: int,
    fallback: str | None = None,
    applied: tuple[tuple[str, str], ...] = (),
) -> Sentence:
    # The voice settings, less the engine choice ("auto" or the name: who.engine says which),
    # and the lexicon entries applied to this sentence only (none: the key is as before).
    settings = {k: v for k, v in dataclasses.asdict(who.voice).items() if k != "engine"}
    lexemes = [[list(entry) for entry in applied]] if applied else []
    key = cache.key(who.engine, who.version, settings, who.language.tag, spoken, *lexemes)
    return Sentence(
        text=text, spoken=spoken, speaker=who, pause_ms=pause_ms, key=key, fallback=fallback
    )


def _inputs(plan: TrackPlan) -> str:
    blocks = [
        [block.chapter, [[s.key, s.text, s.pause_ms] for s in block.sentences]]
        for block in plan.blocks
    ]
    return cache.key(
        RENDER_VERSION, __version__, LEAD_MS, plan.tags.identity(), blocks,
        audio.BITRATE, audio.AAC_BITRATE, audio.SAMPLE_RATE, audio.TARGET_LUFS, audio.CEILING_DBFS,
    )  # fmt: skip


def first_words(text: str, words: int = 6, characters: int = 14) -> str:
    """A chapter title: the paragraph's first words (first characters where no spaces)."""
    parts = text.split()
    if len(parts) > 1:
        return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    return text[:characters] + ("…" if len(text) > characters else "")


# --- rendering (in worker processes) -----------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """Where each sentence of a plan landed in its MP3: all the plan does not already say."""

    duration_ms: int
    times: tuple[tuple[int, int], ...]  # (start, end) of each sentence, in plan order
    synthesised: int  # clips made now
    cached: int  # clips taken from the cache

    def record(self) -> dict:
        return {"duration_ms": self.duration_ms, "times": [list(t) for t in self.times]}

    @classmethod
    def from_record(cls, record: dict) -> Rendered:
        times = tuple((int(start), int(end)) for start, end in record["times"])
        return cls(int(record["duration_ms"]), times, synthesised=0, cached=0)


def timeline(plan: TrackPlan, rendered: Rendered) -> edition.Track:
    """The track as the package stage sees it: the plan's text with the rendered times."""
    times = iter(rendered.times)
    blocks = []
    for block in plan.blocks:
        language = block.language or plan.speaker.language
        sentences = []
        for sentence in block.sentences:
            start, end = next(times)
            sentences.append(
                edition.Sentence(
                    text=sentence.text,
                    spoken=sentence.spoken,
                    lang=sentence.speaker.language.tag,
                    fallback=sentence.fallback,
                    start_ms=start,
                    end_ms=end,
                )
            )
        blocks.append(
            edition.Block(
                kind=edition.ANNOUNCEMENT if block.chapter is None else edition.PARAGRAPH,
                id=block.id,
                text=block.text,
                lang=language.tag,
                fallback=block.fallback,
                heading=block.chapter or "",
                sentences=tuple(sentences),
            )
        )
    if next(times, None) is not None:
        raise ValueError(f"{plan.stem}: more timings than sentences")
    title_fallback = f"{plan.section_id}/title" in plan.fallbacks
    return edition.Track(
        number=plan.number,
        section_id=plan.section_id,
        title=plan.title,
        title_lang=(plan.source_tag if title_fallback else plan.speaker.language.tag),
        stem=plan.stem,
        duration_ms=rendered.duration_ms,
        blocks=tuple(blocks),
        voice=plan.speaker.description,
    )


def clip_for(sentence: Sentence, store: cache.Cache) -> tuple[bytes, bool]:
    """The sentence's PCM at the common rate, and whether it had to be synthesised."""
    clip = store.get_clip(sentence.key)
    made = clip is None
    if made:
        who = sentence.speaker
        clip = get_engine(who.engine).synthesize(sentence.spoken, who.language, who.voice)
        store.put_clip(sentence.key, clip)
    return audio.to_rate(clip), made


def render(plan: TrackPlan, cache_root: Path) -> Rendered:
    """Build the track's MP3 at ``plan.path`` and return where everything landed."""
    store = cache.Cache(cache_root)
    pieces = [audio.silence(LEAD_MS)]
    position = len(pieces[0])  # in bytes of PCM
    times: list[tuple[int, int]] = []
    synthesised = cached = 0
    for block in plan.blocks:
        for sentence in block.sentences:
            pcm, made = clip_for(sentence, store)
            synthesised += made
            cached += not made
            times.append((_ms(position), _ms(position + len(pcm))))
            pieces += [pcm, audio.silence(sentence.pause_ms)]
            position += len(pcm) + len(pieces[-1])
    pcm = b"".join(pieces)
    rendered = Rendered(_ms(len(pcm)), tuple(times), synthesised, cached)
    tags = dataclasses.replace(plan.tags, chapters=timeline(plan, rendered).chapters)
    part = store.part_path(plan.inputs)
    part.parent.mkdir(parents=True, exist_ok=True)
    # The same normalised audio as AAC, for the audiobook, goes into the cache just before the
    # MP3 goes into place: a finished MP3 always has its part (and its record a moment later).
    with _into_place(plan.path) as tmp, _into_place(part) as aac:
        audio.encode_normalised(pcm, tmp, aac)
        audio.write_tags(tmp, tags)
    store.put_record(plan.inputs, rendered.record())
    return rendered


def join_tracks(sources: list[Path], path: Path, tags: audio.Tags) -> None:
    """The full-guide file: the tracks one after another, tagged with a chapter per track."""
    with _into_place(path) as tmp:
        audio.concat_mp3(sources, tmp)
        audio.write_tags(tmp, tags)


def make_audiobook(
    parts: list[str], cache_root: Path, path: Path, tags: audio.Tags, chapters: list
) -> None:
    """A language's M4B: the tracks' AAC parts (cache keys) joined, with a chapter per track."""
    store = cache.Cache(cache_root)
    files = [store.part_path(key) for key in parts]
    if not all(file.is_file() for file in files):
        raise BuildError(
            f"a track's audio for {path.name} left the cache during the build; build again"
        )
    with _into_place(path) as tmp:
        audio.make_m4b(files, tmp, tags, chapters)


@contextmanager
def _into_place(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it once written: never a torn MP3."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _ms(position: int) -> int:
    return round(position / audio.BYTES_PER_MS)
