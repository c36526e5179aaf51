"""The front page of the output folder (``dist/index.html``).

It lists every briefing, newest first, with its date in the briefing's own
language, its standfirst, a link to its web page and a download link for
each file exported for it; feed readers find the feeds from its
``<link rel="alternate">``.  Links are relative, so ``dist/`` can be
published anywhere as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from briefkit import __version__, links
from briefkit.briefing_file import BriefingFile
from briefkit.exporters.base import (
    CollectionExporter,
    Context,
    Exported,
    OutputInfo,
)
from briefkit.exporters.feeds import AtomExporter, JSONFeedExporter, RSSExporter
from briefkit.model import RTL_LANGUAGES, Briefing
from briefkit.render import html, published, webfonts
from briefkit.render.dates import Convention, conventions_of, dateline, locale_of
from briefkit.render.feed_entries import DOWNLOADS, newest_first
from briefkit.render.labels import labels_for

#: How a download is named on the page; other formats show their name in capitals.
FORMAT_LABELS = {"pdf": "PDF", "epub": "EPUB", "docx": "Word", "email": "E-mail"}
#: The feeds the page announces, with the name readers know them by.
FEEDS = ((RSSExporter, "RSS"), (AtomExporter, "Atom"), (JSONFeedExporter, "JSON Feed"))


@dataclass(frozen=True)
class Feed:
    href: str
    media_type: str
    label: str
    title: str


@dataclass(frozen=True)
class DownloadLink:
    href: str
    media_type: str
    label: str
    size: str


@dataclass(frozen=True)
class Row:
    """One briefing on the front page, every text already in its language's typography."""

    id: str
    lang: str
    dir: str
    href: str | None
    title: str
    subtitle: str | None
    standfirst: Markup | None
    dateline: str
    published_iso: str
    download_label: str
    downloads: tuple[DownloadLink, ...]


def file_size(size: int, language: str) -> str:
    """'245 kB', '1.5 MB' ('1,5 Mo' in French): CLDR units, number and unit never split."""
    from babel.units import format_unit

    locale = locale_of(language)
    if size < 1000 * 1000:
        text = format_unit(max(1, round(size / 1000)), "digital-kilobyte", "short", locale=locale)
    else:
        text = format_unit(round(size / 1000 / 1000, 1), "digital-megabyte", "short",
                           locale=locale)
    return str(text).replace(" ", "\u00a0")


def download_links(made: Mapping[str, OutputInfo], language: str) -> tuple[DownloadLink, ...]:
    """Every file exported for a briefing but its web page (its title links there)."""
    order = [f for f in DOWNLOADS if f in made] + sorted(
        f for f in made if f not in DOWNLOADS and f != "html")
    return tuple(
        DownloadLink(made[f].name, made[f].media_type, FORMAT_LABELS.get(f, f.upper()),
                     file_size(made[f].size, language))
        for f in order
    )


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
        downloads=download_links(made, lang),
    )


class FrontPageExporter(CollectionExporter):
    name = "index"
    output = "index.html"
    extension = ".html"
    media_type = "text/html"
    description = "the front page: every briefing, its downloads and the feeds"
    made_with = (*html.MADE_WITH, *webfonts.MADE_WITH)

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        # (no briefing can be called "index": the model reserves that id for this page)
        settings, theme = context.settings, context.theme
        # The feeds need base_url: without it they are not written, so not announced.
        feeds = [
            Feed(feed.output, feed.media_type, label, f"{settings.title} ({label})")
            for feed, label in FEEDS
        ] if settings.base_url else []
        conventions = conventions_of(settings)
        rows = [row(i.briefing, context.outputs.get(i.id, {}), conventions)
                for i in newest_first(items)]
        language = settings.language
        page = html.environment(theme).get_template("index.html").render(
            lang=language,
            dir="rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
            settings=settings,
            masthead=theme.settings.brand.masthead or settings.publisher,
            logo=published.logo_path(theme),
            footer=theme.settings.brand.footer,
            generator=f"briefkit {__version__}",
            feeds=feeds,
            rows=rows,
            css=html.stylesheet(theme, font_url=webfonts.font_url(self.output)),
        )
        files = {**published.logo(theme), **webfonts.web_fonts(theme, context.cache.get)}
        return Exported(page.encode("utf-8"), files=files)
