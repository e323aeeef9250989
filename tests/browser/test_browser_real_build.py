"""The pages of a real ``audioguide build`` of the fixture guide (espeak voices), in the browser.

The other browser tests use a site made from hand-built editions; this checks that what the
build really writes passes the same bar. It reuses the build that the build tests make once per
session (``tests/build_helpers.py``).
"""

from __future__ import annotations

import json
import threading

import build_helpers
import pytest
from test_browser_player import AXE_TAGS, audio, keys, ready, tab_until, wait

from audioguide.serve import make_server

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`

TAGS = ("en", "ko", "zh-Hans")


@pytest.fixture(scope="module")
def real_url(tools, tmp_path_factory):
    output = build_helpers.shared_build(tmp_path_factory).site.output
    server = make_server(output, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


MEDIA = {
    "light": [],
    "dark": [{"name": "prefers-color-scheme", "value": "dark"}],
    "forced-colors": [{"name": "forced-colors", "value": "active"}],
}


@pytest.mark.parametrize("scheme", list(MEDIA))
@pytest.mark.parametrize("name", ["index.html", *(f"{tag}/index.html" for tag in TAGS)])
def test_axe_on_the_real_build(open_page, real_url, axe_source, artifacts, name, scheme):
    driver = open_page(real_url + name)
    if name != "index.html":
        ready(driver)
        driver.execute_script("document.querySelector('details.shortcuts').open = true")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": MEDIA[scheme]})
    driver.execute_script(axe_source)
    violations = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
          .then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(" "))])))
          .catch(e => done([["axe-error", String(e)]]));""",
        AXE_TAGS,
    )
    stem = name.replace("/index.html", "").replace(".html", "")
    driver.save_screenshot(str(artifacts / f"player-real-{stem}-{scheme}.png"))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert violations == [], json.dumps(violations, ensure_ascii=False)


@pytest.mark.parametrize("tag", TAGS)
def test_keyboard_on_the_real_build(open_page, real_url, tag):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(real_url + f"{tag}/index.html")
    ready(driver)
    tab_until(driver, "play")
    keys(driver, Keys.SPACE)
    wait(driver, "return !document.getElementById('audio').paused")
    first = audio(driver, "src")
    tab_until(driver, "next")
    keys(driver, Keys.ENTER)
    assert audio(driver, "src") != first
    assert audio(driver, "src").endswith(".mp3")
    wait(driver, "return document.getElementById('audio').readyState >= 1")  # the file loads


@pytest.fixture(scope="module")
def untranslated_url(tools, tmp_path_factory):
    """A copy of the real build rebuilt with one Korean paragraph untranslated."""
    if not hasattr(build_helpers, "shared_build"):
        pytest.skip("tests/build_helpers.py has no shared_build")
    built = build_helpers.shared_build(tmp_path_factory)
    site = built.site.copy(tmp_path_factory.mktemp("untranslated") / "site")
    build_helpers.set_translation(site.po("ko"), "Welcome to the museum.", "")
    site.build_ok("--base-url", build_helpers.BASE_URL)
    server = make_server(site.output, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_untranslated_text_is_marked_english_on_the_korean_page(open_page, untranslated_url):
    url, _site = untranslated_url
    driver = open_page(url + "ko/index.html")
    ready(driver)
    assert driver.execute_script("return document.documentElement.lang") == "ko"
    cues = driver.execute_script(
        "return [...document.querySelectorAll('#cues-1 .cue')]"
        ".map(c => [c.textContent, c.getAttribute('lang')])"
    )
    assert ["Welcome to the museum.", "en"] in cues  # read in English, marked English
    assert all(lang is None for text, lang in cues if text != "Welcome to the museum."), cues
    # Focus on it, then the next track: focus goes to that track's first sentence.
    driver.execute_script(
        "[...document.querySelectorAll('#cues-1 .cue')].find(c => c.lang === 'en').focus()"
    )
    from test_browser_player import shortcut

    shortcut(driver, "h")
    first = driver.execute_script("return document.querySelector('#cues-2 .cue')")
    assert driver.execute_script("return document.activeElement") == first


def test_real_downloads_name_their_format_and_size(open_page, untranslated_url):
    url, site = untranslated_url
    driver = open_page(url + "en/index.html")
    ready(driver)
    (english,) = [lang for lang in site.manifest()["languages"] if lang["tag"] == "en"]
    size = english["full_guide"]["bytes"]
    text = driver.execute_script(
        "return document.querySelector('.download-list a[href=\"00-full-guide.mp3\"]').textContent"
    )
    assert text == f"The whole guide, MP3, {round(size / 1000)} kB", text
    links = driver.execute_script(
        "return [...document.querySelectorAll('.download-list a')].map(a => a.textContent)"
    )
    assert len(links) >= 5 and all(" kB" in t or " MB" in t for t in links), links
