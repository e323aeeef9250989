"""``audioguide new DIR``: a guide folder that builds at once, made from the files beside this one.

``scripts/`` (``guide.yaml`` with every field explained, two short sections) and one lexicon per
language (``locales/pronunciation.pls``: valid PLS with one example lexeme in a comment) are
copied with their ``$placeholders`` filled (:class:`string.Template`). The catalogs are made as
``audioguide extract`` and ``audioguide update`` make them; the sample translations kept here
(``locales/<lang>/LC_MESSAGES/audioguide.po``) fill them for the languages they cover.

Beside them: ``babel.cfg`` (for ``pybabel``, as the README's *Translating* runs it), a
``.gitignore`` for what builds make, and ``.github/workflows/publish.yml``, which publishes the
guide on GitHub Pages. Everything is written into a folder of its own inside DIR first, then
moved into place: an error leaves no half-made guide, and a ``new`` that was killed leaves only
what its record names, which the next ``new`` takes for an empty folder.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from string import Template

from .. import __version__, catalogs, lexicon
from ..engines import get_engine
from ..errors import LanguageError, OptionError
from ..files import TEMPORARY_PREFIX
from ..languages import Language, resolve
from ..script import MAX_ID, load_guide

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
    """The guide's id for a folder: its name in lowercase ASCII letters, digits and hyphens,
    cut to the longest id guide.yaml takes."""
    ascii_name = unicodedata.normalize("NFKD", folder.name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return "-".join(words)[:MAX_ID].strip("-") or DEFAULT_ID


def create(folder: Path, languages: Sequence[Language]) -> Path:
    """Make a new guide in ``folder`` (a new or empty folder) in ``languages``, the source
    language first; return the folder it is in. A folder that is not new or empty is an
    :class:`OptionError`, and nothing is written.

    What an interrupted ``new`` left is recognised by its record, ``.audioguide-new`` (written
    before anything else, naming everything ``new`` puts in the folder): a folder holding only
    the record and what it names counts as empty, and what is there is made anew."""
    target = Path(folder).resolve()
    if len(os.fsencode(target.name)) > NAME_MAX:
        raise OptionError(
            f"is a name of {len(os.fsencode(target.name))} bytes; file systems take at most "
            f"{NAME_MAX}: give a shorter folder name",
            folder,
        )
    left: list[Path] | None = []
    if target.exists():
        if not target.is_dir():
            raise OptionError("is not a folder; give a new folder, or an empty one", folder)
        left = _interrupted(target)
        if left is None:
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
    # The record first, then everything made aside in the folder and moved into place; the
    # record goes last. An error removes what was made; a kill leaves only what the record names.
    made = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path in left or []:
            if path.name != RECORD:
                _remove(path)
        record = target / RECORD
        record.write_bytes(_RECORD_TEXT)
        staging = target / STAGING
        staging.mkdir()
        _write(staging, guide_id(target), languages)
        for name in PLACED:
            os.replace(staging / name, target / name)
        staging.rmdir()
        record.unlink()
    except BaseException:
        if made:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for name in (*PLACED, STAGING, RECORD):
                _remove(target / name)
        raise
    return target


# What `new` puts in a guide's folder, and where it makes it first.
PLACED = (".github", ".gitignore", "babel.cfg", "locales", "scripts")
STAGING = f"{TEMPORARY_PREFIX}new"
RECORD = ".audioguide-new"
_RECORD_TEXT = (
    "audioguide new is making a guide here; if it was stopped, run it again. It puts here: "
    + " ".join((*PLACED, STAGING, RECORD))
    + "\n"
).encode()
NAME_MAX = 255  # bytes in one file name, on every common file system


def _interrupted(target: Path) -> list[Path] | None:
    """What an interrupted ``new`` left in ``target`` (nothing: an empty folder), or None when
    something else is there: anything but the record and what it names, or no record."""
    entries = sorted(target.iterdir())
    if not entries:
        return []
    record = target / RECORD
    if record.is_symlink() or not record.is_file():
        return None
    with open(record, "rb") as handle:
        text = handle.read(len(_RECORD_TEXT) + 1)
    if not _RECORD_TEXT.startswith(text):  # written by new (a kill may have cut it short)
        return None
    if any(entry.name not in (*PLACED, STAGING, RECORD) for entry in entries):
        return None
    return entries


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _write(root: Path, id_: str, languages: Sequence[Language]) -> None:
    scripts, locales = root / "scripts", root / "locales"
    scripts.mkdir()
    values = {
        "id": id_,
        "source": languages[0].locale_id,
        "languages": ", ".join(language.locale_id for language in languages),
        "version": __version__,
    }
    for template in sorted((FILES / "scripts").glob("*.yaml")):
        _fill(template, scripts / template.name, values)
    shutil.copyfile(FILES / "babel.cfg", root / "babel.cfg")
    shutil.copyfile(FILES / "gitignore", root / ".gitignore")
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    _fill(FILES / "publish.yml", workflows / "publish.yml", values)
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
