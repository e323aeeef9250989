"""Gettext catalogs, in three layers as sphinx-intl has them.

``pofile``       reading (as strict as ``msgfmt -c``) and writing (byte for byte as GNU gettext
                 writes) one ``.po`` file; Babel's ``Catalog`` is the data model
``workflow``     extract -> update -> stats / compile, over a guide's ``locales/`` folder
``translation``  the translations the build uses, and the one safe way to fill placeholders
"""

from .pofile import PoFile, po_bytes, read_po
from .translation import Translated, Translation, fill, placeholder_problem, placeholders
from .workflow import (
    DOMAIN,
    TEMPLATE,
    Problem,
    Stats,
    build_template,
    catalog_path,
    compile_catalogs,
    extract,
    extract_yaml,
    load,
    stats,
    translation,
    update,
)

__all__ = [
    "DOMAIN", "TEMPLATE", "PoFile", "Problem", "Stats", "Translated", "Translation",
    "build_template", "catalog_path", "compile_catalogs", "extract", "extract_yaml", "fill",
    "load", "placeholder_problem", "placeholders", "po_bytes", "read_po", "stats",
    "translation", "update",
]  # fmt: skip
