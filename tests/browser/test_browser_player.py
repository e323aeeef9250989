"""The web player in a real browser: axe-core, the keyboard alone, hostile text, small screens."""

from __future__ import annotations

import json
import re

import pytest
from guide_site import HOSTILE_TITLE, HOSTILE_UI

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`

PAGES = ["index.html", "en/index.html", "ko/index.html", "zh-Hans/index.html"]
LANGUAGE_PAGES = PAGES[1:]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def wait(driver, script, timeout=8.0, message=""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(script), message or script
    )


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def audio(driver, name):
    """A property of the page's <audio>: paused, src, currentTime, playbackRate, ..."""
    return js(driver, f"return document.getElementById('audio').{name}")


def prop(driver, element_id, expression):
    """``expression`` evaluated on the element with that id (``e``)."""
    return js(driver, f"const e = document.getElementById('{element_id}'); return {expression};")


def keys(driver, *sequence):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*sequence).perform()


def shortcut(driver, *letters, held=("ALT", "SHIFT")):
    """Press each of ``letters`` with the default modifier keys held (Alt+Shift)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for letter in letters:
        chain = ActionChains(driver)
        for key in held:
            chain.key_down(getattr(Keys, key))
        chain.send_keys(letter)
        for key in reversed(held):
            chain.key_up(getattr(Keys, key))
        chain.perform()


def said(driver) -> str:
    """What the live region says, once it says something."""
    wait(driver, "return document.getElementById('announce').textContent.length > 0")
    return prop(driver, "announce", "e.textContent")


def active(driver) -> str:
    """A short name of the focused element: its id, class or text."""
    return js(
        driver,
        """const e = document.activeElement;
        if (!e || e === document.body) return "body";
        return e.id || e.tagName + ":" + (e.getAttribute("href") || e.textContent.trim());""",
    )


def tab_until(driver, target_id, limit=60):
    from selenium.webdriver.common.keys import Keys

    seen = []
    for _ in range(limit):
        keys(driver, Keys.TAB)
        seen.append(active(driver))
        if seen[-1] == target_id:
            return seen
    raise AssertionError(f"Tab never reached #{target_id}; went through {seen}")


def ready(driver):
    """The script has run: the custom controls are shown."""
    wait(driver, "return !document.getElementById('enhanced').hidden")


def play_track(driver, number):
    """Pick the track in the track list, and wait until it plays."""
    js(driver, f"document.getElementById('pick-{number}').click()")
    wait(driver, "return !document.getElementById('audio').paused")


def blur(driver):
    js(driver, "document.activeElement && document.activeElement.blur(); window.focus();")


# --- axe-core ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark", "forced-colors"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_reports_no_violations(open_page, base_url, axe_source, name, scheme):
    driver = open_page(base_url + name)
    feature = (
        ("forced-colors", "active")
        if scheme == "forced-colors"
        else ("prefers-color-scheme", scheme)
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": feature[0], "value": feature[1]}]},
    )
    try:
        if name != "index.html":
            ready(driver)
            js(driver, "document.querySelector('details.shortcuts').open = true;")
        js(driver, axe_source)
        result = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: "tag", values: arguments[0]},
                               resultTypes: ["violations"]})
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))))
              .catch(e => done([{id: "axe-error", help: String(e), nodes: []}]));""",
            AXE_TAGS,
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert result == [], json.dumps(result, indent=1, ensure_ascii=False)


# --- the keyboard --------------------------------------------------------------------------


def test_tab_reaches_play_and_space_toggles_playback(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    order = tab_until(driver, "play")
    assert order[0] == "A:#player"  # the skip link comes first
    assert audio(driver, "paused") is True
    keys(driver, Keys.SPACE)
    wait(driver, "return !document.getElementById('audio').paused")
    wait(driver, "return document.getElementById('play-label').textContent === 'Pause'")
    keys(driver, Keys.SPACE)
    wait(driver, "return document.getElementById('audio').paused")
    wait(driver, "return document.getElementById('play-label').textContent === 'Play'")


def test_skip_link_moves_focus_to_the_player(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    keys(driver, Keys.TAB)
    keys(driver, Keys.ENTER)
    wait(driver, "return document.activeElement.id === 'player'")
    keys(driver, Keys.TAB)
    assert active(driver) == "position"


def test_next_track_changes_source_and_announces_it(open_page, base_url, editions):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    first = audio(driver, "src")
    assert first.endswith("/ko/01-markets.mp3")
    tab_until(driver, "next")
    keys(driver, Keys.ENTER)
    src = audio(driver, "src")
    assert src.endswith("/ko/02-escape.mp3")
    ko = next(e for e in editions if e.language.tag == "ko")
    wait(driver, "return document.getElementById('announce').textContent.length > 0")
    announced = prop(driver, "announce", "e.textContent")
    assert announced == f"전체 3개 트랙 중 2번 트랙. {ko.tracks[1].title}."
    assert prop(driver, "announce", "e.getAttribute('role')") == "status"
    assert prop(driver, "now-title", "e.textContent") == "고향을 떠나며"
    current = js(driver, "return document.querySelector('.pick[aria-current]').id")
    assert current == "pick-2"
    captions = js(
        driver,
        "const t = document.querySelector('#audio track');"
        "return [t.kind, t.srclang, t.getAttribute('src')];",
    )
    assert captions == ["captions", "ko", "02-escape.vtt"]
    visible = js(driver, "return [...document.querySelectorAll('.cues')].map(s => !s.hidden)")
    assert visible == [False, True, False]
    assert active(driver) == "next"  # focus stays where the listener put it


def test_speed_sets_playback_rate_and_is_remembered(open_page, base_url, driver):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver = open_page(base_url + "zh-Hans/index.html")
    ready(driver)
    Select(driver.find_element("id", "speed")).select_by_value("1.5")
    assert audio(driver, "playbackRate") == 1.5
    assert audio(driver, "preservesPitch") is True
    blur(driver)
    shortcut(driver, "=")  # the shortcut for faster
    assert audio(driver, "playbackRate") == 1.75
    shortcut(driver, "-", "-", "-", "-", "-", "-", "-")  # slower, down to the lowest
    assert audio(driver, "playbackRate") == 0.75
    labels = js(driver, "return [...document.getElementById('speed').options].map(o => o.text)")
    assert labels == ["0.75倍速", "1倍速", "1.25倍速", "1.5倍速", "1.75倍速", "2倍速"]
    # The speed holds across tracks and page loads.
    tab_until(driver, "next")
    keys(driver, Keys.ENTER)
    assert audio(driver, "playbackRate") == 0.75
    driver.refresh()
    ready(driver)
    assert prop(driver, "speed", "e.value") == "0.75"
    assert audio(driver, "playbackRate") == 0.75


def test_enter_on_a_sentence_plays_from_its_start(open_page, base_url, editions):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    cue = editions[0].tracks[0].sentences[2]
    button = driver.find_elements("css selector", "#cues-1 .cue")[2]
    assert button.text == cue.text
    js(driver, "arguments[0].focus()", button)
    keys(driver, Keys.ENTER)
    position = audio(driver, "currentTime")
    assert cue.start_ms / 1000 <= position < cue.start_ms / 1000 + 0.5
    wait(driver, "return !document.getElementById('audio').paused")
    # The sentence being spoken is marked, and not by colour alone.
    wait(driver, "return document.querySelector('#cues-1 .cue[aria-current]') !== null")
    marked = js(driver, "return document.querySelector('#cues-1 .cue[aria-current]').textContent")
    assert marked == cue.text
    style = js(
        driver,
        "const s = getComputedStyle(document.querySelector('.cue[aria-current]'));"
        "return [s.borderInlineStartWidth, s.fontWeight];",
    )
    assert style[0] != "0px" and int(style[1]) >= 600
    # Space on a sentence works too.
    first = driver.find_elements("css selector", "#cues-1 .cue")[0]
    js(driver, "arguments[0].focus()", first)
    keys(driver, Keys.SPACE)
    wait(driver, "return document.getElementById('audio').currentTime < 1.5")


def test_the_transcript_is_one_tab_stop_walked_with_the_arrow_keys(open_page, base_url, editions):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    cues = editions[0].tracks[0].sentences
    seen = tab_until(driver, f"BUTTON:{cues[0].text}")
    keys(driver, Keys.TAB)  # one more Tab leaves the transcript
    assert active(driver) != f"BUTTON:{cues[1].text}"
    assert not js(driver, "return document.activeElement.classList.contains('cue')"), seen
    # And Shift+Tab comes back to the same sentence.
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert active(driver) == f"BUTTON:{cues[0].text}"
    keys(driver, Keys.ARROW_DOWN)
    assert active(driver) == f"BUTTON:{cues[1].text}"
    keys(driver, Keys.END)
    assert active(driver) == f"BUTTON:{cues[-1].text}"
    keys(driver, Keys.ARROW_UP)
    assert active(driver) == f"BUTTON:{cues[-2].text}"
    keys(driver, Keys.ENTER)
    position = audio(driver, "currentTime")
    assert cues[-2].start_ms / 1000 <= position < cues[-2].start_ms / 1000 + 0.5
    # Only one sentence of the track is in the Tab order at any time.
    stops = js(driver, "return document.querySelectorAll('#cues-1 .cue[tabindex=\"0\"]').length")
    assert stops == 1


def test_playback_moves_on_to_the_next_track(open_page, base_url):
    driver = open_page(base_url + "en/index.html")
    ready(driver)
    js(driver, "const a = document.getElementById('audio'); a.currentTime = 5.5; a.play();")
    wait(driver, "return document.getElementById('audio').src.endsWith('02-escape.mp3')", 10)
    wait(driver, "return !document.getElementById('audio').paused")
    assert js(driver, "return document.querySelector('.pick[aria-current]').id") == "pick-2"


def test_no_focus_trap(open_page, base_url):
    """Tab goes through the whole page and out of it; Shift+Tab goes back out of the player."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    seen = []
    for _ in range(80):
        keys(driver, Keys.TAB)
        seen.append(active(driver))
        if len(seen) > 5 and seen[-1] == seen[0]:
            break
    assert "play" in seen and "speed" in seen and "shortcuts" not in seen  # closed <details>
    # The transcript is a single stop: its first sentence, not every one of them.
    assert "BUTTON:Track 1 of 3." in seen
    assert "BUTTON:The markets changed daily life." not in seen
    last = seen.index("A:../test-guide-en.zip")  # the last link of the page
    assert seen.index("play") < last
    assert seen[-1] == seen[0] or "body" in seen[last:], seen  # it left the page and came back
    # And backwards, out of the player.
    tab_until(driver, "previous")
    for _ in range(4):
        ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert active(driver) not in {"previous", "back", "play", "forward", "next"}


def test_shortcuts_need_alt_shift_by_default_and_can_be_turned_off(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    blur(driver)
    keys(driver, "k", "h")  # single letters are a screen reader's: they do nothing here
    assert audio(driver, "paused") is True
    assert audio(driver, "src").endswith("01-markets.mp3")
    shortcut(driver, "k")
    wait(driver, "return !document.getElementById('audio').paused")
    shortcut(driver, "k")
    wait(driver, "return document.getElementById('audio').paused")
    shortcut(driver, "h")
    assert audio(driver, "src").endswith("02-escape.mp3")
    shortcut(driver, ".")
    assert audio(driver, "currentTime") > 5
    shortcut(driver, ",")
    assert audio(driver, "currentTime") < 1
    assert prop(driver, "play", "e.getAttribute('aria-keyshortcuts')") == "Alt+Shift+K"
    kbd = "return [...document.querySelectorAll('.keys kbd')].map(k => k.textContent)"
    assert js(driver, kbd)[:2] == ["Alt+Shift+K", "Alt+Shift+,"]
    # Keys typed in a form control stay there.
    js(driver, "document.getElementById('speed').focus()")
    shortcut(driver, "h")
    assert audio(driver, "src").endswith("02-escape.mp3")
    # Turn them off with the keyboard: open the details, tick the box off.
    summary = prop(driver, "shortcuts", "e.closest('details').querySelector('summary').textContent")
    tab_until(driver, "SUMMARY:" + summary.strip())
    keys(driver, Keys.ENTER)
    tab_until(driver, "shortcuts")
    keys(driver, Keys.SPACE)
    assert prop(driver, "shortcuts", "e.checked") is False
    assert prop(driver, "play", "e.hasAttribute('aria-keyshortcuts')") is False
    blur(driver)
    shortcut(driver, "k", "h")
    assert audio(driver, "paused") is True
    assert audio(driver, "src").endswith("02-escape.mp3")  # "h" did nothing either
    # Remembered across page loads.
    driver.refresh()
    ready(driver)
    assert prop(driver, "shortcuts", "e.checked") is False
    blur(driver)
    shortcut(driver, "k")
    assert audio(driver, "paused") is True


def test_listeners_choose_the_keys_to_hold_and_the_choice_is_remembered(open_page, base_url):
    from selenium.webdriver.support.ui import Select

    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    js(driver, "document.querySelector('details.shortcuts').open = true")
    options = js(
        driver, "return [...document.getElementById('modifiers').options].map(o => o.text)"
    )
    assert options[-1].startswith("단일 키 단축키")
    Select(driver.find_element("id", "modifiers")).select_by_value("none")
    assert prop(driver, "next", "e.getAttribute('aria-keyshortcuts')") == "H"
    blur(driver)
    keys(driver, "h")
    assert audio(driver, "src").endswith("02-escape.mp3")
    shortcut(driver, "h")  # Alt+Shift+H is not the chosen combination any more
    assert audio(driver, "src").endswith("02-escape.mp3")
    driver.refresh()
    ready(driver)
    assert prop(driver, "modifiers", "e.value") == "none"
    assert prop(driver, "play", "e.getAttribute('aria-keyshortcuts')") == "K"
    # A choice the page no longer offers (Control+Alt: VoiceOver's, AltGr's) is not kept.
    js(driver, "localStorage.setItem('audioguide.modifiers', 'control-alt')")
    driver.refresh()
    ready(driver)
    assert prop(driver, "modifiers", "e.value") == "alt-shift"


def test_space_plays_only_when_the_focus_is_in_the_player(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html", height=500)
    ready(driver)
    blur(driver)
    keys(driver, Keys.SPACE)  # on the page, Space scrolls as it always does
    wait(driver, "return window.scrollY > 0")
    assert audio(driver, "paused") is True
    keys(driver, Keys.HOME)
    keys(driver, Keys.TAB, Keys.ENTER)  # the skip link: focus on the player
    wait(driver, "return document.activeElement.id === 'player'")
    keys(driver, Keys.SPACE)
    wait(driver, "return !document.getElementById('audio').paused")


# --- focus and what is said on a track change -----------------------------------------------


def _first_cue(driver, number):
    return js(driver, f"return document.querySelector('#cues-{number} .cue')")


def test_focus_in_the_transcript_moves_to_the_new_track_by_key(open_page, base_url):
    driver = open_page(base_url + "en/index.html")
    ready(driver)
    js(driver, "document.querySelectorAll('#cues-1 .cue')[2].focus()")
    shortcut(driver, "h")
    assert audio(driver, "src").endswith("02-escape.mp3")
    assert js(driver, "return document.activeElement") == _first_cue(driver, 2)
    assert prop(driver, "cues-2", "e.hidden") is False


def _play_to_the_end_of_track_1(driver):
    js(driver, "const a = document.getElementById('audio'); a.currentTime = 5.6; a.play();")
    wait(driver, "return document.getElementById('audio').src.endsWith('02-escape.mp3')", 10)
    wait(driver, "return !document.getElementById('audio').paused")


def test_focus_stays_on_a_sentence_when_the_guide_moves_on_by_itself(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    cue = js(driver, "return document.querySelectorAll('#cues-1 .cue')[3]")
    js(driver, "arguments[0].focus()", cue)
    _play_to_the_end_of_track_1(driver)
    assert js(driver, "return document.activeElement") == cue
    # The text the focus is on stays on screen beside the new track's, until the focus leaves.
    assert prop(driver, "cues-1", "e.hidden") is False
    assert prop(driver, "cues-2", "e.hidden") is False
    keys(driver, Keys.ARROW_UP)  # moving within it keeps it
    assert prop(driver, "cues-1", "e.hidden") is False
    keys(driver, Keys.TAB)  # the next stop: the new track's text
    assert js(driver, "return document.activeElement") == _first_cue(driver, 2)
    wait(driver, "return document.getElementById('cues-1').hidden")


def test_focus_stays_on_a_search_result_when_the_guide_moves_on_by_itself(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    driver.find_element("id", "search").send_keys("river", Keys.ENTER)
    assert active(driver) == "BUTTON:The river is frozen then."  # in track 2
    _play_to_the_end_of_track_1(driver)
    js(driver, "return new Promise(r => setTimeout(r, 200))")
    assert active(driver) == "BUTTON:The river is frozen then."


@pytest.mark.parametrize("control", ["next", "pick-3", "next-paragraph"])
def test_focus_stays_on_the_control_used(open_page, base_url, control):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    if control == "next-paragraph":  # in the last paragraph: next paragraph is the next track
        js(driver, "document.getElementById('audio').currentTime = 5")
    js(driver, f"document.getElementById('{control}').focus()")
    keys(driver, Keys.ENTER)
    wait(driver, "return !document.getElementById('audio').src.endsWith('01-markets.mp3')")
    assert active(driver) == control


def listen(driver):
    """From now on, keep every text the live region is given (``heard``)."""
    js(
        driver,
        """window.heard = [];
        const region = document.getElementById('announce');
        new MutationObserver(() => region.textContent && window.heard.push(region.textContent))
          .observe(region, {childList: true, subtree: true, characterData: true});""",
    )


def heard(driver) -> list[str]:
    return js(driver, "return window.heard")


def test_nothing_is_said_over_the_narration(open_page, base_url):
    """Playing, every change is shown and none is spoken: play, skip, speed, next track on the
    last one, paragraphs, search. The controls' own names and states still change."""
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    js(driver, "document.getElementById('pick-3').click()")  # the last track
    js(driver, "document.getElementById('audio').pause()")
    listen(driver)
    js(driver, "document.getElementById('play').focus()")
    keys(driver, Keys.ENTER)
    wait(driver, "return !document.getElementById('audio').paused")
    assert prop(driver, "play-label", "e.textContent") == "Pause"
    js(driver, "return new Promise(r => setTimeout(r, 200))")
    assert heard(driver) == []  # not "Playing" as the track's announcement starts
    blur(driver)
    shortcut(driver, ",")  # back
    assert prop(driver, "status", "e.textContent") == "0:00 of 0:06"
    shortcut(driver, "=")  # faster
    assert prop(driver, "status", "e.textContent") == "1.25×"
    assert prop(driver, "speed", "e.value") == "1.25"
    shortcut(driver, "h")  # there is no next track
    assert prop(driver, "status", "e.textContent") == "This is the last track."
    driver.find_element("id", "search").send_keys("river")
    blur(driver)
    shortcut(driver, "u")  # to the start of the paragraph: the track plays on for a while
    assert prop(driver, "status", "e.textContent") == "Paragraph 1 of 2"
    js(driver, "return new Promise(r => setTimeout(r, 900))")  # a search count waits 700 ms
    assert prop(driver, "matches", "e.textContent") == "Matches: 1"
    assert audio(driver, "paused") is False  # all of it while the guide played
    assert heard(driver) == []


def test_the_focused_slider_holds_still_while_the_guide_plays(open_page, base_url):
    """A screen reader says each new value of the slider it is on: not once a second."""
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    js(driver, "document.getElementById('position').focus()")
    js(driver, "document.getElementById('audio').play()")
    wait(driver, "return document.getElementById('time').textContent.startsWith('0:02')")
    assert prop(driver, "position", "[e.value, e.getAttribute('aria-valuetext')]") == [
        "0",
        "0:00 of 0:06",
    ]
    keys(driver, Keys.ARROW_RIGHT)  # the listener's own move is said
    assert prop(driver, "position", "e.getAttribute('aria-valuetext')") == "0:03 of 0:06"
    blur(driver)  # away from it, the slider goes along
    wait(driver, "return document.getElementById('position').value >= '3'")


def test_where_am_i_is_said_even_while_the_guide_plays(open_page, base_url):
    driver = open_page(base_url + "en/index.html")
    ready(driver)
    play_track(driver, 3)
    js(driver, "document.getElementById('audio').currentTime = 4.7")  # the second paragraph
    blur(driver)
    shortcut(driver, "w")
    assert re.fullmatch(
        r"Track 3 of 3\. A new life\. Paragraph 2 of 2, 0:0[45] of 0:06\.", said(driver)
    )
    assert audio(driver, "paused") is False
    assert prop(driver, "status", "e.textContent") == said(driver)  # shown too
    # The button does the same, and the list of shortcuts names it.
    js(driver, "document.getElementById('audio').pause()")
    js(driver, "document.getElementById('audio').currentTime = 1")
    js(driver, "document.getElementById('where').click()")
    wait(driver, "return document.getElementById('announce').textContent.includes('1 of 2, 0:01')")
    assert prop(driver, "where", "e.getAttribute('aria-keyshortcuts')") == "Alt+Shift+W"
    listed = js(
        driver,
        "return [...document.querySelectorAll('.keys li')].map(li => li.textContent.trim())",
    )
    assert "Alt+Shift+W Where am I?" in listed


def test_the_where_am_i_parts_keep_their_language(open_page, base_url):
    """Track 3 of the Korean edition is untranslated: its title is said as English."""
    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    play_track(driver, 3)
    js(driver, "document.getElementById('audio').currentTime = 1")
    blur(driver)
    shortcut(driver, "w")
    wait(driver, "return document.querySelectorAll('#announce span').length === 3")
    parts = js(
        driver,
        "return [...document.querySelectorAll('#announce span')]"
        ".map(s => [s.textContent, s.getAttribute('lang')])",
    )
    assert parts[:2] == [["전체 3개 트랙 중 3번 트랙.", None], ["A new life.", "en"]]
    assert re.fullmatch(r"전체 2개 문단 중 1번 문단, 전체 0:06 중 0:0[12]\.", parts[2][0])


def test_paused_the_live_region_says_what_the_audio_does_not(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    js(driver, "document.getElementById('play').focus()")
    keys(driver, Keys.ENTER)
    wait(driver, "return !document.getElementById('audio').paused")
    # Playing, the next track says its own announcement: the screen reader must not say it too.
    js(driver, "document.getElementById('next').focus()")
    keys(driver, Keys.ENTER)
    assert audio(driver, "src").endswith("02-escape.mp3")
    js(driver, "return new Promise(r => setTimeout(r, 200))")
    assert "Track 2" not in prop(driver, "announce", "e.textContent")
    js(driver, "document.getElementById('play').focus()")
    keys(driver, Keys.ENTER)
    assert said(driver) == "Paused"
    # Paused, nothing else would say where the listener is.
    js(driver, "document.getElementById('next').focus()")
    keys(driver, Keys.ENTER)
    assert said(driver) == "Track 3 of 3. A new life."
    keys(driver, Keys.ENTER)  # there is no fourth track
    wait(
        driver,
        "return document.getElementById('announce').textContent === 'This is the last track.'",
    )
    js(driver, "document.getElementById('forward').focus()")
    keys(driver, Keys.ENTER)
    wait(driver, "return document.getElementById('announce').textContent === '0:06 of 0:06'")
    # The end of the guide.
    js(driver, "const a = document.getElementById('audio'); a.currentTime = 5.5; a.play();")
    wait(
        driver, "return document.getElementById('announce').textContent === 'End of the guide.'", 10
    )


def test_the_announcement_of_an_untranslated_title_carries_its_language(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    play_track(driver, 2)
    js(driver, "document.getElementById('audio').pause()")
    js(driver, "document.getElementById('next').focus()")
    keys(driver, Keys.ENTER)  # paused: the announcement of track 3 is said
    # Track 3 of the Korean edition is untranslated: its title is read in English.
    wait(driver, "return document.querySelector('#announce span[lang=en]') !== null")
    parts = js(
        driver,
        "return [...document.querySelectorAll('#announce span')]"
        ".map(s => [s.textContent, s.getAttribute('lang')])",
    )
    assert parts == [["전체 3개 트랙 중 3번 트랙.", None], ["A new life.", "en"]]
    assert prop(driver, "now-title", "e.lang") == "en"


# --- without the script; captions; forced colours -------------------------------------------


def test_without_javascript_every_track_plays(driver, base_url, editions):
    """Script off: each track has the browser's own controls, which play it; no button is
    left on the page that would need the script."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    (ko,) = [e for e in editions if e.language.tag == "ko"]
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(base_url + "ko/index.html")
        shown = (
            "return [...document.querySelectorAll(arguments[0])].filter(e => e.checkVisibility())"
        )
        players = js(driver, shown, "audio")
        assert [p.get_attribute("src").rsplit("/", 1)[1] for p in players] == [
            f"{t.stem}.mp3" for t in ko.tracks
        ]
        for player in players:
            assert player.get_attribute("preload") == "none"
            js(driver, "arguments[0].scrollIntoView({block: 'center'})", player)
            width = player.size["width"]
            # The play button of the browser's own controls, at their start.
            ActionChains(driver).move_to_element_with_offset(
                player, -width // 2 + 20, 0
            ).click().perform()
            WebDriverWait(driver, 8).until(
                lambda d, p=player: d.execute_script("return arguments[0].currentTime > 0.2", p)
            )
            js(driver, "arguments[0].pause()", player)
        assert js(driver, shown, "button") == []
        items = js(
            driver,
            """return [...document.querySelectorAll('#plain li')].map(li => [
                 li.querySelector('h3').textContent,
                 [...li.querySelectorAll('a')].map(a => a.getAttribute('href'))])""",
        )
        assert items == [
            [
                f"{t.number} {t.title}",
                [f"{t.stem}.mp3", f"{t.stem}.vtt", f"{t.stem}.srt", f"{t.stem}.txt"],
            ]
            for t in ko.tracks
        ]
        assert js(driver, "return document.getElementById('enhanced').hidden")  # no script ran
        # Nor the transcript of buttons, the track list and their hints.
        assert js(driver, shown, "#enhanced, #transcript, #tracks, #transcript .hint") == []
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


@pytest.mark.parametrize("scheme", ["light", "dark", "forced-colors"])
@pytest.mark.parametrize("name", LANGUAGE_PAGES)
def test_axe_without_the_script(driver, base_url, axe_source, name, scheme):
    """The page as it is before (or without) player.js: the plain list of tracks."""
    feature = (
        ("forced-colors", "active")
        if scheme == "forced-colors"
        else ("prefers-color-scheme", scheme)
    )
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/assets/player.js"]})
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": feature[0], "value": feature[1]}]}
    )
    try:
        driver.get(base_url + name)
        assert js(driver, "return document.getElementById('plain') !== null")
        js(driver, axe_source)
        result = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
              .then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(" "))])))
              .catch(e => done([["axe-error", String(e)]]));""",
            AXE_TAGS,
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        driver.execute_cdp_cmd("Network.disable", {})
    assert result == [], json.dumps(result, ensure_ascii=False)


def _at_sentence(driver, index, track=1):
    """Play position on the track's sentence number ``index``, as the audio gets there."""
    js(
        driver,
        "const c = document.querySelectorAll(`#cues-${arguments[1]} .cue`)[arguments[0]];"
        "const a = document.getElementById('audio'); a.currentTime = +c.dataset.start + 0.05;"
        "a.dispatchEvent(new Event('timeupdate'));",
        index,
        track,
    )
    wait(
        driver,
        f"return document.querySelectorAll('#cues-{track} .cue')[{index}]"
        ".hasAttribute('aria-current')",
    )


def test_captions_show_the_sentence_being_read_and_are_remembered(open_page, base_url, editions):
    driver = open_page(base_url + "en/index.html")
    ready(driver)
    sentences = editions[0].tracks[0].sentences
    assert prop(driver, "caption", "e.checkVisibility()") is False  # off until asked for
    js(driver, "document.getElementById('captions').click()")
    assert prop(driver, "caption", "e.checkVisibility()") is True
    _at_sentence(driver, 2)
    assert prop(driver, "caption", "e.textContent") == sentences[2].text
    size = "return parseFloat(getComputedStyle(arguments[0]).fontSize)"
    assert js(driver, size, driver.find_element("id", "caption")) > js(
        driver, size, driver.find_element("tag name", "body")
    )
    _at_sentence(driver, 3)
    assert prop(driver, "caption", "e.textContent") == sentences[3].text
    driver.refresh()
    ready(driver)
    assert prop(driver, "captions", "e.checked") is True
    assert prop(driver, "caption", "e.checkVisibility()") is True
    js(driver, "document.getElementById('captions').click()")
    assert prop(driver, "caption", "e.checkVisibility()") is False


def test_captions_carry_the_language_they_are_read_in(open_page, base_url):
    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    js(driver, "document.getElementById('captions').click()")
    js(driver, "document.getElementById('pick-3').click()")  # untranslated: read in English
    js(driver, "document.getElementById('audio').pause()")
    _at_sentence(driver, 2, track=3)
    assert prop(driver, "caption", "[e.textContent, e.lang]") == ["A new life is not easy.", "en"]


def test_forced_colours_mark_only_the_current_sentence_and_track(open_page, base_url):
    driver = open_page(base_url + "en/index.html")
    ready(driver)
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "forced-colors", "value": "active"}]},
    )
    try:
        _at_sentence(driver, 2)
        drawn = js(
            driver,
            """const behind = e => {  // the colour a border is drawn on
                 for (; e; e = e.parentElement) {
                   const c = getComputedStyle(e).backgroundColor;
                   if (!/, 0\\)$/.test(c)) return c;  // not transparent
                 }
               };
            const bar = e => { const s = getComputedStyle(e);
                 return s.borderInlineStartStyle !== 'none'
                   && parseFloat(s.borderInlineStartWidth) > 0
                   && s.borderInlineStartColor !== behind(e); };
            const probe = document.createElement('span');
            document.body.append(probe);
            probe.style.backgroundColor = 'Highlight';
            const highlight = getComputedStyle(probe).backgroundColor;
            probe.remove();
            const marked = e => bar(e) || getComputedStyle(e).backgroundColor === highlight;
            const named = (list, f) => list.filter(f).map(e => e.id || e.textContent.trim());
            return {
              cues: named([...document.querySelectorAll('.cue')], marked),
              rows: named([...document.querySelectorAll('.track, .pick')], e => bar(e)),
              current: getComputedStyle(document.querySelector('.cue[aria-current]')).color
                === getComputedStyle(document.querySelector('.cue[aria-current]')).backgroundColor,
            };""",
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert drawn["cues"] == ["The markets changed daily life."]  # the current sentence alone
    assert drawn["rows"] == ["track-1"]  # the current track alone
    assert drawn["current"] is False  # its text stands out of its highlight


# --- volume, paragraphs, skips, resume, search --------------------------------------------------


def test_volume_and_mute(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    assert prop(driver, "volume", "e.labels[0].textContent") == "Volume"
    js(driver, "document.getElementById('volume').focus()")
    keys(driver, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert audio(driver, "volume") == pytest.approx(0.9)
    assert prop(driver, "volume", "e.getAttribute('aria-valuetext')") == "90%"
    js(driver, "document.getElementById('mute').focus()")
    keys(driver, Keys.SPACE)
    assert audio(driver, "muted") is True
    assert prop(driver, "mute", "e.getAttribute('aria-pressed')") == "true"
    driver.refresh()
    ready(driver)
    assert audio(driver, "volume") == pytest.approx(0.9)
    assert audio(driver, "muted") is True
    blur(driver)
    shortcut(driver, "v")
    assert audio(driver, "muted") is False
    assert prop(driver, "mute", "e.getAttribute('aria-pressed')") == "false"


def test_previous_and_next_paragraph(open_page, base_url, editions):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    second = editions[0].tracks[0].chapters[1].start_ms / 1000
    js(driver, "document.getElementById('next-paragraph').focus()")
    keys(driver, Keys.ENTER)
    assert audio(driver, "currentTime") == pytest.approx(second)
    assert said(driver) == "Paragraph 2 of 2"
    blur(driver)
    shortcut(driver, "u")  # at the start of a paragraph: back to the one before
    assert audio(driver, "currentTime") == 0
    wait(driver, "return document.getElementById('announce').textContent === 'Paragraph 1 of 2'")
    shortcut(driver, "o")
    assert audio(driver, "currentTime") == pytest.approx(second)
    shortcut(driver, "o")  # after the last paragraph comes the next track
    assert audio(driver, "src").endswith("02-escape.mp3")


def test_the_skip_length_is_chosen_and_remembered(open_page, base_url):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver = open_page(base_url + "zh-Hans/index.html")
    ready(driver)
    assert prop(driver, "back", "e.textContent") == "后退 10\u00a0秒"
    Select(driver.find_element("id", "step")).select_by_value("5")
    assert prop(driver, "forward", "e.textContent") == "前进 5\u00a0秒"
    js(driver, "document.getElementById('forward').focus()")
    keys(driver, Keys.ENTER)
    assert audio(driver, "currentTime") == 5
    template = js(driver, "return document.querySelector('[data-message=position]').textContent")
    assert said(driver) == template.replace("{elapsed}", "0:05").replace("{total}", "0:06")
    driver.refresh()
    ready(driver)
    assert prop(driver, "step", "e.value") == "5"
    assert prop(driver, "back", "e.textContent") == "后退 5\u00a0秒"


def test_the_position_is_remembered_per_language_and_offered_back(open_page, base_url):
    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    assert prop(driver, "resume-box", "e.hidden") is True  # nothing to go back to yet
    play_track(driver, 2)
    js(driver, "const a = document.getElementById('audio'); a.pause(); a.currentTime = 4.2;")
    wait(driver, "return document.getElementById('audio').currentTime > 4")
    driver.refresh()
    ready(driver)
    assert prop(driver, "resume-box", "e.hidden") is False
    assert prop(driver, "resume", "e.textContent") == "2번 트랙 0:04부터 이어 듣기"
    driver.get(base_url + "en/index.html")  # another language: its own position (none)
    ready(driver)
    assert prop(driver, "resume-box", "e.hidden") is True
    driver.get(base_url + "ko/index.html")
    ready(driver)
    js(driver, "document.getElementById('resume').focus()")
    from selenium.webdriver.common.keys import Keys

    keys(driver, Keys.ENTER)
    wait(driver, "return !document.getElementById('audio').paused")
    assert audio(driver, "src").endswith("02-escape.mp3")
    assert 4 <= audio(driver, "currentTime") < 5.5
    assert prop(driver, "resume-box", "e.hidden") is True
    assert active(driver) == "play"  # the button went away; focus did not fall to the page


def test_search_in_the_transcript(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "en/index.html")
    ready(driver)
    driver.find_element("id", "search").send_keys("RIVER")
    assert said(driver) == "Matches: 1"
    assert prop(driver, "matches", "e.textContent") == "Matches: 1"
    shown = js(driver, "return [...document.querySelectorAll('.cues')].map(s => !s.hidden)")
    assert shown == [True, True, False]  # the current track, and the one with the match
    keys(driver, Keys.ENTER)
    assert active(driver) == "BUTTON:The river is frozen then."
    keys(driver, Keys.ENTER)  # plays it, from its track
    wait(driver, "return !document.getElementById('audio').paused")
    assert audio(driver, "src").endswith("02-escape.mp3")
    assert audio(driver, "currentTime") >= 4.5
    driver.find_element("id", "search").send_keys("e")  # playing: shown, not said
    wait(driver, "return document.getElementById('matches').textContent === 'Matches: 0'")
    assert prop(driver, "announce", "e.textContent") != "Matches: 0"
    driver.find_element("id", "search").clear()
    driver.find_element("id", "search").send_keys(" ")
    shown = js(driver, "return [...document.querySelectorAll('.cues')].map(s => !s.hidden)")
    assert shown == [False, True, False]


def test_the_time_says_the_same_in_slider_readout_and_track_list(open_page, base_url):
    driver = open_page(base_url + "en/index.html")
    ready(driver)
    js(driver, "document.getElementById('audio').currentTime = 2.5")
    wait(driver, "return document.getElementById('time').textContent === '0:02 / 0:06'")
    assert prop(driver, "position", "e.getAttribute('aria-valuetext')") == "0:02 of 0:06"
    assert prop(driver, "position", "e.max") == "6"
    assert js(driver, "return document.querySelector('#track-1 time').textContent") == "6 seconds"


# --- safety and layout ---------------------------------------------------------------------


def test_hostile_translations_appear_as_text_and_run_nothing(open_page, hostile_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(hostile_url + "ko/index.html")
    ready(driver)
    assert prop(driver, "play-label", "e.textContent") == HOSTILE_UI["Play"]
    assert js(driver, "return document.querySelector('h1').textContent") == HOSTILE_TITLE
    assert prop(driver, "now-title", "e.textContent") == HOSTILE_TITLE
    tab_until(driver, "play")
    keys(driver, Keys.ENTER)  # the label becomes the hostile "Pause"
    wait(driver, "return !document.getElementById('audio').paused")
    pause = json.dumps(HOSTILE_UI["Pause"])
    wait(driver, f"return document.getElementById('play-label').textContent === {pause}")
    js(driver, "document.getElementById('audio').pause()")
    tab_until(driver, "next")
    keys(driver, Keys.ENTER)  # paused: says the hostile track announcement
    wait(driver, "return document.getElementById('announce').textContent.length > 0")
    for element in driver.find_elements("css selector", "button, a, .cue"):
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover'))", element)
    assert js(driver, "return typeof window.__pwned") == "undefined"
    injected = "return document.querySelectorAll('img, main script, b, [onerror], [onload]').length"
    assert js(driver, injected) == 0
    assert prop(driver, "tracks-h", "e.textContent") == HOSTILE_UI["Tracks"]
    assert (
        "</button><script>window.__pwned=7</script>" in driver.find_element("tag name", "body").text
    )
    driver.get(hostile_url + "index.html")
    assert js(driver, "return typeof window.__pwned") == "undefined"


@pytest.mark.parametrize("width", [320, 640])
@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll_on_small_screens(open_page, base_url, name, width):
    """320 CSS px is a phone; 640 is a 1280 px window at 200% zoom."""
    driver = open_page(base_url + name, width=width, height=800)
    if name != "index.html":
        ready(driver)
        js(driver, "document.querySelector('details.shortcuts').open = true")
    inner = js(driver, "return window.innerWidth")
    assert inner == width
    overflow = js(
        driver,
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    )
    assert overflow <= 0
    small = js(
        driver,
        """return [...document.querySelectorAll(
                 'button, select, input, summary, .files a, .download-list a, .languages a')]
          .filter(e => e.offsetParent !== null)
          .map(e => [e.id || e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
          .filter(([, r]) => r.width < 24 || r.height < 24).map(([n]) => n);""",
    )
    assert small == []


def test_reduced_motion_turns_smooth_scrolling_off(open_page, base_url):
    driver = open_page(base_url + "en/index.html")
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    try:
        behaviour = js(
            driver, "return getComputedStyle(document.getElementById('cues-box')).scrollBehavior"
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert behaviour == "auto"


def test_focus_is_always_visible(open_page, base_url):
    from selenium.webdriver.common.keys import Keys

    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    checked = 0
    for _ in range(30):
        keys(driver, Keys.TAB)
        if active(driver) == "body":  # past the last stop of the page
            break
        checked += 1
        outline = js(
            driver,
            "const s = getComputedStyle(document.activeElement);"
            "return [s.outlineStyle, parseFloat(s.outlineWidth)];",
        )
        assert outline[0] != "none" and outline[1] >= 2, active(driver)
    assert checked >= 15  # the page's every control and link, not one or two


def test_works_from_a_file_url(open_page, site, driver):
    """No server: the script and style load under the policy, and the transcript is there."""
    from selenium.webdriver.common.keys import Keys

    driver.get_log("browser")  # forget what earlier tests logged
    driver = open_page((site / "ko" / "index.html").as_uri())
    ready(driver)
    assert js(driver, "return getComputedStyle(document.body).fontFamily").find("system-ui") >= 0
    assert len(driver.find_elements("css selector", "#cues-1 .cue")) == 4
    tab_until(driver, "next")
    keys(driver, Keys.ENTER)
    assert audio(driver, "src").endswith("/ko/02-escape.mp3")
    problems = [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "Content Security Policy" in entry["message"]
    ]
    assert problems == []
    driver.get((site / "index.html").as_uri())
    assert driver.find_element("css selector", "a[hreflang=ko]").get_attribute("lang") == "ko"


@pytest.mark.parametrize("name", PAGES)
def test_screenshot(open_page, base_url, artifacts, name):
    """A picture of each page, saved in test-artifacts/ for a person to look at."""
    for width, scheme in ((1280, "light"), (320, "light"), (1280, "dark")):
        driver = open_page(base_url + name, width=width)
        driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        )
        try:
            height = js(driver, "return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(height + 140, 4000))
            stem = name.replace("/index.html", "").replace(".html", "")
            path = artifacts / f"player-{stem}-{width}-{scheme}.png"
            assert driver.save_screenshot(str(path)), path
            assert path.stat().st_size > 1000
        finally:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_transcript_follows_the_speech_without_moving_the_page(open_page, base_url):
    driver = open_page(base_url + "en/index.html", height=700)
    ready(driver)
    js(
        driver,
        "const b = document.getElementById('cues-box'); b.style.maxHeight = '5.5rem';"
        "b.scrollIntoView({block: 'center'});",
    )
    page_y = js(driver, "return window.scrollY")
    steps = []
    for start in js(
        driver, "return [...document.querySelectorAll('#cues-1 .cue')].map(c => +c.dataset.start)"
    ):
        js(
            driver,
            "const a = document.getElementById('audio'); a.currentTime = arguments[0] + 0.05;"
            "a.dispatchEvent(new Event('timeupdate'));",
            start,
        )
        wait(driver, "return document.querySelector('#cues-1 .cue[aria-current]') !== null")
        steps.append(js(driver, "return document.getElementById('cues-box').scrollTop"))
        js(driver, "return new Promise(r => setTimeout(r, 400))")  # let a smooth scroll end
    assert steps[-1] > steps[0]  # the box scrolled to keep the sentence in view
    current = js(driver, "return document.querySelector('#cues-1 .cue[aria-current]')")
    box = js(driver, "return document.getElementById('cues-box').getBoundingClientRect()")
    rect = js(driver, "return arguments[0].getBoundingClientRect()", current)
    assert box["top"] <= rect["top"] and rect["bottom"] <= box["bottom"] + 1
    assert js(driver, "return window.scrollY") == page_y  # the page did not move


def test_the_transcript_stays_put_when_following_is_turned_off(open_page, base_url):
    driver = open_page(base_url + "en/index.html", height=700)
    ready(driver)
    js(driver, "document.getElementById('follow').click()")
    assert prop(driver, "follow", "e.checked") is False
    js(
        driver,
        "const b = document.getElementById('cues-box'); b.style.maxHeight = '5.5rem';"
        "b.scrollIntoView({block: 'center'});",
    )
    for start in js(
        driver, "return [...document.querySelectorAll('#cues-1 .cue')].map(c => +c.dataset.start)"
    ):
        js(
            driver,
            "const a = document.getElementById('audio'); a.currentTime = arguments[0] + 0.05;"
            "a.dispatchEvent(new Event('timeupdate'));",
            start,
        )
        js(driver, "return new Promise(r => setTimeout(r, 100))")
    marked = js(driver, "return document.querySelector('#cues-1 .cue[aria-current]').textContent")
    assert marked == "People trade food and news."  # still marked, only not scrolled to
    assert js(driver, "return document.getElementById('cues-box').scrollTop") == 0
    driver.refresh()
    ready(driver)
    assert prop(driver, "follow", "e.checked") is False


def test_captions_never_move_the_controls_over_a_whole_track(open_page, base_url):
    """At phone width, with captions on and a sentence long enough to need several lines, the
    Play button keeps its place from the track's first sentence to its last."""
    driver = open_page(base_url + "zh-Hans/index.html", width=360, height=740)
    ready(driver)
    js(driver, "document.getElementById('captions').click()")
    long = "在边境封锁期间，人们几乎无法离开，也无法得到外面的消息。" * 3
    js(driver, "document.querySelectorAll('#cues-1 .cue')[3].textContent = arguments[0]", long)
    js(
        driver,
        """const play = document.getElementById('play'), a = document.getElementById('audio');
        window.seen = []; window.captions = new Set();
        const look = () => {
          if (a.src.endsWith('01-markets.mp3') && !a.ended) {
            window.seen.push(Math.round(play.getBoundingClientRect().top + scrollY));
            window.captions.add(document.getElementById('caption').textContent);
          }
        };
        window.looking = setInterval(look, 40);
        a.addEventListener('timeupdate', look);
        a.playbackRate = 2;""",
    )
    play_track(driver, 1)
    js(driver, "document.getElementById('audio').playbackRate = 2")
    wait(driver, "return document.getElementById('audio').src.endsWith('02-escape.mp3')", 20)
    seen, captions = js(driver, "clearInterval(window.looking); return [seen, [...captions]]")

    assert long in captions and len(captions) >= 4  # every sentence of the track was shown
    assert len(seen) > 20
    assert set(seen) == {seen[0]}, sorted(set(seen))


def test_the_player_says_ready_playing_or_paused_as_is_true(open_page, base_url):
    driver = open_page(base_url + "ko/index.html")
    ready(driver)
    label = "return [document.getElementById('now-label').textContent,"
    label += " document.querySelector('.track:not([hidden]) .badge:not([hidden])').textContent]"
    assert js(driver, label) == ["재생 준비됨", "재생 준비됨"]  # nothing has played yet
    js(driver, "document.getElementById('play').click()")
    wait(driver, "return !document.getElementById('audio').paused")
    assert js(driver, label) == ["재생 중", "재생 중"]
    js(driver, "document.getElementById('play').click()")
    wait(driver, "return document.getElementById('audio').paused")
    assert js(driver, label) == ["일시 정지됨", "일시 정지됨"]
    js(driver, "document.getElementById('pick-2').click()")  # another track: it plays
    wait(driver, "return !document.getElementById('audio').paused")
    js(driver, "document.getElementById('play').click()")
    wait(driver, "return document.getElementById('audio').paused")
    js(driver, "document.getElementById('previous').click()")  # near its start: track 1
    wait(driver, "return document.getElementById('audio').src.endsWith('01-markets.mp3')")
    assert js(driver, label) == ["재생 준비됨", "재생 준비됨"]  # a new track, not yet played
