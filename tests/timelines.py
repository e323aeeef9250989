"""Timelines for renderer tests: :class:`~audioguide.edition.Track` values laid out the way the
build lays them out, without synthesising anything."""

from __future__ import annotations

from collections.abc import Sequence

from audioguide.edition import ANNOUNCEMENT, PARAGRAPH, TITLE, Block, Sentence, Track


def make_track(
    number: int,
    section_id: str,
    title: str,
    announcement: Sequence[tuple[int, int, str]],
    paragraphs: Sequence[Sequence[tuple[int, int, str]]],
    *,
    lang: str,
    duration_ms: int,
    source_lang: str = "en",
    untranslated: Sequence[str] = (),
    headings: Sequence[str] | None = None,
    joiner: str = " ",
    announcement_text: str | None = None,
    voices: Sequence[str] = ("test",),
) -> Track:
    """A track from timed sentences: ``announcement`` and each paragraph are lists of
    ``(start_ms, end_ms, text)``. ``untranslated`` names the parts read in ``source_lang``:
    ``"title"`` and ``"p1"``, ``"p2"``, ... (their message ids are ``<section_id>/<part>``)."""

    def sentence(start: int, end: int, text: str, part: str | None) -> Sentence:
        fallback = f"{section_id}/{part}" if part in untranslated else None
        return Sentence(text, text, source_lang if fallback else lang, fallback, start, end)

    title_untranslated = "title" in untranslated
    intro = tuple(
        sentence(start, end, text, "title" if text.rstrip(".。") == title else None)
        for start, end, text in announcement
    )
    blocks = [
        Block(
            ANNOUNCEMENT,
            ANNOUNCEMENT,
            announcement_text or " ".join(s.text for s in intro),
            lang,
            None,
            "",
            intro,
        )
    ]
    for n, timed in enumerate(paragraphs, 1):
        part = f"p{n}"
        sentences = tuple(sentence(start, end, text, part) for start, end, text in timed)
        fallback = f"{section_id}/{part}" if part in untranslated else None
        blocks.append(
            Block(
                PARAGRAPH,
                part,
                joiner.join(s.text for s in sentences),
                source_lang if fallback else lang,
                fallback,
                headings[n - 1] if headings else f"{title} ({n})",
                sentences,
            )
        )
    return Track(
        number=number,
        section_id=section_id,
        title=title,
        title_lang=source_lang if title_untranslated else lang,
        stem=f"{number:02d}-{section_id}",
        duration_ms=duration_ms,
        blocks=tuple(blocks),
        voices=tuple(voices),
    )


def spoken_title(title: str, lang: str, duration_ms: int = 1800) -> Track:
    """The guide's title spoken on its own, as the build plans it (the DAISY book's first
    heading plays it)."""
    sentence = Sentence(title, title, lang, None, 250, duration_ms - 800)
    block = Block(ANNOUNCEMENT, TITLE, title, lang, None, "", (sentence,))
    return Track(0, TITLE, title, lang, f"00-{TITLE}", duration_ms, (block,), ("test",))
