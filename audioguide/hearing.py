"""``audioguide check-speech``: the build hears what it made.

An offline speech recogniser (faster-whisper, with a Whisper model folder the user gives) listens
to every sentence of the built tracks, cut from the track's MP3 at the times the build recorded,
and its text is compared with what the voice was meant to say: the sentence as the build gave it
to the voice (numbers read by the project's rules, pronunciation lexicon aliases applied), or as
it is written, whichever the recogniser's text is nearer (a lexicon respelling is heard as the
word it respells). Where the voice was given lexicon phonemes rather than words, only the
sentence as written counts.

The measure is the character error rate (CER): the edits (characters left out, added or
changed) that turn the recogniser's text into the meant one, over the meant one's length. Both
texts are first made comparable: Unicode NFKC, case folded, numbers written as words (cn2an for
Chinese, num2words for the others), Chinese in simplified characters (OpenCC), and only letters
and digits kept. A recogniser loops or invents text on speech it cannot understand (코코코…, long
runs of digits), so a sentence counts at most its own length of edits (a CER of 1), and one
whose text repeats itself over and over counts as not understood at all. A language's CER is
its sentences' capped edits over their length: long sentences weigh more than short ones.

What a recogniser gets wrong is not all the voice's fault: this compares voices and finds the
sentences to listen to; it does not certify an edition. Only sentences spoken in the edition's
own language are judged (a passage still in the source language is read by another voice).

Everything is read from the output folder: the timeline the last build recorded (its record,
:mod:`audioguide.output`) and the MP3s. Nothing is written.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

from . import ffmpeg
from .edition import Edition, Sentence, Track
from .engines import POORLY_UNDERSTOOD
from .errors import AudioGuideError, BuildError, OptionError
from .languages import resolve, same_language
from .output import RECORD, Output

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # what Whisper listens at: mono float32
MARGIN_MS = 120  # of the pause either side of a sentence, so no sound of it is cut off
# A sentence whose CER is past this is one to listen to (``--check`` fails on one).
SENTENCE_LIMIT = 0.6
INSTALL = "pip install 'audioguide[check]'"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
# The same few characters (1 to 8) said at least five times in a row: the recogniser looping.
_LOOP = re.compile(r"(.{1,8}?)\1{4,}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Heard:
    """One sentence: where it is, what was meant, what the recogniser heard, and how far apart."""

    track: int  # the track's number
    file: str  # the track's MP3, relative to the output folder
    section_id: str
    block: str  # "announcement", "p1", "p2", ...
    start_ms: int
    end_ms: int
    meant: str
    heard: str
    cer: float  # 0 to 1
    looped: bool  # the recogniser repeated itself: not understood

    @property
    def where(self) -> str:
        """``02-escape.mp3 1:23.4-1:27.9`` (the track's file name and the sentence's times)."""
        return f"{Path(self.file).name} {_clock(self.start_ms)}-{_clock(self.end_ms)}"


@dataclass(frozen=True)
class Judged:
    """One language: its voice, the judge, and every sentence heard."""

    tag: str
    locale_id: str
    voice: str
    judge: str
    sentences: tuple[Heard, ...]
    _lengths: tuple[int, ...]  # each sentence's comparable length, the CER's weights

    @property
    def cer(self) -> float:
        """The language's CER: the sentences' capped edits over their comparable length."""
        total = sum(self._lengths)
        edits = sum(h.cer * n for h, n in zip(self.sentences, self._lengths, strict=True))
        return edits / total if total else 0.0

    def worst(self, count: int) -> list[Heard]:
        """The ``count`` sentences heard worst, worst first (ties in guide order)."""
        ranked = sorted(enumerate(self.sentences), key=lambda pair: (-pair[1].cer, pair[0]))
        return [heard for _, heard in ranked[:count]]

    def past(self, limit: float) -> list[Heard]:
        return [heard for heard in self.sentences if heard.cer > limit]

    def as_dict(self, worst: int, sentence_limit: float) -> dict[str, Any]:
        return {
            "language": self.tag,
            "locale_id": self.locale_id,
            "voice": self.voice,
            "judge": self.judge,
            "cer": round(self.cer, 4),
            "sentences": len(self.sentences),
            "looped": sum(h.looped for h in self.sentences),
            "past_limit": len(self.past(sentence_limit)),
            "worst": [asdict(heard) | {"cer": round(heard.cer, 4)} for heard in self.worst(worst)],
            "proof": proof_command(self.locale_id),
        }


def proof_command(locale_id: str) -> str:
    """The command that writes the page a translator hears the language's messages on."""
    return f"audioguide proof --lang {locale_id}"


# --- making texts comparable ---------------------------------------------------------------------


def comparable(text: str, code: str) -> str:
    """``text`` as the CER compares it, for language ``code`` (``zh``, ``ko``, ``en``...).

    >>> comparable("It cost 5,000 won!", "en")
    'itcostfivethousandwon'
    >>> comparable("두 번, 2번.", "ko")
    '두번이번'
    """
    text = unicodedata.normalize("NFKC", text)
    if code == "zh":
        text = _simplified(text)
        text = _cn2an().transform(text, "an2cn")
        text = text.replace("两", "二")  # 两千 and 二千 are one number, however it is written
    else:
        text = _NUMBER.sub(lambda m: _words(m.group(), code), text)
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _words(number: str, code: str) -> str:
    """A number in words (num2words), or as it is where num2words cannot read it."""
    value = number.replace(",", "")
    try:
        amount: float = int(value) if value.isdigit() else float(value)
        return str(_num2words()(amount, lang=code))
    except (ValueError, NotImplementedError, OverflowError):
        return number


def _simplified(text: str) -> str:
    return str(_opencc().convert(text))


@cache
def _opencc() -> Any:
    return import_module("opencc").OpenCC("t2s")


@cache
def _cn2an() -> Any:
    return import_module("cn2an")


@cache
def _num2words() -> Callable[..., str]:
    function: Callable[..., str] = import_module("num2words").num2words  # num2words has no types
    return function


def looped(heard: str) -> bool:
    """Whether the recogniser's (comparable) text repeats itself: the same few characters at
    least five times in a row.

    >>> looped("코코코코코코"), looped("一二三四五"), looped("nononononono")
    (True, False, True)
    """
    return bool(_LOOP.search(heard))


def error_rate(meant: str, heard: str) -> float:
    """The CER of ``heard`` against ``meant`` (both comparable), capped at 1.

    >>> error_rate("abcd", "abxd"), error_rate("ab", "abcdefgh"), error_rate("", "x")
    (0.25, 1.0, 0.0)
    """
    if not meant:
        return 0.0
    distance: int = import_module("rapidfuzz.distance.Levenshtein").distance(meant, heard)
    return min(1.0, distance / len(meant))


# --- the recogniser -------------------------------------------------------------------------------

# A transcriber: 16 kHz mono float32 samples, a language code and the most tokens worth
# reading in; the text heard out.
Transcriber = Callable[[Any, str, int], str]
# Whisper's tokens: at most 448 a window; a sentence needs a few per character at most (more
# is the recogniser looping, which need not be read to the end).
MAX_TOKENS = 440


def whisper(folder: Path) -> tuple[Transcriber, str]:
    """A transcriber running the Whisper model in ``folder`` (a CTranslate2 model folder, as
    faster-whisper loads), and the judge's name. Raises :class:`AudioGuideError` saying what to
    install or give when the recogniser or the model is missing."""
    folder = Path(folder)
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if not folder.is_dir() or missing:
        what = "is not a folder" if not folder.is_dir() else f"has no {', '.join(missing)}"
        raise OptionError(
            f"--model {folder} {what}; give a faster-whisper (CTranslate2) Whisper model folder "
            "(see the README: Checking the speech)"
        )
    faster_whisper = _required("faster_whisper")
    try:
        model = faster_whisper.WhisperModel(str(folder), device="cpu", compute_type="int8")
    except (RuntimeError, ValueError, OSError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise OptionError(f"--model {folder}: faster-whisper cannot load it ({reason})") from None

    def transcribe(samples: Any, code: str, tokens: int) -> str:
        segments, _ = model.transcribe(
            samples,
            language=code,
            max_new_tokens=tokens,
            beam_size=5,
            temperature=0.0,  # one pass, the same text every run: a loop is kept, and caught
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        return "".join(segment.text for segment in segments)

    return transcribe, f"Whisper ({folder.name})"


def _required(name: str) -> Any:
    try:
        return import_module(name)
    except ImportError:
        raise AudioGuideError(
            f"check-speech needs the speech recogniser and its text tools ({name} is missing): "
            f"{INSTALL}"
        ) from None


def check_installed(codes: Sequence[str]) -> None:
    """Raise :class:`AudioGuideError` naming what to install when a library the comparison of
    ``codes``' texts needs is missing."""
    needed = ["faster_whisper", "rapidfuzz", "num2words"]
    if "zh" in codes:
        needed += ["cn2an", "opencc"]
    for name in needed:
        _required(name)


# --- hearing a build -----------------------------------------------------------------------------


def editions(output: Path, langs: Sequence[str]) -> list[Edition]:
    """The editions the last build in ``output`` left whole, or those of ``langs`` (any
    spelling); raises :class:`AudioGuideError` when there is no build or a language is not in
    it."""
    found = Output.read(output)
    built = [found.editions[tag] for tag in found.listed]
    if not built:
        raise BuildError(f"no build here (no usable {RECORD}); run `audioguide build` first",
                         output)  # fmt: skip
    if not langs:
        return built
    chosen = []
    for lang in langs:
        language = resolve(lang)
        match = [e for e in built if same_language(e.language, language)]
        if not match:
            have = ", ".join(e.language.tag for e in built)
            raise OptionError(f"--lang {lang}: not built in {output} (it has {have}); build it "
                              "first")  # fmt: skip
        chosen += [e for e in match if e not in chosen]
    return chosen


def hear(
    output: Path,
    edition: Edition,
    transcribe: Transcriber,
    judge: str,
) -> Judged:
    """Every sentence of ``edition`` spoken in its own language, heard by ``transcribe``."""
    code = edition.language.code
    jobs = [
        (track, block.id, sentence)
        for track in edition.tracks
        for block in track.blocks
        for sentence in block.sentences
        if sentence.lang == edition.language.tag
    ]
    heard, lengths = [], []
    samples: Any = None
    current: Track | None = None
    for track, block, sentence in jobs:
        if track is not current:
            current, samples = track, _samples(output / edition.track_file(track, ".mp3"))
        meant = meant_texts(sentence, code)
        if not meant:
            continue
        start = max(0, sentence.start_ms - MARGIN_MS) * SAMPLE_RATE // 1000
        end = (sentence.end_ms + MARGIN_MS) * SAMPLE_RATE // 1000
        longest = max(len(text) for text in meant)
        text = transcribe(samples[start:end], code, min(MAX_TOKENS, 4 * longest + 16))
        said = comparable(text, code)
        loop = looped(said)
        cer, length = sentence_error(meant, said)
        heard.append(
            Heard(
                track=track.number,
                file=edition.track_file(track, ".mp3"),
                section_id=track.section_id,
                block=block,
                start_ms=sentence.start_ms,
                end_ms=sentence.end_ms,
                meant=sentence.spoken,
                heard=text.strip(),
                cer=1.0 if loop else cer,
                looped=loop,
            )
        )
        lengths.append(length)
    voice = edition.tracks[0].voices[0] if edition.tracks else edition.engine
    return Judged(edition.language.tag, edition.language.locale_id, voice, judge, tuple(heard),
                  tuple(lengths))  # fmt: skip


def meant_texts(sentence: Sentence, code: str) -> list[str]:
    """What the voice was meant to say, comparable: as it was given the sentence, and as the
    sentence is written. A lexicon respelling (潮显 for 朝鲜, which gives the voice its tones) is
    heard as the word it respells; phonemes (``[[...]]``, espeak's) are no words at all."""
    found = [comparable(sentence.text, code)]
    if "[[" not in sentence.spoken:
        found.append(comparable(sentence.spoken, code))
    return list(dict.fromkeys(text for text in found if text))


def sentence_error(meant: Sequence[str], heard: str) -> tuple[float, int]:
    """The CER of ``heard`` against the nearer of the ``meant`` texts (all comparable), and
    that text's length (a sentence's weight in its language's CER).

    >>> sentence_error(["朝鲜人", "潮显人"], "朝鲜人")
    (0.0, 3)
    """
    return min(((error_rate(text, heard), len(text)) for text in meant), key=lambda e: e[0])


def _samples(path: Path) -> Any:
    """The MP3 at ``path`` as 16 kHz mono float32 samples."""
    import numpy as np

    if not path.is_file():
        raise BuildError(f"{path} is missing; run `audioguide build` again")
    pcm = ffmpeg.decode(path, SAMPLE_RATE)
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def _clock(ms: int) -> str:
    """``83400`` -> ``1:23.4``."""
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes}:{rest / 1000:04.1f}"


__all__ = [
    "POORLY_UNDERSTOOD", "SENTENCE_LIMIT", "Heard", "Judged", "check_installed", "comparable",
    "editions", "error_rate", "hear", "looped", "proof_command", "whisper",
]  # fmt: skip
