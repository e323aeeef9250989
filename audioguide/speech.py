"""Sentences as speech: each sentence's clip under its cache key, and clips joined with pauses.

A clip's cache key (:func:`key`) holds everything that shapes the sound of one sentence, so
that the build (:mod:`audioguide.tracks`), ``audioguide proof`` and the Dask cluster take the
same clip from the cache, and none is synthesised twice. :func:`clip` takes a sentence's clip
from the cache or synthesises it into the cache; :func:`join` lays clips out one after another,
after a lead of silence and each with its pause, as a track, a proof and ``audioguide say``
play them. :func:`make` is a sentence as a job of its own: a neural voice's sentences are handed
out one by one, the longest first, so that no core idles while another speaks a whole track.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from . import cache
from .audio import pause
from .engines import Clip, get_engine
from .lexicon import Entries
from .speakers import Speaker

LEAD_MS = 250  # silence before a track's first words, so that no player clips them


@dataclass(frozen=True)
class Utterance:
    """What synthesis needs of one sentence besides its text: who says it, its clip's cache key,
    and the silence after it."""

    speaker: Speaker
    key: str
    pause_ms: int


def key(who: Speaker, spoken: str, applied: Entries) -> str:
    """A clip's cache key: the engine, its version, the voice and its settings, the language,
    the text given, and the lexicon entries applied to this sentence (none: the key is as it
    would be without a lexicon)."""
    lexemes = [[list(entry) for entry in applied]] if applied else []
    return cache.key(
        who.engine, who.version, who.voice.identity(), who.language.tag, spoken, *lexemes
    )


def synthesise(spoken: str, who: Speaker) -> Clip:
    """One sentence, as ``who`` says it (``spoken``: as the voice is given it)."""
    return get_engine(who.engine).synthesize(spoken, who.language, who.voice)


def clip(spoken: str, utterance: Utterance, store: cache.Cache) -> tuple[Clip, bool]:
    """The clip of the sentence ``spoken`` (as the voice is given it), from the cache or
    synthesised into it, and whether it had to be synthesised."""
    found = store.get_clip(utterance.key)
    if found is not None:
        return found, False
    made = synthesise(spoken, utterance.speaker)
    store.put_clip(utterance.key, made)
    return made, True


def make(spoken: str, utterance: Utterance, cache_root: Path) -> bool:
    """The clip of the sentence ``spoken`` into the cache at ``cache_root``, unless it is there
    (in a worker, a job of its own); whether it had to be synthesised."""
    return clip(spoken, utterance, cache.Cache(cache_root))[1]


@dataclass(frozen=True)
class Joined:
    """Clips laid out one after another: the pieces to encode, and where each clip plays."""

    pieces: tuple[Clip, ...]  # the lead, then each clip and its pause
    times: tuple[tuple[int, int], ...]  # (start, end) of each clip, in milliseconds
    duration_ms: int


def join(clips: Sequence[Clip], pauses_ms: Sequence[int], lead_ms: int = LEAD_MS) -> Joined:
    """``clips`` after ``lead_ms`` of silence, each followed by its pause (``pauses_ms``, one
    per clip; 0: none). Each clip stays at its voice's rate and its pause at the same; where
    voices' rates differ, the pass that encodes resamples to the highest."""
    pieces = [pause(lead_ms, clips[0].sample_rate)]
    position = _ms(pieces[0])
    times: list[tuple[int, int]] = []
    for piece, pause_ms in zip(clips, pauses_ms, strict=True):
        times.append((round(position), round(position + _ms(piece))))
        pieces += [piece, pause(pause_ms, piece.sample_rate)]
        position += _ms(piece) + _ms(pieces[-1])
    return Joined(tuple(pieces), tuple(times), round(position))


def _ms(piece: Clip) -> Fraction:
    """How long ``piece`` plays, in milliseconds, exactly (rounded only where a time is kept)."""
    return Fraction(len(piece.pcm) * 500, piece.sample_rate)
