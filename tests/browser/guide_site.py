"""The site the browser tests look at: three editions (en, ko, zh-Hans) and their files.

:func:`build_site` writes, into an output folder, real short MP3s made with ffmpeg, captions,
chapters, transcript, playlist, feed and zip in the layout ``audioguide build`` writes, then the
pages from :func:`audioguide.package.player.render_site`. When the build exists, swap the body of
:func:`build_site` (and :func:`make_editions`) for a build of the test guide: the tests need only
the output folder and its editions.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import imageio_ffmpeg
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from editions import render_epub
from timelines import make_track, spoken_title

from audioguide import strings as S
from audioguide.catalogs import Translation
from audioguide.edition import Edition, Track
from audioguide.languages import resolve
from audioguide.package.archive import render_zip
from audioguide.package.daisy import render_daisy
from audioguide.package.player import render_site

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_LOCALES = ROOT / "audioguide" / "locales"

# --- the guide -----------------------------------------------------------------------------

GUIDE_ID = "test-guide"
TRACK_SECONDS = 6
# Per language: guide title, description, then per track (title, [sentences]).
# The Korean edition leaves its third track untranslated: it is read in English.
TEXTS = {
    "en": (
        "Voices from the Border",
        "A short test guide in three tracks.",
        [
            ("The markets", ["The markets changed daily life.", "People trade food and news."]),
            ("Leaving home", ["Many people leave in winter.", "The river is frozen then."]),
            ("A new life", ["A new life is not easy.", "But they do not give up hope."]),
        ],
    ),
    "ko": (
        "국경에서 들려오는 목소리",
        "트랙 세 개로 된 짧은 시험용 가이드입니다.",
        [
            ("장마당", ["장마당은 일상을 바꾸었습니다.", "사람들은 음식과 소식을 사고팝니다."]),
            ("고향을 떠나며", ["많은 사람이 겨울에 떠납니다.", "그때는 강이 얼어 있습니다."]),
            None,  # untranslated
        ],
    ),
    "zh_Hans": (
        "来自边境的声音",
        "一份由三节组成的简短测试导览。",
        [
            ("市场", ["市场改变了日常生活。", "人们买卖食物，也交换消息。"]),
            ("离开家乡", ["许多人在冬天离开。", "那时河面已经结冰。"]),
            ("新的生活", ["新的生活并不容易。", "但他们没有放弃希望。"]),
        ],
    ),
}
SECTIONS = ("markets", "escape", "new-life")


def make_editions() -> list[Edition]:
    """The three editions (en, ko, zh-Hans): three tracks of six seconds, three cues each."""
    source = TEXTS["en"][2]
    editions = []
    for locale_id, (title, description, tracks) in TEXTS.items():
        language = resolve(locale_id)
        translation = _translation(language)
        built = []
        for number, (section_id, texts) in enumerate(zip(SECTIONS, tracks, strict=True), 1):
            untranslated: tuple[str, ...] = ()
            if texts is None:
                texts = source[number - 1]
                untranslated = ("title", "p1", "p2")
            track_title, sentences = texts
            # Split as the build splits it: the words around the title, and the title (which
            # is read in English where it is untranslated).
            announcement = translation.tool(
                S.TRACK_ANNOUNCEMENT, number=number, total=len(tracks), title="\x00"
            )
            before, _, after = announcement.partition("\x00")
            intro = [before.strip(), track_title + after.strip()]
            spoken = [*intro, *sentences]
            step = TRACK_SECONDS * 1000 // len(spoken)
            end = TRACK_SECONDS * 1000
            times = [
                (i * step, (i + 1) * step if i < len(spoken) - 1 else end)
                for i in range(len(spoken))
            ]
            built.append(
                make_track(
                    number,
                    section_id,
                    track_title,
                    [(*times[i], text) for i, text in enumerate(intro)],
                    # One sentence per paragraph: two paragraphs, two chapters.
                    [[(*times[i], text)] for i, text in enumerate(sentences, len(intro))],
                    lang=language.tag,
                    duration_ms=end,
                    untranslated=untranslated,
                    headings=sentences,
                    voices=("test tone",),
                )
            )
        editions.append(
            Edition(
                guide_id=GUIDE_ID,
                language=language,
                title=title,
                description=description,
                author=None,
                tracks=tuple(built),
                completeness=100.0 if locale_id != "ko" else 80.0,
                has_audiobook=True,
                engine="test",
                title_clip=spoken_title(title, language.tag),
            )
        )
    return editions


def shipped_translations(editions: list[Edition]) -> dict[str, Translation]:
    return {e.language.tag: _translation(e.language) for e in editions}


def _translation(language) -> Translation:
    return Translation(language, None, _shipped(language))


def _shipped(language) -> Catalog | None:
    """audioguide's own translations of its strings, as the package ships them."""
    path = PACKAGE_LOCALES / language.locale_id / "LC_MESSAGES" / "audioguide.po"
    if not path.is_file():
        return None
    return read_po(io.BytesIO(path.read_bytes()), locale=language.locale_id)


# Hostile catalog and script text: each would run script if it reached the page as markup.
HOSTILE_UI = {
    "Play": "<img src=x onerror=window.__pwned=1>",
    "Pause": "</script><script>window.__pwned=2</script>",
    "Transcript": "\"'><svg onload=window.__pwned=3> ]]> \u202eevil",
    "Tracks": "<!-- ]]> & &amp; \u200f\u202b",
    "Speed": "Speed {broken",  # an unusable placeholder: shown in English instead
    "{rate}×": "{rate}<b onmouseover=window.__pwned=4>×</b>",
    "Track {number} of {total}. {title}.": "<script>window.__pwned=5</script>{title}",
}
HOSTILE_TITLE = "<img src=x onerror=window.__pwned=6> \"quoted\" & 'single'"
HOSTILE_CUE = "</button><script>window.__pwned=7</script>"


def hostile_site(editions: list[Edition]) -> tuple[list[Edition], dict[str, Translation]]:
    """The Korean edition with hostile titles and cues, and a hostile Korean catalog."""
    catalog = Catalog(locale="ko", domain="audioguide")
    for msgid, msgstr in HOSTILE_UI.items():
        catalog.add(msgid, msgstr)
    translations = shipped_translations(editions)
    ko = next(e for e in editions if e.language.tag == "ko")
    translations["ko"] = Translation(ko.language, catalog, _shipped(ko.language))
    first = ko.tracks[0]
    paragraph = first.paragraphs[0]
    said = (replace(paragraph.sentences[0], text=HOSTILE_CUE), *paragraph.sentences[1:])
    blocks = (first.announcement, replace(paragraph, sentences=said), *first.paragraphs[1:])
    tracks = (replace(first, title=HOSTILE_TITLE, blocks=blocks), *ko.tracks[1:])
    hostile = replace(ko, title=HOSTILE_TITLE, description=HOSTILE_CUE, tracks=tracks)
    return [hostile if e is ko else e for e in editions], translations


# --- files ---------------------------------------------------------------------------------


def tone(path: Path, seconds: float, frequency: int) -> None:
    """A real MP3: a sine tone, mono, 44.1 kHz, 64 kbit/s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
            "-ac", "1", "-ar", "44100", "-b:a", "64k", str(path),
        ],
        check=True,
    )  # fmt: skip


def _vtt(track: Track) -> str:
    def stamp(ms: int) -> str:
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    blocks = [f"{stamp(c.start_ms)} --> {stamp(c.end_ms)}\n{c.text}" for c in track.sentences]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def build_site(output: Path, editions: list[Edition], translations: dict[str, Translation]) -> None:
    """Write the listener files the pages link to, then the pages themselves."""
    tones = {}
    for number in range(1, len(SECTIONS) + 1):
        tones[number] = output / ".tones" / f"{number}.mp3"
        if not tones[number].exists():
            tone(tones[number], TRACK_SECONDS, 330 + 110 * number)
    sizes: dict[str, int] = {}
    full = output / ".tones" / "full.mp3"
    if not full.exists():
        tone(full, TRACK_SECONDS * len(SECTIONS), 440)
    for edition in editions:
        files: dict[str, bytes] = {}
        for track in edition.tracks:
            files[edition.track_file(track, ".mp3")] = tones[track.number].read_bytes()
            files[edition.track_file(track, ".vtt")] = _vtt(track).encode()
            files[edition.track_file(track, ".txt")] = track.transcript.encode()
            chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": track.title}]}
            files[edition.track_file(track, ".chapters.json")] = json.dumps(chapters).encode()
        files[edition.full_guide] = full.read_bytes()
        files[edition.full_guide_captions] = b"WEBVTT\n"
        files[edition.title_mp3] = tones[1].read_bytes()
        files[edition.audiobook] = full.read_bytes()  # offered for download, never played here
        files[edition.transcript] = "\n\n".join(t.transcript for t in edition.tracks).encode()
        files[edition.playlist] = (
            "#EXTM3U\n"
            + "".join(
                f"#EXTINF:{t.duration_ms // 1000},{t.title}\n{t.stem}.mp3\n" for t in edition.tracks
            )
        ).encode()
        files[edition.feed] = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"/>\n'
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("README.txt", edition.title)
        files[edition.zip] = buffer.getvalue()
        translation = translations.get(edition.language.tag) or Translation(
            edition.language, None, None
        )
        files[edition.epub] = render_epub(edition, files, translation)
        book = render_daisy(edition, files)
        files[edition.daisy_zip] = render_zip({f"daisy/{n}": d for n, d in book.items()})
        for name, data in files.items():
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            (output / name).write_bytes(data)
            sizes[name] = len(data)
    for name, data in render_site(editions, translations, sizes).items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_bytes(data)
