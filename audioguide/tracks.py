"""One narrated track: plan what is spoken, then render it to a tagged, normalised MP3 (and the
same normalised audio as AAC, kept in the cache for the language's audiobook).

Planning is cheap and pure: it decides every sentence, the voice that speaks it, the pauses, and
a hash of all of it (the track's *inputs*). The plan holds the track as the timeline will show
it (:class:`audioguide.edition.Track`, every time still 0) and what synthesis needs besides.
Rendering is the expensive part and runs in worker processes: it takes clips from the cache
(synthesising only the missing ones), joins them, normalises loudness, encodes and tags the MP3,
and moves it into place atomically; :func:`timeline` then gives the planned track its times.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import __version__, audio, cache, edition, files, published, speech
from .audio import Picture
from .catalogs import Translation, fill
from .engines import Clip
from .errors import InternalError
from .languages import Language
from .script import Guide, Pauses, Section
from .speakers import Speaker, sentences
from .speech import LEAD_MS, Utterance
from .strings import TRACK_ANNOUNCEMENT

# Bump when a change to rendering should rebuild every track.
RENDER_VERSION = "8"


@dataclass(frozen=True)
class TrackPlan:
    """One track before it is spoken: its place in the timeline without times (what every output
    shows), what synthesis needs of each of its sentences, and where its MP3 goes."""

    track: edition.Track  # every time 0, until :func:`timeline` gives the rendered ones
    utterances: tuple[Utterance, ...]  # one per sentence of ``track``, in order
    total: int  # tracks in the guide
    album: str
    artist: str | None  # the guide's author, or its publisher, or no one
    cover: Picture | None
    speaker: Speaker  # the language's voice
    path: str  # the MP3 to write, relative to the output folder
    inputs: str  # hash of everything above that shapes the file
    date: str | None = None  # guide.yaml's published, for the tags
    audiobook: bool = False  # also its audio as AAC, for the language's M4B

    @property
    def name(self) -> str:
        """The MP3's file name."""
        return PurePosixPath(self.path).name

    @property
    def tags(self) -> audio.Tags:
        """The tags, without chapters (they need the rendered timings)."""
        return audio.Tags(
            title=self.track.title,
            album=self.album,
            artist=self.artist,
            track=f"{self.track.number}/{self.total}" if self.track.number else None,
            language=self.speaker.language.iso639_2,
            voices=self.track.voices,
            transcript=self.track.transcript,
            chapters=(),
            inputs=self.inputs,
            cover=self.cover,
            date=self.date,
        )


@dataclass(frozen=True)
class EditionPlan:
    """One language's edition before it is spoken (its tracks' times all 0), its tracks' plans
    in guide order, and the plan of its spoken title (the DAISY book's first heading)."""

    edition: edition.Edition
    tracks: tuple[TrackPlan, ...]
    title: TrackPlan

    @property
    def renders(self) -> tuple[TrackPlan, ...]:
        """Every audio file to render: the tracks, then the title."""
        return (*self.tracks, self.title)


def plan_edition(
    guide: Guide,
    language: Language,
    translation: Translation,
    voice: Speaker,
    fallback_voice: Speaker,
    completeness: float,
    cover: Picture,
    audiobook: bool = False,
) -> EditionPlan:
    """The plan of the guide in ``language``, spoken by ``voice`` (``fallback_voice``, the
    source language's, reads what is untranslated); with an M4B audiobook if ``audiobook``."""
    title = translation(guide.title.value)
    description = translation(guide.description.value) if guide.description else None
    plans = tuple(
        plan_track(
            section,
            total=len(guide.sections),
            album=title.text,
            translation=translation,
            voice=voice,
            fallback_voice=fallback_voice,
            pauses=guide.pauses,
            path=published.kind("mp3").format(tag=language.tag, stem=section.stem),
            artist=guide.author or guide.publisher,
            cover=cover,
            date=guide.published.isoformat() if guide.published else None,
            audiobook=audiobook,
        )
        for section in guide.sections
    )
    source = guide.source_language.tag
    date = guide.published.isoformat() if guide.published else None
    title_plan = plan_title(title.text, voice, fallback_voice if title.fallback else voice,
                            total=len(guide.sections), pauses=guide.pauses,
                            path=published.kind("title_mp3").format(tag=language.tag),
                            artist=guide.author or guide.publisher, cover=cover,
                            date=date)  # fmt: skip
    planned = edition.Edition(
        guide_id=guide.id,
        language=language,
        title=title.text,
        description=description.text if description else None,
        author=guide.author,
        publisher=guide.publisher,
        tracks=tuple(plan.track for plan in plans),
        completeness=round(completeness, 1),
        engine=voice.engine,
        quality=voice.quality,
        title_lang=source if title.fallback else language.tag,
        description_lang=source if description and description.fallback else language.tag,
        title_clip=title_plan.track,
        has_audiobook=audiobook,
    )
    return EditionPlan(planned, plans, title_plan)


def plan_track(
    section: Section,
    total: int,
    album: str,
    translation: Translation,
    voice: Speaker,
    fallback_voice: Speaker,
    pauses: Pauses,
    path: str,
    *,
    artist: str | None = None,
    cover: Picture | None = None,
    date: str | None = None,
    audiobook: bool = False,
) -> TrackPlan:
    """Decide everything spoken in one section's track, in one language. ``artist`` is the
    guide's author or publisher (None: no artist tag, never the title); ``cover`` and
    ``date`` (guide.yaml's ``published``) go into the tags; ``audiobook``: its audio as AAC
    too, for the M4B."""
    title = translation(section.title.value)

    def spoken(text: str, who: Speaker, fallback: str | None = None) -> _Said:
        return _spoken(text, who, pauses.sentence, fallback)

    def ending(said: _Said, pause_ms: int) -> _Said:
        """``said`` with ``pause_ms`` of silence after its last sentence."""
        if said:
            sentence, utterance = said[-1]
            said[-1] = (sentence, dataclasses.replace(utterance, pause_ms=pause_ms))
        return said

    # The announcement. What is still in the source language is read by that language's voice:
    # an untranslated title, or the whole template while it has no translation.
    marker = "\x00"
    template = translation.tool_template(TRACK_ANNOUNCEMENT)
    announcer = fallback_voice if template.fallback else voice
    announcement = fill(template.text, number=section.position, total=total, title=marker)
    before, _, after = announcement.partition(marker)
    announced = edition.ANNOUNCEMENT if template.fallback else None
    title_voice = fallback_voice if title.fallback else voice
    intro = spoken(before, announcer, announced)
    intro += spoken(title.text, title_voice, f"{section.id}/title" if title.fallback else None)
    closing = spoken(after, announcer, announced)
    if intro and not closing and after.strip():
        # Only punctuation follows the title ("." or "。"): the title's caption ends with it, so
        # the captions still read as the transcript.
        sentence, utterance = intro[-1]
        intro[-1] = (dataclasses.replace(sentence, text=sentence.text + after.strip()), utterance)
    text = announcement.replace(marker, title.text)
    blocks = [(edition.ANNOUNCEMENT, edition.ANNOUNCEMENT, text, announcer, announced, "",
               ending(intro + closing, pauses.announcement))]  # fmt: skip
    for number, paragraph in enumerate(section.paragraphs, 1):
        translated = translation(paragraph.value)
        fallback = f"{section.id}/p{number}" if translated.fallback else None
        who = fallback_voice if fallback else voice
        said = ending(spoken(translated.text, who, fallback), pauses.paragraph)
        blocks.append((edition.PARAGRAPH, f"p{number}", translated.text, who, fallback,
                       first_words(translated.text), said))  # fmt: skip

    track = edition.Track(
        number=section.position,
        section_id=section.id,
        title=title.text,
        title_lang=title_voice.language.tag,
        stem=section.stem,
        duration_ms=0,
        blocks=tuple(
            edition.Block(
                kind,
                id_,
                text,
                who.language.tag,
                fallback,
                heading,
                tuple(sentence for sentence, _ in said),
            )
            for kind, id_, text, who, fallback, heading, said in blocks
        ),
        voices=_voices(voice, [utterance for *_, said in blocks for _, utterance in said]),
    )
    plan = TrackPlan(
        track=track,
        utterances=tuple(utterance for *_, said in blocks for _, utterance in said),
        total=total,
        album=album,
        artist=artist,
        cover=cover,
        speaker=voice,
        path=path,
        inputs="",
        date=date,
        audiobook=audiobook,
    )
    return dataclasses.replace(plan, inputs=_inputs(plan))


def plan_title(
    title: str,
    voice: Speaker,
    reader: Speaker,
    total: int,
    pauses: Pauses,
    path: str,
    *,
    artist: str | None = None,
    cover: Picture | None = None,
    date: str | None = None,
) -> TrackPlan:
    """The guide's ``title`` in the language of ``voice``, spoken on its own by ``reader`` (the
    source language's voice while it is untranslated) and rendered like a track (track 0, one
    block): what the DAISY book's title heading plays."""
    said = _spoken(title, reader, pauses.paragraph)
    block = edition.Block(edition.ANNOUNCEMENT, edition.TITLE, title, reader.language.tag, None,
                          "", tuple(sentence for sentence, _ in said))  # fmt: skip
    utterances = tuple(utterance for _, utterance in said)
    track = edition.Track(
        number=0,
        section_id=edition.TITLE,
        title=title,
        title_lang=reader.language.tag,
        stem=f"00-{edition.TITLE}",
        duration_ms=0,
        blocks=(block,),
        voices=_voices(voice, list(utterances)),
    )
    plan = TrackPlan(track, utterances, total, title, artist, cover, voice, path, "",
                     date)  # fmt: skip
    return dataclasses.replace(plan, inputs=_inputs(plan))


_Said = list[tuple[edition.Sentence, Utterance]]


def _spoken(text: str, who: Speaker, pause_ms: int, fallback: str | None = None) -> _Said:
    """``text``'s sentences as ``who`` says them, each followed by ``pause_ms`` of silence."""
    return [
        (
            edition.Sentence(written, given, who.language.tag, fallback),
            Utterance(who, speech.key(who, given, applied), pause_ms),
        )
        for written, given, applied in sentences(text, who)
    ]


def _voices(voice: Speaker, utterances: list[Utterance]) -> tuple[str, ...]:
    """Every voice that says one of ``utterances``, ``voice`` (the language's) first."""
    return tuple(dict.fromkeys([voice.description, *(u.speaker.description for u in utterances)]))


def _inputs(plan: TrackPlan) -> str:
    utterances = iter(plan.utterances)
    blocks = []
    for block in plan.track.blocks:
        said = [(sentence, next(utterances)) for sentence in block.sentences]
        blocks.append([
            block.heading if block.kind == edition.PARAGRAPH else None,
            [[utterance.key, sentence.text, utterance.pause_ms] for sentence, utterance in said],
        ])  # fmt: skip
    aac = [audio.AAC_BITRATE, audio.AAC_RATE] if plan.audiobook else []
    return cache.key(
        RENDER_VERSION, __version__, LEAD_MS, plan.tags.identity(), blocks,
        audio.BITRATE, audio.TARGET_LUFS, audio.CEILING_DBFS, *aac,
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
    part: Part | None = None  # the AAC part, for a track of an edition with an audiobook
    mp3: tuple[int, str] | None = None  # the MP3's size and SHA-256 as made (None: not known)

    @property
    def aac(self) -> Part:
        """The AAC part of a track made for an audiobook."""
        if self.part is None:
            raise InternalError("a track made without its AAC part is joined into an audiobook")
        return self.part

    def record(self) -> dict[str, Any]:
        return {
            "duration_ms": self.duration_ms,
            "times": [list(t) for t in self.times],
            "part": dataclasses.asdict(self.part) if self.part else None,
            "mp3": list(self.mp3) if self.mp3 else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], plan: TrackPlan) -> Rendered:
        """The timings a cache record holds for ``plan``; ``ValueError`` unless they are whole
        milliseconds running forward inside the track, one (start, end) per sentence, and the
        record describes its AAC part."""
        try:
            duration = record["duration_ms"]
            times = tuple((start, end) for start, end in record["times"])
            part = Part(**record["part"]) if plan.audiobook else None
            size, sha256 = record.get("mp3") or (0, "")  # not recorded by earlier versions
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a track record ({exc})") from None
        numbers = [duration, *(ms for span in times for ms in span)]
        numbers += [part.size, part.frames] if part else []
        if not all(type(ms) is int and ms >= 0 for ms in [*numbers, size]):
            raise ValueError("timings are not whole milliseconds")
        if part and not _is_sha256(part.sha256):
            raise ValueError("the part's SHA-256 is not one")
        if size and not _is_sha256(sha256):
            raise ValueError("the MP3's SHA-256 is not one")
        if len(times) != len(plan.utterances):
            raise ValueError("not one timing per sentence")
        previous = 0
        for start, end in times:
            if not previous <= start <= end <= duration:
                raise ValueError(f"timing {start}-{end} out of order or past {duration} ms")
            previous = end
        mp3 = (size, sha256) if size else None
        return cls(duration, times, synthesised=0, cached=0, part=part, mp3=mp3)


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def made(plan: TrackPlan, output: Path, store: cache.Cache) -> Rendered | None:
    """What rendering ``plan`` gave, when its MP3 is there in ``output`` and was made from the
    same inputs, with its record and AAC part in the cache, both as they were made; else None
    (a damaged record or part is noted in ``store.damaged``). Whether the MP3 is still as it
    was made is for the caller to check (:func:`intact`)."""
    if audio.read_inputs(output / plan.path) != plan.inputs:
        return None
    record = store.get_record(plan.inputs)
    if record is None:
        return None
    try:
        found = Rendered.from_record(record, plan)
    except ValueError:
        store.discard_record(plan.inputs)
        return None
    if found.mp3 is None:  # recorded by an earlier version: made again, quietly
        return None
    # The AAC part the audiobook joins must be the one the record describes.
    if found.part and not store.check_part(plan.inputs, found.part.size, found.part.sha256):
        return None
    return found


def intact(plan: TrackPlan, output: Path, rendered: Rendered, read: bool) -> bool:
    """Whether the MP3 at ``plan.path`` in ``output`` is the one ``rendered`` describes: of its
    size, and with ``read``, of its SHA-256 too (the whole file is read)."""
    if rendered.mp3 is None:
        return False
    size, sha256 = rendered.mp3
    try:
        with open(output / plan.path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != size:
                return False
            return not read or hashlib.file_digest(handle, "sha256").hexdigest() == sha256
    except OSError:
        return False


def spoken(plan: EditionPlan, rendered: Mapping[str, Rendered]) -> edition.Edition:
    """The planned edition with its tracks' times and its title's (``rendered`` by each plan's
    inputs)."""
    tracks = tuple(timeline(track, rendered[track.inputs]) for track in plan.tracks)
    title = timeline(plan.title, rendered[plan.title.inputs])
    return dataclasses.replace(plan.edition, tracks=tracks, title_clip=title)


def timeline(plan: TrackPlan, rendered: Rendered) -> edition.Track:
    """The planned track with the rendered times: where each sentence is, how long it lasts."""
    if len(rendered.times) != len(plan.utterances):
        raise InternalError(f"{plan.track.stem}: not one timing per sentence")
    times = iter(rendered.times)
    blocks = tuple(
        dataclasses.replace(
            block,
            sentences=tuple(
                dataclasses.replace(sentence, start_ms=start, end_ms=end)
                for sentence, (start, end) in zip(block.sentences, times, strict=False)
            ),
        )
        for block in plan.track.blocks
    )
    return dataclasses.replace(plan.track, duration_ms=rendered.duration_ms, blocks=blocks)


def render(plan: TrackPlan, output: Path, cache_root: Path) -> Rendered:
    """Build the track's MP3 at ``plan.path`` in ``output`` and return where everything landed
    (in a worker).

    The cache record of its timings is written before the MP3 is moved into place: a track whose
    MP3 is there always has its record, so a killed build never forces a needless re-render.
    """
    store = cache.Cache(cache_root)
    said = zip(plan.track.sentences, plan.utterances, strict=True)
    clips = [speech.clip(sentence.spoken, utterance, store) for sentence, utterance in said]
    synthesised = sum(made for _, made in clips)
    # The same normalised audio as AAC, for the audiobook, goes into the cache before the MP3
    # goes into place: a finished MP3 always has its part and its record, which describes the
    # part (its size, hash and frames) so that a damaged one is found before it is used.
    with files.into_place(output / plan.path, durable=False) as tmp:
        if plan.audiobook:
            store.clear(store.part_path(plan.inputs))
            with files.into_place(store.part_path(plan.inputs), durable=False) as aac:
                rendered = encode(plan, [clip for clip, _ in clips], tmp, aac)
        else:
            rendered = encode(plan, [clip for clip, _ in clips], tmp)
        store.put_record(plan.inputs, rendered.record())
    damaged = tuple(str(path) for path in store.damaged)
    return dataclasses.replace(
        rendered, synthesised=synthesised, cached=len(clips) - synthesised, damaged=damaged
    )


def encode(plan: TrackPlan, clips: list[Clip], mp3: Path, aac: Path | None = None) -> Rendered:
    """The track's tagged MP3 at ``mp3`` (and its AAC part at ``aac``, for an audiobook) made of
    ``clips``, one per sentence of the plan; a pure function of the plan and the clips, which
    touches no cache and no other file."""
    joined = speech.join(clips, [utterance.pause_ms for utterance in plan.utterances])
    rendered = Rendered(joined.duration_ms, joined.times, synthesised=0, cached=len(clips))
    tags = dataclasses.replace(plan.tags, chapters=timeline(plan, rendered).chapters)
    if aac is not None:
        audio.encode_normalised(joined.pieces, mp3, aac)
        rendered = dataclasses.replace(rendered, part=Part.of(aac.read_bytes()))
    else:
        audio.encode_normalised(joined.pieces, mp3)
    audio.write_tags(mp3, tags)
    data = mp3.read_bytes()
    return dataclasses.replace(rendered, mp3=(len(data), hashlib.sha256(data).hexdigest()))


def put(
    plan: TrackPlan,
    output: Path,
    store: cache.Cache,
    mp3: bytes,
    aac: bytes | None,
    rendered: Rendered,
) -> None:
    """Put a track made elsewhere (:func:`encode`'s files, as bytes) in place as :func:`render`
    does: its AAC part, then its record, then its MP3."""
    with files.into_place(output / plan.path, durable=False) as tmp:
        tmp.write_bytes(mp3)
        if aac is not None:
            store.clear(store.part_path(plan.inputs))
            files.write_atomic(store.part_path(plan.inputs), aac, durable=False)
        store.put_record(plan.inputs, rendered.record())
