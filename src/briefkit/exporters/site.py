"""The front page of the output folder (``dist/index.html``).

It lists every briefing, newest first, with its date in the briefing's own
language, its standfirst, a link to its web page and a download link for
each file exported for it; feed readers find the feeds from its
``<link rel="alternate">``.  Links are relative, so ``dist/`` can be
published anywhere as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from markupsafe import Markup

from briefkit import __version__, links
from briefkit.briefing_file import BriefingFile
from briefkit.exporters.base import (
    CollectionExporter,
    Context,
    Exported,
    OutputInfo,
)
from briefkit.model import RTL_LANGUAGES, Briefing
from briefkit.render import html, published, webfonts
from briefkit.render.dates import Convention, conventions_of, dateline
from briefkit.render.labels import labels_for
from briefkit.render.listings import ListingPage, listing_pages, listings, page_path
from briefkit.render.site import FEEDS, DownloadLink, Feed, download_links


@dataclass(frozen=True)
class Row:
    """One briefing on the front page, every text already in its language's typography."""

    id: str
    lang: str
    dir: str  # of the briefing's own text: the row keeps the page's layout
    href: str | None
    title: str
    subtitle: str | None
    standfirst: Markup | None
    dateline: str
    published_iso: str
    download_label: str
    downloads: tuple[DownloadLink, ...]


def row(briefing: Briefing, made: Mapping[str, OutputInfo],
        conventions: Mapping[str, Convention] | None = None) -> Row:
    """What the front page shows of one briefing."""
    lang = briefing.language
    labels = labels_for(lang)
    href = links.page(briefing.id) if "html" in made else briefing.url
    return Row(
        id=briefing.id,
        lang=lang,
        dir=briefing.direction,
        href=href,
        title=html.headline(briefing.title, lang),
        subtitle=html.headline(briefing.subtitle, lang) if briefing.subtitle else None,
        standfirst=html.inline_html(briefing.standfirst, lang, tie=True)
        if briefing.standfirst else None,
        dateline=dateline(briefing, conventions),
        published_iso=briefing.published.isoformat(),
        download_label=labels.download,
        downloads=download_links(made, lang, conventions),
    )


def _same_words(first: str, second: str) -> bool:
    """Whether two names say the same words, whatever their case and punctuation."""
    def words(text: str) -> list[str]:
        return "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()

    return words(first) == words(second)


class FrontPageExporter(CollectionExporter):
    name = "index"
    label = "Front page"
    output = "index.html"
    extension = ".html"
    media_type = "text/html"
    description = "the front page: every briefing, its downloads and the feeds"
    made_with = (*html.MADE_WITH, *webfonts.MADE_WITH)

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        """The front page, and as extra files its next pages (``page/2.html`` ...) and the
        pages of every topic and language (:mod:`briefkit.render.listings`)."""
        # (no briefing can be called "index": the model reserves that id for this page)
        settings, theme = context.settings, context.theme
        pages = listing_pages(listings(items), settings.front_page.per_page)
        written, families = {}, set[str]()
        for listed in pages:
            page, needed = webfonts.with_faces(self.page(listed, context), theme, listed.path)
            written[listed.path] = page.encode("utf-8")
            families.update(needed)
        files = {**published.logo(theme),
                 **webfonts.web_fonts(theme, context.cache.get_all, families)}
        main = written.pop(self.output)
        return Exported(main, files={**files, **written})

    def page(self, listed: ListingPage, context: Context) -> str:
        """One page of a listing, its faces' rules still to write (webfonts.FACES); its
        links relative to where it is published."""
        settings, theme = context.settings, context.theme
        here = listed.path
        listing = listed.listing
        # The feeds need base_url: without it they are not written, so not announced.
        title = listing.title(settings)
        feeds = [
            Feed(links.relative(here, listing.path(feed.output)), feed.media_type, feed.label,
                 f"{title} ({feed.label})")
            for feed in FEEDS
        ] if settings.base_url else []
        conventions = conventions_of(settings)
        rows = [_relative(here, row(i.briefing, context.outputs.get(i.id, {}), conventions))
                for i in listed.items]
        language = listing.language or settings.language
        if listed.number > 1:
            title = f"{title} · {labels_for(language).page} {listed.number}"
        logo = published.logo_path(theme)
        masthead = theme.settings.brand.masthead or settings.publisher
        page = html.environment(theme).get_template("index.html").render(
            lang=language,
            dir="rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
            settings=settings.model_copy(update={"title": title}),
            # the masthead names the site: not again above a heading that says the same
            masthead=None if _same_words(masthead, title) else masthead,
            logo=links.relative(here, logo) if logo else None,
            footer=theme.settings.brand.footer_in(language),
            generator=f"briefkit {__version__}",
            feeds=feeds,
            rows=rows,
            css=webfonts.stylesheet(theme),
            sitemap=links.relative(here, "sitemap.xml"),
            pages=page_links(listed),
        )
        return page


def _relative(here: str, shown: Row) -> Row:
    """A row as a page published at ``here`` links it (the front page's links are
    relative to the output folder)."""
    if "/" not in here:
        return shown
    href = shown.href
    if href is not None and "://" not in href:
        href = links.relative(here, href)
    downloads = tuple(replace(d, href=links.relative(here, d.href)) for d in shown.downloads)
    return replace(shown, href=href, downloads=downloads)


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool


def page_links(listed: ListingPage) -> tuple[PageLink, ...]:
    """The links to every page of a listing, from one of them (none when it has one)."""
    if listed.count == 1:
        return ()
    return tuple(PageLink(n, links.relative(listed.path, page_path(listed.listing, n)),
                          n == listed.number)
                 for n in range(1, listed.count + 1))
