"""Sentences as speech: a clip made once under its cache key, and clips joined with pauses."""

from __future__ import annotations

from pathlib import Path

from audioguide import speakers, speech
from audioguide.cache import Cache
from audioguide.clip import Clip
from audioguide.engines import Voice
from audioguide.languages import resolve


def test_joined_clips_play_after_the_lead_each_followed_by_its_pause() -> None:
    second = Clip(bytes(2 * 8_000), 8_000)  # 1000 ms
    quarter = Clip(bytes(2 * 4_000), 16_000)  # 250 ms, at another rate
    joined = speech.join([second, quarter], [400, 0], lead_ms=250)
    assert joined.times == ((250, 1250), (1650, 1900))  # where the captions show each
    assert joined.duration_ms == 1900
    # Each pause at its clip's rate: nothing is resampled but where the voice's rate changes.
    assert [piece.sample_rate for piece in joined.pieces] == [8_000] * 3 + [16_000] * 2
    assert sum(len(piece.pcm) for piece in joined.pieces[:3]) == 2 * 8 * 1650


def test_a_sentence_is_synthesised_once_then_taken_from_the_cache(tmp_path: Path) -> None:
    who = speakers.speaker("espeak", resolve("en"), Voice())
    text = "The river is wide."
    utterance = speech.Utterance(who, speech.key(who, text, ()), 400)
    assert speech.make(text, utterance, tmp_path) is True
    assert speech.make(text, utterance, tmp_path) is False  # there: not spoken again
    clip, made = speech.clip(text, utterance, Cache(tmp_path))
    assert not made and clip == speech.synthesise(text, who)  # espeak: the same bytes again
    other = speech.key(who, "The river is narrow.", ())
    assert other != utterance.key  # another sentence, another clip
