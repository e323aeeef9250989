"""The listening proof (``audioguide proof``) in a real browser: axe-core, the keyboard, its audio.

The pages are proofs of the fixture guide's real espeak build (``tests/build_helpers.py``), the
Korean one with a fuzzy, an untranslated and a placeholder-broken message, opened from
``file://`` as a translator opens them.
"""

from __future__ import annotations

import json
from pathlib import Path

import build_helpers
import pytest
from test_browser_player import AXE_TAGS, keys, wait

pytestmark = pytest.mark.slow  # a real build and a browser: not in `make test-fast`

TAGS = {"ko": "ko", "en": "en", "zh-Hans": "zh_Hans"}
MEDIA = {
    "light": [],
    "dark": [{"name": "prefers-color-scheme", "value": "dark"}],
    "forced-colors": [{"name": "forced-colors", "value": "active"}],
}


@pytest.fixture(scope="module")
def proofs(tools, tmp_path_factory) -> dict[str, Path]:
    """The proof page of each language, by BCP 47 tag."""
    built = build_helpers.shared_build(tmp_path_factory)
    site = built.site.copy(tmp_path_factory.mktemp("proof") / "site")
    po = site.po("ko")
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Welcome"', '#, fuzzy\nmsgid "Welcome"', 1)
    text = text.replace('msgstr "들어 주셔서 감사합니다."', 'msgstr ""', 1)
    text = text.replace("{number}번 트랙.", "{numero}번 트랙.", 1)
    po.write_text(text, encoding="utf-8")
    pages = {}
    for tag, locale_id in TAGS.items():
        result = site.cli("proof", "--lang", locale_id, "--engine", "espeak",
                          "--cache", str(site.cache))  # fmt: skip
        assert result.exit_code == 0, result.stdout + result.stderr
        pages[tag] = site.scripts.parent / "proof" / f"{tag}.html"
    return pages


@pytest.mark.parametrize("scheme", list(MEDIA))
@pytest.mark.parametrize("tag", list(TAGS))
def test_axe_reports_no_violations_on_the_proof(open_page, proofs, axe_source, artifacts, tag,
                                               scheme):  # fmt: skip
    driver = open_page(proofs[tag].as_uri())
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": MEDIA[scheme]})
    try:
        driver.execute_script(axe_source)
        violations = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
              .then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(" "))])))
              .catch(e => done([["axe-error", String(e)]]));""",
            AXE_TAGS,
        )
        driver.save_screenshot(str(artifacts / f"proof-{tag}-{scheme}.png"))
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert violations == [], json.dumps(violations, ensure_ascii=False)


def test_the_keyboard_reaches_a_message_and_plays_it(open_page, proofs):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(proofs["ko"].as_uri())
    driver.get_log("browser")  # what loading the page logged: only what follows is checked
    keys(driver, Keys.TAB)
    assert driver.execute_script("return document.activeElement.className") == "skip"
    keys(driver, Keys.ENTER)  # skip to the messages
    keys(driver, Keys.TAB)
    found = driver.execute_script(
        "const a = document.activeElement;"
        "return [a.tagName, a.closest('article').querySelector('h3').textContent];"
    )
    assert found[0] == "AUDIO"
    assert found[1].startswith("1. The Test Guide")  # the first message spoken: the DAISY title
    keys(driver, Keys.SPACE)
    wait(driver, "return !document.activeElement.paused", message="Space did not play it")
    wait(driver, "return document.activeElement.readyState >= 2", message="its MP3 did not load")
    problems = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []  # no file refused by the page's Content-Security-Policy


def test_needs_a_look_links_to_every_message_that_needs_work(open_page, proofs):
    driver = open_page(proofs["ko"].as_uri())
    links = driver.execute_script(
        "return [...document.querySelectorAll('.attention a')].map(a => "
        "[a.textContent, document.querySelector(a.getAttribute('href') + ' h3').textContent])"
    )
    assert [text for text, _ in links] == [
        "3. Welcome", "9. Thank you for listening.", "10. Track {number} of {total}. {title}."
    ]  # fmt: skip
    for text, heading in links:
        assert heading.startswith(text)
