"""Every format holds every text of a briefing, in the order the briefing gives it.

The samples in source/ and every briefing in tests/fixtures/ are exported once,
by the command line, in every format; each output is read back by an
independent reader (see :mod:`support.readers`) and must hold the title, subtitle,
standfirst, every heading and every block's text, and the sources, in order; the e-mail
in its plain-text part and its HTML part both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.newsrooms import FIXTURES, SAMPLES
from support.readers import (
    Expected,
    assert_in_order,
    docx_text,
    email_html,
    email_text,
    epub_text,
    expected_from_file,
    feed_contents,
    html_text,
    missing_in_order,
    pdf_texts,
    plain,
)

BRIEFINGS = sorted([*SAMPLES.glob("*.json"), *FIXTURES.glob("*.json")], key=lambda p: p.stem)
READERS = {"pdf": pdf_texts, "docx": docx_text, "epub": epub_text, "html": html_text}
FEEDS = {"feed.xml": "rss", "atom.xml": "atom", "feed.json": "jsonfeed"}


@pytest.mark.parametrize("fmt", READERS)
@pytest.mark.parametrize("source", BRIEFINGS, ids=[p.stem for p in BRIEFINGS])
def test_every_text_is_in_the_output_in_order(exported_all: Path, source: Path, fmt: str) -> None:
    output = exported_all / "dist" / f"{source.stem}.{fmt}"
    text = READERS[fmt](output.read_bytes())
    assert_in_order(text, expected_from_file(source), output.name)


@pytest.mark.parametrize("reader", [email_text, email_html], ids=["plain text", "HTML"])
@pytest.mark.parametrize("source", BRIEFINGS, ids=[p.stem for p in BRIEFINGS])
def test_every_text_is_in_the_email_in_order(exported_all: Path, source: Path,
                                             reader: Callable[[bytes], str]) -> None:
    output = exported_all / "dist" / f"{source.stem}.eml"
    assert_in_order(reader(output.read_bytes()), expected_from_file(source),
                    f"{output.name} ({reader.__name__})")


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("source", BRIEFINGS, ids=[p.stem for p in BRIEFINGS])
def test_every_text_is_in_the_feed_entry_in_order(exported_all: Path, source: Path,
                                                  feed: str) -> None:
    contents = feed_contents((exported_all / "dist" / feed).read_bytes(), FEEDS[feed])
    entries = [link for link in contents if link.rstrip("/").endswith(
        (f"/{source.stem}", f"/{source.stem}.html"))]
    assert len(entries) == 1, f"{feed}: no single entry for {source.stem} in {list(contents)}"
    # the reader shows the entry's title, summary and byline: the content starts with the article
    assert_in_order(contents[entries[0]], expected_from_file(source, front=False),
                    f"{feed} {source.stem}")


# --- the check itself -----------------------------------------------------------------


def test_markup_is_stripped_as_a_reader_sees_it() -> None:
    link = "[c *d*](https://example.org/wiki/Foo_(bar))"
    assert plain(f"**a** *b* {link} e") == "**a** *b* c *d* e"
    assert plain(r"\[not a link\](https://x.org) \\") == "[not a link](https://x.org) \\"
    assert plain("[mail](mailto:desk@example.org).") == "mail."


def test_a_dropped_or_moved_block_is_named() -> None:
    wanted = [Expected("/a", "L’Iran a tiré"), Expected("/b", "« Pas de victimes »"),
              Expected("/c", "Fin")]
    typeset = "L\u2019I-\nran a\u00a0tir\u00e9\u00ad ... \u00ab\u202fPAS de victimes\u202f\u00bb Fin"
    assert missing_in_order(typeset, wanted) == []
    assert missing_in_order("L'Iran a tiré. Fin", wanted) == [
        "/b missing: '« Pas de victimes »'"]
    assert missing_in_order("Pas de victimes. L'Iran a tiré. Fin", wanted) == [
        "/b out of order: '« Pas de victimes »'"]
