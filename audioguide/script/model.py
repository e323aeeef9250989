"""The guide as the build sees it: frozen dataclasses, each value with the file and line it came
from, so catalogs can point translators at it and errors can point users at it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import LanguageError
from ..languages import Language, resolve

GUIDE_FILE = "guide.yaml"


@dataclass(frozen=True)
class Text:
    """A translatable string, where it was written, and what translators are told beside it
    (the catalogs' ``#.`` lines: which part of the guide it is, and the section's note)."""

    value: str
    path: Path
    line: int
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    paragraphs: tuple[Text, ...]
    note: str | None
    path: Path
    line: int  # where the id is written
    position: int  # 1-based place in the guide

    @property
    def stem(self) -> str:
        """File name stem of everything made for this section: ``02-markets``."""
        return f"{self.position:02d}-{self.id}"


@dataclass(frozen=True)
class VoiceChoice:
    """A language's entry in ``guide.yaml``'s ``voices:`` mapping, as written: the engine's name,
    its voice, and its other settings, each with its line (the engine checks them: see
    :mod:`audioguide.speakers`)."""

    engine: str = "auto"  # "auto" or an engine's name
    voice: str | None = None  # the engine's voice: an espeak voice name, a Piper model, ...
    settings: tuple[tuple[str, object, int], ...] = ()  # (name, value, line), as written
    line: int | None = None  # of ``voice:``, or of the entry
    engine_line: int | None = None  # of ``engine:``, or of the entry
    entry_line: int | None = None  # of the language's key


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds, from ``guide.yaml``'s ``pauses:`` mapping."""

    sentence: int = 400  # after each sentence
    paragraph: int = 1000  # after each paragraph (instead of the sentence pause)
    announcement: int = 800  # after the spoken track announcement


# The podcast categories Apple Podcasts offers, for ``category:`` and ``subcategory:`` and the
# feeds' ``itunes:category``: Apple's list (https://podcasters.apple.com/support/1691), 19
# categories, 15 with subcategories, written exactly as the feeds must write them; it is the list
# podcast-partytime, Podcast Index's parser, checks feeds against.
PODCAST_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "History": (),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip
DEFAULT_CATEGORY = "Society & Culture"


@dataclass(frozen=True)
class Category:
    """The podcast category from ``guide.yaml``'s ``category:`` and ``subcategory:``, as Apple
    Podcasts spells them (:data:`PODCAST_CATEGORIES`)."""

    name: str = DEFAULT_CATEGORY
    subcategory: str | None = None


@dataclass(frozen=True)
class Accessibility:
    """Who evaluated the books' accessibility, from ``guide.yaml``'s ``accessibility:``: only then
    do the EPUBs claim conformance (EPUB Accessibility 1.1, WCAG 2.2 Level AA)."""

    certified_by: str  # the person or organisation that evaluated them
    credential: str | None = None  # a credential of theirs, such as a badge or certification
    report: str | None = None  # where their report can be read (an http(s) URL)


@dataclass(frozen=True)
class Guide:
    id: str
    title: Text
    description: Text | None
    source_language: Language
    languages: tuple[Language, ...]  # source language first
    author: str | None
    base_url: str | None
    published: datetime.date | None  # when the guide was published: feeds, books (reproducible)
    cover: (
        Text | None
    )  # the cover image's path, relative to the scripts folder (checked by cover.py)
    email: str | None  # the owner's address, for podcast directories (itunes:owner)
    voices: tuple[tuple[str, VoiceChoice], ...]  # (locale id, its entry), sorted
    pauses: Pauses
    sections: tuple[Section, ...]
    path: Path  # the scripts folder
    contact: str | None = None  # where translators report problems: the catalogs' header
    publisher: str | None = None  # who publishes the guide: the DAISY books' dc:publisher
    category: Category = Category()  # the feeds' podcast category
    audiobook: bool = False  # also an M4B audiobook per language (its AAC costs build time)
    accessibility: Accessibility | None = None  # who evaluated the books, if anyone
    base_url_line: int | None = None  # where guide.yaml gives base_url (a placeholder is warned of)

    def language(self, given: str) -> Language:
        """One of the guide's languages, given in any spelling; a clear error for any other."""
        language = resolve(given)
        if language not in self.languages:
            declared = ", ".join(lang.locale_id for lang in self.languages)
            raise LanguageError(
                f"the guide has no language {language.locale_id} (it has {declared}); "
                "add it to languages: in guide.yaml first",
                self.path / GUIDE_FILE,
            )
        return language

    def to_build(self, wanted: tuple[str, ...]) -> list[Language]:
        """The languages a build of ``wanted`` (any spellings; none: all) makes, in guide order:
        always the source language too, whose voice reads what is untranslated."""
        chosen = [self.language(given) for given in wanted] or list(self.languages)
        return [lang for lang in self.languages if lang in chosen or lang == self.source_language]

    def voice(self, language: Language) -> VoiceChoice:
        """The language's ``voices:`` entry (the defaults when it has none)."""
        return dict(self.voices).get(language.locale_id, VoiceChoice())

    def texts(self) -> Iterator[Text]:
        """Every translatable string of the guide, in order."""
        yield self.title
        if self.description:
            yield self.description
        for section in self.sections:
            yield section.title
            yield from section.paragraphs

    def files(self) -> tuple[Path, ...]:
        """guide.yaml, then each section's file, in guide order."""
        return (self.path / GUIDE_FILE, *(section.path for section in self.sections))
