"""The output folder and the cache stay consistent.

Builds of a copy of the session build: some languages only, sections and languages removed, an
output folder shared with other files, and builds that fail half-way through faults injected
into the real tools (an ffmpeg that fails or kills its worker, a file-size limit standing in
for a full disk). After each, ``manifest.json`` must describe exactly the files on disk.
"""

from __future__ import annotations

import json
import resource
import stat
from pathlib import Path

import imageio_ffmpeg
from build_helpers import (
    BASE_URL,
    Site,
    assert_manifest_is_true,
    changed,
    environment,
    listed,
    run,
    set_translation,
    summary,
    tree,
)

from audioguide import cache

PARTS = "This guide has three short parts. Each part is one track."
SHORT_KO = "짧습니다."


def tags(site: Site) -> list[str]:
    return [language["tag"] for language in site.manifest()["languages"]]


# --- some languages, removed sections and languages -------------------------------------------


def test_building_one_language_keeps_the_others(site: Site):
    before = tree(site.output)
    set_translation(site.po("ko"), PARTS, SHORT_KO)
    report = site.build_ok("--lang", "ko", "--base-url", BASE_URL)
    assert (report["tracks_written"], report["tracks_unchanged"]) == (1, 5)  # ko and en

    assert tags(site) == ["en", "ko", "zh-Hans"]
    assert_manifest_is_true(site)
    after = tree(site.output)
    assert {p for p in changed(before, after) if p.startswith("zh-Hans/")} == set()
    assert "test-guide-zh-Hans.zip" not in changed(before, after)
    index = (site.output / "index.html").read_text("utf-8")
    assert 'href="zh-Hans/index.html"' in index
    assert 'href="../zh-Hans/index.html"' in (site.output / "ko" / "index.html").read_text("utf-8")

    # And a full build after it has nothing left to do but for what changed.
    report = site.build_ok("--base-url", BASE_URL)
    assert (report["tracks_written"], report["tracks_unchanged"]) == (0, 9)
    assert tags(site) == ["en", "ko", "zh-Hans"]


def test_a_language_not_left_whole_is_dropped_but_its_tracks_stay_for_the_next_build(site: Site):
    (site.output / "test-guide-zh-Hans.zip").unlink()
    site.build_ok("--lang", "ko", "--base-url", BASE_URL)
    assert tags(site) == ["en", "ko"]
    assert_manifest_is_true(site)
    assert "zh-Hans" not in (site.output / "index.html").read_text("utf-8")
    assert len(list((site.output / "zh-Hans").glob("*.mp3"))) == 4

    report = site.build_ok("--base-url", BASE_URL)
    assert (report["tracks_written"], report["tracks_unchanged"]) == (0, 9)
    assert tags(site) == ["en", "ko", "zh-Hans"]
    assert_manifest_is_true(site)


def test_files_of_removed_sections_and_languages_go_and_nothing_else(site: Site):
    mine = {
        "README.md": b"Generated files go here.\n",
        "notes.tmp": b"mine",
        ".backup.tmp": b"mine",
        ".draft.mp3.tmp": b"mine",
        "ko/.01-welcome.mp3.x1y2.tmp": b"looks like an old temporary name, still not ours",
        "ko/mine.txt": b"mine",
        "zh-Hans/mine.txt": b"mine",
        "sub/.other.tmp": b"mine",
    }
    for path, data in mine.items():
        (site.output / path).parent.mkdir(exist_ok=True)
        (site.output / path).write_bytes(data)
    leftover = site.output / "ko" / ".audioguide-tmp-01-welcome.mp3.k3j4.tmp"
    leftover.write_bytes(b"half a track")
    (site.scripts / "03-goodbye.yaml").unlink()
    guide = site.scripts / "guide.yaml"
    guide.write_text(
        guide.read_text("utf-8").replace("[en, ko, zh_Hans]", "[en, ko]"), encoding="utf-8"
    )
    before = tree(site.output)

    site.build_ok("--base-url", BASE_URL)

    after = tree(site.output)
    assert {path: after[path] for path in mine} == {path: before[path] for path in mine}
    assert not leftover.exists()
    assert not [path for path in after if "03-goodbye" in path]
    assert not [path for path in after if "zh-Hans" in path and path != "zh-Hans/mine.txt"]
    assert tags(site) == ["en", "ko"]
    files = assert_manifest_is_true(site)
    ours = {p for p in after if not p.startswith(".audioguide") and p not in mine}
    pages = {"index.html", "en/index.html", "ko/index.html", "assets/player.js"}
    assert ours == {*files, "manifest.json", *pages, "assets/player.css"}

    # A language folder holding nothing of anyone else's goes with its language.
    guide.write_text(guide.read_text("utf-8").replace("[en, ko]", "[en]"), encoding="utf-8")
    (site.output / "ko" / "mine.txt").unlink()
    (site.output / "ko" / ".01-welcome.mp3.x1y2.tmp").unlink()
    site.build_ok("--base-url", BASE_URL)
    assert not (site.output / "ko").exists()
    assert (site.output / "zh-Hans" / "mine.txt").read_bytes() == b"mine"


# --- failures half-way ---------------------------------------------------------------------


def _ffmpeg(tmp_path: Path, fault: str) -> dict[str, str]:
    """An environment whose ffmpeg is the real one but for ``fault``, a shell ``case`` branch
    run on each argument."""
    wrapper = tmp_path / "ffmpeg"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do\n'
        f'  case "$arg" in {fault} esac\n'
        "done\n"
        f'exec "{imageio_ffmpeg.get_ffmpeg_exe()}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return environment(IMAGEIO_FFMPEG_EXE=str(wrapper))


def _fails_cleanly(result, *words: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("audioguide: error")]
    assert len(errors) == 1 and result.stderr.strip().endswith(errors[0]), result.stderr
    line = errors[0]
    for word in words:
        assert word in line, line
    return line


def _recovers(site: Site) -> None:
    result = run(site.command("--base-url", BASE_URL), cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert tags(site) == ["en", "ko", "zh-Hans"]
    assert_manifest_is_true(site)
    assert summary(result.stdout)["clips_synthesised"] == 0


def test_an_ffmpeg_error_leaves_a_true_manifest(site: Site, tmp_path: Path):
    track = site.output / "ko" / "01-welcome.mp3"
    old = track.read_bytes()
    set_translation(site.po("ko"), PARTS, SHORT_KO)
    env = _ffmpeg(tmp_path, 'ipod) echo "ipod: injected failure" >&2; exit 1;;')
    result = run(site.command("--base-url", BASE_URL), cwd=site.root, env=env)
    _fails_cleanly(result, "ffmpeg failed", "injected failure")
    assert track.read_bytes() != old  # the new track was in place when the join failed
    assert tags(site) == ["en", "zh-Hans"]
    assert_manifest_is_true(site)
    _recovers(site)


def test_a_full_disk_leaves_a_true_manifest(site: Site):
    """A file-size limit (RLIMIT_FSIZE) stands in for a full disk: the Korean track (about
    100 kB) is written, the full-guide file (about 280 kB) and the zips are not."""
    set_translation(site.po("ko"), PARTS, SHORT_KO)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    track = site.output / "ko" / "01-welcome.mp3"
    old = track.read_bytes()
    result = run(site.command("--base-url", BASE_URL), cwd=site.root, preexec_fn=limit)
    line = _fails_cleanly(result)
    assert f"cannot write {site.output / 'ko' / '00-full-guide.mp3'}: File too large" in line
    assert "free some disk space" in line
    assert track.read_bytes() != old
    assert tags(site) == ["en", "zh-Hans"]
    assert_manifest_is_true(site)
    _recovers(site)


def test_a_worker_that_dies_is_named_and_leaves_a_true_manifest(site: Site, tmp_path: Path):
    set_translation(site.po("ko"), PARTS, SHORT_KO)
    env = _ffmpeg(tmp_path, "*01-welcome.mp3*) kill -KILL $PPID; exit 1;;")
    result = run(site.command("--base-url", BASE_URL, "--jobs", "1"), cwd=site.root, env=env)
    line = _fails_cleanly(result, "ko/01-welcome.mp3", "espeak")
    assert "BrokenProcessPool" not in result.stderr
    assert "a worker process died while making ko/01-welcome.mp3 (with espeak)" in line
    assert tags(site) == ["en", "zh-Hans"]
    assert_manifest_is_true(site)
    _recovers(site)


# --- a damaged cache --------------------------------------------------------------------------


def _damage_clips(root: Path) -> int:
    """Damage every clip of the cache, each in one of the ways a disk or a kill can."""
    clips = sorted((root / "clips").rglob("*.clip"))
    for n, path in enumerate(clips):
        data = path.read_bytes()
        damaged = [
            b"",  # zero bytes
            data[: len(data) // 2],  # truncated
            data[:4] + bytes(4) + data[8:],  # sample rate 0
            data[:-1] + bytes([data[-1] ^ 0xFF]),  # one byte flipped
            data[:20],  # not even a whole head
        ][n % 5]
        path.write_bytes(damaged)
    return len(clips)


def test_damaged_clips_are_made_again_with_a_notice(site: Site):
    assert _damage_clips(site.cache) > 5
    (site.output / "ko" / "01-welcome.mp3").unlink()
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    report = summary(result.stdout)
    assert (report["tracks_written"], report["clips_cached"]) == (1, 0)
    assert report["clips_synthesised"] == 5  # the track's every sentence, made again
    notices = [line for line in result.stderr.splitlines() if "damaged" in line]
    assert len(notices) == 5 and all(".clip" in line for line in notices), result.stderr
    assert_manifest_is_true(site)
    # Made again means stored again: the next build finds them whole.
    (site.output / "ko" / "01-welcome.mp3").unlink()
    report = site.build_ok("--base-url", BASE_URL)
    assert (report["clips_synthesised"], report["clips_cached"]) == (0, 5)


def test_damaged_track_records_are_made_again_with_a_notice(site: Site):
    records = sorted((site.cache / "tracks").rglob("*.json"))
    assert len(records) == 9 + 3  # the tracks, and each language's spoken title (one sentence)
    records = [p for p in records if len(json.loads(p.read_bytes())["record"]["times"]) > 1]
    wrong_shape = {"duration_ms": 1000, "times": [[0]]}  # with the right checksum
    entry = json.dumps({"record": wrong_shape, "sha256": cache.key(wrong_shape)})
    for n, path in enumerate(records[:4]):
        path.write_bytes([b"", path.read_bytes()[:30], entry.encode(), b"\xff\xfe"][n])
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    report = summary(result.stdout)
    assert (report["tracks_written"], report["tracks_unchanged"]) == (4, 5)
    assert report["clips_synthesised"] == 0
    notices = [line for line in result.stderr.splitlines() if "damaged" in line]
    assert len(notices) == 4, result.stderr
    assert_manifest_is_true(site)


# --- --verify: damage that keeps a file's size ------------------------------------------------


def _flip(path: Path) -> bytes:
    """Flip one byte in the middle of ``path``, keeping its size; its bytes before."""
    data = path.read_bytes()
    middle = len(data) // 2
    path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :])
    return data


def test_verify_finds_damage_of_the_same_size_and_repairs_it(site: Site):
    damaged = ["ko/01-welcome.mp3", "ko/test-guide-ko.epub", "test-guide-ko-daisy.zip",
               "ko/daisy/00-title.mp3", "test-guide-zh-Hans.zip"]  # fmt: skip
    whole = {path: _flip(site.output / path) for path in damaged}
    listed_before = listed(site.manifest())

    result = site.build("--base-url", BASE_URL)  # trusts sizes and tags: sees nothing
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout)["tracks_written"] == 0
    assert listed(site.manifest()) == listed_before

    result = site.build("--base-url", BASE_URL, "--verify")
    assert result.exit_code == 0, result.stderr
    for path in damaged:
        assert f"{site.output / path} is not as the manifest lists it" in result.stderr
        assert (site.output / path).read_bytes() == whole[path], path
    assert listed(site.manifest()) == listed_before
    assert_manifest_is_true(site)


def test_verify_with_nothing_damaged_rewrites_nothing(site: Site):
    before = tree(site.output)
    result = site.build("--base-url", BASE_URL, "--verify")
    assert result.exit_code == 0, result.stderr
    assert "is not as the manifest lists it" not in result.stderr
    assert changed(before, tree(site.output)) == set()
