"""The registry of voices: built-in engines and plug-ins, by name.

Built-in engines are listed in :data:`BUILT_IN`; third-party ones register an entry point in the
``audioguide.engines`` group, for example in their ``pyproject.toml``::

    [project.entry-points."audioguide.engines"]
    tone = "audioguide_tone:ToneEngine"

and are then usable by name exactly like the built-in ones (``--engine tone``,
``engine: tone`` in ``guide.yaml``). A name is lowercase letters, digits, ``-`` and ``_`` (it
lands in the manifest); a plug-in cannot replace a built-in name. The contract an
engine fulfils is in :class:`~audioguide.engines.base.Engine`.

``get_engine("espeak")`` returns the process's one instance of an engine; the pipeline does not
construct engines itself. Engine modules are imported only when first used.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from ..errors import EngineError
from ..languages import Language
from .base import AUTO, POORLY_UNDERSTOOD, Clip, Engine, Measured, Setting, Voice

ENTRY_POINT_GROUP = "audioguide.engines"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
BUILT_IN = {
    "gtts": "audioguide.engines.gtts:GttsEngine",
    "espeak": "audioguide.engines.espeak:EspeakEngine",
    "piper": "audioguide.engines.piper:PiperEngine",
    "kokoro": "audioguide.engines.kokoro:KokoroEngine",
}
# What ``auto`` speaks with offline: the first of these with an installed voice for the
# language (a natural neural voice before the robotic fallback), else espeak-ng.
OFFLINE = ("kokoro", "piper")

__all__ = [
    "AUTO", "BUILT_IN", "POORLY_UNDERSTOOD", "Clip", "Engine", "Measured", "Setting", "Voice",
    "auto_engine", "choices", "engine_names", "get_engine",
]  # fmt: skip


def _plugins() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        name = entry_point.name
        if NAME.fullmatch(name) and name not in BUILT_IN and name != AUTO:
            found.setdefault(name, entry_point)
    return found


def engine_names() -> tuple[str, ...]:
    """Every engine's name: the built-in ones, then installed plug-ins by name."""
    return (*BUILT_IN, *_plugins())


def auto_engine(language: Language, online: bool) -> str:
    """What ``auto`` speaks ``language`` with: gTTS while Google answers (``online``) and it has
    a voice for the language, else the best offline voice installed for it (:data:`OFFLINE`),
    else espeak-ng."""
    if online and get_engine("gtts").supports(language):
        return "gtts"
    for name in OFFLINE:
        engine = get_engine(name)
        if engine.available() and engine.supports(language):
            return name
    return "espeak"


def choices() -> tuple[str, ...]:
    """What ``--engine`` and ``engine:`` accept: ``auto`` and every engine's name."""
    return (AUTO, *engine_names())


@cache
def get_engine(name: str) -> Engine:
    """The engine called ``name``, one instance per process. Raises :class:`EngineError`."""
    if name in BUILT_IN:
        module, _, attribute = BUILT_IN[name].partition(":")
        engine_class: type[Engine] = getattr(import_module(module), attribute)
    else:
        entry_point = _plugins().get(name)
        if entry_point is None:
            raise EngineError(
                f"unknown voice engine {name!r}; use one of: {', '.join(engine_names())}"
            )
        where = entry_point.dist.name if entry_point.dist else entry_point.value
        try:
            loaded: object = entry_point.load()
        except Exception as exc:  # whatever a broken plug-in raises on import
            raise EngineError(
                f"the voice engine plug-in {name!r} (from {where}) cannot be loaded "
                f"({type(exc).__name__}: {exc}); reinstall or uninstall it"
            ) from None
        if not (isinstance(loaded, type) and issubclass(loaded, Engine)):
            raise EngineError(
                f"the voice engine plug-in {name!r} (from {where}) is not an "
                "audioguide.engines.Engine subclass; fix or uninstall it"
            )
        engine_class = loaded
    return engine_class()
