"""Property tests: any valid briefing exports, in every installed format, to a file
an independent reader opens and finds the briefing's title in; a format that
carries the whole briefing (Word, EPUB, web page, the feeds' content) holds every
heading and paragraph too, in order (:mod:`support.readers`).

Briefings come from :mod:`strategies` (every block type, any script, emoji,
combining marks, balanced bidi controls, markup, long words).  The exporters
come from the registry, so a format installed later is covered without a
change here; its media type needs a reader in :mod:`readers`.

The default profile runs 20 examples per format (fewer for the PDF, the slow
one); ``make test-full`` runs the "deep" profile, and EPUBCheck on more books.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile import strategies
from hostile.readers import Reading, read
from hypothesis import Phase, given
from hypothesis import settings as hypothesis_settings
from support.epubcheck import check_books
from support.exports import export_with
from support.newsrooms import FIXTURES
from support.readers import (
    assert_in_order,
    docx_text,
    email_text,
    epub_text,
    expected,
    feed_contents,
    html_text,
    letters,
)

from briefkit import registry
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings, period_length
from briefkit.errors import BriefingError
from briefkit.exporters.base import Exporter
from briefkit.load import load
from briefkit.theme import Theme

PROFILE = hypothesis_settings.default
#: the PDF takes a second or more per briefing, and so does an e-book with random text in
#: every script (its font subsets are made for its characters): a quarter of the examples
HEAVY = {"application/pdf": max(4, PROFILE.max_examples // 4),
         "application/epub+zip": max(4, PROFILE.max_examples // 4)}
INJECTED_ELEMENTS = {"script", "iframe", "object", "embed", "form"}
INJECTED_ATTRIBUTES = {"onerror", "onload", "onclick"}
#: formats that list addresses, not titles (a sitemap names a title only for recent news)
TITLELESS = {"application/xml"}
#: the deep profile runs hundreds of examples per format: more time than other tests get
pytestmark = pytest.mark.timeout(max(300, 15 * PROFILE.max_examples))


def load_generated(folder: Path, briefings: list[dict[str, Any]]) -> list[BriefingFile]:
    """Write the generated briefings as files beside the image they show, and load them."""
    images = folder / "images"
    images.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "images" / "chart.png", images / "chart.png")
    items = []
    for data in briefings:
        path = folder / f"{data['id']}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        items.append(load(path, folder))
    return items


#: readers of the whole text of one briefing's output, by media type.  Not the PDF: its
#: text comes out in visual order where random scripts, digits and bidirectional controls
#: mix (an override even reverses letters); its reading order is checked on the samples
#: and fixtures, Arabic included, in tests/exporters/test_reading_order.py.
WHOLE_TEXT: dict[str, Callable[[bytes], str | list[str]]] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": docx_text,
    "application/epub+zip": epub_text,
    "text/html": html_text,
    "message/rfc822": email_text,  # the plain text, which holds all of a long briefing too
}
#: feeds whose entries carry each briefing's whole text
FEEDS = {"application/rss+xml": "rss", "application/atom+xml": "atom",
         "application/feed+json": "jsonfeed"}


def assert_every_heading_and_paragraph(exporter: Exporter, data: bytes,
                                       briefings: list[dict[str, Any]]) -> None:
    """Title, subtitle, standfirst, every heading and every paragraph, in order, in the
    output of a format that carries the whole briefing (each entry of a feed)."""
    if exporter.media_type in FEEDS:
        contents = feed_contents(data, FEEDS[exporter.media_type])
        for briefing in briefings:
            links = [link for link in contents if link.rstrip("/").endswith(
                (f"/{briefing['id']}", f"/{briefing['id']}.html"))]
            assert len(links) == 1, f"no single entry for {briefing['id']}: {list(contents)}"
            # the reader shows the entry's title, summary and byline: the content is the article
            assert_in_order(contents[links[0]],
                            expected(briefing, front=False, sources=False, blocks=False),
                            f"{exporter.name} entry {briefing['id']}")
    elif exporter.media_type in WHOLE_TEXT and not exporter.collection:
        (briefing,) = briefings
        assert_in_order(WHOLE_TEXT[exporter.media_type](data),
                        expected(briefing, sources=False, blocks=False), exporter.name)


def listed(exporter: Exporter, items: list[BriefingFile],
           settings: Settings) -> list[BriefingFile]:
    """The briefings whose title a collection names: the digest only those of its period
    (back from the newest change), every other collection all of them."""
    if exporter.name != "digest" or not items:
        return items
    newest = max(i.briefing.modified for i in items)
    span = period_length(settings.email.digest_since)
    return [i for i in items if newest - i.briefing.modified <= span]


def drawn_by(theme: Theme) -> frozenset[str]:
    """Every character a face of the theme maps to a glyph, read with fontTools."""
    paths = [theme.find(face.path) for face in theme.settings.fonts.files]
    return _drawn(tuple(p for p in paths if p is not None))


@functools.cache
def _drawn(paths: tuple[Path, ...]) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    found: set[str] = set()
    for path in paths:
        with TTFont(str(path), lazy=True) as font:
            found.update(map(chr, font.getBestCmap()))
    return frozenset(found)


def needs_a_glyph(ch: str) -> bool:
    """Text layout chooses no font for controls, format characters, spaces and variation
    selectors (Pango's rule): any face does."""
    return not (unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
                or (unicodedata.category(ch) == "Zs" and ch != "\u1680")
                or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef")


#: languages whose dates the default theme cannot print (CJK and Devanagari month names)
UNDRAWN_LANGUAGES = {"ja", "zh-Hant", "hi"}


def drawable_or_refused(exporter: Exporter, briefings: list[dict[str, Any]],
                        settings: Settings, theme: Theme) -> list[dict[str, Any]]:
    """A PDF with a letter no face of the theme draws is refused, naming such a letter of
    the briefing or of its dateline; the briefing with those letters made '?' is what the
    PDF is checked on."""
    drawn = drawn_by(theme)

    def mend(value: Any) -> Any:
        if isinstance(value, str):
            return "".join("?" if ch not in drawn and needs_a_glyph(ch) else ch
                           for ch in value)
        if isinstance(value, list):
            return [mend(v) for v in value]
        if isinstance(value, dict):
            return {k: mend(v) for k, v in value.items()}
        return value

    # and a language whose dates are written in a script the theme lacks is set in English
    mended = [{**b, "language": "en"} if b["language"] in UNDRAWN_LANGUAGES else b
              for b in mend(briefings)]
    if mended == briefings:
        return briefings
    with tempfile.TemporaryDirectory() as folder:
        items = load_generated(Path(folder), briefings)
        try:
            export_with(exporter, items, settings, theme)
        except BriefingError as error:
            named = re.search(r"'(.+?)' \(U\+([0-9A-F]{4,6})\)", error.message)
            assert named, error.message
            letter = chr(int(named.group(2), 16))
            assert letter not in drawn
            assert letter in json.dumps(briefings, ensure_ascii=False) or (
                "in text the page adds" in error.message
                and briefings[0]["language"] in UNDRAWN_LANGUAGES)
        # else: the letters were in fields the PDF does not print (tags, a summary)
    return mended


def holds_title(reading: Reading, title: str) -> bool:
    """The title is in the declared titles or the visible text, typography aside
    (curly quotes, no-break spaces, line breaks: compared on letters and digits)."""
    wanted = letters(title)
    return any(wanted in letters(t) for t in reading.titles) or wanted in letters(reading.all_text)


# The Word document embeds font subsets made for each document's characters: with random
# text in every script, each example costs seconds, so its run is a slow check.
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "docx" else n
                                  for n in registry.names()])
def test_every_format_is_well_formed_and_holds_the_title(name: str, settings: Settings,
                                                         theme: Theme) -> None:
    exporter = registry.get(name)
    examples = HEAVY.get(exporter.media_type, PROFILE.max_examples)
    drawn = strategies.collection() if exporter.collection else \
        strategies.briefing().map(lambda one: [one])

    @hypothesis_settings(PROFILE, max_examples=examples)
    @given(drawn)
    def check(briefings: list[dict[str, Any]]) -> None:
        if exporter.media_type == "application/pdf":
            briefings = drawable_or_refused(exporter, briefings, settings, theme)
        with tempfile.TemporaryDirectory() as folder:
            items = load_generated(Path(folder), briefings)
            data = export_with(exporter, items, settings, theme).data
            reading = read(exporter.media_type, data)
        assert_every_heading_and_paragraph(exporter, data, briefings)
        assert not reading.elements & INJECTED_ELEMENTS
        assert not reading.attributes & INJECTED_ATTRIBUTES
        for item in listed(exporter, items, settings) \
                if exporter.media_type not in TITLELESS else []:
            assert holds_title(reading, item.briefing.title), (
                f"{name}: title {item.briefing.title!r} not found in {reading.titles!r}")

    check()


def _epubcheck_generated(folder: Path, shared: Path, settings: Settings, theme: Theme,
                         examples: int) -> None:
    """EPUBCheck finds no fatal error and no error in the books of ``examples`` briefings
    drawn at random: the books made first, then all checked by one Java process (each
    start of EPUBCheck takes seconds, :mod:`support.epubcheck`); a failing book is
    reported with the briefing it was drawn from."""
    if "epub" not in registry.names():
        pytest.skip("no EPUB exporter installed")
    exporter = registry.get("epub")
    books: list[tuple[dict[str, Any], Path]] = []

    # no shrinking: a failing book is reported as drawn
    @hypothesis_settings(PROFILE, max_examples=examples,
                         phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(strategies.briefing())
    def make(briefing: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as source:
            items = load_generated(Path(source), [briefing])
            book = folder / f"book-{len(books)}.epub"
            book.write_bytes(export_with(exporter, items, settings, theme).data)
        books.append((briefing, book))

    make()
    assert books
    results = check_books([book for _, book in books], folder, shared)
    for (briefing, book), ((fatal, errors, _), messages) in zip(books, results, strict=True):
        assert fatal == errors == 0, (
            f"EPUBCheck on {book.name}: {messages}\nfrom the briefing "
            f"{json.dumps(briefing, ensure_ascii=False)}")


def test_epubcheck_passes_on_a_sample(tmp_path: Path, shared_folder: Path,
                                      settings: Settings, theme: Theme) -> None:
    _epubcheck_generated(tmp_path, shared_folder, settings, theme, examples=2)


@pytest.mark.slow
def test_epubcheck_passes_on_many(tmp_path: Path, shared_folder: Path,
                                  settings: Settings, theme: Theme) -> None:
    _epubcheck_generated(tmp_path, shared_folder, settings, theme,
                         examples=max(10, PROFILE.max_examples // 10))
