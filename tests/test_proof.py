"""``audioguide proof``: a translator hears a language message by message, without a build.

The proofs here are real: the fixture guide, its Babel catalogs, the espeak-ng voice and
ffmpeg. What a page should list is read from the catalog with Babel; what its audio should hold
is synthesised again here with the engine, from the text the page says the voice reads.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po
from build_helpers import (
    FIXTURES,
    Site,
    assert_manifest_is_true,
    decoded_ms,
    new_site,
    set_translation,
    summary,
    tree,
)

import audioguide.proof as proof_module
from audioguide import audio
from audioguide.engines import Voice, get_engine
from audioguide.languages import resolve
from audioguide.strings import TRACK_ANNOUNCEMENT

TAGS = {"ko": "ko", "en": "en", "zh-Hans": "zh_Hans"}
LEAD_MS, SENTENCE_PAUSE_MS = 250, 400  # the track's lead-in, guide.yaml's default pause
WELCOME, THANKS = "Welcome", "Thank you for listening."
MUSEUM = "Welcome to the museum."


# --- reading the page as a browser would show it -----------------------------------------------


@dataclass(frozen=True)
class Heard:
    label: str
    sentences: tuple[tuple[str, str], ...]  # (lang, what the voice reads)
    audio: str | None  # the player's src, relative to the page


@dataclass(frozen=True)
class Message:
    number: int
    heading: str
    fields: dict[str, str]  # <dt> text -> <dd> text
    langs: dict[str, str | None]  # <dt> text -> the <dd>'s lang attribute
    heard: tuple[Heard, ...]


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def read_page(path: Path) -> list[Message]:
    """Every message on a proof page, in page order (the page is well-formed markup)."""
    root = ET.fromstring(path.read_bytes())
    messages = []
    for article in root.iter("article"):
        heading = article.find("h3")
        assert heading is not None
        number = int(text_of(heading).split(".", 1)[0])
        fields, langs, heard = {}, {}, []
        dl = article.find("dl")
        items = list(dl) if dl is not None else []
        for dt, dd in zip(items[::2], items[1::2], strict=True):
            assert (dt.tag, dd.tag) == ("dt", "dd")
            fields[text_of(dt)] = text_of(dd)
            langs[text_of(dt)] = dd.get("lang")
            for div in dd.iter("div"):
                label = div.find("p[@class='label']")
                said = div.find("ol")
                player = div.find("audio")
                heard.append(
                    Heard(
                        text_of(label) if label is not None else "",
                        tuple((li.get("lang", "en"), text_of(li)) for li in said)
                        if said is not None
                        else (),
                        player.get("src") if player is not None else None,
                    )
                )
        messages.append(Message(number, text_of(heading), fields, langs, tuple(heard)))
    return messages


def catalog_order(po: Path) -> list[str]:
    with open(po, "rb") as handle:
        return [str(message.id) for message in read_po(handle) if message.id]


def proof(site: Site, *args: str):
    result = site.cli("proof", "--engine", "espeak", "--cache", str(site.cache), *args)
    return result


def proof_ok(site: Site, *args: str) -> tuple[Path, str]:
    result = proof(site, *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    line = result.stdout.strip()
    assert "\n" not in line, line
    return Path(line.split(": written", 1)[0]), line


def edit(po: Path, old: str, new: str) -> None:
    """Change a catalog as a translator's editor would: the text of the file."""
    text = po.read_text(encoding="utf-8")
    assert old in text, old
    po.write_text(text.replace(old, new, 1), encoding="utf-8")


def install_lexicon(site: Site, locale_id: str) -> None:
    """The fixture lexicon, where a translator puts it: locales/<locale_id>/pronunciation.pls."""
    (site.locales / locale_id).mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "lexicons" / f"{locale_id}.pls", site.locales / locale_id)
    (site.locales / locale_id / f"{locale_id}.pls").rename(
        site.locales / locale_id / "pronunciation.pls"
    )


def mark_fuzzy(po: Path, msgid: str) -> None:
    edit(po, f'msgid "{msgid}"', f'#, fuzzy\nmsgid "{msgid}"')


# --- the page ------------------------------------------------------------------------------------


def test_the_page_lists_every_message_in_catalog_order_with_its_status(site: Site) -> None:
    po = site.po("ko")
    mark_fuzzy(po, WELCOME)
    edit(po, 'msgstr "들어 주셔서 감사합니다."', 'msgstr ""')
    edit(po, "{number}번 트랙.", "{numero}번 트랙.")

    page, line = proof_ok(site, "--lang", "ko")

    assert page == site.root / "proof" / "ko.html"  # beside scripts/, not in the published output
    messages = read_page(page)
    order = catalog_order(po)
    assert [m.fields["English"] for m in messages] == [" ".join(m.split()) for m in order]
    assert [m.number for m in messages] == list(range(1, len(order) + 1))
    assert f"{len(order)} messages" in line
    status = {m.fields["English"]: m.heading.split(maxsplit=1)[1] for m in messages}
    assert status[WELCOME].endswith("fuzzy changed")
    assert status[THANKS].endswith("untranslated changed")
    assert status[TRACK_ANNOUNCEMENT].endswith("broken placeholder changed")
    assert status[MUSEUM].endswith("translated")
    by_text = {m.fields["English"]: m for m in messages}
    assert "loses {number}; adds {numero}" in by_text[TRACK_ANNOUNCEMENT].fields["Status"]
    assert by_text[WELCOME].fields["Translation"] == "환영합니다"  # the draft, shown
    assert by_text[WELCOME].langs["Translation"] == "ko"
    assert by_text[THANKS].fields["Translation"] == "None."
    # What is not usable is read in English by the English voice, as the build reads it.
    assert by_text[WELCOME].heard[0].sentences == (("en", WELCOME),)
    assert by_text[THANKS].heard[0].sentences == (("en", THANKS),)
    assert by_text[MUSEUM].heard[0].sentences == (("ko", "박물관에 오신 것을 환영합니다."),)
    announcements = by_text[TRACK_ANNOUNCEMENT].heard
    assert [h.label for h in announcements] == [
        "Track 1 (01-welcome) (changed since the last build):",
        "Track 2 (02-numbers) (changed since the last build):",
        "Track 3 (03-goodbye) (changed since the last build):",
    ]
    assert announcements[1].sentences == (("en", "Track 2 of 3."), ("ko", "숫자"))
    # The player's own strings are shown, never spoken.
    skip = by_text["Skip to the player"]
    assert skip.heard == () and skip.fields["The voice reads"].startswith("Nothing")
    links = ET.fromstring(page.read_bytes()).find(".//ul[@class='attention']")
    assert [text_of(a) for a in links.iter("a")] == [  # type: ignore[union-attr]
        f"{by_text[text].number}. {text}" for text in (WELCOME, THANKS, TRACK_ANNOUNCEMENT)
    ]


def test_the_voice_reads_the_text_after_the_lexicon_and_the_engine_s_rules(site: Site) -> None:
    install_lexicon(site, "ko")
    install_lexicon(site, "en")

    korean = {m.fields["English"]: m for m in read_page(proof_ok(site, "--lang", "ko")[0])}
    english = {m.fields["English"]: m for m in read_page(proof_ok(site, "--lang", "en")[0])}

    museum = korean[MUSEUM]
    assert museum.heard[0].sentences == (("ko", "방물관에 오신 것을 환영합니다."),)
    assert "From the lexicon: 박물관 → 방물관." in museum.fields["The voice reads"]
    assert museum.fields["Translation"] == "박물관에 오신 것을 환영합니다."  # as written
    assert english[MUSEUM].heard[0].sentences == (("en", "Welcome to the [[mju:z'i:@m]]."),)
    numbers = korean["Around 80% of visitors came back after COVID-19."]
    assert numbers.fields["Translation"] == "코로나19 이후 방문객의 약 80%가 다시 찾아왔습니다."
    said = (("ko", "코로나19 이후 방문객의 약 80퍼센트가 다시 찾아왔습니다."),)  # espeak's rule
    assert numbers.heard[0].sentences == said


def test_each_message_s_audio_decodes_and_holds_what_the_voice_reads(site: Site) -> None:
    page, _ = proof_ok(site, "--lang", "ko")

    engine = get_engine("espeak")
    heard = [h for m in read_page(page) for h in m.heard]
    # the guide's title, an announcement per track, 3 titles, 4 paragraphs
    assert len(heard) == 1 + 3 + 3 + 4
    for hearing in heard:
        assert hearing.audio is not None
        mp3 = page.parent / hearing.audio
        clips = [
            engine.synthesize(text, resolve(lang), Voice()) for lang, text in hearing.sentences
        ]
        (rate,) = {clip.sample_rate for clip in clips}  # one voice
        pcm = [clip.pcm for clip in clips]
        expected = audio.silence(LEAD_MS, rate) + audio.silence(SENTENCE_PAUSE_MS, rate).join(pcm)
        assert decoded_ms(mp3) == pytest.approx(len(expected) * 500 / rate, abs=60)
        # The same sound, louder: the decoded samples follow the sentences' own.
        got = np.frombuffer(audio.decode(mp3, rate), dtype="<i2").astype(float)
        want = np.frombuffer(expected, dtype="<i2").astype(float)
        assert _similarity(got, want) > 0.8, hearing


def _similarity(got: np.ndarray, want: np.ndarray, most: int = 4000) -> float:
    """How closely ``got`` follows ``want`` (Pearson's r), once the encoder's delay (at most
    ``most`` samples, found by cross-correlation) is taken off."""
    size = 1 << (len(got) + len(want)).bit_length()
    cross = np.fft.irfft(np.fft.rfft(got, size) * np.conj(np.fft.rfft(want, size)), size)
    lag = int(np.argmax(cross[:most]))
    n = min(len(got) - lag, len(want))
    return float(np.corrcoef(got[lag : lag + n], want[:n])[0, 1])


def test_a_second_proof_synthesises_and_encodes_nothing(tmp_path: Path) -> None:
    site = new_site(tmp_path / "guide")

    page, first = proof_ok(site, "--lang", "ko")
    made = tree(page.parent)
    _, second = proof_ok(site, "--lang", "ko")

    assert re.search(r"; [1-9]\d* sentences synthesised", first), first
    assert "; 0 sentences synthesised, 0 from the cache" in second
    assert "no build yet" in second
    assert tree(page.parent) == made  # nothing written again, page and audio alike


def test_a_proof_after_a_build_synthesises_nothing(site: Site) -> None:
    for tag in TAGS:
        _, line = proof_ok(site, "--lang", tag)
        assert re.search(r"; 0 sentences synthesised, [1-9]\d* from the cache$", line), line
        assert "(0 changed since the last build)" in line


def test_a_build_after_proofing_synthesises_nothing(tmp_path: Path) -> None:
    site = new_site(tmp_path / "guide")
    for tag in ("ko", "en"):  # what `build --lang ko` speaks: Korean, and the source language
        proof_ok(site, "--lang", tag)

    result = site.build("--lang", "ko")

    assert result.exit_code == 0, result.stderr
    done = summary(result.stdout)
    assert (done["clips_synthesised"], done["tracks_written"]) == (0, 6), done
    listed = assert_manifest_is_true(site)
    assert not any("proof" in path for path in listed)  # beside the build, not part of it


def test_changed_lists_only_the_translation_edited_since_the_build(site: Site) -> None:
    set_translation(site.po("ko"), THANKS, "끝까지 들어 주셔서 고맙습니다.")

    page, line = proof_ok(site, "--lang", "ko", "--changed")

    [message] = read_page(page)
    assert message.fields["English"] == THANKS
    assert message.heard[0].sentences == (("ko", "끝까지 들어 주셔서 고맙습니다."),)
    assert "changed" in message.heading
    assert re.search(r": written; 1 of \d+ messages \(1 changed since the last build\)", line)
    [audio_file] = (page.parent / "ko-changed-audio").glob("*.mp3")
    assert message.heard[0].audio == f"ko-changed-audio/{audio_file.name}"


def test_the_changes_page_leaves_the_full_page_and_its_audio_alone(site: Site) -> None:
    full, _ = proof_ok(site, "--lang", "ko")
    before = {p.name: p.read_bytes() for p in (full.parent / "ko-audio").iterdir()}
    page_bytes = full.read_bytes()
    set_translation(site.po("ko"), THANKS, "끝까지 들어 주셔서 고맙습니다.")

    changes, _ = proof_ok(site, "--lang", "ko", "--changed")

    assert changes != full and changes.parent == full.parent
    assert full.read_bytes() == page_bytes
    assert {p.name: p.read_bytes() for p in (full.parent / "ko-audio").iterdir()} == before
    assert len(read_page(changes)) == 1


def test_changed_counts_what_the_voice_is_given_not_only_the_text(site: Site) -> None:
    install_lexicon(site, "ko")

    page, _ = proof_ok(site, "--lang", "ko", "--changed")

    assert [m.fields["English"] for m in read_page(page)] == [MUSEUM]


def test_nothing_changed_lists_nothing(site: Site) -> None:
    page, line = proof_ok(site, "--lang", "zh_Hans", "--changed")

    assert read_page(page) == []
    assert "0 of" in line and "(0 changed since the last build)" in line


def test_the_source_language_is_proofed_from_the_scripts(site: Site) -> None:
    page, _ = proof_ok(site, "--lang", "en")

    messages = read_page(page)
    assert messages[2].fields["English"] == WELCOME
    assert "Translation" not in messages[2].fields
    assert messages[2].fields["Status"] == "The scripts' own text."
    assert messages[2].heard[0].sentences == (("en", WELCOME),)


def test_o_writes_the_page_and_its_audio_where_it_is_told(site: Site, tmp_path: Path) -> None:
    review = tmp_path / "review"
    review.mkdir()

    page, _ = proof_ok(site, "--lang", "ko", "-o", str(review / "ko.html"))

    assert page == review / "ko.html"
    files = sorted(p.name for p in (review / "ko-audio").glob("*.mp3"))
    assert len(files) == 11 and all(re.fullmatch(r"[0-9a-f]{24}\.mp3", f) for f in files)
    assert not (site.root / "proof").exists()
    assert proof(site, "--lang", "ko", "-o", str(page)).exit_code == 0  # its own page: replaced


def test_files_are_owned_by_record_not_by_how_they_look(site: Site, tmp_path: Path) -> None:
    """A file in the audio folder that proof did not write stays, even with a name like the
    ones proof gives; a page proof wrote is replaced, a page that looks like one is not."""
    page, _ = proof_ok(site, "--lang", "ko", "-o", str(tmp_path / "ko.html"))
    mine = tmp_path / "ko-audio" / ("ab" * 12 + ".mp3")
    mine.write_bytes(b"my recording")
    set_translation(site.po("ko"), THANKS, "끝까지 들어 주셔서 고맙습니다.")

    proof_ok(site, "--lang", "ko", "-o", str(page))  # its own page: replaced, old audio gone

    assert mine.read_bytes() == b"my recording"
    assert THANKS in [m.fields["English"] for m in read_page(page)]
    lookalike = tmp_path / "notes.html"
    lookalike.write_bytes(page.read_bytes())  # a copy: says "audioguide proof", is not its page
    assert proof(site, "--lang", "ko", "-o", str(lookalike)).exit_code == 2
    assert lookalike.read_bytes() == page.read_bytes()


def test_a_page_changed_by_hand_is_not_replaced(site: Site, tmp_path: Path, user_error) -> None:
    page, _ = proof_ok(site, "--lang", "ko", "-o", str(tmp_path / "ko.html"))
    page.write_bytes(page.read_bytes() + b"<!-- my notes -->\n")

    result = proof(site, "--lang", "ko", "-o", str(page))

    assert "is not a page audioguide proof wrote" in user_error(result, "ko.html")
    assert page.read_bytes().endswith(b"<!-- my notes -->\n")


def test_an_audio_folder_proof_did_not_make_is_refused(
    site: Site, tmp_path: Path, user_error
) -> None:
    (tmp_path / "ko-audio").mkdir()
    theirs = tmp_path / "ko-audio" / ("cd" * 12 + ".mp3")
    theirs.write_bytes(b"not mine to delete")

    result = proof(site, "--lang", "ko", "-o", str(tmp_path / "ko.html"))

    assert "was not made by audioguide proof" in user_error(result, "ko.html")
    assert theirs.read_bytes() == b"not mine to delete"
    assert not (tmp_path / "ko.html").exists()


def test_a_page_is_never_written_into_the_published_output(site: Site, user_error) -> None:
    site.output.mkdir(exist_ok=True)
    before = tree(site.root)

    result = proof(site, "--lang", "ko", "-o", str(site.output / "ko.html"))

    assert "which is published" in user_error(result, "ko.html")
    assert tree(site.root) == before


def test_another_users_page_in_a_sticky_folder_is_named_before_anything_is_written(
    site: Site, tmp_path: Path, user_error, monkeypatch
) -> None:
    """In a sticky folder such as /tmp only a file's owner may replace it: the page is named,
    not the temporary file a write would have failed on."""
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root (CI runs as root)")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    theirs, _ = proof_ok(site, "--lang", "ko", "-o", str(shared / "ko.html"))  # a proof page...
    os.chown(theirs, 4242, 4242)  # ...of another user's (as root, which may give it away)
    monkeypatch.setattr(proof_module.os, "geteuid", lambda: 4343)  # and we are a third user
    before = tree(shared)

    result = proof(site, "--lang", "ko", "-o", str(theirs))

    message = user_error(result, "ko.html")
    assert "belongs to another user" in message and ".audioguide-tmp" not in message
    assert tree(shared) == before


# --- bad input: one line, exit status 2, nothing written -----------------------------------------


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--lang", "fr"], "scripts/guide.yaml"),
        (["--lang", "xx-nope"], "'xx-nope';"),
        (["--lang", "ko", "-o", "{scripts}/proof.html"], "proof.html"),
        (["--lang", "ko", "-o", "{root}/no-such-folder/proof.html"], "proof.html"),
        (["--lang", "ko", "-o", "{root}/notes.html"], "notes.html"),
    ],
    ids=[
        "not-a-language-of-the-guide",
        "unknown-id",
        "inside-scripts",
        "no-folder",
        "someone-else-s-file",
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(site: Site, user_error, args, where) -> None:
    (site.root / "notes.html").write_text("<p>my notes</p>\n", encoding="utf-8")
    args = [a.format(root=site.root, scripts=site.scripts) for a in args]
    before = tree(site.root)

    result = proof(site, *args)

    message = user_error(result, where)
    assert "\n" not in message
    assert tree(site.root) == before


def test_a_missing_catalog_is_named(site: Site, user_error) -> None:
    site.po("ko").unlink()
    before = tree(site.root)

    result = proof(site, "--lang", "ko")

    message = user_error(result, "locales/ko/LC_MESSAGES/audioguide.po")
    assert "audioguide update" in message
    assert tree(site.root) == before


def test_a_page_hash_names_the_catalog_proofed(site: Site) -> None:
    page, _ = proof_ok(site, "--lang", "ko")

    digest = hashlib.sha256(site.po("ko").read_bytes()).hexdigest()
    assert f"locales/ko/LC_MESSAGES/audioguide.po, SHA-256 {digest}" in text_of(
        ET.fromstring(page.read_bytes())
    )


def test_the_page_runs_no_script_and_allows_only_its_own_style_and_audio(site: Site) -> None:
    page, _ = proof_ok(site, "--lang", "ko")

    root = ET.fromstring(page.read_bytes())
    assert root.find(".//script") is None
    policy = root.find(".//meta[@http-equiv='Content-Security-Policy']")
    style = root.find(".//style")
    assert policy is not None and style is not None and style.text
    digest = base64.b64encode(hashlib.sha256(style.text.encode("utf-8")).digest()).decode()
    assert policy.get("content") == (
        f"default-src 'none'; style-src 'sha256-{digest}'; media-src 'self'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    sources = [player.get("src") for player in root.iter("audio")]
    assert sources and all(re.fullmatch(r"ko-audio/[0-9a-f]{24}\.mp3", s) for s in sources)
