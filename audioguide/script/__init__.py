"""Section scripts: `guide.yaml` and `NN-<slug>.yaml` in `scripts/` -> a frozen :class:`Guide`.

- :mod:`.yaml_reader`: YAML read safely and within limits, and a mapping's fields with their lines
- :mod:`.model`: the frozen dataclasses (:class:`Guide`, :class:`Section`, :class:`Text`, ...)
- :mod:`.settings`: guide.yaml's fields, declared in one table, and :func:`load_guide`
- :mod:`.sections`: the section scripts
"""

from .model import (
    DEFAULT_CATEGORY,
    GUIDE_FILE,
    PODCAST_CATEGORIES,
    Accessibility,
    Category,
    Guide,
    Pauses,
    Section,
    Text,
    VoiceChoice,
)
from .sections import SECTION_FIELDS
from .settings import SETTINGS, Setting, check_base_url, load_guide, placeholder
from .yaml_reader import (
    ID_PATTERN,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_ID,
    MAX_VALUES,
    forbidden_character,
)

__all__ = [
    "DEFAULT_CATEGORY",
    "GUIDE_FILE",
    "ID_PATTERN",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ID",
    "MAX_VALUES",
    "PODCAST_CATEGORIES",
    "SECTION_FIELDS",
    "SETTINGS",
    "Accessibility",
    "Category",
    "Guide",
    "Pauses",
    "Section",
    "Setting",
    "Text",
    "VoiceChoice",
    "check_base_url",
    "forbidden_character",
    "load_guide",
    "placeholder",
]
