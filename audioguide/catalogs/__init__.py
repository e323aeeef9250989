"""Gettext catalogs, in layers as sphinx-intl has them.

``pofile``       reading (as strict as ``msgfmt -c``) and writing (byte for byte as GNU gettext
                 writes) one ``.po`` file, :func:`read_po` and :func:`write_po` over a
                 :class:`PoFile`; Babel's ``Catalog`` is the data model
``linebreak``    where gettext breaks a long string (UAX #14 as libunistring has it)
``workflow``     extract -> update -> stats / compile, over a guide's ``locales/`` folder, and
                 what a language's catalog lacks for the build (:meth:`Stats.problems`)
``translation``  the translations the build uses, and the one safe way to fill placeholders
"""

from .pofile import PoFile, read_po, write_po
from .translation import Translated, Translation, fill, placeholder_problem, placeholders
from .workflow import (
    DOMAIN,
    TEMPLATE,
    CatalogProblem,
    Problem,
    Stats,
    build_template,
    catalog_path,
    compile_catalogs,
    extract,
    extract_yaml,
    load,
    readable_translations,
    stats,
    translation,
    update,
)

__all__ = [
    "DOMAIN",
    "TEMPLATE",
    "CatalogProblem",
    "PoFile",
    "Problem",
    "Stats",
    "Translated",
    "Translation",
    "build_template",
    "catalog_path",
    "compile_catalogs",
    "extract",
    "extract_yaml",
    "fill",
    "load",
    "placeholder_problem",
    "placeholders",
    "read_po",
    "readable_translations",
    "stats",
    "translation",
    "update",
    "write_po",
]  # fmt: skip
