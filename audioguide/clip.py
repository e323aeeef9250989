"""What every voice hands back: a :class:`Clip` of speech. Imports nothing of audioguide, so the
engines, the cache and the audio stage can all share it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clip:
    """Synthesised speech: signed 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int
    # (character offset in the text, start in ms) for each word, where the engine reports them
    words: tuple[tuple[int, int], ...] = ()

    @property
    def duration_ms(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate * 1000
