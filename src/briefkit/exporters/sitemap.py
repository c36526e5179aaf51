"""The collection's news sitemap (``dist/sitemap.xml``) and the ``robots.txt`` naming it.

The sitemap (sitemaps.org 0.9) lists the web page of every briefing with its
last change, but a briefing whose canonical address (``url``) is elsewhere: search
engines want canonical addresses only, and index the briefing there.  Briefings
published in the two days before the newest change of the collection also carry
Google's news extension (publication name and language, publication date, title),
which news search reads to find fresh articles.  "Now" is that newest change, never
the clock, so a rebuild with no change gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.exporters.base import CollectionExporter, Context, Exported
from briefkit.model import Briefing
from briefkit.render.feed_entries import newest_first
from briefkit.render.listings import language_code
from briefkit.render.site import require_base_url
from briefkit.render.typography import typeset

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: How long a briefing counts as news for news search.
NEWS_WINDOW = timedelta(days=2)
#: News search reads at most this many news entries in one sitemap.
NEWS_MAX = 1000


def news_language(language: str) -> str:
    """The language as news sitemaps write it: the ISO 639 code ('fr' for 'fr-CA'), but
    'zh-cn' for Simplified and 'zh-tw' for Traditional Chinese."""
    return language_code(language)


def canonical_here(briefing: Briefing, page_url: str) -> bool:
    """Whether the briefing's page published here is its canonical address."""
    return briefing.url is None or briefing.url == page_url


def recent(briefings: Sequence[Briefing], now: datetime) -> set[str]:
    """Ids of the briefings published at most two days before ``now`` (the newest
    1,000 of them)."""
    fresh = sorted((b for b in briefings if now - b.published <= NEWS_WINDOW),
                   key=lambda b: (-b.published.timestamp(), b.id))
    return {b.id for b in fresh[:NEWS_MAX]}


class SitemapExporter(CollectionExporter):
    name = "sitemap"
    label = "Sitemap"
    output = "sitemap.xml"
    extension = ".xml"
    media_type = "application/xml"
    description = "sitemap of the web pages, news extension for the last two days; robots.txt"
    made_with = ("lxml",)

    def export_collection(self, items: Sequence[BriefingFile], context: Context) -> Exported:
        from lxml import etree  # type: ignore[import-untyped]

        settings = context.settings
        base_url = require_base_url(settings.base_url, "sitemap.xml",
                                    "a sitemap lists absolute URLs")
        publication = settings.publisher or settings.title
        # only the pages that exist (a sitemap must not send crawlers to missing pages), and
        # only those that are their briefing's canonical address
        pages = [i for i in newest_first(items) if "html" in context.outputs.get(i.id, {})
                 and canonical_here(i.briefing, links.url(
                     base_url, context.outputs[i.id]["html"].name))]
        # "now" is the collection's newest change: the clock would change the bytes daily
        now = max((i.briefing.modified for i in items), default=None)
        news = recent([i.briefing for i in pages], now) if now else set()
        urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS,
                                                                  "news": NEWS_NS})
        for item in pages:
            briefing = item.briefing
            url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            page = context.outputs[item.id]["html"].name
            etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = links.url(base_url, page)
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = \
                briefing.modified.isoformat()
            if item.id in news:
                entry = etree.SubElement(url, f"{{{NEWS_NS}}}news")
                source = etree.SubElement(entry, f"{{{NEWS_NS}}}publication")
                etree.SubElement(source, f"{{{NEWS_NS}}}name").text = publication
                etree.SubElement(source, f"{{{NEWS_NS}}}language").text = \
                    news_language(briefing.language)
                etree.SubElement(entry, f"{{{NEWS_NS}}}publication_date").text = \
                    briefing.published.isoformat()
                etree.SubElement(entry, f"{{{NEWS_NS}}}title").text = \
                    typeset(briefing.title, briefing.language)
        data: bytes = etree.tostring(urlset, pretty_print=True, encoding="UTF-8",
                                     xml_declaration=True)
        robots = f"User-agent: *\nAllow: /\nSitemap: {links.url(base_url, self.output)}\n"
        return Exported(data, files={"robots.txt": robots.encode("utf-8")})
