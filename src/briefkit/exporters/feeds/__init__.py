"""The collection's feeds: RSS 2.0 (``feed.xml``) and Atom 1.0 (``atom.xml``)
through feedgen, JSON Feed 1.1 (``feed.json``) written directly.

Each format writes one feed per listing (:mod:`briefkit.render.listings`): the
whole collection, each topic under ``tags/<topic>/`` and each language under
``<language>/``, and, for what falls out of a feed's newest ``[feed] max_entries``,
archived feeds (RFC 5005) under ``archive/<n>/`` that a reader follows back from
the feed to the oldest briefing (:mod:`briefkit.exporters.feeds.documents` says which
files and what each holds).  The collection's feed is the main file; the others are
extra files, written only when their bytes change.

Every feed carries the same entries (:mod:`briefkit.render.feed_entries`), and
text as :mod:`briefkit.exporters.feeds.text` writes it.  Nothing in a feed depends
on the time of the build: a feed's date is the newest last change of its entries,
so a rebuild with no change gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from briefkit import __version__, links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.exporters.base import CollectionExporter, Context, Exported
from briefkit.exporters.feeds.documents import FeedDocument, every_entry, exported, feed_documents
from briefkit.exporters.feeds.text import (
    as_html,
    atom_type,
    atom_value,
    hexadecimal_references,
    rss_category,
    rss_plain,
)
from briefkit.render import html, published
from briefkit.render.feed_entries import FEEDS_NEED, FeedEntry, last_change
from briefkit.render.site import ATOM, JSON_FEED, RSS, byline, require_base_url

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
    from lxml import etree  # type: ignore[import-untyped]

GENERATOR_URI = "https://briefkit.org/"
ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def description(settings: Settings) -> str:
    """What the feed is, in one line: the site title, and who publishes it (once, when
    the publisher is the title)."""
    publisher = settings.publisher
    if not publisher or " ".join(publisher.split()) == " ".join(settings.title.split()):
        return settings.title
    return f"{settings.title} · {publisher}"


def _feed(exporter: CollectionExporter, document: FeedDocument,
          context: Context, text: Callable[[str], str]) -> FeedGenerator:
    """A feedgen feed with what RSS and Atom share about the feed itself.

    ``text`` writes the settings' words (title, description) as the format carries
    plain text: :func:`rss_plain` for RSS; Atom's are typed afterwards (:func:`finish_atom`).
    """
    from feedgen.feed import FeedGenerator

    settings = context.settings
    base_url = require_base_url(settings.base_url, exporter.output, FEEDS_NEED)
    fg = FeedGenerator()
    # one feed whatever document of it: an archive holds the same feed's older entries
    fg.id(links.url(base_url, document.listing.folder))
    fg.title(text(document.listing.title(settings)))  # also the title of RSS's channel image
    for hub in settings.feed.hubs:  # WebSub: where readers subscribe to be told at once
        fg.link(href=hub, rel="hub")
    # feedgen takes the RSS channel link from the last link added: the site, not the feed.
    fg.link(href=links.url(base_url, document.path), rel="self", type=exporter.media_type)
    fg.link(href=links.url(base_url, document.listing.folder), rel="alternate",
            type="text/html")
    fg.description(text(description(settings)))
    fg.language(document.language(settings))
    fg.generator("briefkit", version=__version__, uri=GENERATOR_URI)
    fg.updated(last_change(document.entries))  # also lastBuildDate; feedgen would say "now"
    logo = published.logo_path(context.theme)
    if logo:
        fg.logo(links.url(base_url, logo))
    return fg


class _FeedExporter(CollectionExporter):
    """A feed format: the collection's file and each topic's and language's, one
    :meth:`document` each."""

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        documents = feed_documents(self.output, items, context)
        written = {d.path: self.document(d, context) for d in documents}
        return exported(written, self.output, context, every_entry(documents))

    def document(self, document: FeedDocument, context: Context) -> bytes:
        """One file of the format."""
        raise NotImplementedError


class RSSExporter(_FeedExporter):
    name = "rss"
    output = RSS.output
    label = RSS.label
    extension = ".xml"
    media_type = RSS.media_type
    description = "RSS 2.0 feeds of the newest briefings (all, by topic, by language), full content"
    made_with = (*html.MADE_WITH, "feedgen", "lxml")

    def document(self, document: FeedDocument, context: Context) -> bytes:
        """One RSS file."""
        fg = _feed(self, document, context, rss_plain)
        fg.load_extension("dc")
        fg.load_extension("media")
        fg.generator(f"briefkit {__version__}")  # RSS has no version attribute
        for entry in document.entries:
            fe = fg.add_entry(order="append")  # feedgen prepends by default
            fe.title(rss_plain(entry.title))
            fe.link(href=entry.link)
            fe.guid(entry.guid, permalink=entry.guid_is_link)
            fe.published(entry.published)
            # RSS <author> must be an e-mail address, and readers show one dc:creator (the
            # last): one names them all, as the briefing's language lists names
            if entry.briefing.authors:
                fe.dc.dc_creator(byline(entry.briefing))
            fe.dc.dc_language(entry.briefing.language)
            for tag in entry.briefing.tags:
                fe.category(term=rss_category(tag))
            if entry.summary:
                fe.description(as_html(entry.summary))  # an item's description is HTML
            fe.content(entry.content)  # content:encoded
            if entry.image is not None:  # the lead image, for readers that show one
                fe.media.content(url=entry.image.url, type=entry.image.media_type,
                                 medium="image", width=str(entry.image.width),
                                 height=str(entry.image.height), group=None)
            pdf = next((d for d in entry.downloads if d.format == "pdf"), None)
            if pdf is not None:  # RSS allows one enclosure: the PDF
                fe.enclosure(pdf.url, str(pdf.size), pdf.media_type)
        data: bytes = fg.rss_str(pretty=True)
        return finish_rss(data, context.settings.feed.hubs, document)


def _write(root: etree._Element) -> bytes:
    from lxml import etree

    data: bytes = etree.tostring(root.getroottree(), pretty_print=True, encoding="UTF-8",
                                 xml_declaration=True)
    return hexadecimal_references(data)


def finish_rss(data: bytes, hubs: Sequence[str], document: FeedDocument) -> bytes:
    """What feedgen writes only for Atom: the WebSub hubs as ``<atom:link rel="hub">`` beside
    the channel's self link, and the archive links and mark of RFC 5005."""
    from lxml import etree

    root = etree.fromstring(data)
    channel = root.find("channel")
    self_link = channel.find(f"{{{ATOM_NS}}}link[@rel='self']")
    at = list(channel).index(self_link) + 1
    added = [("hub", hub) for hub in hubs] + list(document.history)
    for offset, (rel, href) in enumerate(added):
        link = etree.Element(f"{{{ATOM_NS}}}link", href=href, rel=rel)
        if rel != "hub":
            link.set("type", RSSExporter.media_type)
        link.tail = self_link.tail  # the same indentation
        channel.insert(at + offset, link)
    if document.archive:
        root = _with_history_namespace(root)
        channel = root.find("channel")
        mark = etree.Element(f"{{{HISTORY_NS}}}archive")
        mark.tail = self_link.tail
        channel.insert(at + len(added), mark)
    return _write(root)


def _with_history_namespace(root: etree._Element) -> etree._Element:
    """``root`` declaring RFC 5005's namespace as ``fh`` (lxml cannot add a prefix to an
    element once made)."""
    from lxml import etree

    nsmap = {**root.nsmap, "fh": HISTORY_NS}
    copy = etree.Element(root.tag, root.attrib, nsmap=nsmap)
    copy.text = root.text
    copy.extend(list(root))
    return copy


class AtomExporter(_FeedExporter):
    name = "atom"
    output = ATOM.output
    label = ATOM.label
    extension = ".xml"
    media_type = ATOM.media_type
    description = "Atom 1.0 feeds of the newest briefings (all, by topic, by language), downloads"
    made_with = (*html.MADE_WITH, "feedgen", "lxml")

    def document(self, document: FeedDocument, context: Context) -> bytes:
        """One Atom file."""
        fg = _feed(self, document, context, str)
        # Atom wants an author for every entry; the publisher stands in for briefings without.
        fg.author(name=context.settings.publisher or context.settings.title)
        for entry in document.entries:
            fe = fg.add_entry(order="append")  # feedgen prepends by default
            fe.id(entry.guid)
            fe.title(entry.title)
            fe.updated(entry.updated)
            fe.published(entry.published)
            fe.link(href=entry.link, rel="alternate", type="text/html")
            for download in entry.downloads:
                fe.link(href=download.url, rel="enclosure", type=download.media_type,
                        length=str(download.size), title=download.title)
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
        for rel, href in document.history:
            fg.link(href=href, rel=rel, type=self.media_type)
        data: bytes = fg.atom_str(pretty=True)
        return finish_atom(data, document.entries, [fe.link() for fe in fg.entry()],
                           archive=document.archive)


#: Atom's text constructs that briefkit fills with a newsroom's words.
_TEXTS = ("title", "subtitle", "summary", "rights")


def finish_atom(data: bytes, entries: Sequence[FeedEntry],
                given_links: Sequence[Sequence[dict[str, str]]], *,
                archive: bool = False) -> bytes:
    """Complete what feedgen 1.0 leaves out of Atom.

    feedgen 1.0 writes only ``href`` on an entry's ``<link>``: its loop reuses the
    name ``link`` for the new element and then reads rel/type/length from that
    empty element (python-feedgen issue 135, unfixed; the project is no longer
    maintained).  Enclosures would read as duplicate alternate links.  So the
    attributes feedgen was given are written back here, in entry order.  It
    also sets each entry's ``xml:lang``, types every text construct by what it
    holds (:func:`briefkit.exporters.feeds.text.atom_type`) and marks an archive
    (RFC 5005), which feedgen cannot express.
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
    for name in _TEXTS:
        for element in root.iter(f"{{{ATOM_NS}}}{name}"):
            text = element.text or ""
            if atom_type(text) == "html":  # else "text", the default
                element.set("type", "html")
                element.text = atom_value(text)
    if archive:
        root = _with_history_namespace(root)
        mark = etree.Element(f"{{{HISTORY_NS}}}archive")
        first = root[0]
        mark.tail = first.tail if first is not None else None
        root.insert(0, mark)
    return _write(root)


class JSONFeedExporter(_FeedExporter):
    name = "jsonfeed"
    output = JSON_FEED.output
    label = JSON_FEED.label
    extension = ".json"
    media_type = JSON_FEED.media_type
    description = "JSON Feed 1.1 of the newest briefings (all, by topic, by language)"
    made_with = html.MADE_WITH

    def document(self, document: FeedDocument, context: Context) -> bytes:
        """One JSON Feed file; an archive is the ``next_url`` page of the one after it."""
        settings = context.settings
        base_url = require_base_url(settings.base_url, self.output, FEEDS_NEED)
        feed: dict[str, Any] = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": document.listing.title(settings),
            "home_page_url": links.url(base_url, document.listing.folder),
            "feed_url": links.url(base_url, document.path),
            "description": description(settings),
            "language": document.language(settings),
        }
        older = dict(document.history).get("prev-archive")
        if older:  # JSON Feed pages from the newest to the oldest
            feed["next_url"] = older
        if settings.feed.hubs:
            feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in settings.feed.hubs]
        feed["authors"] = [{"name": settings.publisher or settings.title}]
        logo = published.logo_path(context.theme)
        if logo:
            feed["icon"] = links.url(base_url, logo)
        feed["items"] = [self._item(entry) for entry in document.entries]
        return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

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
                 "title": d.title}
                for d in entry.downloads
            ]
        return item
