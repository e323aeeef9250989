"""A rebuild with nothing changed ends at once, from the last build's stamp, without loading the
pipeline; and any change a real build would act on makes it build for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from build_helpers import Site, summary

import audioguide.build
from audioguide import stamp

# What a rebuild from the stamp may load of audioguide: the command line and what the stamp
# needs; nothing that reads, speaks or packages a guide.
LIGHT = {
    "audioguide", "audioguide.__main__", "audioguide.cli", "audioguide.stamp",
    "audioguide.cache", "audioguide.clip", "audioguide.files", "audioguide.errors",
    "audioguide.report",
}  # fmt: skip
HEAVY = ("numpy", "yaml", "babel", "jinja2", "mutagen", "PIL", "loudness", "espeakng_loader")

PROBE = """
import json, sys
from audioguide.cli import main
try:
    main(sys.argv[1:], prog_name="audioguide")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


@pytest.fixture
def stamped(site: Site, monkeypatch: pytest.MonkeyPatch) -> tuple[Site, list[int]]:
    """A copy of the built guide, built again so that it carries its own stamp; and a list
    that grows by one each time the real build runs."""
    site.build_ok()
    assert (site.output / stamp.STAMP).is_file()
    calls: list[int] = []
    real = audioguide.build.build

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(audioguide.build, "build", spy)
    return site, calls


def test_a_rebuild_with_nothing_changed_loads_none_of_the_pipeline(stamped):
    site, _ = stamped
    before = _tree(site.output)
    command = [sys.executable, "-c", PROBE, "build", "--engine", "espeak", "--cache",
               str(site.cache), "--json", *site.folders()]  # fmt: skip
    # From the folder the stamp was made in (paths in guide.yaml are relative to it).
    result = subprocess.run(command, cwd=Path.cwd(), capture_output=True, text=True, timeout=60)
    probe = json.loads(result.stderr.strip().splitlines()[-1])
    assert probe["code"] in (0, None), result.stderr
    done = summary(result.stdout)
    assert (done["clips_synthesised"], done["tracks_written"]) == (0, 0)
    assert done["tracks_unchanged"] == 9  # three sections in three languages
    assert done["audio_seconds"] > 10
    ours = {name for name in probe["modules"] if name.split(".")[0] == "audioguide"}
    assert ours <= LIGHT, ours - LIGHT
    assert not [name for name in probe["modules"] if name.split(".")[0] in HEAVY]
    assert _tree(site.output) == before


def test_a_rebuild_from_the_stamp_tells_what_a_real_one_does(stamped):
    site, calls = stamped
    real = site.build("--lang", "ko", "--base-url", "http://127.0.0.1:8000/")
    assert real.exit_code == 0 and calls == [1]
    again = site.build("--lang", "ko", "--base-url", "http://127.0.0.1:8000/")
    assert again.exit_code == 0 and calls == [1]
    first, second = summary(real.stdout), summary(again.stdout)
    del first["wall_seconds"], second["wall_seconds"]
    assert second == first
    assert "local preview" in " ".join(second["warnings"])
    plain = site.cli("build", "--engine", "espeak", "--cache", str(site.cache), "--lang", "ko",
                     "--base-url", "http://127.0.0.1:8000/")  # fmt: skip
    assert calls == [1]
    assert "audioguide: warning: the feeds link to the local preview" in plain.stderr
    assert "ko/01-welcome.mp3: unchanged" in plain.stderr
    assert plain.stdout.startswith("0 clips synthesised, 0 from cache; 0 tracks written, ")


def _append(path: Callable[[Site], Path], text: str = "\n") -> Callable[[Site], None]:
    def change(site: Site) -> None:
        with open(path(site), "a", encoding="utf-8") as handle:
            handle.write(text)

    return change


def _resize(name: str) -> Callable[[Site], None]:
    def change(site: Site) -> None:
        path = site.output / name
        st = path.stat()
        with open(path, "r+b") as handle:
            handle.truncate(st.st_size - 1)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same time: only the size

    return change


def _touch(name: str) -> Callable[[Site], None]:
    def change(site: Site) -> None:
        path = site.output / name
        data = path.read_bytes()
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the same size, a new time

    return change


def _remove(where: Callable[[Site], Path]) -> Callable[[Site], None]:
    return lambda site: where(site).unlink()


def _cache_record(site: Site) -> Path:
    return next((site.cache / "tracks").rglob("*.json"))


CHANGES = {
    "a section script": _append(lambda s: s.scripts / "01-welcome.yaml", "# edited\n"),
    "guide.yaml": _append(lambda s: s.scripts / "guide.yaml", "# edited\n"),
    "a catalog": _append(lambda s: s.po("ko")),
    "a lexicon added": lambda s: (s.locales / "ko" / "lexicon.pls").write_text("x", "utf-8"),
    "a cover added": lambda s: (s.scripts / "cover.png").write_bytes(b"\x89PNG"),
    "a published file removed": _remove(lambda s: s.output / "ko" / "02-numbers.mp3"),
    "a published file cut short": _resize("en/index.html"),
    "a published file rewritten": _touch("zh-Hans/01-welcome.vtt"),
    "the manifest removed": _remove(lambda s: s.output / "manifest.json"),
    "a cache entry removed": _remove(_cache_record),
    "the stamp damaged": lambda s: (s.output / stamp.STAMP).write_text("{", "utf-8"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_builds_for_real(stamped, change):
    site, calls = stamped
    change(site)
    result = site.build()
    assert calls == [1], "the stamp stood for a changed build"
    if result.exit_code == 0:  # a real build of a real change: stamped anew
        site.build_ok()
        assert calls == [1]


OPTIONS = {
    "--strict": ("--strict",),
    "--lang": ("--lang", "ko"),
    "--base-url": ("--base-url", "https://example.com/other/"),
    "--no-audiobook": ("--no-audiobook",),
    "--verify": ("--verify",),
    "--no-cache": ("--no-cache",),
    "another --cache": ("--cache", "elsewhere"),
}


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_another_option_builds_for_real(stamped, options):
    site, calls = stamped
    options = tuple(str(site.root / o) if o == "elsewhere" else o for o in options)
    result = site.cli("build", "--engine", "espeak", "--json", *options,
                      *([] if "--cache" in options or "--no-cache" in options
                        else ["--cache", str(site.cache)]))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert calls == [1]


def test_the_number_of_jobs_changes_nothing(stamped):
    site, calls = stamped
    site.build_ok("--jobs", "1")
    assert calls == []


def test_another_version_or_code_builds_for_real(stamped, monkeypatch: pytest.MonkeyPatch):
    site, _ = stamped
    options = stamp.Options(engine="espeak", cache=site.cache)
    key = stamp.key(site.scripts, site.locales, site.output, options)
    assert stamp.check(site.output, key) is not None
    monkeypatch.setattr(stamp, "__version__", "99.0")
    assert stamp.key(site.scripts, site.locales, site.output, options) != key
    monkeypatch.undo()
    code = Path(stamp.__file__).parent / "speech_text.py"
    st = code.stat()
    os.utime(code, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        assert stamp.key(site.scripts, site.locales, site.output, options) != key
    finally:
        os.utime(code, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_voices_chosen_by_auto_leave_no_stamp(site: Site, monkeypatch: pytest.MonkeyPatch):
    """auto asks the network which voice to use: only a real build can say."""
    from audioguide.engines.gtts import GttsEngine

    monkeypatch.setattr(GttsEngine, "available", lambda _: False)
    result = site.cli("build", "--engine", "auto", "--cache", str(site.cache), "--json")
    assert result.exit_code == 0, result.stderr
    assert not (site.output / stamp.STAMP).exists()


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_engine_names_the_command_line_knows_are_the_registry_s():
    from audioguide import cli, engines

    assert cli._BUILT_IN <= {engines.AUTO, *engines.BUILT_IN}
