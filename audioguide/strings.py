"""Every string audioguide itself speaks or shows, as gettext messages.

They are extracted into the same template as the guide's own text, so a translator has one
``.po`` file per language. The package ships translations of them (``audioguide/locales``), which
fill a new guide's catalogs. Placeholders are named (``{title}``) so translators can reorder them;
they are data, filled by :func:`audioguide.catalogs.fill`, never by ``str.format``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ToolString:
    msgid: str
    comment: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The fixed list of ``{name}`` fields a translation must keep, in msgid order."""
        return tuple(dict.fromkeys(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", self.msgid)))


STRINGS: list[ToolString] = []


def N_(msgid: str, comment: str) -> str:
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
ZIP_README_AUDIOBOOK = N_(
    "{audiobook} is the whole guide as an audiobook with chapters, for audiobook apps.\n",
    "README.txt inside each language's zip download, after the text above. {audiobook} is the "
    "audiobook's file name.",
)
FULL_GUIDE = N_(
    "The whole guide",
    "Title of the single file that holds every track one after another.",
)

# The web player (output/index.html and output/<tag>/index.html). Short labels are button and
# link texts; a screen reader reads them aloud, so keep them plain words, not symbols.
PLAYER_SKIP = N_(
    "Skip to the player",
    "Web player: the first link on the page, for keyboard and screen reader users; it jumps "
    "over the navigation to the audio player.",
)
PLAYER_LANGUAGES = N_(
    "Languages",
    "Web player: the name of the navigation that links to the guide in other languages.",
)
PLAYER_ALL_LANGUAGES = N_(
    "All languages",
    "Web player: link back to the page that lists every language of the guide.",
)
PLAYER_CHOOSE_LANGUAGE = N_(
    "Choose a language",
    "Web player: heading above the list of languages on the first page.",
)
PLAYER_HEADING = N_("Player", "Web player: heading of the part of the page with the controls.")
PLAYER_NOW_PLAYING = N_(
    "Now playing",
    "Web player: label above the title of the track in the player, and a mark next to that "
    "track in the track list.",
)
PLAYER_READY = N_(
    "Ready to play",
    "Web player: label above the title of the track in the player, and a mark next to that "
    "track in the track list, before it has played.",
)
PLAYER_PLAY = N_("Play", "Web player: button that starts playback.")
PLAYER_PAUSE = N_("Pause", "Web player: the same button while the guide is playing.")
PLAYER_PREVIOUS = N_("Previous track", "Web player: button that goes to the previous track.")
PLAYER_NEXT = N_("Next track", "Web player: button that goes to the next track.")
PLAYER_BACK = N_(
    "Back {seconds} seconds",
    "Web player: button that jumps back. {seconds} is a number of seconds (5 to 60), already "
    "written the way the language writes numbers.",
)
PLAYER_FORWARD = N_(
    "Forward {seconds} seconds",
    "Web player: button that jumps forward. {seconds} is a number of seconds (5 to 60).",
)
PLAYER_PREVIOUS_PARAGRAPH = N_(
    "Previous paragraph",
    "Web player: button that goes back to the start of the paragraph being read, or to the one "
    "before it.",
)
PLAYER_NEXT_PARAGRAPH = N_(
    "Next paragraph", "Web player: button that goes to the start of the next paragraph."
)
PLAYER_STEP = N_(
    "Skip by",
    "Web player: label of the list that chooses how far the back and forward buttons jump "
    "(5 seconds, 10 seconds, ...).",
)
PLAYER_VOLUME = N_("Volume", "Web player: label of the volume slider.")
PLAYER_MUTE = N_(
    "Mute",
    "Web player: a toggle button that silences the guide; screen readers say whether it is "
    "pressed.",
)
PLAYER_SPEED = N_("Speed", "Web player: label of the list of playback speeds.")
PLAYER_RATE = N_(
    "{rate}×",
    "Web player: one playback speed in the speed list. {rate} is a number such as 1.25, "
    "already written the way the language writes numbers.",
)
PLAYER_POSITION = N_(
    "Position",
    "Web player: label of the slider that shows and changes where in the track playback is.",
)
PLAYER_POSITION_VALUE = N_(
    "{elapsed} of {total}",
    "Web player: what a screen reader says for the position slider. {elapsed} and {total} are "
    "times such as 1:05 and 3:20.",
)
PLAYER_NO_AUDIO = N_(
    "Your browser cannot play this audio here. The MP3 files can be downloaded below.",
    "Web player: shown only by browsers that cannot play audio at all.",
)
PLAYER_SHORTCUTS = N_(
    "Keyboard shortcuts",
    "Web player: heading of the part that lists the keyboard shortcuts.",
)
PLAYER_SHORTCUTS_ON = N_(
    "Use keyboard shortcuts",
    "Web player: checkbox that turns the keyboard shortcuts on or off.",
)
PLAYER_KEYS = N_(
    "Keys to hold",
    "Web player: label of the list that chooses which keys are held down with a shortcut's "
    "letter (Alt+Shift, or none).",
)
PLAYER_KEYS_ALT_SHIFT = N_(
    "Alt+Shift and a letter",
    "Web player: a choice in the list of keys to hold. Keep the key names as they are printed "
    "on keyboards.",
)
PLAYER_KEYS_SINGLE = N_(
    "Single-key shortcuts (may conflict with screen readers)",
    "Web player: a choice in the list of keys to hold: the letter alone. Screen readers use "
    "single letters to move around a page.",
)
PLAYER_SHORTCUTS_HELP = N_(
    "The keys work anywhere on this page except in form fields. Space plays or pauses when "
    "the player has the focus.",
    "Web player: explains where the keyboard shortcuts work.",
)
PLAYER_SHORTCUTS_TAKEN = N_(
    "Systems, browsers and screen readers keep some key combinations, and single keys, for "
    "themselves. If a shortcut does nothing, choose the other keys to hold, or turn the "
    "shortcuts off.",
    "Web player: warns that a keyboard shortcut may be taken before it reaches the page.",
)
PLAYER_KEY_SPACE = N_("Space", "Web player: the name of the space bar key.")
PLAYER_PLAY_PAUSE = N_("Play or pause", "Web player: what a keyboard shortcut does.")
PLAYER_SKIP_BACK = N_("Jump back", "Web player: what a keyboard shortcut does.")
PLAYER_SKIP_FORWARD = N_("Jump forward", "Web player: what a keyboard shortcut does.")
PLAYER_SLOWER = N_("Slower", "Web player: keyboard shortcut that lowers the playback speed.")
PLAYER_FASTER = N_("Faster", "Web player: keyboard shortcut that raises the playback speed.")
PLAYER_TRACKS = N_("Tracks", "Web player: heading of the list of tracks.")
PLAYER_TRANSCRIPT = N_(
    "Transcript",
    "Web player: heading of the text of the current track, and the link to the whole text.",
)
PLAYER_TRANSCRIPT_HELP = N_(
    "Select a sentence to listen from there.",
    "Web player: explains that each sentence of the transcript can be clicked to play it.",
)
PLAYER_TRANSCRIPT_KEYS = N_(
    "The arrow keys move from sentence to sentence.",
    "Web player: under the transcript's heading; the up and down (or left and right) arrow keys "
    "move the keyboard focus between the sentences of the transcript.",
)
PLAYER_FOLLOW = N_(
    "Scroll along with the speech",
    "Web player: checkbox under the transcript; when ticked, the transcript scrolls to keep the "
    "sentence being read in view.",
)
PLAYER_SEARCH = N_(
    "Search the transcript",
    "Web player: label of the search box that finds words in the text of every track.",
)
PLAYER_MATCHES = N_(
    "Matches: {count}",
    "Web player: shown after a search of the transcript, and said to screen readers when the "
    "guide is paused. {count} is a number.",
)
PLAYER_RESUME = N_(
    "Resume track {number} at {time}",
    "Web player: button offered when the listener comes back, to go on where they stopped. "
    "{number} is the track's number, {time} a time such as 1:05.",
)
# What the player shows, and says to screen readers while the guide is paused (never over the
# narration), or when the listener asks where they are.
PLAYER_PAUSED = N_(
    "Paused",
    "Web player: said to screen readers when playback stops, and shown above the track's "
    "title while it is paused.",
)
PLAYER_PARAGRAPH = N_(
    "Paragraph {number} of {total}",
    "Web player: shown after moving to another paragraph, and said to screen readers when "
    "the guide is paused or they ask where they are. {number} and {total} are digits.",
)
PLAYER_LAST_TRACK = N_(
    "This is the last track.",
    "Web player: shown when Next is pressed on the last track (and said to screen readers "
    "when the guide is paused).",
)
PLAYER_WHERE = N_(
    "Where am I?",
    "Web player: button and keyboard shortcut that has screen readers say the track, the "
    "paragraph and the time being played.",
)
PLAYER_PLACE = N_(
    "Paragraph {number} of {paragraphs}, {elapsed} of {total}.",
    "Web player: said to screen readers when they ask where they are, after the track's "
    "announcement. {number} and {paragraphs} are digits; {elapsed} and {total} are times such "
    "as 1:05 and 3:20.",
)
PLAYER_SHOW_CAPTIONS = N_(
    "Show captions",
    "Web player: checkbox that shows the sentence being read in large text, in the player.",
)
PLAYER_END = N_(
    "End of the guide.",
    "Web player: said to screen readers when the last track has finished playing.",
)
PLAYER_DOWNLOADS = N_("Downloads", "Web player: heading of the list of files to download.")
PLAYER_DOWNLOAD = N_(
    "{name}, {format}, {size}",
    'Web player: a download link. {name} is what the file is ("The whole guide"), {format} '
    'its format as written on the file (MP3, ZIP), {size} its size ("2.5 MB").',
)
PLAYER_AUDIO = N_(
    "Audio",
    "Web player: link to one track's MP3 file; screen readers hear the track title after it.",
)
PLAYER_CAPTIONS = N_(
    "Captions",
    "Web player: link to one track's captions file; screen readers hear the track title after it.",
)
PLAYER_FULL_GUIDE_HINT = N_(
    "One MP3 file with chapters",
    "Web player: describes the download of the whole guide as a single file.",
)
PLAYER_FULL_GUIDE_CAPTIONS = N_(
    "Captions of the whole guide",
    "Web player: link to the captions file of the single MP3 file that holds every track.",
)
PLAYER_FULL_GUIDE_CAPTIONS_HINT = N_(
    "Every sentence with its time in the one-file MP3",
    "Web player: describes the captions download of the whole guide.",
)
PLAYER_TRANSCRIPT_HINT = N_(
    "Plain text", "Web player: describes the download of the whole transcript."
)
PLAYER_PLAYLIST = N_("Playlist", "Web player: link to the playlist file.")
PLAYER_PLAYLIST_HINT = N_(
    "M3U, for music players", "Web player: describes the playlist file. Keep M3U as it is."
)
PLAYER_FEED = N_("Podcast feed", "Web player: link to the podcast feed.")
PLAYER_FEED_HINT = N_(
    "RSS, for podcast apps", "Web player: describes the podcast feed. Keep RSS as it is."
)
PLAYER_ZIP = N_("All files", "Web player: link to the zip file of this language.")
PLAYER_ZIP_HINT = N_(
    "ZIP archive of this language's tracks, captions and transcript",
    "Web player: describes the zip download.",
)
PLAYER_AUDIOBOOK = N_(
    "Audiobook", "Web player: link to the whole guide as one audiobook file (M4B)."
)
PLAYER_AUDIOBOOK_HINT = N_(
    "One M4B file with chapters, for audiobook apps",
    "Web player: describes the audiobook download. Keep M4B as it is.",
)
PLAYER_TALKING_BOOK = N_(
    "Talking book",
    "Web player: link to a book with the full text and its narration, for blind and "
    "low-vision readers; its format (EPUB 3 or DAISY 2.02) is shown beside it.",
)
PLAYER_EPUB_HINT = N_(
    "Text and audio together, for reading apps such as Thorium Reader and Apple Books",
    "Web player: describes the EPUB talking book. Keep the app names as they are.",
)
PLAYER_DAISY_HINT = N_(
    "ZIP archive, for DAISY players such as Victor Reader Stream and Plextalk",
    "Web player: describes the DAISY download. Keep the player names as they are.",
)
OFFLINE_HEADING = N_(
    "Listen offline",
    "Web player: heading of the part of the page that saves this language on the device.",
)
OFFLINE_EXPLAIN = N_(
    "Keep this language's tracks, captions and transcripts on this device, to listen where "
    "there is no connection.",
    "Web player: explains the button that saves the guide for listening without a connection.",
)
OFFLINE_SAVE = N_(
    "Save for offline listening ({size})",
    "Web player: button that downloads this language to the device. {size} is how much it "
    "downloads, such as 12.5 MB.",
)
OFFLINE_SPACE = N_(
    "Space this site may use on this device: {free}.",
    "Web player: shown before saving. {free} is an amount such as 1.2 GB.",
)
OFFLINE_SAVING = N_(
    "Saving: {percent}%",
    "Web player: progress of saving for offline listening, shown and said in steps. "
    "{percent} is a whole number.",
)
OFFLINE_CANCEL = N_("Cancel saving", "Web player: button that stops saving for offline listening.")
OFFLINE_CANCELLED = N_(
    "Saving cancelled. Nothing was kept.",
    "Web player: shown when the listener stops saving for offline listening.",
)
OFFLINE_READY = N_(
    "Saved on this device: this language plays without a connection.",
    "Web player: shown when this language is saved for offline listening.",
)
OFFLINE_REMOVE = N_(
    "Remove from this device",
    "Web player: button that deletes the saved copy of this language from the device.",
)
OFFLINE_REMOVED = N_(
    "Removed from this device.",
    "Web player: shown when the saved copy of this language has been deleted.",
)
OFFLINE_NO_SPACE = N_(
    "Not enough space on this device: {size} needed, {free} free. Free some space and try again.",
    "Web player: shown when saving for offline listening would not fit. {size} and {free} "
    "are amounts such as 12.5 MB.",
)
OFFLINE_REFUSED = N_(
    "This browser does not let this page save files (for example in private browsing). "
    "The guide still plays while you are online.",
    "Web player: shown when the browser refuses to store the guide on the device.",
)
OFFLINE_FAILED = N_(
    "Saving stopped: the connection was lost. Try again when you are online.",
    "Web player: shown when saving for offline listening fails part way.",
)
OFFLINE_NEEDS_NETWORK = N_(
    "{language} is not saved on this device: it needs a connection.",
    "Web player: shown, while offline, when the listener chooses a language that is not saved "
    "for offline listening. {language} is that language's name.",
)
PLAYER_FALLBACK_NOTE = N_(
    "Parts of this guide are not translated yet and are read in {language}.",
    "Web player: shown when some of the guide is spoken in the source language. {language} "
    "is that language's name.",
)

# The talking books (EPUB 3 and DAISY 2.02)
BOOK_CONTENTS = N_("Contents", "Talking book: heading of the table of contents.")
BOOK_ACCESSIBILITY_SUMMARY = N_(
    "The full text of the guide with its narration: reading apps highlight each sentence as "
    "it is read aloud. Headings and a table of contents lead to every section.",
    "Talking book: the accessibility summary that reading apps and bookshops show.",
)
BOOK_UNKNOWN_PUBLISHER = N_(
    "Unknown",
    "DAISY talking book: stands for the publisher's name when the guide does not give one. "
    "One word or a short phrase, as a library catalogue writes an unknown publisher.",
)
BOOK_NOT_EVALUATED = N_(
    "No one has evaluated it against an accessibility standard.",
    "Talking book: follows the accessibility summary above when no one has checked the book's "
    "accessibility (so it claims no conformance to a standard).",
)
