"""The offline voice: libespeak-ng from the ``espeakng-loader`` wheel, called through ctypes.

No system espeak and no subprocess: the shared library and its data folder ship in the wheel.
The library keeps its state in process globals (voice, rate, the synthesis callback), so every
call into it holds :data:`_lock`. The pipeline runs it in a process pool (``parallel =
"process"``) for parallelism; threads only take turns.

The synthesiser also carries state from one sentence to the next (the glottal wave's phase, an
echo buffer, gain control, a noise generator seeded from the clock), so the same sentence spoken
twice in a row came out a few samples longer or shorter. Each sentence is therefore spoken by a
freshly loaded library (unloaded, loaded and started again: about 0.3 ms for Korean and 2 ms
for English or Chinese, whose dictionaries are larger) with the noise seed fixed, and its audio
depends only on its text, voice and rate, whatever was spoken before it, in whichever process.
What a reload need not repeat is the library's search of every voice file for a voice's name
(``en``, ``cmn``): the file it found the first time is loaded directly after that.

Speech comes back through a callback as 16-bit mono samples at 22 050 Hz, with word events
(character position in the text, time in ms) that become :attr:`Clip.words`.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import locale
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from ctypes.util import find_library
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import ClassVar

import espeakng_loader

from ..errors import EngineError
from ..languages import Language
from ..lexicon import Phonemes
from . import espeak_rules
from .base import RATE, Clip, Engine, Measured, Voice, shorten

# espeak-ng voice names where they differ from the plain language code.
VOICE_CODES = {"zh_Hans": "cmn", "zh_Hant": "yue", "pt_BR": "pt-br"}

# From espeak-ng's speak_lib.h.
AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000  # otherwise a data-load failure calls exit(1)
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
PHONEME_INPUT = 0x100  # espeakPHONEMES: [[...]] in the text is read as phoneme mnemonics
ESPEAK_RATE = 1
ESPEAK_RATE_NORMAL = 175  # words per minute; the library's default
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_SAMPLERATE = 8
EE_OK = 0
NOISE_SEED = 1  # espeak_ng_SetRandSeed: the breath noise some voice variants add
PHONEMES_IPA = 0x02  # espeakPHONEMES_IPA: espeak_TextToPhonemes gives IPA, not mnemonics

# espeak-ng copies the data path into a 160-byte buffer (N_PATH_HOME) and later builds file
# names from it in buffers about 40 bytes longer. A path that does not fit is cut short, and the
# library then looks in its build-time folder and fails. Longer paths get a short symlink.
_MAX_DATA_PATH = 120


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """``espeak_EVENT`` (40 bytes on 64-bit systems)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters (code points) of the text
        ("length", ctypes.c_int),  # in characters; 1 for every CJK word
        ("audio_position", ctypes.c_int),  # ms from the start of the synthesis
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class _Voice(ctypes.Structure):
    """``espeak_VOICE``, as espeak_ListVoices returns it."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, name, NUL) pairs, then a 0 byte
        ("identifier", ctypes.c_char_p),  # the voice file: "sit/cmn"
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_CALLBACK_TYPE = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_sample_rate = 0  # > 0 once espeak_Initialize succeeded
_used = False  # the loaded library has been given a voice (and so text) since it was loaded
_voice_names: frozenset[str] = frozenset()  # filled by _initialised()
# Each voice name given to the library, with the voice file it chose for it ("en" -> "gmw/en",
# "en+m3" -> "gmw/en+m3"), where the library opens that file directly: see _set_voice.
_voice_files: dict[str, str] = {}
# Filled by the callback during one espeak_Synth call (under _lock).
_samples: list[bytes] = []
_words: list[tuple[int, int]] = []
_event_rate: list[int] = []


def _on_synth(
    wav: ctypes._Pointer[ctypes.c_short], count: int, events: ctypes._Pointer[_Event]
) -> int:
    if wav and count > 0:
        _samples.append(ctypes.string_at(wav, count * 2))
    index = 0
    while events[index].type != EVENT_LIST_TERMINATED:
        event = events[index]
        if event.type == EVENT_WORD and event.length > 0:
            _words.append((event.text_position - 1, event.audio_position))
        elif event.type == EVENT_SAMPLERATE:
            _event_rate.append(event.id.number)
        index += 1
    return 0  # go on


# The library keeps only a raw pointer to this object: it must stay alive for the process.
_callback = _CALLBACK_TYPE(_on_synth)


def _reset_lock_in_child() -> None:
    # A fork while another thread held the lock would leave the child's copy locked forever.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock_in_child)


def _load() -> ctypes.CDLL:
    """Load the library and declare the functions used (no initialisation). Hold _lock."""
    global _lib
    if _lib is None:
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise EngineError(
                f"cannot load libespeak-ng ({exc}); reinstall it: pip install --force-reinstall "
                "espeakng-loader"
            ) from None
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK_TYPE]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_GetCurrentVoice.argtypes = []
        lib.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Terminate.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        _lib = lib
    return _lib


def _unload() -> None:
    """Stop and unload the library, so that the next :func:`_load` starts from its initial
    state (dlclose unmaps it: its static variables come back as in the file). Hold _lock."""
    global _lib, _sample_rate, _used
    if _lib is None:
        return
    if _sample_rate > 0:
        _lib.espeak_Terminate()
    _dlclose(_lib._handle)
    _lib, _sample_rate, _used = None, 0, False


@functools.cache
def _libc_dlclose() -> Callable[[int], int]:
    # ctypes.util.find_library would run ldconfig each time: look the function up once.
    dlclose = ctypes.CDLL(find_library("c") or "libc.so.6").dlclose
    dlclose.argtypes = [ctypes.c_void_p]
    return dlclose


def _dlclose(handle: int) -> None:
    if _libc_dlclose()(handle) != 0:
        raise EngineError("cannot unload libespeak-ng between sentences; reinstall it")


def _data_path() -> bytes:
    path = os.fsencode(espeakng_loader.get_data_path())
    if len(path) < _MAX_DATA_PATH:
        return path
    # Too long for espeak-ng's path buffer (see _MAX_DATA_PATH): link it from a short temporary
    # folder, removed when the process exits.
    short = tempfile.mkdtemp(prefix="ag-espeak-")
    atexit.register(shutil.rmtree, short, ignore_errors=True)
    link = os.path.join(os.fsencode(short), b"data")
    try:
        os.symlink(path, link, target_is_directory=True)
    except OSError as exc:
        raise EngineError(
            f"the espeak-ng data path is longer than {_MAX_DATA_PATH} bytes and no short link "
            f"could be made ({exc.strerror}); install audioguide in a shorter path"
        ) from None
    if len(link) >= _MAX_DATA_PATH:
        raise EngineError(
            f"the temporary folder {short} is too long a path for espeak-ng; set TMPDIR to a "
            "short folder such as /tmp"
        )
    return link


def _initialised() -> ctypes.CDLL:
    """The library, started once per process. Hold _lock."""
    global _sample_rate, _voice_names
    lib = _load()
    if _sample_rate > 0:
        return lib
    path = _data_path()
    # espeak_Initialize sets LC_CTYPE to C.UTF-8 for the whole process; put the caller's back.
    # espeak-ng classifies characters with its own Unicode tables, so its output does not
    # depend on LC_CTYPE (checked: identical audio for en/ko/cmn under "C" and "C.UTF-8").
    previous = locale.setlocale(locale.LC_CTYPE)
    try:
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, path, ESPEAK_INITIALIZE_DONT_EXIT)
    finally:
        locale.setlocale(locale.LC_CTYPE, previous)
    # The documented failure value is -1, but with DONT_EXIT a data-load failure returns the
    # sample rate of a synthesiser that never started: 0.
    if rate <= 0:
        raise EngineError(
            f"espeak-ng could not load its data from {os.fsdecode(path)}; reinstall it: "
            "pip install --force-reinstall espeakng-loader"
        )
    lib.espeak_SetSynthCallback(_callback)
    if hasattr(lib, "espeak_ng_SetRandSeed"):  # espeak-ng 1.52 and later
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed(NOISE_SEED)
    if not _voice_names:  # the same for every load: listed once per process
        _voice_names = _list_voices(lib)
    _sample_rate = rate
    return lib


def _set_voice(lib: ctypes.CDLL, name: str) -> bool:
    global _used
    _used = True
    # Only names from voice_names(): the library follows any other name as a file path, and
    # "../voices/!v/m1" crashes it.
    base, plus, variant = name.partition("+")
    if base not in _voice_names or (plus and f"+{variant}" not in _voice_names):
        return False
    # Given a name that is not a file's ("en", "cmn"), the library reads every voice file (about
    # 250) to find the voice, and again after every reload, so for every sentence. The file it
    # found the first time is loaded directly from then on: the same file, the same voice.
    known = _voice_files.get(name)
    if known is not None:
        return _voice_by_name(lib, known)
    if not _voice_by_name(lib, name):
        return False
    identifier = lib.espeak_GetCurrentVoice().contents.identifier or b""
    # The library lowercases the name (not the variant) before it opens a file: a voice file
    # named in capitals ("gmw/en-US") is found only through the search.
    file = identifier.partition(b"+")[0]
    if file and file == file.lower():
        _voice_files[name] = identifier.decode("utf-8")
    return True


def voice_names() -> frozenset[str]:
    """Every name ``espeak_SetVoiceByName`` accepts for a voice, with an optional ``+variant``:
    the voices' languages (``en-us``, ``cmn``), file names (``en-US``) and names
    (``English (America)``); and the variants that may follow one, each with its ``+`` (``+m3``)."""
    with _lock:
        _initialised()
    return _voice_names


def _voice_by_name(lib: ctypes.CDLL, name: str) -> bool:
    """Whether the library took the voice (or voice file) ``name`` (its restype is c_int)."""
    status: int = lib.espeak_SetVoiceByName(name.encode("utf-8"))
    return status == EE_OK


def _list_voices(lib: ctypes.CDLL) -> frozenset[str]:
    """See :func:`voice_names`. Hold _lock."""
    listed = lib.espeak_ListVoices(None)
    names: set[str] = set()
    index = 0
    while listed[index]:
        voice = listed[index].contents
        names.add(voice.name.decode("utf-8", "replace"))
        identifier = voice.identifier.decode("utf-8", "replace")
        names.add(identifier.rsplit("/", 1)[-1])
        names.update(_languages(voice.languages))
        index += 1
    folder = os.path.join(espeakng_loader.get_data_path(), "voices", "!v")
    variants = [v for v in sorted(os.listdir(folder)) if v.replace("_", "").isalnum()]
    return frozenset(names | {f"+{v}" for v in variants})


def is_voice(name: str) -> bool:
    """Whether ``name`` is a voice from :func:`voice_names`, optionally ``+`` a variant."""
    base, plus, variant = name.partition("+")
    known = voice_names()
    return base in known and (not plus or f"+{variant}" in known)


def _languages(pointer: int | None) -> list[str]:
    """The language names in an espeak_VOICE's ``languages`` field."""
    found = []
    offset = 0
    while pointer:
        priority = ctypes.string_at(pointer + offset, 1)
        if priority == b"\0":
            break
        name = ctypes.string_at(pointer + offset + 1)
        found.append(name.decode("utf-8", "replace"))
        offset += 2 + len(name)
    return found


def to_ipa(text: str, voice_name: str) -> str:
    """The IPA espeak-ng would speak for ``text`` with ``voice_name``: one clause per call of
    espeak_TextToPhonemes, joined with spaces (clause punctuation is not kept)."""
    data = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
    clauses = []
    with _lock:
        lib = _initialised()
        if not _set_voice(lib, voice_name):
            raise EngineError(f"espeak-ng has no voice {voice_name!r} to read phonemes with")
        pointer = ctypes.c_void_p(ctypes.addressof(data))
        while pointer.value:
            phonemes = lib.espeak_TextToPhonemes(
                ctypes.byref(pointer), ESPEAK_CHARS_UTF8, PHONEMES_IPA
            )
            if phonemes:
                clauses.append(phonemes.decode("utf-8", "replace").strip())
    return " ".join(c for c in clauses if c)


def default_voice(language: Language) -> str:
    """The espeak-ng voice for a language: en, ko, cmn (Mandarin for zh_Hans), ..."""
    return VOICE_CODES.get(language.locale_id, language.code)


class EspeakEngine(Engine):
    """eSpeak NG: offline, several hundred times real time, robotic; the fallback voice."""

    name = "espeak"
    parallel = "process"
    phonemes = "x-espeak"
    settings = (RATE,)
    # Measured on the shipped guide's sentences as this voice speaks them (espeak-ng 1.52): its
    # Korean and Mandarin are poorly understood, and nothing tried (rate, pitch, word gap, voice
    # variants, numbers spelled out, respelling) made its Korean better under both judges.
    measured: ClassVar[dict[str, tuple[Measured, ...]]] = {
        "en": (Measured(0.055, "Whisper base"),),
        "ko": (Measured(0.84, "Whisper base"), Measured(0.90, "Vosk Korean")),
        "zh_Hans": (Measured(0.72, "Whisper base"),),
    }

    def version(self, language: Language, voice: Voice) -> str:
        with _lock:
            lib = _load()
            info = lib.espeak_Info(None)
        library = info.decode("ascii", "replace") if info else "unknown"
        try:
            loader = package_version("espeakng-loader")
        except PackageNotFoundError:
            loader = "unknown"
        return f"espeak-ng {library} (espeakng-loader {loader})"

    def available(self) -> bool:
        try:
            with _lock:
                _initialised()
        except EngineError:
            return False
        return True

    def supports(self, language: Language) -> bool:
        return is_voice(default_voice(language))

    def check(self, language: Language, voice: Voice) -> Voice:
        name = self.voice_name(language, voice)
        if not is_voice(name):
            if voice.voice:
                raise EngineError(
                    f"espeak-ng has no voice {name!r}; give one that `audioguide voices` lists, "
                    "such as en-us or en+m3, or remove voice:"
                )
            return super().check(language, voice)
        return voice

    def voices(self, language: Language) -> tuple[str, ...]:
        code = default_voice(language)
        names = voice_names()
        return tuple(sorted({n.lower() for n in names if n.split("-")[0] == code} & names))

    def voice_name(self, language: Language, voice: Voice) -> str:
        """The espeak-ng voice used: ``voice.voice`` if set, else the language's (en, ko, cmn)."""
        return voice.voice or default_voice(language)

    def describe(self, language: Language, voice: Voice) -> str:
        return f"eSpeak NG {self.voice_name(language, voice)}"

    def inline_phonemes(self, phonemes: str) -> str:
        """Text espeak-ng reads as the phoneme mnemonics ``phonemes``."""
        return f"[[{phonemes}]]"

    def normalise(self, text: str, language: Language) -> str:
        return espeak_rules.normalise(text, language)

    def spoken(self, parts: Sequence[str | Phonemes]) -> str:
        """The parts as espeak-ng reads them: phonemes inline (``[[...]]``), and a ``[[`` that
        the text itself holds broken up, so that no text is ever read as phonemes."""
        return "".join(
            self.inline_phonemes(part) if isinstance(part, Phonemes) else part.replace("[[", "[ [")
            for part in parts
        )

    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak ``text``. Word offsets in the clip are character offsets into ``text``.

        The clip has no pause added at its end; the caller decides the gaps between clips.
        """
        name = self.voice_name(language, voice)
        if not text.strip():
            raise EngineError("espeak-ng was given an empty sentence; remove it from the script")
        data = text.encode("utf-8") + b"\0"
        with _lock:
            if _used:  # start from the library's initial state: see the module's docstring
                _unload()
            lib = _initialised()
            if not _set_voice(lib, name):
                raise EngineError(
                    f"espeak-ng has no voice {name!r} for {language.english_name}; set "
                    f"voices.{language.locale_id}.voice to an espeak-ng voice name or remove it"
                )
            lib.espeak_SetParameter(ESPEAK_RATE, _rate(voice), 0)
            _samples.clear()
            _words.clear()
            _event_rate.clear()
            status = lib.espeak_Synth(
                data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8 | PHONEME_INPUT, None, None
            )
            pcm = b"".join(_samples)
            words = tuple(_words)
            sample_rate = _event_rate[-1] if _event_rate else _sample_rate
        if status != EE_OK:
            raise EngineError(
                f"espeak-ng failed on {shorten(text)!r} (status {status}); "
                "check the sentence for unusual characters"
            )
        if not pcm:
            raise EngineError(
                f"espeak-ng produced no audio for {shorten(text)!r}; "
                "check that the sentence has words to speak"
            )
        return Clip(
            pcm=pcm, sample_rate=sample_rate, words=_clean_words(words, text, pcm, sample_rate)
        )


def _rate(voice: Voice) -> int:
    """Words per minute: ``voices.<lang>.rate``, or the library's normal rate."""
    rate = voice.get("rate")
    return rate if isinstance(rate, int) else ESPEAK_RATE_NORMAL


def _clean_words(
    events: tuple[tuple[int, int], ...], text: str, pcm: bytes, sample_rate: int
) -> tuple[tuple[int, int], ...]:
    """Word events as (character offset, ms), both increasing, within the text and the clip.

    espeak-ng reports some words twice ("12,000" at "12" and again at "2") or points the words
    it speaks for an emoji at the next word; only the first event for a place is kept. Some words
    get no event at all (many Korean words, a word right after “), so the list can have gaps.
    """
    duration_ms = int(len(pcm) / 2 / sample_rate * 1000)
    words: list[tuple[int, int]] = []
    for offset, ms in events:
        if not 0 <= offset < len(text):
            continue
        if words and (offset <= words[-1][0] or ms < words[-1][1]):
            continue
        words.append((offset, min(ms, duration_ms)))
    return tuple(words)
