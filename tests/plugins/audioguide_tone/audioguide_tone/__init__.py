"""A plug-in voice engine for the tests: it "speaks" one beep per word, so what it made can be
checked from the audio alone (count the beeps)."""

from __future__ import annotations

import math
import os
import re
from array import array

from audioguide.clip import Clip
from audioguide.engines import Engine, Setting
from audioguide.errors import EngineError
from audioguide.languages import Language

SAMPLE_RATE = 16_000
BEEP_MS = 120
GAP_MS = 80
_WORD = re.compile(r"\w+")


class ToneEngine(Engine):
    """Beeps: a higher pitch for each language, one beep per word."""

    name = "tone"
    parallel = "process"
    # guide.yaml may give voices.<lang>.beep_ms: how long each beep lasts.
    settings = (
        Setting("beep_ms", "milliseconds from 20 to 1000",
                lambda v: isinstance(v, int) and not isinstance(v, bool) and 20 <= v <= 1000,
                BEEP_MS),
    )  # fmt: skip

    def available(self) -> bool:
        return True

    def supports(self, language: Language) -> bool:
        return language.code in {"en", "ko", "zh"}

    def version(self, language, voice) -> str:
        return "tone 0.1"

    def describe(self, language, voice) -> str:
        beep = voice.get("beep_ms", BEEP_MS)
        return f"Tone {language.tag}" + (f" ({beep} ms beeps)" if beep != BEEP_MS else "")

    def voices(self, language: Language) -> tuple[str, ...]:
        return (f"beep-{language.code}",)

    def synthesize(self, text: str, language: Language, voice) -> Clip:
        words = list(_WORD.finditer(text))
        if not words:
            raise EngineError(f"tone has no words to beep in {text!r}")
        pitch = {"en": 440.0, "ko": 660.0, "zh": 880.0}[language.code]
        beep_ms = voice.get("beep_ms", BEEP_MS)
        beep = array("h", (
            int(8000 * math.sin(2 * math.pi * pitch * n / SAMPLE_RATE))
            for n in range(SAMPLE_RATE * beep_ms // 1000)
        )).tobytes()  # fmt: skip
        gap = bytes(2 * (SAMPLE_RATE * GAP_MS // 1000))
        timings = tuple((match.start(), n * (beep_ms + GAP_MS)) for n, match in enumerate(words))
        return Clip(pcm=(beep + gap) * len(words), sample_rate=SAMPLE_RATE, words=timings)


class SlowToneEngine(ToneEngine):
    """Beeps, declared to take far longer to speak than to encode (as a neural voice does); with
    ``AUDIOGUIDE_TONE_SPOKEN`` set, each sentence it speaks is appended to that file, a line
    each, in the order spoken."""

    name = "slowtone"
    synthesis_bound = True

    def synthesize(self, text: str, language: Language, voice) -> Clip:
        spoken = os.environ.get("AUDIOGUIDE_TONE_SPOKEN")
        if spoken:
            with open(spoken, "a", encoding="utf-8") as log:
                log.write(text.replace("\n", " ") + "\n")
        return super().synthesize(text, language, voice)
