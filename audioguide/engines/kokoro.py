"""The Kokoro voice: Kokoro-82M v1.0 (ONNX, Apache-2.0) run with onnxruntime, offline.

guide.yaml gives it as ``voices: {zh_Hans: {engine: kokoro, voice: zf_xiaobei, model: PATH,
voices: PATH}}``: ``model`` the ``.onnx`` file, ``voices`` a folder of voice styles
(``<voice>.bin``, raw float32, 510 rows of 256: the layout of the ``voices/`` folder of the ONNX
release and of the npm package kokoro-js). Each may instead name an installed Python package
shipping one, found from the packages' metadata, never imported
(:mod:`~audioguide.engines.installed`); left out, the first installed ones are used. A path is
relative to the current folder and has a ``/`` (or, for the model, ends in ``.onnx``). A voice's
first letter says its language (``a``/``b`` American/British English, ``z`` Mandarin, ...).

Text becomes phonemes the way Kokoro was trained: Mandarin through misaki's ``ZHG2P`` (jieba,
pypinyin), after the project's own number reading (:meth:`KokoroEngine.normalise`, the rules
espeak-ng gets); English and the other languages as espeak-ng IPA (misaki's English needs a spaCy
model downloaded at run time, which fails offline), with Latin words in Chinese text too. The
phonemes become ids through the model's vocabulary (:data:`VOCAB`, from its config), and the
style for ``n`` ids is row ``n - 1`` of the voice's file.

The ONNX session is run here rather than through kokoro-onnx: that library phonemizes through
``phonemizer`` (GPL-3.0) and reads voices only as one NumPy archive, and what it would do for us
is the ten lines of :meth:`KokoroEngine._run`. onnxruntime and misaki[zh] come with the extra
``pip install 'audioguide[kokoro]'``. One thread per session gives the same bytes every run.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, PackagePath
from importlib.metadata import version as package_version
from importlib.util import find_spec
from pathlib import Path
from typing import Any, ClassVar

from ..errors import EngineError
from ..languages import Language
from . import espeak, espeak_rules, installed
from .base import RATE, Clip, Engine, Measured, Setting, Voice, shorten
from .piper import model_hash, one_thread_session

SAMPLE_RATE = 24_000
MAX_IDS = 510  # ids per run of the model (two pads make its 512)
_STYLE_BYTES = 256 * 4  # one row of a voice's style: 256 float32
_NORMAL_RATE = 175  # words per minute that voices.<lang>.rate is measured against (as espeak)
_INSTALL = "install it with: pip install 'audioguide[kokoro]'"
_VOICE = re.compile(r"[a-z][fm]_[a-z0-9]+")  # zf_xiaobei, af_heart
# A voice's first letter: the language it speaks, and the espeak-ng voice that gives its
# phonemes (None: Mandarin, through misaki).
LANGUAGES: dict[str, tuple[str, str | None]] = {
    "a": ("en", "en-us"), "b": ("en", "en-gb"), "e": ("es", "es"), "f": ("fr", "fr-fr"),
    "h": ("hi", "hi"), "i": ("it", "it"), "p": ("pt", "pt-br"), "z": ("zh", None),
}  # fmt: skip
# The model's vocabulary (Kokoro-82M's config.json, "vocab"): phoneme character -> token id.
VOCAB: dict[str, int] = {
    ";": 1, ":": 2, ",": 3, ".": 4, "!": 5, "?": 6, "—": 9, "…": 10, "\"": 11, "(": 12, ")": 13,
    "“": 14, "”": 15, " ": 16, "̃": 17, "ʣ": 18, "ʥ": 19, "ʦ": 20, "ʨ": 21, "ᵝ": 22, "ꭧ": 23,
    "A": 24, "I": 25, "O": 31, "Q": 33, "S": 35, "T": 36, "W": 39, "Y": 41, "ᵊ": 42, "a": 43,
    "b": 44, "c": 45, "d": 46, "e": 47, "f": 48, "h": 50, "i": 51, "j": 52, "k": 53, "l": 54,
    "m": 55, "n": 56, "o": 57, "p": 58, "q": 59, "r": 60, "s": 61, "t": 62, "u": 63, "v": 64,
    "w": 65, "x": 66, "y": 67, "z": 68, "ɑ": 69, "ɐ": 70, "ɒ": 71, "æ": 72, "β": 75, "ɔ": 76,
    "ɕ": 77, "ç": 78, "ɖ": 80, "ð": 81, "ʤ": 82, "ə": 83, "ɚ": 85, "ɛ": 86, "ɜ": 87, "ɟ": 90,
    "ɡ": 92, "ɥ": 99, "ɨ": 101, "ɪ": 102, "ʝ": 103, "ɯ": 110, "ɰ": 111, "ŋ": 112, "ɳ": 113,
    "ɲ": 114, "ɴ": 115, "ø": 116, "ɸ": 118, "θ": 119, "œ": 120, "ɹ": 123, "ɾ": 125, "ɻ": 126,
    "ʁ": 128, "ɽ": 129, "ʂ": 130, "ʃ": 131, "ʈ": 132, "ʧ": 133, "ʊ": 135, "ʋ": 136, "ʌ": 138,
    "ɣ": 139, "ɤ": 140, "χ": 142, "ʎ": 143, "ʒ": 147, "ʔ": 148, "ˈ": 156, "ˌ": 157, "ː": 158,
    "ʰ": 162, "ʲ": 164, "↓": 169, "→": 171, "↗": 172, "↘": 173, "ᵻ": 177,
}  # fmt: skip
# Without voice:, these where the folder has them (the voices graded best in the model's card),
# else the first for the language by name.
_PREFERRED = ("af_heart", "bf_emma", "zf_xiaobei")
_CLAUSE = re.compile(r"([.,;:!?。，、；：！？…]+)")
_ASCII_PUNCTUATION = str.maketrans("。，、；：！？…", ".,,;:!?.")
_LATIN = re.compile(r"([A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*)*)")


def _is_model(file: PackagePath) -> bool:
    return file.name.endswith(".onnx") and "kokoro" in file.name.lower()


def _is_style(file: PackagePath) -> bool:
    return file.name.endswith(".bin") and bool(_VOICE.fullmatch(file.name[:-4]))


def _path(value: str, model: bool) -> bool:
    return "/" in value or "\\" in value or (model and value.endswith(".onnx"))


def _speaks(name: str, language: Language) -> bool:
    return LANGUAGES.get(name[:1], ("", None))[0] == language.code


MODEL = Setting(
    "model",
    "the path of a Kokoro .onnx model or the name of an installed package shipping one",
    lambda v: isinstance(v, str) and bool(v.strip()),
)
VOICES = Setting(
    "voices",
    "the path of a folder of Kokoro voices (<voice>.bin) or an installed package shipping one",
    lambda v: isinstance(v, str) and bool(v.strip()),
)


@dataclass(frozen=True)
class KokoroVoice:
    """What a checked ``voices.<lang>:`` speaks with."""

    name: str  # zf_xiaobei
    model: Path
    style: Path  # <voices>/<name>.bin
    espeak_voice: str | None  # None: Mandarin through misaki


def _model(given: object) -> Path:
    """The model file ``model:`` names (a path, an installed package), or the first installed."""
    return _find(given, _is_model, "Kokoro model", "the path of the .onnx file")


def _voices(given: object) -> Path:
    """The folder ``voices:`` names (a path, an installed package), or the first installed."""
    return _find(given, _is_style, "folder of Kokoro voices", "the folder of <voice>.bin files")


def _find(given: object, kind: Callable[[PackagePath], bool], what: str, give: str) -> Path:
    model = kind is _is_model
    if isinstance(given, str) and _path(given, model):
        path = Path(given).expanduser().absolute()
        if not (path.is_file() if model else path.is_dir()):
            raise EngineError(
                f"there is no {what} {given!r}; give {give} (see the README's Kokoro section "
                "for where to get it)"
            )
        return path
    if isinstance(given, str):
        package = installed.find(given, kind, what)
    elif installed.shipped(kind):
        package = installed.shipped(kind)[0]
    else:
        raise EngineError(
            f"no {what} is installed; set {'model' if model else 'voices'}: to {give} (see the "
            "README's Kokoro section) or choose another engine"
        )
    return package.files[0] if model else package.files[0].parent


def _names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.bin") if _VOICE.fullmatch(p.stem))


@functools.cache
def resolve_voice(language: Language, voice: Voice) -> KokoroVoice:
    """The model and voice style ``voice`` (guide.yaml's settings) names. Raises EngineError."""
    model = _model(voice.get("model"))
    folder = _voices(voice.get("voices"))
    names = [name for name in _names(folder) if _speaks(name, language)]
    preferred = [name for name in names if name in _PREFERRED]
    name = voice.voice or next(iter(preferred + names), None)
    if name is None or name not in names:
        what = f"no Kokoro voice {name!r}" if name else "no Kokoro voice"
        raise EngineError(
            f"{what} for {language.english_name} in {folder} (it has: "
            f"{', '.join(names) or 'none'}); give one of those"
        )
    style = folder / f"{name}.bin"
    size = style.stat().st_size
    if not size or size % _STYLE_BYTES:
        raise EngineError(
            f"{style} is not a Kokoro voice style (rows of 256 float32); download it again"
        )
    return KokoroVoice(name, model, style, LANGUAGES[name[0]][1])


class KokoroEngine(Engine):
    """Kokoro-82M: natural neural voices for Mandarin and English (and a few more), offline,
    about 0.6 s of CPU per second of audio."""

    name = "kokoro"
    parallel = "process"
    synthesis_bound = True
    settings = (RATE, MODEL, VOICES)
    # Measured on 25 of the shipped guide's sentences as this voice speaks them (zf_xiaobei).
    measured: ClassVar[dict[str, tuple[Measured, ...]]] = {
        "zh_Hans": (Measured(0.06, "Whisper base"),),
    }

    def available(self) -> bool:
        return find_spec("onnxruntime") is not None and find_spec("numpy") is not None

    def supports(self, language: Language) -> bool:
        return bool(self.voices(language)) and self._phonemes_for(language)

    def voices(self, language: Language) -> tuple[str, ...]:
        """The voices for the language in the installed voice packages (with an installed
        model: without one nothing speaks)."""
        if not installed.shipped(_is_model):
            return ()
        return tuple(
            name
            for package in installed.shipped(_is_style)
            for name in _names(package.files[0].parent)
            if _speaks(name, language)
        )

    def _phonemes_for(self, language: Language) -> bool:
        return language.code != "zh" or find_spec("misaki") is not None

    def check(self, language: Language, voice: Voice) -> Voice:
        if not self.available():
            raise EngineError(f"the kokoro engine needs onnxruntime and numpy; {_INSTALL}")
        if language.code not in {code for code, _ in LANGUAGES.values()}:
            raise EngineError(
                f"Kokoro has no voice for {language.english_name} ({language.tag}); "
                f"choose another engine under voices: {language.locale_id}: in guide.yaml"
            )
        if not self._phonemes_for(language):
            raise EngineError(f"the kokoro engine reads Mandarin with misaki[zh]; {_INSTALL}")
        if voice.voice is not None and not _VOICE.fullmatch(voice.voice):
            raise EngineError(
                f"{voice.voice!r} is not a Kokoro voice name (like zf_xiaobei or af_heart); "
                "see `audioguide voices`"
            )
        found = resolve_voice(language, voice)
        settings = dict(voice.settings) | {
            "model": str(found.model),
            "voices": str(found.style.parent),
        }
        return replace(voice, voice=found.name, settings=tuple(sorted(settings.items())))

    def version(self, language: Language, voice: Voice) -> str:
        found = resolve_voice(language, voice)
        if found.espeak_voice is None:
            phonemes = f"misaki {_version('misaki')}, pypinyin {_version('pypinyin')}"
        else:
            phonemes = espeak.EspeakEngine().version(language, voice)
        return (
            f"kokoro (onnxruntime {_version('onnxruntime')}, model sha256 "
            f"{model_hash(found.model)}, style sha256 {model_hash(found.style)}, phonemes from "
            f"{phonemes})"
        )

    def describe(self, language: Language, voice: Voice) -> str:
        return f"Kokoro {resolve_voice(language, voice).name}"

    def files(self, language: Language, voice: Voice) -> tuple[Path, ...]:
        found = resolve_voice(language, voice)
        return found.model, found.style

    def normalise(self, text: str, language: Language) -> str:
        """Numbers, units and ranges read as the project reads them for every offline voice
        (misaki would read Chinese numbers itself, but one rule serves all engines)."""
        return espeak_rules.normalise(text, language)

    def phonemes_of(self, text: str, found: KokoroVoice) -> str:
        """What the model is given for ``text``: misaki's Mandarin with Latin words as English
        espeak-ng IPA, or espeak-ng IPA per clause with the clause punctuation kept."""
        if found.espeak_voice is None:
            return " ".join(
                (_ipa(piece, "en-us") if _LATIN.fullmatch(piece) else _mandarin(piece)).strip()
                for piece in _LATIN.split(text)
                if piece.strip()
            )
        return _ipa(text, found.espeak_voice)

    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak ``text`` (see the module); ``voice.rate`` (words per minute, 175 normal) scales
        the speed."""
        import numpy

        found = resolve_voice(language, voice)
        phonemes = self.phonemes_of(text, found)
        rate = voice.get("rate")
        speed = rate / _NORMAL_RATE if isinstance(rate, int) and rate else 1.0
        pieces = [self._run(ids, found, speed, text) for ids in _windows(phonemes)]
        if not pieces:
            raise EngineError(
                f"Kokoro found nothing to say in {shorten(text)!r}; check that it has words"
            )
        samples = numpy.concatenate(pieces)
        pcm = (numpy.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        if not pcm:
            raise EngineError(f"Kokoro produced no audio for {shorten(text)!r}")
        return Clip(pcm=pcm, sample_rate=SAMPLE_RATE)

    def _run(self, ids: list[int], found: KokoroVoice, speed: float, text: str) -> Any:
        import numpy

        session = _session(found.model)
        styles = _styles(found.style)
        inputs = {
            "input_ids" if "input_ids" in _inputs(session) else "tokens": numpy.array(
                [[0, *ids, 0]], dtype=numpy.int64
            ),
            "style": styles[min(len(ids), len(styles)) - 1],
            "speed": numpy.array([speed], dtype=numpy.float32),
        }
        try:
            return session.run(None, inputs)[0].reshape(-1)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EngineError(
                f"Kokoro failed on {shorten(text)!r} with {found.model.name} ({exc}); check "
                "that model: is a Kokoro v1.0 ONNX model"
            ) from None


def _windows(phonemes: str) -> list[list[int]]:
    """The phonemes' ids in runs of at most :data:`MAX_IDS`, broken after a word."""
    runs: list[list[int]] = []
    current: list[int] = []
    for word in re.findall(r"\S+\s*", phonemes):
        ids = [VOCAB[ch] for ch in word if ch in VOCAB]
        if current and len(current) + len(ids) > MAX_IDS:
            runs.append(current)
            current = []
        current += ids[:MAX_IDS]
    if any(i != VOCAB[" "] for i in current):
        runs.append(current)
    return [run for run in runs if any(i != VOCAB[" "] for i in run)]


def _ipa(text: str, espeak_voice: str) -> str:
    """espeak-ng IPA per clause, each clause's punctuation kept (ASCII), as Kokoro's English
    training data was made."""
    phonemes = ""
    for piece in _CLAUSE.split(text):
        if _CLAUSE.fullmatch(piece):
            phonemes = phonemes.rstrip() + piece.translate(_ASCII_PUNCTUATION)[0] + " "
        elif any(ch.isalnum() for ch in piece):
            phonemes += espeak.to_ipa(piece, espeak_voice) + " "
    return phonemes.strip()


def _mandarin(text: str) -> str:
    return str(_g2p()(text)[0])


@functools.cache
def _g2p() -> Any:
    try:
        import jieba
        from misaki import zh
    except ImportError:
        raise EngineError(f"the kokoro engine reads Mandarin with misaki[zh]; {_INSTALL}") from None
    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict ..." on every first use
    return zh.ZHG2P()


def _version(distribution: str) -> str:
    try:
        return package_version(distribution)
    except PackageNotFoundError:
        return "missing"


@functools.cache
def _styles(path: Path) -> Any:
    """A voice's styles, one row of shape [1, 256] per utterance length."""
    import numpy

    return numpy.fromfile(path, dtype="<f4").reshape(-1, 1, 256)


def _inputs(session: Any) -> set[str]:
    return {i.name for i in session.get_inputs()}


@functools.cache
def _session(model: Path) -> Any:
    """The model loaded into onnxruntime, once per process, on one thread."""
    return one_thread_session(model, "kokoro", "the Kokoro model")
