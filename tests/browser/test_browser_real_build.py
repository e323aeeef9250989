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


@pytest.mark.parametrize("name", ["index.html", *(f"{tag}/index.html" for tag in TAGS)])
def test_axe_on_the_real_build(open_page, real_url, axe_source, artifacts, name):
    driver = open_page(real_url + name)
    if name != "index.html":
        ready(driver)
    driver.execute_script(axe_source)
    violations = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
          .then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(" "))])))
          .catch(e => done([["axe-error", String(e)]]));""",
        AXE_TAGS,
    )
    assert violations == [], json.dumps(violations, ensure_ascii=False)
    stem = name.replace("/index.html", "").replace(".html", "")
    driver.save_screenshot(str(artifacts / f"player-real-{stem}.png"))


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
