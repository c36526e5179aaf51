"""Text in the feeds: whatever a newsroom writes reaches readers exactly as written, with
nothing the W3C Feed Validation Service objects to, and nothing invisible added.

Read back by the validator itself, feedparser and newsboat (a feed reader that shows RSS
titles as plain text and everything else as HTML).
"""

from __future__ import annotations

import dataclasses
import html
import json
import shutil
from datetime import timedelta
from pathlib import Path

import feedparser
import lxml.html
import pytest
from support.feed_readers import newsboat_items, published_url, served, shown, validator_events
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, fixture, sample

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.exporters.base import Context
from briefkit.exporters.feeds import AtomExporter, JSONFeedExporter, RSSExporter
from briefkit.inline import plain
from briefkit.load import load
from briefkit.model import Author
from briefkit.render.typography import typeset

BASE = "https://briefings.example.org/"
HOSTILE_TITLE = "Q&A: <script>alert('x')</script> & “R&D” <tag> 5 < 6 שלום 🚰 &lang=en"
HOSTILE_SUMMARY = "Use <b>bold</b> & &amp; <br/> or 5 < 6 at https://example.org/?a=1&lang=en"
HOSTILE_TAGS = ["<tag>", "Q&A", "&amp;", "</b> closing", "émoji 🚰", "سياسة"]
HOSTILE_AUTHORS = [Author(name="Amira Haddad"), Author(name="Tom Brennan"),
                   Author(name="R&D <desk>")]


def hostile() -> BriefingFile:
    """A briefing whose every text field holds what looks like markup."""
    english = sample(ENGLISH)
    return dataclasses.replace(english, briefing=english.briefing.model_copy(update={
        "id": "hostile-text", "title": HOSTILE_TITLE, "summary": HOSTILE_SUMMARY,
        "tags": HOSTILE_TAGS, "authors": HOSTILE_AUTHORS, "url": None,
        "rights": "© Press & <Co>",
        "published": english.briefing.published + timedelta(days=1), "updated": None}))


@pytest.fixture(scope="module")
def items() -> list[BriefingFile]:
    return [sample(FRENCH), sample(ENGLISH), fixture("every-block"), fixture("rtl-arabic"),
            load(FIXTURES / "look" / "special-characters.json", FIXTURES), hostile()]


@pytest.fixture(scope="module")
def marked(settings: Settings, theme: object) -> Context:
    """The settings' own words hostile too."""
    # (a name is plain text, with no HTML form in Atom: one holding a closing tag, such as
    # "<b>Co</b>", is the one text the validator warns of whatever the feed does)
    words = settings.model_copy(update={"title": "Desk <script>x</script> & Co",
                                        "publisher": "Press & <Co>"})
    return Context(words, theme)  # type: ignore[arg-type]


@pytest.mark.parametrize("exporter", [RSSExporter(), AtomExporter()], ids=lambda e: e.name)
def test_the_w3c_validator_finds_nothing_in_any_feed(exporter: RSSExporter,
                                                     items: list[BriefingFile],
                                                     marked: Context) -> None:
    """Every feed file (the collection's, each topic's and language's) of briefings holding
    "<script>", "<tag>", "&", "&amp;", quotes, right-to-left text and emoji: 0 errors and 0
    warnings."""
    exported = exporter.export_collection(items, marked)
    feeds = {exporter.output: exported.data, **{path: data for path, data in
                                                 exported.files.items()
                                                 if path.endswith(exporter.output)}}
    assert len(feeds) > 10  # the topics and languages too
    said = {path: validator_events(data, published_url(BASE, path))
            for path, data in feeds.items()}
    assert {path: events for path, events in said.items() if events} == {}


def test_readers_get_every_text_exactly_as_written(items: list[BriefingFile],
                                                   marked: Context) -> None:
    """Title, summary, categories and names, in RSS, Atom and JSON Feed, as feedparser
    reads them and a reader shows them."""
    for exporter in (RSSExporter(), AtomExporter(), JSONFeedExporter()):
        reads_exactly(exporter, items, marked)


def reads_exactly(exporter: RSSExporter, items: list[BriefingFile],
                  marked: Context) -> None:
    data = exporter.export_collection(items, marked).data
    assert "\u2060" not in data.decode("utf-8")  # nothing invisible added
    title = typeset(HOSTILE_TITLE, "en-GB")  # the typography every format shares
    if exporter.name == "jsonfeed":
        feed = json.loads(data)
        item = next(i for i in feed["items"] if i["id"] == f"{BASE}hostile-text.html")
        assert (item["title"], item["summary"], item["tags"]) == (
            title, HOSTILE_SUMMARY, HOSTILE_TAGS)
        assert [a["name"] for a in item["authors"]] == [a.name for a in HOSTILE_AUTHORS]
        assert feed["title"] == "Desk <script>x</script> & Co"
        return
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert shown(parsed.feed.title, parsed.feed.title_detail) == "Desk <script>x</script> & Co"
    assert shown(parsed.feed.subtitle, parsed.feed.subtitle_detail) == \
        "Desk <script>x</script> & Co · Press & <Co>"
    entry = next(e for e in parsed.entries if e.id == f"{BASE}hostile-text.html")
    assert shown(entry.title, entry.title_detail) == title
    assert shown(entry.summary, entry.summary_detail) == HOSTILE_SUMMARY
    terms = [t.term for t in entry.tags]
    if exporter.name == "rss":  # a category holding a closing tag is sent as HTML
        terms = [html.unescape(t) if "&lt;/" in t else t for t in terms]
    assert terms == HOSTILE_TAGS
    names = [a.name for a in entry.authors]
    if exporter.name == "atom":
        assert names == [a.name for a in HOSTILE_AUTHORS]
    else:  # one dc:creator, every name in it
        assert names == ["Amira Haddad, Tom Brennan and R&D <desk>"]
    every = next(e for e in parsed.entries if e.id == f"{BASE}every-block.html")
    assert shown(every.title, every.title_detail) == \
        "Every block: a test briefing <script>alert(1)</script>"
    content = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
    assert not list(content.iter("script", "b"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("newsboat") is None, reason="Debian package newsboat needed")
@pytest.mark.parametrize("exporter", [RSSExporter(), AtomExporter()], ids=lambda e: e.name)
def test_newsboat_shows_every_author_the_lede_and_the_titles(
        exporter: RSSExporter, items: list[BriefingFile], marked: Context,
        tmp_path: Path) -> None:
    site = tmp_path / "dist"
    site.mkdir()
    (site / exporter.output).write_bytes(exporter.export_collection(items, marked).data)
    with served(site) as address:
        shown_items = newsboat_items(address + exporter.output, tmp_path / "reader")
    for item in items:
        briefing = item.briefing
        seen = shown_items[f"{BASE}{item.id}.html"]
        for author in briefing.authors:  # every author, not only the last
            assert author.name in seen["author"], (item.id, seen["author"])
        if briefing.standfirst:  # the lede opens the body newsboat shows
            lede = lxml.html.fragment_fromstring(seen["content"], create_parent="div").xpath(
                "string(.//*[@class='standfirst'])")
            assert " ".join(lede.split()) == " ".join(
                typeset(plain(briefing.standfirst), briefing.language).split()), item.id
        title = typeset(briefing.title, briefing.language)
        if exporter.name == "atom" or "</" not in title:
            # newsboat shows an RSS title as plain text: one holding a closing tag is sent
            # as HTML (the validator's rule), which newsboat shows escaped; Atom says which
            assert " ".join(seen["title"].split()) == " ".join(title.split()), item.id


def test_a_collection_named_after_its_publisher_says_it_once(
        items: list[BriefingFile], settings: Settings, theme: object) -> None:
    same = settings.model_copy(update={"title": "Review desk", "publisher": "Review desk"})
    context = Context(same, theme)  # type: ignore[arg-type]
    rss = feedparser.parse(RSSExporter().export_collection(items, context).data)
    assert rss.feed.subtitle == "Review desk"
    atom = feedparser.parse(AtomExporter().export_collection(items, context).data)
    assert atom.feed.subtitle == "Review desk"
    assert json.loads(JSONFeedExporter().export_collection(items, context).data)[
        "description"] == "Review desk"


@pytest.mark.parametrize("text", ["AT&T <b> & &lt; 3 > 2", "&amp;lt;", "a&&b<<>>", "&#x26;"])
def test_references_written_in_hexadecimal_read_back_as_the_same_text(text: str) -> None:
    from lxml import etree

    from briefkit.exporters.feeds.text import hexadecimal_references

    element = etree.Element("title", note=text)
    element.text = text
    written = etree.tostring(element)
    rewritten = hexadecimal_references(written)
    assert b"&amp;" not in rewritten and b"&lt;" not in rewritten and b"&gt;" not in rewritten
    again = etree.fromstring(rewritten)
    assert (again.text, again.get("note")) == (text, text)
