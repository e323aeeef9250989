"""The sentence cache: entries carry a checksum, and a damaged one is never used.

Also the order in which a track is put in place (its record first), and the temporary names of
atomic writes.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import BASE_URL, Site, summary
from mutagen.mp4 import MP4

from audioguide import cache, files, speakers, tracks
from audioguide.catalogs import Translation
from audioguide.clip import Clip
from audioguide.engines import Voice
from audioguide.languages import resolve
from audioguide.package import player
from audioguide.script import Pauses, Section, Text

CLIP = Clip(pcm=bytes(range(256)) * 40, sample_rate=22_050, words=((0, 0), (6, 310)))
KEY = "ab" + "0" * 62


def _stored(tmp_path: Path) -> tuple[cache.Cache, Path]:
    store = cache.Cache(tmp_path)
    store.put_clip(KEY, CLIP)
    (path,) = (tmp_path / "clips").rglob("*.clip")
    return store, path


def test_a_clip_comes_back_as_it_was_stored(tmp_path: Path):
    store, _ = _stored(tmp_path)
    assert store.get_clip(KEY) == CLIP
    assert store.get_clip("cd" + "0" * 62) is None
    assert store.damaged == []


def _rate_zero(data: bytes) -> bytes:
    return data[:4] + struct.pack("<I", 0) + data[8:]


def _odd_length(data: bytes) -> bytes:
    # A head that claims one byte of PCM more than there is: the wrong shape for 16-bit audio.
    return data[:12] + struct.pack("<I", struct.unpack_from("<I", data, 12)[0] + 1) + data[16:]


@pytest.mark.parametrize(
    "damage",
    [
        lambda _: b"",
        lambda data: data[:10],
        lambda data: data[: len(data) // 2],
        lambda data: data + b"\x00\x00",
        _rate_zero,
        _odd_length,
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: b"XXXX" + data[4:],
    ],
    ids=["empty", "head-cut", "truncated", "longer", "rate-0", "wrong-shape", "bit-flip", "magic"],
)
def test_a_damaged_clip_is_not_used_and_is_told(tmp_path: Path, damage):
    _, path = _stored(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    store = cache.Cache(tmp_path)
    assert store.get_clip(KEY) is None
    assert store.damaged == [path]
    store.put_clip(KEY, CLIP)  # made again, it is whole again
    assert cache.Cache(tmp_path).get_clip(KEY) == CLIP


def test_a_clip_of_an_earlier_version_is_made_again_quietly(tmp_path: Path):
    store, path = _stored(tmp_path)
    path.write_bytes(b"AGC1" + struct.pack("<II", 22_050, 0) + CLIP.pcm)
    assert store.get_clip(KEY) is None
    assert store.damaged == []


def test_a_record_comes_back_and_a_damaged_one_is_told(tmp_path: Path):
    store = cache.Cache(tmp_path)
    record = {"duration_ms": 2000, "times": [[250, 900]]}
    store.put_record(KEY, record)
    assert store.get_record(KEY) == record
    (path,) = (tmp_path / "tracks").rglob("*.json")
    whole = path.read_bytes()
    for damaged in (b"", whole[:-5], whole.replace(b"900", b"901"), b"[1, 2]", b"\xff"):
        path.write_bytes(damaged)
        store = cache.Cache(tmp_path)
        assert store.get_record(KEY) is None, damaged
        assert store.damaged == [path]


# --- an entry that is no file of the cache's -------------------------------------------------


def _plant(path: Path, kind: str) -> None:
    """Put at ``path`` what no cache entry may be: a named pipe (reading waits forever), a link
    to /dev/zero (endless), a 20 GB sparse file (no memory holds it), a folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if kind == "pipe":
        os.mkfifo(path)
    elif kind == "link-to-dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "sparse-20GB":
        with open(path, "wb") as handle:
            handle.truncate(20 * 1024**3)
    else:
        path.mkdir()


# Run apart: a read that waits on a pipe would hang the test run itself.
_READ_EACH_KIND = """
import sys
from pathlib import Path
from audioguide import cache
from audioguide.clip import Clip
store = cache.Cache(Path(sys.argv[1]))
key = sys.argv[2]
clip = Clip(pcm=bytes(64), sample_rate=22_050, words=((0, 0),))
found = (store.get_clip(key), store.get_record(key), store.get_picture(key),
         store.check_part(key, 10, "0" * 64))
print(found == (None, None, None, False), len(store.damaged))
store.put_clip(key, clip)
store.put_record(key, {"a": 1})
store.put_picture(key, b"image")
again = cache.Cache(store.root)
print(again.get_clip(key) == clip, again.get_record(key), again.get_picture(key), again.damaged)
"""


@pytest.mark.parametrize("kind", ["pipe", "link-to-dev-zero", "sparse-20GB", "folder"])
def test_an_entry_that_is_no_regular_file_is_a_miss_and_is_replaced(tmp_path: Path, kind: str):
    root = tmp_path / "cache"
    for folder, suffix in (("clips", ".clip"), ("tracks", ".json"), ("pictures", ".pic"),
                           ("tracks", ".aac")):  # fmt: skip
        _plant(root / folder / KEY[:2] / f"{KEY}{suffix}", kind)
    result = subprocess.run([sys.executable, "-c", _READ_EACH_KIND, str(root), KEY],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True 4", "True {'a': 1} b'image' []"]


def test_a_pipe_among_the_clips_neither_hangs_nor_stops_the_build(site: Site):
    clips = sorted((site.cache / "clips").rglob("*.clip"))
    _plant(clips[0], "pipe")
    _plant(clips[1], "link-to-dev-zero")
    _plant(clips[2], "sparse-20GB")
    for track in site.output.glob("*/0[1-9]-*.mp3"):  # every track is rendered again
        track.unlink()
    result = subprocess.run(site.command("--base-url", BASE_URL), capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    for clip in clips[:3]:
        assert f"the cache entry {clip} was damaged; ignored it and made it again" in result.stderr
        assert clip.is_file() and not clip.is_symlink() and clip.stat().st_size < 10**7


# --- a track's record and its MP3 --------------------------------------------------------------


def _plan(tmp_path: Path) -> tracks.TrackPlan:
    here = Path("01-intro.yaml")
    section = Section(
        id="intro",
        title=Text("Welcome", here, 2),
        paragraphs=(Text("One sentence here. And another one.", here, 4),),
        note=None,
        path=here,
        line=1,
        position=1,
    )
    english = resolve("en")
    voice = speakers.speaker("espeak", english, Voice())
    return tracks.plan_track(
        section, 1, "Guide", Translation(english, None, None), voice, voice, Pauses(),
        "out/01-intro.mp3", audiobook=True,
    )  # fmt: skip


def test_the_record_is_stored_before_the_track_is_put_in_place(tmp_path: Path, monkeypatch):
    plan = _plan(tmp_path)
    (tmp_path / plan.path).parent.mkdir()
    root = tmp_path / "cache"
    moves = []
    real = os.replace

    def replace(source, destination):
        if Path(destination) == tmp_path / plan.path:
            moves.append(cache.Cache(root).get_record(plan.inputs))
            assert files.is_temporary(Path(source))
        real(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    rendered = tracks.render(plan, tmp_path, root)
    assert moves == [rendered.record()]


def test_a_record_that_does_not_fit_its_plan_is_refused(tmp_path: Path):
    plan = _plan(tmp_path)  # four sentences: the announcement's two, the paragraph's two
    sentences = len(plan.utterances)
    part = {"size": 4096, "sha256": "0" * 64, "frames": 12}
    good = {
        "duration_ms": 9000,
        "times": [[i * 1000, i * 1000 + 900] for i in range(sentences)],
        "part": part,
    }
    assert tracks.Rendered.from_record(good, plan).times[0] == (0, 900)
    for bad in (
        {"times": good["times"], "part": part},
        {"duration_ms": 9000, "times": good["times"]},
        {**good, "part": {**part, "sha256": "not a hash"}},
        {**good, "part": {**part, "frames": -1}},
        {**good, "part": {**part, "size": "4096"}},
        {**good, "part": {"size": 4096}},
        {**good, "times": good["times"][:-1]},
        {**good, "times": [[0]] * sentences},
        {**good, "times": [[900, 0]] * sentences},
        {**good, "duration_ms": 10},
        {**good, "duration_ms": "9000"},
        {**good, "times": [[0.5, 1]] * sentences},
        {**good, "times": None},
    ):
        with pytest.raises(ValueError):
            tracks.Rendered.from_record(bad, plan)


def test_temporary_names_carry_the_prefix_and_only_those_are_cleaned(tmp_path: Path):
    with files.into_place(tmp_path / "a.txt") as tmp:
        assert tmp.name.startswith(".audioguide-tmp-a.txt.") and tmp.name.endswith(".tmp")
        tmp.write_text("new")
    assert (tmp_path / "a.txt").read_text() == "new"
    others = [".a.txt.123.tmp", "x.tmp", ".audioguide-tmp-x", "audioguide-tmp-x.tmp"]
    for name in [*others, ".audioguide-tmp-a.txt.123.tmp"]:
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".audioguide-tmp-b.tmp").write_text("")
    files.remove_temporary(tmp_path)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == sorted(["a.txt", *others, "sub", "sub/.audioguide-tmp-b.tmp"])


# --- nothing from the cache is run, and no damaged part reaches an audiobook --------------------


def test_a_planted_template_cache_is_never_loaded(site: Site, tmp_path: Path):
    """Jinja2's bytecode cache unpickles what it finds: the build keeps no compiled templates on
    disk, so a file planted where they used to be is never read."""
    from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader
    from jinja2.bccache import bc_magic

    marker = tmp_path / "the-planted-file-ran"

    class Planted:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    folder = site.cache / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    templates = Path(player.__file__).parent / "templates"
    env = Environment(loader=FileSystemLoader(templates))
    keys = FileSystemBytecodeCache(str(folder))
    for name in env.list_templates():
        key = keys.get_cache_key(name, env.get_template(name).filename)
        (folder / f"__jinja2_{key}.cache").write_bytes(bc_magic + pickle.dumps(Planted()))
    (site.output / "index.html").unlink()  # the pages are rendered again
    site.build_ok("--base-url", BASE_URL)
    assert (site.output / "index.html").is_file()
    assert not marker.exists()


def _parts(site: Site) -> list[Path]:
    return sorted((site.cache / "tracks").rglob("*.aac"))


@pytest.mark.parametrize("damage", ["truncated", "bit-flip"])
def test_a_damaged_audiobook_part_is_made_again_with_a_notice(site: Site, damage: str):
    part = _parts(site)[0]
    data = part.read_bytes()
    if damage == "truncated":
        part.write_bytes(data[: len(data) // 3])
    else:  # same size: only the checksum tells
        middle = len(data) // 2
        part.write_bytes(data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :])
    for book in site.output.glob("*/*.m4b"):  # every audiobook is joined again from its parts
        book.unlink()
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    assert f"the cache entry {part} was damaged; ignored it and made it again" in result.stderr
    assert summary(result.stdout)["tracks_written"] == 1
    assert part.read_bytes() == data  # the same audio as before it was damaged
    for entry in site.manifest()["languages"]:
        book = site.output / entry["audiobook"]["file"]
        tracks_ms = sum(track["duration_ms"] for track in entry["tracks"])
        assert MP4(book).info.length * 1000 == pytest.approx(tracks_ms, abs=250)


def test_a_full_disk_names_the_file_being_written(tmp_path: Path):
    """A file-size limit stands in for a full disk: the error names the file, not its temporary
    stand-in, and nothing is left behind."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from audioguide import files\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        "try:\n"
        "    files.write_atomic(Path(sys.argv[1]), b'x' * 5000)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    target = tmp_path / "feed.xml"
    result = subprocess.run(
        [sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == (
        f"BuildError cannot write {target}: File too large; free some disk space and run the "
        "command again"
    )
    assert list(tmp_path.iterdir()) == []
