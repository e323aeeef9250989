"""The online voice: Google Translate's text-to-speech through the gTTS library.

One request per piece of at most 100 characters. A longer sentence is cut at clause boundaries
with :func:`chunk_for_gtts` and its pieces are spoken one after another
(Google pauses a little at each cut), so callers should hand over sentences of 100 characters
or less. Every request has a timeout. Rate limits (429), server errors (5xx) and timeouts are
retried a few times with exponential backoff and jitter; any other failure is reported at once.
The MP3 Google returns is decoded to 16-bit mono PCM by :func:`audioguide.ffmpeg.decode`.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable

import gtts
import requests
from gtts import gTTS, gTTSError
from gtts.accents import accents
from gtts.lang import tts_langs

from ..errors import AudioGuideError, EngineError
from ..ffmpeg import decode
from ..languages import Language
from .base import Clip, Engine, Setting, Voice, shorten

SAMPLE_RATE = 24_000  # Google's MP3s are 24 kHz mono
GTTS_LIMIT = 100  # characters per request (gTTS.GOOGLE_TTS_MAX_CHARS)
# gTTS language codes where they differ from the plain language code.
LANGUAGE_CODES = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW", "pt_PT": "pt-PT", "fr_CA": "fr-CA"}
LANGUAGE_CODES |= {"he": "iw"}
_NO_AUDIO_HINT = "the text may have nothing to read, or Google changed its service (upgrade gTTS)"


class _Retry(Exception):
    """A failure worth another attempt; ``cause`` says what happened."""

    def __init__(self, cause: str):
        super().__init__(cause)
        self.cause = cause


class GttsEngine(Engine):
    """gTTS: natural voices, needs the network and may be rate-limited."""

    name = "gtts"
    parallel = "thread"
    settings = (
        Setting("slow", "true or false", lambda v: isinstance(v, bool), False),
        # Only the Google domains gTTS knows: the build sends the text to translate.google.<tld>.
        Setting("tld", "a Google domain gTTS knows, such as com, co.uk or com.au",
                lambda v: isinstance(v, str) and v in accents, "com"),
    )  # fmt: skip

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        probe_timeout: float = 1.0,
    ):
        """``attempts`` counts the first try; the n-th retry waits about ``backoff * 2**(n-1)``
        seconds plus up to half of that again (jitter). Tests pass their own ``sleep``."""
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.probe_timeout = probe_timeout

    def version(self, language: Language, voice: Voice) -> str:
        return f"gTTS {gtts.__version__}"

    def available(self) -> bool:
        """Whether translate.google.com answers within ``probe_timeout`` (any HTTP status).

        The request runs in a daemon thread so that a slow DNS lookup, which requests' timeout
        does not cover, cannot hold the caller longer than that either.
        """
        result: list[bool] = []

        def probe() -> None:
            try:
                requests.head(
                    "https://translate.google.com/",
                    timeout=self.probe_timeout,
                    allow_redirects=False,
                )
            except requests.RequestException:
                result.append(False)
            else:
                result.append(True)

        thread = threading.Thread(target=probe, name="gtts-probe", daemon=True)
        thread.start()
        thread.join(self.probe_timeout + 0.5)
        return bool(result and result[0])

    def supports(self, language: Language) -> bool:
        return code(language) in tts_langs()

    def voices(self, language: Language) -> tuple[str, ...]:
        return (code(language),) if self.supports(language) else ()

    def describe(self, language: Language, voice: Voice) -> str:
        slow = ", slow" if voice.get("slow") else ""
        return f"Google Translate {code(language)} (translate.google.{_tld(voice)}{slow})"

    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak ``text``; longer than 100 characters, it is spoken in pieces (see the module)."""
        if not text.strip():
            raise EngineError("gTTS was given an empty sentence; remove it from the script")
        if not self.supports(language):
            raise EngineError(
                f"gTTS has no voice for {language.english_name} ({code(language)}); "
                f"set voices.{language.locale_id}.engine to espeak"
            )
        pieces = chunk_for_gtts(text, GTTS_LIMIT)
        if not pieces:
            raise EngineError(
                f"gTTS was given {shorten(text)!r}, which has no words to speak; "
                "remove it from the script"
            )
        pcm = []
        for piece in pieces:
            for mp3 in self._fetch(piece, language, voice):
                try:
                    pcm.append(decode(mp3, SAMPLE_RATE))
                except AudioGuideError as exc:
                    raise EngineError(
                        f"gTTS audio for {shorten(text)!r} cannot be decoded ({exc}); "
                        "try again, or use engine: espeak"
                    ) from None
        return Clip(pcm=b"".join(pcm), sample_rate=SAMPLE_RATE)

    def _fetch(self, piece: str, language: Language, voice: Voice) -> list[bytes]:
        """The MP3 parts for one piece of text, retrying what is worth retrying."""
        # lang_check=False: supports() has checked the language against the same table, and
        # gTTS's own check warns that "zh-CN" is deprecated in favour of "zh-CN".
        tts = gTTS(
            piece,
            lang=code(language),
            tld=_tld(voice),
            slow=bool(voice.get("slow")),
            lang_check=False,
            timeout=self.timeout,
        )
        for attempt in range(1, self.attempts + 1):
            try:
                parts = self._request(tts, piece)
            except _Retry as retry:
                if attempt == self.attempts:
                    raise EngineError(
                        f"gTTS could not speak {shorten(piece)!r}: {retry.cause}, "
                        f"{self.attempts} attempts; try again later or use engine: espeak"
                    ) from None
                delay = self.backoff * 2 ** (attempt - 1)
                self.sleep(delay + random.uniform(0, delay / 2))
                continue
            return parts
        raise AssertionError("unreachable")  # the loop returns or raises

    def _request(self, tts: gTTS, piece: str) -> list[bytes]:
        try:
            parts = list(tts.stream())
        except gTTSError as exc:
            raise self._error_for(exc, piece, tts.tld) from None
        except requests.RequestException as exc:  # not wrapped by gTTS (reading the body)
            raise self._error_for(gTTSError(str(exc)), piece, tts.tld, exc) from None
        if not any(parts):
            # gTTS writes nothing and raises nothing when the answer has no audio line.
            raise EngineError(f"gTTS returned no audio for {shorten(piece)!r}; {_NO_AUDIO_HINT}")
        return [part for part in parts if part]

    def _error_for(
        self, exc: gTTSError, piece: str, tld: str, cause: BaseException | None = None
    ) -> Exception:
        """A _Retry for 429, 5xx and timeouts; an EngineError for anything else."""
        response = exc.rsp
        what = f"gTTS could not speak {shorten(piece)!r}"
        if response is None:
            cause = cause or exc.__context__  # gTTS raises from inside `except RequestException`
            if isinstance(cause, requests.Timeout):  # ConnectTimeout and ReadTimeout
                return _Retry(f"no answer within {self.timeout:g} s")
            reason = type(cause).__name__ if cause is not None else "no connection"
            return EngineError(
                f"{what}: cannot reach translate.google.{tld} ({reason}); "
                "check the network connection or use engine: espeak"
            )
        status = response.status_code
        if status == 429:
            return _Retry("Google is limiting requests (429 Too Many Requests)")
        if status >= 500:
            return _Retry(f"Google answered {status} {response.reason}")
        if status == 200:  # an answer with a line for the request but no audio in it
            return EngineError(f"gTTS returned no audio for {shorten(piece)!r}; {_NO_AUDIO_HINT}")
        hint = f"check the tld {tld!r} in voices" if status == 404 else "try upgrading gTTS"
        return EngineError(
            f"{what}: Google answered {status} {response.reason}; {hint} or use engine: espeak"
        )


def _tld(voice: Voice) -> str:
    return str(voice.get("tld", "com"))


def code(language: Language) -> str:
    """gTTS's code for a language: en, ko, zh-CN, ..."""
    return LANGUAGE_CODES.get(language.locale_id, language.code)


# --- pieces of at most 100 characters ---------------------------------------------------------

# Clause boundaries: the cut goes right after the match. A comma or colon between digits
# (5,000 or 10:30) is not a boundary.
_CLAUSE = re.compile(r"(?:(?<!\d)[,;:](?!\d)|[,;:](?=\s)|[，、；：]|\s?[—–]\s?|\s-\s)")
_WORD_CHAR = re.compile(r"[0-9A-Za-z]")


def chunk_for_gtts(sentence: str, limit: int = 100) -> list[str]:
    """Cut a sentence into stripped pieces of at most ``limit`` characters.

    Each cut goes after the last clause boundary that fits (``,;:``, ``，、；：``, dashes), else at
    the last space that fits, else (CJK text without punctuation) hard at ``limit`` characters,
    moved back so that it does not cut a number or Latin word in two.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chunks: list[str] = []
    rest = sentence.strip()
    while len(rest) > limit:
        cut = _cut_position(rest, limit)
        chunks.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    chunks.append(rest)
    # A piece of punctuation alone ("。" after a hard cut) has nothing to say; gTTS would return
    # no audio for it.
    return [c for c in chunks if _speakable(c)]


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _cut_position(text: str, limit: int) -> int:
    window = text[: limit + 1]  # a boundary may be the character right after the limit
    clauses = [
        m.end()
        for m in _CLAUSE.finditer(window)
        if len(text[: m.end()].rstrip()) <= limit and _speakable(text[: m.start()])
    ]
    if clauses:
        return clauses[-1]
    space = window.rfind(" ")
    if space > 0 and _speakable(text[:space]):
        return space
    cut = limit
    # Hard cut: step back to the start of a number or Latin word if one straddles the cut.
    while cut > 0 and _WORD_CHAR.match(text[cut - 1]) and _WORD_CHAR.match(text[cut]):
        cut -= 1
    return cut or limit
