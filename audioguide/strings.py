"""Every string audioguide itself speaks or shows, as gettext messages.

They are extracted into the same template as the guide's own text, so a translator has one
``.po`` file per language. The package ships translations of them (``audioguide/locales``), which
fill a new guide's catalogs. Placeholders are named (``{title}``) so translators can reorder them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolString:
    msgid: str
    comment: str


STRINGS: list[ToolString] = []


def N_(msgid: str, comment: str) -> str:  # noqa: N802 - the gettext convention
    """Register a message for extraction and return it untranslated."""
    STRINGS.append(ToolString(msgid, comment))
    return msgid


# Spoken
TRACK_ANNOUNCEMENT = N_(
    "Track {number} of {total}. {title}.",
    "Spoken at the start of every track. {number} and {total} are digits; {title} is the "
    "section title.",
)

# Transcripts, zips
UNTRANSLATED = N_(
    "(Not yet translated; read in {language}.)",
    "Marks a paragraph in a transcript that is spoken in the source language because it has "
    "no translation yet. {language} is that language's name.",
)
ZIP_README = N_(
    "{title}\n\nA narrated audio guide in {language}, {count} tracks.\n\n"
    "Play the MP3 files in order, or open playlist.m3u8 in any music player.\n"
    "00-full-guide.mp3 is the whole guide as one file with chapters.\n"
    "The .vtt files are captions, transcript.txt is the full text, and the\n"
    ".chapters.json files list the chapters of each track.\n",
    "README.txt inside each language's zip download. Keep the file names as they are.",
)
FULL_GUIDE = N_(
    "The whole guide",
    "Title of the single file that holds every track one after another.",
)
