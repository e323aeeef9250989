"""The voices: one module per engine, registered in :data:`ENGINES`.

``get_engine("espeak")`` returns the process's one instance of an engine; the pipeline does not
construct engines itself.
"""

from __future__ import annotations

from functools import cache

from ..errors import EngineError
from .base import Clip, Engine
from .espeak import EspeakEngine
from .gtts import GttsEngine

ENGINES: dict[str, type[Engine]] = {"gtts": GttsEngine, "espeak": EspeakEngine}

__all__ = ["ENGINES", "Clip", "Engine", "EspeakEngine", "GttsEngine", "get_engine"]


@cache
def get_engine(name: str) -> Engine:
    """The engine called ``name``, one instance per process. Raises :class:`EngineError`."""
    try:
        engine_class = ENGINES[name]
    except KeyError:
        raise EngineError(
            f"unknown voice engine {name!r}; use one of: {', '.join(ENGINES)}"
        ) from None
    return engine_class()
