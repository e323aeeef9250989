"""The plainest script a user could write for the same guide: per section, each paragraph to
espeak, joined with pydub, exported as MP3. `make bench` runs it as a command, as a user would
(interpreter start and imports included, like the build it is compared with).

    python benchmarks/plain_script.py GUIDE_FOLDER OUTPUT_FOLDER

Prints the seconds of audio it made.
"""

from __future__ import annotations

import sys
from pathlib import Path

import imageio_ffmpeg
from pydub import AudioSegment

from audioguide.catalogs import translation
from audioguide.engines import Voice, get_engine
from audioguide.script import load_guide

AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()


def main(work: Path, out: Path) -> None:
    guide = load_guide(work / "scripts")
    engine = get_engine("espeak")
    out.mkdir(exist_ok=True)
    audio_ms = 0
    for language in guide.languages:
        speak = translation(guide, work / "locales", language)
        for section in guide.sections:
            texts = [speak(section.title.value).text]
            texts += [speak(p.value).text for p in section.paragraphs]
            track = AudioSegment.empty()
            for text in texts:
                clip = engine.synthesize(text, language, Voice())
                track += AudioSegment(
                    data=clip.pcm, sample_width=2, frame_rate=clip.sample_rate, channels=1
                )
                track += AudioSegment.silent(700, frame_rate=clip.sample_rate)
            track.export(out / f"{language.tag}-{section.stem}.mp3", format="mp3", bitrate="64k")
            audio_ms += len(track)
    print(audio_ms / 1000)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
