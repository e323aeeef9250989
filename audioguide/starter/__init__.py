"""``audioguide new DIR``: a guide folder that builds at once, made from the files beside this one.

``scripts/`` (``guide.yaml`` with every field explained, two short sections) and one lexicon per
language (``locales/pronunciation.pls``: valid PLS with one example lexeme in a comment) are
copied with their ``$placeholders`` filled (:class:`string.Template`). The catalogs are made as
``audioguide extract`` and ``audioguide update`` make them; the sample translations kept here
(``locales/<lang>/LC_MESSAGES/audioguide.po``) fill them for the languages they cover.

Everything is written into a folder of its own first, then moved into place (the folder
renamed to DIR, or its two folders moved into an empty DIR): an error or Ctrl-C leaves no
half-made guide.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from string import Template

from .. import catalogs, lexicon
from ..engines import get_engine
from ..errors import LanguageError, OptionError
from ..files import TEMPORARY_PREFIX
from ..languages import Language, resolve
from ..script import load_guide

FILES = Path(__file__).parent
DEFAULT_ID = "my-guide"
# The example lexeme in each language's lexicon: (grapheme, alias), by locale id.
EXAMPLE_LEXEMES = {"ko": ("박물관", "방물관"), "zh_Hans": ("重庆", "崇庆")}
DEFAULT_LEXEME = ("HRW", "Human Rights Watch")
log = logging.getLogger(__name__)


def editions(source: str, others: str) -> list[Language]:
    """The guide's languages from ``--source en --languages ko,zh_Hans``: the source first,
    each once. An unknown language id is an :class:`OptionError` naming the option."""
    found: list[Language] = []
    for option, given in [("--source", source), *(("--languages", g) for g in others.split(","))]:
        if option == "--languages" and not given.strip():
            continue  # "ko," or no --languages at all
        try:
            language = resolve(given)
        except LanguageError as exc:
            raise OptionError(f"{option}: {exc}") from None
        if language not in found:
            found.append(language)
    return found


def guide_id(folder: Path) -> str:
    """The guide's id for a folder: its name in lowercase ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", folder.name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower())) or DEFAULT_ID


def create(folder: Path, languages: Sequence[Language]) -> Path:
    """Make a new guide in ``folder`` (a new or empty folder) in ``languages``, the source
    language first; return the folder it is in. A folder that is not new or empty is an
    :class:`OptionError`, and nothing is written."""
    target = Path(folder).resolve()
    if target.exists():
        if not target.is_dir():
            raise OptionError("is not a folder; give a new folder, or an empty one", folder)
        if any(target.iterdir()):
            raise OptionError(
                "is not empty; give a new folder, or an empty one, for the new guide", folder
            )
    espeak = get_engine("espeak")
    for language in languages:
        if not espeak.supports(language):
            log.warning(
                f"the offline voice, espeak-ng, does not speak {language.english_name} "
                f"({language.locale_id}): its edition needs another engine under voices: in "
                "guide.yaml (see `audioguide voices`)"
            )
    # Made aside, then moved in: into the empty folder (which may be the current one), or as
    # the new folder itself.
    existing = target.is_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    name = f"{TEMPORARY_PREFIX}new-{secrets.token_hex(4)}"
    staging = target / name if existing else target.parent / name
    staging.mkdir()
    try:
        _write(staging, guide_id(target), languages)
        if existing:
            for child in sorted(staging.iterdir()):
                os.replace(child, target / child.name)
            staging.rmdir()
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write(root: Path, id_: str, languages: Sequence[Language]) -> None:
    scripts, locales = root / "scripts", root / "locales"
    scripts.mkdir()
    values = {
        "id": id_,
        "source": languages[0].locale_id,
        "languages": ", ".join(language.locale_id for language in languages),
    }
    for template in sorted((FILES / "scripts").glob("*.yaml")):
        _fill(template, scripts / template.name, values)
    for language in languages:
        grapheme, alias = EXAMPLE_LEXEMES.get(language.locale_id, DEFAULT_LEXEME)
        path = lexicon.path_for(locales, language)
        path.parent.mkdir(parents=True)
        example = {"tag": language.tag, "grapheme": grapheme, "alias": alias}
        _fill(FILES / "locales" / lexicon.FILE_NAME, path, example)
    guide = load_guide(scripts)
    catalogs.extract(guide, locales)
    catalogs.update(guide, locales)
    for language in guide.languages[1:]:
        sample = catalogs.catalog_path(FILES / "locales", language)
        if sample.is_file():
            _translate(catalogs.catalog_path(locales, language), sample)


def _fill(template: Path, path: Path, values: dict[str, str]) -> None:
    text = Template(template.read_text("utf-8")).substitute(values)
    path.write_text(text, "utf-8", newline="\n")


def _translate(path: Path, sample: Path) -> None:
    """Give the catalog at ``path`` the sample's translations of its messages."""
    po, translations = catalogs.read_po(path), catalogs.read_po(sample).catalog
    for message in po.catalog:
        if message.id and message.id in translations:
            message.string = translations[message.id].string
    path.write_bytes(catalogs.write_po(po))
