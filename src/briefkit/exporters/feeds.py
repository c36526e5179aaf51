"""The collection's feeds: RSS 2.0 (``feed.xml``) and Atom 1.0 (``atom.xml``)
through feedgen, JSON Feed 1.1 (``feed.json``) written directly.

Every feed carries the same entries (:mod:`briefkit.render.feed_entries`).
Nothing in a feed depends on the time of the build: the channel's date is the
newest briefing's last change, so a rebuild with no change gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from briefkit import __version__, links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.exporters.base import CollectionExporter, Context, Exported
from briefkit.model import Briefing
from briefkit.render import html, published
from briefkit.render.dates import locale_of
from briefkit.render.feed_entries import (
    FeedEntry,
    feed_entries,
    feed_files,
    last_change,
    require_base_url,
)

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

GENERATOR_URI = "https://briefkit.org/"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORMAT_TITLES = {"pdf": "PDF", "epub": "EPUB", "docx": "Word"}


#: What would start a tag or a character reference in text taken as HTML.
_MARKUP_START = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)")


def rss_text(text: str) -> str:
    """Plain text as an RSS title or description carries it.  Some readers take these as
    HTML, others as text, and the W3C validator warns of any markup in them: a word
    joiner (U+2060, invisible) after a "<" that would open a tag, or an "&" that would
    start a reference, keeps "<script>" text for all of them.
    """
    return _MARKUP_START.sub(lambda m: m.group() + "\u2060", text)


def byline(briefing: Briefing) -> str:
    """The authors' names as the briefing's language lists them: 'A, B and C', 'A, B et C'."""
    from babel.lists import format_list

    return str(format_list([a.name for a in briefing.authors],
                           locale=locale_of(briefing.language)))


def description(settings: Settings) -> str:
    """What the feed is, in one line: the site title, and who publishes it."""
    return f"{settings.title} · {settings.publisher}" if settings.publisher else settings.title


def _feed(exporter: CollectionExporter, items: Sequence[BriefingFile],
          context: Context, text: Callable[[str], str]
          ) -> tuple[FeedGenerator, list[FeedEntry]]:
    """A feedgen feed with what RSS and Atom share about the feed itself, and its entries.

    ``text`` writes the settings' words (title, description) as the format carries plain
    text, the way it writes its entries' titles: :func:`rss_text` for RSS.
    """
    from feedgen.feed import FeedGenerator

    settings = context.settings
    base_url = require_base_url(settings, exporter.output)
    entries = feed_entries(items, context.theme, settings, context.outputs, exporter.output)
    fg = FeedGenerator()
    fg.id(base_url)
    fg.title(text(settings.title))  # also the title of RSS's channel image
    for hub in settings.feed.hubs:  # WebSub: where readers subscribe to be told at once
        fg.link(href=hub, rel="hub")
    # feedgen takes the RSS channel link from the last link added: the site, not the feed.
    fg.link(href=base_url + exporter.output, rel="self", type=exporter.media_type)
    fg.link(href=base_url, rel="alternate", type="text/html")
    fg.description(text(description(settings)))
    fg.language(settings.language)
    fg.generator("briefkit", version=__version__, uri=GENERATOR_URI)
    fg.updated(last_change(entries))  # also lastBuildDate; feedgen would say "now"
    logo = published.logo_path(context.theme)
    if logo:
        fg.logo(links.url(base_url, logo))
    return fg, entries


class RSSExporter(CollectionExporter):
    name = "rss"
    output = "feed.xml"
    extension = ".xml"
    media_type = "application/rss+xml"
    description = "RSS 2.0 feed of the newest briefings, full content and PDF enclosure"
    made_with = (*html.MADE_WITH, "feedgen", "lxml")

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        fg, entries = _feed(self, items, context, rss_text)
        fg.load_extension("dc")
        fg.load_extension("media")
        fg.generator(f"briefkit {__version__}")  # RSS has no version attribute
        for entry in entries:
            fe = fg.add_entry(order="append")  # feedgen prepends by default
            fe.title(rss_text(entry.title))
            fe.link(href=entry.link)
            fe.guid(entry.guid, permalink=entry.guid_is_link)
            fe.published(entry.published)
            # RSS <author> must be an e-mail address: names go in dc:creator, one each
            for author in entry.briefing.authors:
                fe.dc.dc_creator(author.name, replace=False)
            fe.dc.dc_language(entry.briefing.language)
            for tag in entry.briefing.tags:
                fe.category(term=tag)
            if entry.summary:
                fe.description(rss_text(entry.summary))
            fe.content(entry.content)  # content:encoded
            if entry.image is not None:  # the lead image, for readers that show one
                fe.media.content(url=entry.image.url, type=entry.image.media_type,
                                 medium="image", width=str(entry.image.width),
                                 height=str(entry.image.height), group=None)
            pdf = next((d for d in entry.downloads if d.format == "pdf"), None)
            if pdf is not None:  # RSS allows one enclosure: the PDF
                fe.enclosure(pdf.url, str(pdf.size), pdf.media_type)
        data: bytes = fg.rss_str(pretty=True)
        if context.settings.feed.hubs:
            data = rss_hubs(data, context.settings.feed.hubs)
        return Exported(data, files=feed_files(entries, context.theme))


def rss_hubs(data: bytes, hubs: Sequence[str]) -> bytes:
    """The WebSub hubs as ``<atom:link rel="hub">`` beside the channel's self link:
    feedgen writes only the self link of the channel's Atom links into RSS."""
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(data)
    channel = root.find("channel")
    self_link = channel.find(f"{{{ATOM_NS}}}link[@rel='self']")
    at = list(channel).index(self_link) + 1
    for offset, hub in enumerate(hubs):
        link = etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub")
        link.tail = self_link.tail  # the same indentation
        channel.insert(at + offset, link)
    out: bytes = etree.tostring(root.getroottree(), pretty_print=True, encoding="UTF-8",
                                xml_declaration=True)
    return out


class AtomExporter(CollectionExporter):
    name = "atom"
    output = "atom.xml"
    extension = ".xml"
    media_type = "application/atom+xml"
    description = "Atom 1.0 feed of the newest briefings, full content and downloads"
    made_with = (*html.MADE_WITH, "feedgen", "lxml")

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        # Atom's title and subtitle are text constructs of type "text" (feedgen writes no
        # type): markup in them stays text for every reader, as in entries' titles
        fg, entries = _feed(self, items, context, str)
        # Atom wants an author for every entry; the publisher stands in for briefings without.
        fg.author(name=context.settings.publisher or context.settings.title)
        for entry in entries:
            fe = fg.add_entry(order="append")  # feedgen prepends by default
            fe.id(entry.guid)
            fe.title(entry.title)  # type="text" by default: markup in it stays text
            fe.updated(entry.updated)
            fe.published(entry.published)
            fe.link(href=entry.link, rel="alternate", type="text/html")
            for download in entry.downloads:
                fe.link(href=download.url, rel="enclosure", type=download.media_type,
                        length=str(download.size), title=FORMAT_TITLES.get(download.format))
            for author in entry.briefing.authors:
                fe.author({key: value for key, value in
                           (("name", author.name), ("email", author.email), ("uri", author.url))
                           if value})
            for tag in entry.briefing.tags:
                fe.category(term=tag)
            if entry.summary:
                fe.summary(entry.summary, type="text")
            fe.content(entry.content, type="html")
            if entry.briefing.rights:
                fe.rights(entry.briefing.rights)
        data: bytes = fg.atom_str(pretty=True)
        data = finish_atom(data, entries, [fe.link() for fe in fg.entry()])
        return Exported(data, files=feed_files(entries, context.theme))


def finish_atom(data: bytes, entries: Sequence[FeedEntry],
                given_links: Sequence[Sequence[dict[str, str]]]) -> bytes:
    """Complete what feedgen 1.0 leaves out of Atom entries.

    feedgen 1.0 writes only ``href`` on an entry's ``<link>``: its loop reuses the
    name ``link`` for the new element and then reads rel/type/length from that
    empty element (python-feedgen issue 135, unfixed; the project is no longer
    maintained).  Enclosures would read as duplicate alternate links.  So the
    attributes feedgen was given are written back here, in entry order.  It
    also sets each entry's ``xml:lang``, which feedgen cannot express.
    """
    from lxml import etree

    root = etree.fromstring(data)
    written = root.findall(f"{{{ATOM_NS}}}entry")
    if len(written) != len(entries) or len(entries) != len(given_links):
        raise RuntimeError("feedgen wrote a different number of Atom entries")
    for element, entry, given in zip(written, entries, given_links, strict=True):
        element.set(XML_LANG, entry.briefing.language)
        found = element.findall(f"{{{ATOM_NS}}}link")
        if len(found) != len(given):
            raise RuntimeError("feedgen wrote a different number of Atom entry links")
        for link, attributes in zip(found, given, strict=True):
            for key in ("rel", "type", "hreflang", "title", "length"):
                if attributes.get(key):
                    link.set(key, attributes[key])
    out: bytes = etree.tostring(root.getroottree(), pretty_print=True, encoding="UTF-8",
                                xml_declaration=True)
    return out


class JSONFeedExporter(CollectionExporter):
    name = "jsonfeed"
    output = "feed.json"
    extension = ".json"
    media_type = "application/feed+json"
    description = "JSON Feed 1.1 of the newest briefings"
    made_with = html.MADE_WITH

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        settings = context.settings
        base_url = require_base_url(settings, self.output)
        entries = feed_entries(items, context.theme, settings, context.outputs, self.output)
        feed: dict[str, Any] = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": settings.title,
            "home_page_url": base_url,
            "feed_url": base_url + self.output,
            "description": description(settings),
            "language": settings.language,
        }
        if settings.feed.hubs:
            feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in settings.feed.hubs]
        if settings.publisher:
            feed["authors"] = [{"name": settings.publisher}]
        logo = published.logo_path(context.theme)
        if logo:
            feed["icon"] = links.url(base_url, logo)
        feed["items"] = [self._item(entry) for entry in entries]
        data = (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return Exported(data, files=feed_files(entries, context.theme))

    @staticmethod
    def _item(entry: FeedEntry) -> dict[str, Any]:
        briefing = entry.briefing
        item: dict[str, Any] = {
            "id": entry.guid,
            "url": entry.link,
            "title": entry.title,
            "content_html": entry.content,
        }
        if entry.summary:
            item["summary"] = entry.summary
        if entry.image is not None:
            item["image"] = entry.image.url
        item["date_published"] = entry.published.isoformat()
        item["date_modified"] = entry.updated.isoformat()
        if briefing.authors:
            item["authors"] = [
                {"name": a.name, **({"url": a.url} if a.url else {})} for a in briefing.authors
            ]
        if briefing.tags:
            item["tags"] = list(briefing.tags)
        item["language"] = briefing.language
        if entry.downloads:
            item["attachments"] = [
                {"url": d.url, "mime_type": d.media_type, "size_in_bytes": d.size,
                 "title": FORMAT_TITLES.get(d.format, d.format.upper())}
                for d in entry.downloads
            ]
        return item
