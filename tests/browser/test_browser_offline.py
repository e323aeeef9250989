"""Listening offline, in Chromium: save a language, lose the connection, and the page, its
tracks (seeking with Range requests), captions and transcript come from the saved copy; a
rebuild that changes one track fetches only that track again.

The site is served by ``audioguide serve`` on 127.0.0.1 (a secure context, as HTTPS is), under
its own port so that its service worker and saved copies are its own. Offline is both the
DevTools protocol's network emulation and the server stopped: nothing can come from the
network.
"""

from __future__ import annotations

import threading

import pytest
from guide_site import build_site, shipped_translations, tone
from test_browser_player import audio, js, prop, ready, wait

from audioguide.serve import make_server

pytestmark = pytest.mark.slow

TAGS = ("en", "ko", "zh-Hans")
READY = {
    "en": "Saved on this device: this language plays without a connection.",
    "ko": "이 기기에 저장되었습니다. 이 언어는 인터넷 연결 없이도 재생됩니다.",
    "zh-Hans": "已保存到本设备：这种语言无需网络即可播放。",
}


class Host:
    """``audioguide serve`` on a port of its own, which can be stopped and started again."""

    def __init__(self, output):
        self.output = output
        self.server = make_server(output, 0)
        self.port = self.server.server_address[1]
        self.thread = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        if self.server is None:
            self.server = make_server(self.output, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.server = None


@pytest.fixture
def host(tmp_path, editions):
    output = tmp_path / "output"
    build_site(output, editions, shipped_translations(editions))
    found = Host(output)
    yield found
    if found.server is not None:
        found.stop()


def offline(driver, on: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def save(driver, url: str, tag: str) -> None:
    driver.get(url + f"{tag}/index.html")
    ready(driver)
    wait(driver, "return !document.getElementById('offline').hidden")
    label = prop(driver, "offline-save", "e.textContent")
    assert any(unit in label for unit in ("kB", "MB")), label  # the size, before anything
    js(driver, "document.getElementById('offline-save').click()")
    wait(driver, "return !document.getElementById('offline-remove').hidden", 30)
    assert prop(driver, "offline-status", "e.textContent") == READY[tag]
    assert prop(driver, "offline-progress", "e.hidden") is True


def fetched(driver) -> list[str]:
    """The files the page fetched to save, by name."""
    return js(
        driver,
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('?sha256=')).map(n => n.split('?')[0].split('/').pop())",
    )


def test_a_saved_language_plays_seeks_and_shows_captions_offline(driver, host, editions):
    driver.set_window_size(1280, 900)
    for tag in TAGS:
        save(driver, host.url, tag)
    driver.get(host.url + "ko/index.html")
    ready(driver)

    offline(driver, True)
    host.stop()
    try:
        for tag in TAGS:
            driver.get(host.url + f"{tag}/index.html")
            ready(driver)
            sentences = [s.text for s in editions[TAGS.index(tag)].tracks[1].sentences]
            assert prop(driver, "cues-2", "e.textContent").count(sentences[-1]) == 1
            js(driver, "document.getElementById('captions').click()")
            js(driver, "document.getElementById('pick-2').click()")
            wait(driver, "return document.getElementById('audio').currentTime > 0.5", 15)
            # Seek: the browser asks for a range of the saved file.
            js(driver, "document.getElementById('audio').currentTime = 4.2")
            wait(driver, "const a = document.getElementById('audio');"
                 " return a.currentTime > 4.3 && !a.paused", 15)  # fmt: skip
            assert audio(driver, "src").endswith("02-escape.mp3")
            wait(driver, "return document.getElementById('caption').textContent !== ''")
            assert prop(driver, "caption", "e.textContent") in sentences
            cues = "return document.getElementById('audio').textTracks[0].cues.length"
            wait(driver, cues + " > 0", 10)  # the captions file, from the saved copy
            js(driver, "document.getElementById('audio').pause()")
            # Still shown as saved, with its worker serving the page.
            state = (
                "return [document.getElementById('offline').hidden,"
                " document.getElementById('offline-remove').hidden,"
                " Boolean(navigator.serviceWorker.controller)]"
            )
            assert js(driver, state) == [False, False, True], tag
    finally:
        offline(driver, False)


def test_offline_an_unsaved_language_says_it_needs_the_network(driver, host):
    driver.set_window_size(1280, 900)
    save(driver, host.url, "ko")
    offline(driver, True)
    host.stop()
    try:
        driver.get(host.url + "ko/index.html")
        ready(driver)
        js(driver, "document.querySelector('.langs a[hreflang=\"zh-Hans\"]').click()")
        wait(
            driver, "return document.getElementById('offline-status').textContent.includes('中文')"
        )
        assert driver.current_url.endswith("/ko/index.html")
        status = prop(driver, "offline-status", "e.textContent")
        assert "인터넷 연결이 필요합니다" in status
    finally:
        offline(driver, False)


def test_a_rebuild_that_changes_one_track_fetches_only_that_track(driver, host, editions):
    driver.set_window_size(1280, 900)
    save(driver, host.url, "ko")
    saved = fetched(driver)
    assert {"01-markets.mp3", "02-escape.mp3", "03-new-life.mp3", "02-escape.vtt"} <= set(saved)
    host.stop()
    changed = host.output / ".tones" / "changed.mp3"
    tone(changed, 6, 1234)
    build_site(host.output, editions, shipped_translations(editions),
               changed={"ko/02-escape.mp3": changed.read_bytes()})  # fmt: skip
    host.start()

    driver.get(host.url + "ko/index.html")
    ready(driver)
    wait(driver, "return document.getElementById('offline').dataset.updated === 'true'", 30)
    media = [name for name in fetched(driver) if name.endswith((".mp3", ".vtt", ".txt"))]
    assert media == ["02-escape.mp3"]  # the changed track only, not its captions or the others
    driver.get(host.url + "ko/index.html")  # once more: all up to date, nothing fetched
    ready(driver)
    wait(driver, "return document.getElementById('offline').dataset.updated === 'true'", 30)
    assert [name for name in fetched(driver) if name.endswith(".mp3")] == []

    # Offline, the new track is the one that plays.
    offline(driver, True)
    host.stop()
    try:
        driver.get(host.url + "ko/index.html")
        ready(driver)
        size = js(
            driver,
            "return caches.open(document.getElementById('offline').dataset.cache)"
            ".then(c => c.match(new URL('02-escape.mp3', location.href).href))"
            ".then(r => r.arrayBuffer()).then(b => b.byteLength)",
        )
        assert size == changed.stat().st_size
    finally:
        offline(driver, False)


def throttle(driver, bytes_per_second: int | None) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "uploadThroughput": -1,
         "downloadThroughput": bytes_per_second or -1},
    )  # fmt: skip


def test_saving_is_announced_in_steps_only_while_paused_and_can_be_cancelled(driver, host):
    from test_browser_player import heard, listen

    driver.set_window_size(1280, 900)
    driver.get(host.url + "en/index.html")
    ready(driver)
    wait(driver, "return !document.getElementById('offline').hidden")
    assert prop(driver, "offline-space", "e.textContent").startswith("Space this site may use")
    throttle(driver, 40_000)
    try:
        # Paused: the progress is said in quarters, then that the language is saved.
        listen(driver)
        js(driver, "document.getElementById('offline-save').click()")
        wait(driver, "return !document.getElementById('offline-progress').hidden")
        wait(driver, "return !document.getElementById('offline-remove').hidden", 60)
        js(driver, "return new Promise(r => setTimeout(r, 200))")
        said = heard(driver)
        assert said[-1] == READY["en"]
        steps = [int(text.split()[-1].rstrip("%")) for text in said[:-1]]
        assert steps and steps == sorted(set(steps)) and set(steps) <= {25, 50, 75}, said

        # Removed, then saved again while the guide plays: nothing is said over it, and
        # cancelling keeps nothing.
        js(driver, "document.getElementById('offline-remove').click()")
        wait(driver, "return !document.getElementById('offline-save').hidden")
        js(driver, "document.getElementById('audio').loop = true")
        js(driver, "document.getElementById('play').click()")
        wait(driver, "return !document.getElementById('audio').paused")
        listen(driver)
        js(driver, "document.getElementById('offline-save').click()")
        wait(driver, "return document.getElementById('offline-progress').value > 0", 30)
        assert heard(driver) == []
        js(driver, "document.getElementById('offline-cancel').click()")
        wait(driver, "return !document.getElementById('offline-save').hidden", 30)
        assert prop(driver, "offline-status", "e.textContent") == (
            "Saving cancelled. Nothing was kept."
        )
        assert js(driver, "return document.activeElement.id") == "offline-save"
        kept = "return caches.has(document.getElementById('offline').dataset.cache)"
        assert js(driver, kept) is False
        assert heard(driver) == []
    finally:
        throttle(driver, None)


def test_saving_works_from_a_plain_static_host_under_a_sub_path(driver, tmp_path, editions):
    """Published under https://example.org/guide/ by a host that only serves files: the worker
    at /guide/sw.js serves /guide/ and nothing above it, and the saved language plays offline."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "host"
    build_site(root / "guide", editions, shipped_translations(editions))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/guide/"
    driver.set_window_size(1280, 900)
    try:
        save(driver, url, "zh-Hans")
        scope = "return navigator.serviceWorker.getRegistration().then(r => r.scope)"
        assert js(driver, scope) == url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    offline(driver, True)
    try:
        driver.get(url + "zh-Hans/index.html")
        ready(driver)
        js(driver, "document.getElementById('pick-3').click()")
        wait(driver, "return document.getElementById('audio').currentTime > 0.5", 15)
        assert audio(driver, "src").endswith("03-new-life.mp3")
        js(driver, "document.getElementById('audio').pause()")
    finally:
        offline(driver, False)
