"""The feeds and pages of topics and languages, archived feeds (RFC 5005), the paged front
page, and what a reader without a stylesheet sees of an article in a feed.

Every feed is read back with feedparser and lxml, followed link by link as a reader
would, and checked by the W3C validator when it is installed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import feedparser
import lxml.html
import pytest
from lxml import etree
from support.commands import run_briefkit
from support.exports import made
from support.feed_readers import published_url, shown, validator_events
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, fixture, sample

from briefkit.briefing_file import BriefingFile
from briefkit.config import FeedSettings, Settings
from briefkit.exporters.base import Context, Exported
from briefkit.exporters.feeds import AtomExporter, JSONFeedExporter, RSSExporter
from briefkit.exporters.site import FrontPageExporter
from briefkit.load import load
from briefkit.theme import load_theme

BASE = "https://briefings.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
HISTORY = "{http://purl.org/syndication/history/1.0}"
FEEDS = [RSSExporter(), AtomExporter(), JSONFeedExporter()]


@pytest.fixture(scope="module")
def items() -> list[BriefingFile]:
    return [sample(FRENCH), sample(ENGLISH), fixture("every-block"), fixture("rtl-arabic"),
            load(FIXTURES / "look" / "special-characters.json", FIXTURES)]


@pytest.fixture(scope="module")
def cctx(settings: Settings, theme: object) -> Context:
    return Context(settings, theme)  # type: ignore[arg-type]


def every_feed(exporter: RSSExporter, items: list[BriefingFile],
               context: Context) -> dict[str, bytes]:
    """Every file one feed format writes, by path in the output folder."""
    exported = exporter.export_collection(items, context)
    return {exporter.output: exported.data,
            **{p: d for p, d in exported.files.items() if p.endswith("/" + exporter.output)}}


def ids_in(exporter: RSSExporter, data: bytes) -> list[str]:
    if exporter.name == "jsonfeed":
        return [i["id"] for i in json.loads(data)["items"]]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [e.id for e in parsed.entries]


def self_url(exporter: RSSExporter, data: bytes) -> str:
    if exporter.name == "jsonfeed":
        return str(json.loads(data)["feed_url"])
    return next(link.href for link in feedparser.parse(data).feed.links if link.rel == "self")


def topic_folder_of(tag: str, feeds: dict[str, bytes], exporter: RSSExporter) -> str:
    """The folder whose feed is titled after ``tag``, read from the feeds themselves."""
    for path, data in feeds.items():
        if exporter.name == "jsonfeed":
            title = json.loads(data)["title"]
        else:
            parsed = feedparser.parse(data)
            title = shown(parsed.feed.title, parsed.feed.title_detail)
        if path.startswith("tags/") and title.endswith(" · " + tag):
            return path.removesuffix(exporter.output)
    raise AssertionError(f"no feed for the topic {tag!r}")


@pytest.mark.parametrize("exporter", FEEDS, ids=lambda e: e.name)
def test_a_feed_for_every_topic_and_every_language(exporter: RSSExporter,
                                                   items: list[BriefingFile],
                                                   cctx: Context) -> None:
    feeds = every_feed(exporter, items, cctx)
    tags = {t.casefold() for i in items for t in i.briefing.tags}
    for tag in {t for i in items for t in i.briefing.tags}:
        folder = topic_folder_of(tag, feeds, exporter)
        data = feeds[folder + exporter.output]
        expected = [i for i in items if tag.casefold() in
                    {t.casefold() for t in i.briefing.tags}]
        assert sorted(ids_in(exporter, data)) == sorted(f"{BASE}{i.id}.html" for i in expected)
        assert unquote(self_url(exporter, data)) == BASE + folder + exporter.output
    assert len([p for p in feeds if p.startswith("tags/")]) == len(tags)
    for language, members in (("fr", [FRENCH]), ("ar", ["rtl-arabic"]),
                              ("en", [ENGLISH, "every-block", "special-characters"])):
        data = feeds[f"{language}/{exporter.output}"]
        assert sorted(ids_in(exporter, data)) == sorted(f"{BASE}{m}.html" for m in members)
        if exporter.name == "jsonfeed":
            assert json.loads(data)["language"] == language
        else:
            assert feedparser.parse(data).feed.language == language
    if exporter.name != "jsonfeed":  # the same checks as the collection's own feed
        said = {p: validator_events(d, published_url(BASE, p)) for p, d in feeds.items()}
        assert {p: e for p, e in said.items() if e} == {}


def newsroom_of(count: int, tmp_path: Path) -> list[BriefingFile]:
    """``count`` briefings a day apart, all tagged "transport"."""
    english = sample(ENGLISH)
    return [dataclasses.replace(english, briefing=english.briefing.model_copy(update={
        "id": f"day-{n:03d}", "title": f"Day {n}", "url": None, "updated": None,
        "tags": ["transport"],
        "published": english.briefing.published + timedelta(days=n)})) for n in range(count)]


def follow(exporter: RSSExporter, feeds: dict[str, bytes], start: str) -> list[list[str]]:
    """The entries of a feed and of every archive a reader reaches from it, following
    prev-archive (next_url in JSON Feed) to the oldest."""
    seen, path = [], start
    while path is not None:
        data = feeds[path]
        seen.append(ids_in(exporter, data))
        if exporter.name == "jsonfeed":
            older = json.loads(data).get("next_url")
        elif exporter.name == "rss":
            root = etree.fromstring(data)
            found = root.find(f"channel/{ATOM}link[@rel='prev-archive']")
            older = found.get("href") if found is not None else None
            assert (root.find(f"channel/{HISTORY}archive") is not None) == (path != start)
        else:
            root = etree.fromstring(data)
            found = root.find(f"{ATOM}link[@rel='prev-archive']")
            older = found.get("href") if found is not None else None
            assert (root.find(f"{HISTORY}archive") is not None) == (path != start)
        if exporter.name != "jsonfeed" and path != start:  # an archive names its feed
            links = {link.rel: link.href for link in feedparser.parse(data).feed.links}
            assert links["current"] == BASE + start
        path = unquote(older.removeprefix(BASE)) if older else None
    return seen


@pytest.mark.parametrize("exporter", FEEDS, ids=lambda e: e.name)
def test_archives_take_a_reader_to_the_oldest_briefing(exporter: RSSExporter, tmp_path: Path,
                                                       cctx: Context) -> None:
    """RFC 5005: what falls out of a feed's newest max_entries is in archives, each linked
    to the one before; an archive, once full, never changes as briefings are added."""
    settings = cctx.settings.model_copy(update={"feed": FeedSettings(max_entries=3)})
    small = dataclasses.replace(cctx, settings=settings)
    briefings = newsroom_of(11, tmp_path)
    feeds = every_feed(exporter, briefings, small)
    everything = [f"{BASE}day-{n:03d}.html" for n in reversed(range(11))]
    for start in (exporter.output, "tags/transport/" + exporter.output):
        pages = follow(exporter, feeds, start)
        assert [len(p) for p in pages] == [3, 2, 3, 3]  # the newest three, then archives
        assert [i for p in pages for i in p] == everything
    if exporter.name != "jsonfeed":
        said = {p: validator_events(d, published_url(BASE, p)) for p, d in feeds.items()}
        assert {p: e for p, e in said.items() if e} == {}
    later = every_feed(exporter, newsroom_of(12, tmp_path), small)
    assert later["archive/1/" + exporter.output] == feeds["archive/1/" + exporter.output]
    assert later["archive/2/" + exporter.output] == feeds["archive/2/" + exporter.output]


@pytest.mark.parametrize("exporter", FEEDS, ids=lambda e: e.name)
def test_entry_ids_never_change(exporter: RSSExporter, tmp_path: Path,
                                cctx: Context) -> None:
    """A corrected title, a moved date or another theme: every entry keeps its id, in the
    feed, its topic's feed and the archives alike."""
    settings = cctx.settings.model_copy(update={"feed": FeedSettings(max_entries=2)})
    small = dataclasses.replace(cctx, settings=settings)
    briefings = newsroom_of(5, tmp_path)

    def ids(items: list[BriefingFile], context: Context) -> list[str]:
        feeds = every_feed(exporter, items, context)
        return sorted(i for path in ("tags/transport/" + exporter.output, exporter.output)
                      for page in follow(exporter, feeds, path) for i in page)

    before = ids(briefings, small)
    assert before == sorted(2 * [f"{BASE}day-{n:03d}.html" for n in range(5)])
    first = briefings[0]
    corrected = dataclasses.replace(first, briefing=first.briefing.model_copy(update={
        "title": "Day 0 (corrected)",
        "published": first.briefing.published + timedelta(days=30)}))
    assert ids([corrected, *briefings[1:]], small) == before
    wire = dataclasses.replace(small, theme=load_theme("wire", Path(".")))
    assert ids(briefings, wire) == before


@pytest.fixture(scope="module")
def front_pages(items: list[BriefingFile], cctx: Context) -> Exported:
    """The front page and every page beside it, two briefings a page (made once: the theme's
    web fonts take a while)."""
    settings = cctx.settings.model_copy(update={
        "front_page": cctx.settings.front_page.model_copy(update={"per_page": 2})})
    outputs = {i.id: made(i.id, html=1_000, pdf=2_000) for i in items}
    return FrontPageExporter().export_collection(items, dataclasses.replace(
        cctx, settings=settings, outputs=outputs))


def test_the_front_page_comes_in_pages(items: list[BriefingFile], front_pages: Exported) -> None:
    exported = front_pages
    pages = {"index.html": exported.data, **{p: d for p, d in exported.files.items()
                                             if p.startswith("page/")}}
    assert sorted(pages) == ["index.html", "page/2.html", "page/3.html"]
    listed = []
    for path, data in pages.items():
        tree = lxml.html.document_fromstring(data)
        rows = tree.xpath("//ol[@class='briefings']/li")
        listed += [r.get("id") for r in rows]
        for row in rows:  # links still reach the briefings' files from a page's folder
            href = row.xpath("string(.//h2/a/@href)")
            assert os.path.normpath(os.path.join(os.path.dirname(path), href)) == \
                f"{row.get('id')}.html"
            for download in row.xpath(".//a[@download]/@href"):
                assert os.path.normpath(os.path.join(os.path.dirname(path), download)) == \
                    f"{row.get('id')}.pdf"
        numbers = tree.xpath("//nav[@class='pages']//a/@href")
        assert len(numbers) == 2  # the two other pages
        for href in numbers:
            assert os.path.normpath(os.path.join(os.path.dirname(path), href)) in pages
    assert sorted(listed) == sorted(i.id for i in items)  # every briefing, once


def test_every_topic_and_language_has_its_page(items: list[BriefingFile], front_pages: Exported,
                                               cctx: Context) -> None:
    exported = front_pages
    feeds = every_feed(AtomExporter(), items, cctx)
    folder = topic_folder_of("Q&A", feeds, AtomExporter())
    page = lxml.html.document_fromstring(exported.files[folder + "index.html"])
    assert [r.get("id") for r in page.xpath("//ol[@class='briefings']/li")] == [
        "special-characters"]
    alternates = page.xpath("//head/link[@rel='alternate']/@href")
    assert alternates == ["feed.xml", "atom.xml", "feed.json"]  # its own feeds, beside it
    arabic = lxml.html.document_fromstring(exported.files["ar/index.html"])
    assert arabic.get("dir") == "rtl" and arabic.get("lang") == "ar"


@pytest.mark.slow
def test_a_briefing_page_links_and_announces_its_topics(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).parents[2] / "briefkit.toml", tmp_path / "briefkit.toml")
    (tmp_path / "source").mkdir()
    shutil.copy(FIXTURES / "look" / "special-characters.json", tmp_path / "source")
    done = run_briefkit("export", "--all", "-f", "html", "-f", "index", "-f", "rss", "-f",
                        "atom", "-f", "jsonfeed", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    dist = tmp_path / "dist"
    page = lxml.html.parse(str(dist / "special-characters.html")).getroot()
    announced = page.xpath("//head/link[@rel='alternate']/@href")
    topics = page.xpath("//a[@rel='tag']")
    assert sorted(t.text_content() for t in topics) == sorted(
        ["standards", "Q&A", "<tags>", "émoji 🚰"])
    for topic in topics:
        folder = os.path.dirname(unquote(topic.get("href")))
        assert (dist / folder / "index.html").is_file()
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert f"{topic.get('href').rsplit('/', 1)[0]}/{name}" in announced
            assert (dist / folder / name).is_file()
    assert "en/atom.xml" in announced and (dist / "en" / "atom.xml").is_file()


def test_an_article_reads_right_without_a_stylesheet(cctx: Context) -> None:
    """A reader applies none of the theme's CSS: the timeline is not a second numbered
    list, caption and credit, a table's caption and header, stand apart, and a quote's
    attribution keeps its dash."""
    every = fixture("every-block")
    parsed = feedparser.parse(RSSExporter().export_collection([every], cctx).data)
    article = lxml.html.fragment_fromstring(parsed.entries[0].content[0].value)
    assert article.xpath(".//ol[contains(@class, 'timeline')]") == []
    (timeline,) = article.xpath(".//ul[contains(@class, 'timeline')]")
    for event in timeline.iter("li"):
        assert " — " in event.text_content()
    for figure in article.xpath(".//figure[img]"):
        lines = [line.strip() for line in lxml.html.tostring(
            figure, method="html", encoding="unicode").replace("<br>", "\n").split("\n")]
        caption = figure.xpath("string(.//*[@class='caption'])")
        credit = figure.xpath("string(.//*[@class='credit'])")
        if caption and credit:
            assert not any(caption in line and credit in line for line in lines)
    for table in article.xpath(".//table"):
        assert table.find("caption") is None
        caption = table.getprevious()
        assert caption is not None and caption.tag == "p" and caption.text_content().strip()
    for attribution in article.xpath(".//*[@class='attribution']"):
        assert attribution.text_content().startswith("— ")


@pytest.mark.slow
def test_a_change_rewrites_only_the_listings_it_is_in(newsroom: Path) -> None:
    """Correcting the French briefing rewrites the feeds and pages it is listed in (all,
    French, its topics), and leaves every other listing's files as they were, unwritten."""
    formats = ("-f", "rss", "-f", "atom", "-f", "jsonfeed", "-f", "index")
    done = run_briefkit("export", "--all", *formats, "--quiet", cwd=newsroom)
    assert done.returncode == 0, done.stderr
    dist = newsroom / "dist"
    listed = [p for p in dist.rglob("*") if p.is_file() and p.name in (
        "feed.xml", "atom.xml", "feed.json", "index.html")]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in listed}
    french = json.loads((newsroom / "source" / f"{FRENCH}.json").read_text("utf-8"))
    assert "Iran" in french["tags"]
    french["title"] += " (corrigé)"
    (newsroom / "source" / f"{FRENCH}.json").write_text(json.dumps(french), "utf-8")
    done = run_briefkit("export", "--all", *formats, "--quiet", cwd=newsroom)
    assert done.returncode == 0, done.stderr
    with_french = {"", "fr/"} | {f"tags/{t.casefold().replace(' ', '-')}/"
                                 for t in french["tags"]}
    changed = {str(p.parent.relative_to(dist)) + "/" if p.parent != dist else ""
               for p in listed if p.read_bytes() != before[p][0]}
    assert changed == with_french
    for path, (_data, mtime) in before.items():
        folder = str(path.parent.relative_to(dist)) + "/" if path.parent != dist else ""
        if folder not in with_french:
            assert path.stat().st_mtime_ns == mtime, path  # not even rewritten
