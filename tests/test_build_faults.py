"""Builds that go wrong: killed half-way, two at once, bad input.

The interrupted and concurrent builds run ``python -m audioguide build`` as real subprocesses on
a generated English guide of 12 sections (a few seconds of espeak work on 2 cores). Bad input
runs in-process on a copy of the session build.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from build_helpers import (
    BASE_URL,
    BIG_CLIPS_PER_TRACK,
    BIG_SECTIONS,
    Site,
    assert_manifest_is_true,
    assert_whole_mp3,
    changed,
    run,
    summary,
    temporary_files,
    tree,
    write_big_guide,
)

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`


def _finished_tracks(site: Site) -> list[Path]:
    folder = site.output / "en"
    return sorted(folder.glob("[0-9][0-9]-room-*.mp3")) if folder.is_dir() else []


def _clips(site: Site) -> int:
    return sum(1 for _ in (site.cache / "clips").rglob("*.clip")) if site.cache.is_dir() else 0


def _wait_for(condition, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the build ended before the moment the test waits for"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _assert_complete(site: Site) -> None:
    """Every track and the full-guide file are whole, and the manifest matches the disk."""
    tracks = _finished_tracks(site)
    assert len(tracks) == BIG_SECTIONS
    for path in [*tracks, site.output / "en" / "00-full-guide.mp3"]:
        assert_whole_mp3(path)
    (language,) = site.manifest()["languages"]
    for track in language["tracks"]:
        assert (site.output / track["file"]).stat().st_size == track["bytes"]
    assert temporary_files(site.output) == []


def test_killed_build_leaves_no_torn_track_and_resumes_from_the_cache(tmp_path: Path):
    site = write_big_guide(tmp_path / "big")
    build = subprocess.Popen(
        site.command("--jobs", "2"),
        cwd=site.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the workers and ffmpeg die with it
    )
    try:
        # Half-way: one track finished and another being encoded into its temporary file (its
        # sentences are all in the cache by then).
        _wait_for(lambda: _finished_tracks(site) and temporary_files(site.output), build)
    finally:
        os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL

    finished = _finished_tracks(site)
    assert 0 < len(finished) < BIG_SECTIONS, "not killed half-way"
    assert temporary_files(site.output), "not killed while writing a track"
    for path in finished:  # never a truncated track under its real name
        assert_whole_mp3(path)
    assert not (site.output / "manifest.json").exists()
    # The spoken title (one sentence) is rendered after the tracks.
    title_left = 0 if (site.output / "en" / "daisy" / "00-title.mp3").exists() else 1

    result = run(site.command("--jobs", "2"), cwd=site.root)
    assert result.returncode == 0, result.stderr
    report = summary(result.stdout)
    assert report["clips_cached"] > 0  # the killed build's sentences were kept
    assert report["tracks_unchanged"] == len(finished)
    assert report["tracks_written"] == BIG_SECTIONS - len(finished)
    assert (
        report["clips_synthesised"] + report["clips_cached"]
        == BIG_CLIPS_PER_TRACK * (BIG_SECTIONS - len(finished)) + title_left
    )
    _assert_complete(site)  # and no temporary file of the killed build is left


def test_ctrl_c_stops_the_build_at_once_with_one_line_and_it_resumes(tmp_path: Path):
    site = write_big_guide(tmp_path / "big")
    build = subprocess.Popen(
        site.command("--jobs", "2"),
        cwd=site.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: _finished_tracks(site), build)
    finally:
        os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        _out, err = build.communicate(timeout=60)
    assert build.returncode == 130
    assert err.strip().splitlines()[-1] == (
        "audioguide: interrupted; run the same command again to resume"
    )
    assert "Traceback" not in err
    finished = _finished_tracks(site)
    assert len(finished) < BIG_SECTIONS, "queued tracks went on after the interrupt"
    for path in finished:
        assert_whole_mp3(path)

    result = run(site.command("--jobs", "2"), cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert summary(result.stdout)["tracks_unchanged"] == len(finished)
    _assert_complete(site)


def test_two_builds_at_once_one_waits_and_the_output_is_whole(tmp_path: Path):
    site = write_big_guide(tmp_path / "big")
    first = subprocess.Popen(
        site.command("--jobs", "2"),
        cwd=site.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The first build holds the lock once it makes clips.
        _wait_for(lambda: _clips(site) > 0, first)
        second = run(site.command("--jobs", "2"), cwd=site.root)
        out, err = first.communicate(timeout=90)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert f"another build is writing {site.output}; waiting for it to finish" in second.stderr
    assert "waiting" not in err
    assert summary(out)["tracks_written"] == BIG_SECTIONS
    # The second found the first's work done.
    assert summary(second.stdout)["tracks_written"] == 0
    assert summary(second.stdout)["clips_synthesised"] == 0
    _assert_complete(site)


# --- bad input leaves the output alone ---------------------------------------------------------


def test_missing_catalog_exits_2_and_leaves_output_alone(site: Site, user_error):
    site.po("ko").unlink()
    before = tree(site.output)
    message = user_error(site.build("--base-url", BASE_URL), "locales/ko/LC_MESSAGES/audioguide.po")
    assert "audioguide update" in message
    assert changed(before, tree(site.output)) == set()


def test_broken_yaml_exits_2_and_leaves_output_alone(site: Site, user_error):
    script = site.scripts / "02-numbers.yaml"
    script.write_text("id: numbers\ntitle: [Numbers\nparagraphs:\n  - Hello.\n", encoding="utf-8")
    before = tree(site.output)
    user_error(site.build("--base-url", BASE_URL), "scripts/02-numbers.yaml", r"\d+")
    assert changed(before, tree(site.output)) == set()


def test_unknown_language_exits_2_and_leaves_output_alone(site: Site):
    before = tree(site.output)
    result = site.build("--lang", "fr")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 2
    assert result.stderr.startswith("audioguide: error: ") and result.stderr.count("\n") == 1
    assert "fr" in result.stderr
    assert changed(before, tree(site.output)) == set()


# --- a killed build never blocks the next -------------------------------------------------------


def _session(leader: int) -> list[int]:
    """The live processes of the session ``leader`` started (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == leader:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("moment", ["synthesising", "a track written", "joining"])
def test_a_build_killed_alone_leaves_no_worker_and_the_next_build_finishes(
    tmp_path: Path, moment: str
):
    site = write_big_guide(tmp_path / "big")
    when = {
        "synthesising": lambda: _clips(site) > 0,
        "a track written": lambda: bool(_finished_tracks(site)),
        "joining": lambda: len(_finished_tracks(site)) == BIG_SECTIONS,
    }[moment]
    build = subprocess.Popen(
        site.command("--jobs", "2"),
        cwd=site.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # to find its workers afterwards, by their session
    )
    try:
        _wait_for(when, build, timeout=60)
    finally:
        os.kill(build.pid, signal.SIGKILL)  # the build process only: not its workers
        build.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _session(build.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session(build.pid) == [], "workers outlived the build"

    result = run(site.command("--jobs", "2"), cwd=site.root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stderr
    _assert_complete(site)
    assert_manifest_is_true(site)


ORPHAN = """
import fcntl, os, sys, time

fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"%d\\n" % os.getpid())
if os.fork():  # the owner ends; its child keeps the lock, as a killed build's worker did
    os._exit(0)
print(os.getpid(), flush=True)
time.sleep(120)
"""


def test_a_lock_held_by_the_orphans_of_a_build_that_is_gone_is_taken_over(tmp_path: Path):
    site = write_big_guide(tmp_path / "big")
    site.output.mkdir()
    orphan = subprocess.Popen(
        [sys.executable, "-c", ORPHAN, str(site.output / ".audioguide.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    held_by = int(orphan.stdout.readline())
    try:
        result = run(site.command("--jobs", "2"), cwd=site.root, timeout=120)
    finally:
        os.kill(held_by, signal.SIGKILL)
        orphan.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "held by processes of a build that is gone" in result.stderr
    assert "took the lock over" in result.stderr
    _assert_complete(site)
    assert_manifest_is_true(site)


# --- a published file that is not as the ledger says -------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # one byte in the audio changed: the same size, only its SHA-256 tells
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :])


@pytest.mark.parametrize(
    ("how", "then"),
    [
        ("truncated", "nothing else"),
        ("truncated", "another track edited"),
        ("bit-flip", "another track edited"),
        ("bit-flip", "the description edited"),
        ("bit-flip", "--verify"),
    ],
)
def test_a_damaged_published_track_is_made_again_and_never_republished(
    site: Site, how: str, then: str
):
    (track,) = (site.output / "en").glob("02-*.mp3")
    whole = track.read_bytes()
    _damage(track, how)
    args = ["--base-url", BASE_URL]
    if then == "another track edited":
        welcome = site.scripts / "01-welcome.yaml"
        welcome.write_text(welcome.read_text("utf-8").replace("museum.", "gallery."), "utf-8")
    elif then == "the description edited":
        guide = site.scripts / "guide.yaml"
        guide.write_text(guide.read_text("utf-8").replace("short guide", "small guide"), "utf-8")
    elif then == "--verify":
        args.append("--verify")

    result = site.build(*args)

    assert result.exit_code == 0, result.stderr
    told = (
        rf"{re.escape(str(track))} is not as (it was made|the manifest lists it); making it again"
    )
    assert re.search(told, result.stderr), result.stderr
    assert track.read_bytes() == whole
    assert_manifest_is_true(site)
    with zipfile.ZipFile(site.output / "test-guide-en.zip") as packed:
        assert packed.read(f"test-guide-en/{track.name}") == whole
    # and the next build finds everything as it should be
    assert summary(site.build(*args[:2]).stdout)["tracks_written"] == 0


@pytest.mark.parametrize("name", ["00-full-guide.mp3", "test-guide-en.m4b"])
def test_a_truncated_whole_guide_file_is_joined_again(site: Site, name: str):
    path = site.output / "en" / name
    whole = path.read_bytes()
    _damage(path, "truncated")

    result = site.build("--base-url", BASE_URL)

    assert result.exit_code == 0, result.stderr
    assert f"{path} is not as it was made; making it again" in result.stderr
    assert path.read_bytes() == whole
    assert_manifest_is_true(site)
