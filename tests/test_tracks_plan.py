"""Planning a track: who speaks what, before any audio is made."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog

from audioguide import speakers, tracks
from audioguide.catalogs import Translation
from audioguide.engines import Voice
from audioguide.languages import resolve
from audioguide.script import Pauses, Section, Text

ENGLISH, FRENCH = resolve("en"), resolve("fr")
HERE = Path("01-intro.yaml")


def _section() -> Section:
    return Section(
        id="intro",
        title=Text("Welcome", HERE, 2),
        paragraphs=(Text("The first sentence. The second one.", HERE, 4),),
        note=None,
        path=HERE,
        line=1,
        position=1,
    )


def _plan(catalog: Catalog) -> tracks.TrackPlan:
    french = speakers.speaker("espeak", FRENCH, Voice())
    english = speakers.speaker("espeak", ENGLISH, Voice())
    return tracks.plan_track(
        _section(), 3, "Guide", Translation(FRENCH, catalog, None), french, english, Pauses(),
        "out.mp3",
    )  # fmt: skip


def _spoken(plan: tracks.TrackPlan) -> list[tuple[str, str]]:
    return [
        (sentence.text, utterance.speaker.language.tag)
        for sentence, utterance in zip(plan.track.sentences, plan.utterances, strict=True)
    ]


def test_an_untranslated_announcement_is_read_by_the_source_voice() -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Welcome", "Bienvenue")
    catalog.add("The first sentence. The second one.", "La première phrase. La seconde.")

    plan = _plan(catalog)

    assert _spoken(plan) == [
        ("Track 1 of 3.", "en"),
        ("Bienvenue.", "fr"),
        ("La première phrase.", "fr"),
        ("La seconde.", "fr"),
    ]
    assert plan.track.fallbacks == ()


def test_a_translated_announcement_and_an_untranslated_paragraph() -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Track {number} of {total}. {title}.", "Piste {number} sur {total}. {title}.")
    catalog.add("Welcome", "Bienvenue")

    plan = _plan(catalog)

    assert _spoken(plan) == [
        ("Piste 1 sur 3.", "fr"),
        ("Bienvenue.", "fr"),
        ("The first sentence.", "en"),
        ("The second one.", "en"),
    ]
    assert plan.track.fallbacks == ("intro/p1",)
    assert (
        plan.track.transcript == "Piste 1 sur 3. Bienvenue.\n\nThe first sentence. The second one."
    )


def test_a_translation_with_a_broken_placeholder_is_not_spoken() -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Track {number} of {total}. {title}.", "Piste {numero} sur {total}. {title}.")

    plan = _plan(catalog)

    assert _spoken(plan)[0] == ("Track 1 of 3.", "en")


def test_the_plan_hash_changes_with_what_is_spoken_and_only_then() -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Welcome", "Bienvenue")
    same = _plan(catalog).inputs

    assert _plan(catalog).inputs == same
    catalog["Welcome"].string = "Bienvenue à tous"
    assert _plan(catalog).inputs != same
