"""One narrated track: plan what is spoken, then render it to a tagged, normalised MP3 (and the
same normalised audio as AAC, kept in the cache for the language's audiobook).

Planning is cheap and pure: it decides every sentence, the voice that speaks it, the pauses, and
a hash of all of it (the track's *inputs*). Rendering is the expensive part and runs in worker
processes: it takes clips from the cache (synthesising only the missing ones), joins them,
normalises loudness, encodes and tags the MP3, and moves it into place atomically.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, audio, cache, edition, files
from .catalogs import Translation, fill
from .engines import Clip, get_engine
from .errors import BuildError, InternalError
from .languages import Language
from .package.cover import Cover
from .script import Pauses, Section, Voice
from .speech_text import for_speech, split_sentences
from .strings import TRACK_ANNOUNCEMENT

LEAD_MS = 250  # silence before the announcement, so no player clips the first word
# Bump when a change to rendering should rebuild every track.
RENDER_VERSION = "5"


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
    title_lang: str  # BCP 47 tag of the title's language (the source's while untranslated)
    blocks: tuple[Block, ...]
    speaker: Speaker
    path: Path  # the MP3 to write
    inputs: str  # hash of everything above that shapes the file

    @property
    def transcript(self) -> str:
        """As :attr:`audioguide.edition.Track.transcript`: the blocks, blank lines between."""
        return "\n\n".join(block.text for block in self.blocks)

    @property
    def fallbacks(self) -> tuple[str, ...]:
        """As :attr:`audioguide.edition.Track.fallbacks`: the messages read in the source
        language (the title's, then the paragraphs')."""
        found = [s.fallback for block in self.blocks for s in block.sentences if s.fallback]
        found += [block.fallback for block in self.blocks[1:] if block.fallback]
        return tuple(f for f in dict.fromkeys(found) if f != edition.ANNOUNCEMENT)

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
    announcement = fill(template.text, number=section.position, total=total, title=marker)
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

    for number, paragraph in enumerate(section.paragraphs, 1):
        text = translation(paragraph.value)
        message = f"{section.id}/p{number}" if text.fallback else None
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

    plan = TrackPlan(
        number=section.position,
        total=total,
        section_id=section.id,
        stem=section.stem,
        title=title.text,
        album=album,
        artist=artist or album,
        cover=cover,
        title_lang=(fallback_voice if title.fallback else voice).language.tag,
        blocks=tuple(blocks),
        speaker=voice,
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
        audio.BITRATE, audio.AAC_BITRATE, audio.AAC_RATE, audio.SAMPLE_RATE, audio.TARGET_LUFS,
        audio.CEILING_DBFS,
    )  # fmt: skip


def first_words(text: str, words: int = 6, characters: int = 14) -> str:
    """A chapter title: the paragraph's first words (first characters where no spaces)."""
    parts = text.split()
    if len(parts) > 1:
        return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    return text[:characters] + ("…" if len(text) > characters else "")


# --- rendering (in worker processes) -----------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A track's normalised audio as AAC (ADTS), kept in the cache for the audiobook: what its
    record says of it, so that a damaged part is never joined into an audiobook."""

    size: int  # in bytes
    sha256: str
    frames: int  # AAC frames, each audio.AAC_FRAME samples

    @classmethod
    def of(cls, data: bytes) -> Part:
        return cls(len(data), hashlib.sha256(data).hexdigest(), audio.adts_frames(data))


@dataclass(frozen=True)
class Rendered:
    """Where each sentence of a plan landed in its MP3: all the plan does not already say."""

    duration_ms: int
    times: tuple[tuple[int, int], ...]  # (start, end) of each sentence, in plan order
    synthesised: int  # clips made now
    cached: int  # clips taken from the cache
    damaged: tuple[str, ...] = ()  # cache entries found damaged, ignored and made again
    part: Part | None = None  # the AAC part (None only while the track is being made)

    @property
    def aac(self) -> Part:
        """The AAC part: there once the track is made."""
        if self.part is None:
            raise InternalError("a rendered track without its AAC part")
        return self.part

    def record(self) -> dict:
        return {
            "duration_ms": self.duration_ms,
            "times": [list(t) for t in self.times],
            "part": dataclasses.asdict(self.aac),
        }

    @classmethod
    def from_record(cls, record: dict, plan: TrackPlan) -> Rendered:
        """The timings a cache record holds for ``plan``; ``ValueError`` unless they are whole
        milliseconds running forward inside the track, one (start, end) per sentence, and the
        record describes its AAC part."""
        try:
            duration = record["duration_ms"]
            times = tuple((start, end) for start, end in record["times"])
            part = Part(**record["part"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a track record ({exc})") from None
        numbers = [duration, *(ms for span in times for ms in span), part.size, part.frames]
        if not all(type(ms) is int and ms >= 0 for ms in numbers):
            raise ValueError("timings are not whole milliseconds")
        if not (isinstance(part.sha256, str) and re.fullmatch(r"[0-9a-f]{64}", part.sha256)):
            raise ValueError("the part's SHA-256 is not one")
        if len(times) != sum(len(block.sentences) for block in plan.blocks):
            raise ValueError("not one timing per sentence")
        previous = 0
        for start, end in times:
            if not previous <= start <= end <= duration:
                raise ValueError(f"timing {start}-{end} out of order or past {duration} ms")
            previous = end
        return cls(duration, times, synthesised=0, cached=0, part=part)


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
    return edition.Track(
        number=plan.number,
        section_id=plan.section_id,
        title=plan.title,
        title_lang=plan.title_lang,
        stem=plan.stem,
        duration_ms=rendered.duration_ms,
        blocks=tuple(blocks),
        voice=plan.speaker.description,
    )


def clip_for(sentence: Sentence, store: cache.Cache) -> tuple[Clip, bool]:
    """The sentence's clip, and whether it had to be synthesised."""
    clip = store.get_clip(sentence.key)
    if clip is not None:
        return clip, False
    who = sentence.speaker
    clip = get_engine(who.engine).synthesize(sentence.spoken, who.language, who.voice)
    store.put_clip(sentence.key, clip)
    return clip, True


def render(plan: TrackPlan, cache_root: Path) -> Rendered:
    """Build the track's MP3 at ``plan.path`` and return where everything landed.

    The cache record of its timings is written before the MP3 is moved into place: a track whose
    MP3 is there always has its record, so a killed build never forces a needless re-render.
    """
    store = cache.Cache(cache_root)
    sentences = [sentence for block in plan.blocks for sentence in block.sentences]
    clips = [clip_for(sentence, store) for sentence in sentences]
    # The track is joined at its clips' own rate when they share one, and ffmpeg brings it to
    # 44.1 kHz while encoding (a small part of what resampling each clip here would cost).
    rates = {clip.sample_rate for clip, _ in clips}
    rate = rates.pop() if len(rates) == 1 else audio.SAMPLE_RATE
    pieces = [audio.silence(LEAD_MS, rate)]
    position = len(pieces[0])  # in bytes of PCM
    times: list[tuple[int, int]] = []
    for sentence, (clip, _) in zip(sentences, clips, strict=True):
        pcm = audio.to_rate(clip, rate)
        times.append((_ms(position, rate), _ms(position + len(pcm), rate)))
        pieces += [pcm, audio.silence(sentence.pause_ms, rate)]
        position += len(pcm) + len(pieces[-1])
    pcm = b"".join(pieces)
    synthesised = sum(made for _, made in clips)
    damaged = tuple(str(path) for path in store.damaged)
    rendered = Rendered(
        _ms(len(pcm), rate), tuple(times), synthesised, len(clips) - synthesised, damaged
    )
    tags = dataclasses.replace(plan.tags, chapters=timeline(plan, rendered).chapters)
    # The same normalised audio as AAC, for the audiobook, goes into the cache before the MP3
    # goes into place: a finished MP3 always has its part and its record, which describes the
    # part (its size, hash and frames) so that a damaged one is found before it is used.
    with files.into_place(plan.path, durable=False) as tmp:
        with files.into_place(store.part_path(plan.inputs), durable=False) as aac:
            write_mp3(pcm, tmp, tags, rate, aac)
            rendered = dataclasses.replace(rendered, part=Part.of(aac.read_bytes()))
        store.put_record(plan.inputs, rendered.record())
    return rendered


def write_mp3(
    pcm: bytes, path: Path, tags: audio.Tags, rate: int = audio.SAMPLE_RATE, aac: Path | None = None
) -> None:
    """Normalise, encode and tag ``pcm`` (at ``rate``) into ``path`` (written in place: the
    caller makes it atomic); the same normalised audio goes into ``aac`` (ADTS) when given."""
    audio.encode_normalised(pcm, path, rate, aac)
    audio.write_tags(path, tags)


def join_tracks(sources: list[Path], path: Path, tags: audio.Tags) -> None:
    """The full-guide file: the tracks one after another, tagged with a chapter per track."""
    with files.into_place(path, durable=False) as tmp:
        audio.concat_mp3(sources, tmp)
        audio.write_tags(tmp, tags)


# --- the worker processes ----------------------------------------------------------------

_started: Any = None  # where a worker says which job it starts (set by worker_init)


def worker_init(started: Any, parent: int | None = None) -> None:
    """Set up a worker process: it dies with its parent (``parent``, the build, when it was
    forked from it; else the forkserver, which ends with the build), it ignores Ctrl-C (the
    build stops by cancelling what is queued and lets the jobs in hand finish), and it says on
    ``started`` (a queue) which job it takes, so a worker that dies can be named."""
    global _started
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _started = started


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int | None) -> None:
    """Be killed when the parent process ends, however it ends (``kill -9`` included): a worker
    left behind would wait for work forever. Linux tells the child (``PR_SET_PDEATHSIG``);
    elsewhere a thread watches for the parent to change."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if parent is not None and os.getppid() != parent:  # it ended before prctl
                os._exit(1)
            return
    original = os.getppid()

    def watch() -> None:
        while os.getppid() == original:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_job(job: int, function: Callable[..., Any], *args: Any) -> Any:
    """Run ``function(*args)`` in a worker, saying first that job number ``job`` started."""
    if _started is not None:
        _started.put(job)
    return function(*args)


def make_audiobook(
    parts: list[tuple[str, Part]], cache_root: Path, path: Path, tags: audio.Tags, chapters: list
) -> None:
    """A language's M4B: the tracks' AAC parts (cache keys, and what their records say of them)
    joined, with a chapter per track."""
    store = cache.Cache(cache_root)
    on_disk = [store.part_path(key) for key, _ in parts]
    digests = [part.sha256 for _, part in parts]
    with files.into_place(path, durable=False) as tmp:
        try:
            audio.make_m4b(on_disk, tmp, tags, chapters, digests=digests)
        except (OSError, ValueError):
            raise BuildError(
                f"a track's audio for {path.name} changed or left the cache during the build; "
                "build again"
            ) from None


def _ms(position: int, rate: int) -> int:
    """Bytes of 16-bit mono PCM at ``rate`` as milliseconds."""
    return round(position * 500 / rate)
