"""The briefing as a web page (``dist/<id>.html``).

The page stands alone on the published site: it links home, to the briefing's
other files (with their sizes) and to the feeds; it carries schema.org
``NewsArticle`` JSON-LD and Open Graph tags for search engines and link
previews; its images and the theme's fonts (as WOFF2) are published beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.exporters.base import Context, Exported, Exporter
from briefkit.model import Briefing
from briefkit.render import html, metadata, published, webfonts
from briefkit.render.dates import conventions_of
from briefkit.render.feed_entries import summary
from briefkit.render.furniture import numbered_lists
from briefkit.render.listings import language_code, language_folder, language_name, topics_of
from briefkit.render.site import FEEDS, DownloadLink, Feed, download_links

#: The front page, which every briefing page links home to.
FRONT_PAGE = "index.html"


@dataclass(frozen=True)
class Topic:
    """A listing the briefing is in (one of its tags, its language): its page and feeds."""

    label: str
    href: str
    feeds: tuple[Feed, ...]
    tag: bool  # a topic (rel="tag"), else the briefing's language


@dataclass(frozen=True)
class SiteLinks:
    """What a web page links to around its briefing."""

    home: str
    name: str
    downloads: tuple[DownloadLink, ...]
    feeds: tuple[Feed, ...]
    topics: tuple[Topic, ...] = ()


def topics(briefing: Briefing, here: str, settings: Settings) -> tuple[Topic, ...]:
    """The listings a briefing's page links to: its language's, then each topic's, with
    their feeds (announced only with base_url, as the feeds need it)."""
    found = [(language_name(language_code(briefing.language)),
              language_folder(briefing.language), False)]
    found += [(name, folder, True) for name, folder in topics_of(briefing)]
    return tuple(
        Topic(name, links.relative(here, folder + FRONT_PAGE), tuple(
            Feed(links.relative(here, folder + feed.output), feed.media_type, feed.label,
                 f"{settings.title} · {name} ({feed.label})") for feed in FEEDS
        ) if settings.base_url else (), tag)
        for name, folder, tag in found)


class HTMLExporter(Exporter):
    name = "html"
    label = "Web page"
    extension = ".html"
    media_type = "text/html"
    description = "the briefing as a web page, with its images and the theme's web fonts"
    #: the page links the briefing's PDF, Word and EPUB files, with their sizes
    lists_outputs = True
    made_with = (*html.MADE_WITH, *webfonts.MADE_WITH)

    def filename(self, briefing_id: str) -> str:
        return links.page(briefing_id)

    def export(self, item: BriefingFile, context: Context) -> Exported:
        settings, theme = context.settings, context.theme
        briefing = item.briefing
        here = links.page(item.id)

        def image_url(src: str) -> str:
            return links.relative(here, published.image_path(item, src))

        base_url = settings.base_url
        url = briefing.url or (links.url(base_url, here) if base_url else None)
        absolute_images = [links.url(base_url, published.image_path(item, image.src))
                           for image in briefing.images() if image.src in item.assets] \
            if base_url else []
        logo = published.logo_path(theme)
        description = summary(briefing)
        site = SiteLinks(
            home=links.relative(here, FRONT_PAGE),
            name=theme.settings.brand.masthead or settings.publisher or settings.title,
            downloads=download_links(context.outputs.get(item.id, {}), briefing.language,
                                     conventions_of(settings)),
            feeds=tuple(Feed(links.relative(here, feed.output), feed.media_type, feed.label,
                             f"{settings.title} ({feed.label})")
                        for feed in FEEDS) if base_url else (),
            topics=topics(briefing, here, settings),
        )
        # the faces' rules once the page's text says which families it needs
        css = (f"{webfonts.stylesheet(theme)}\n"
               + numbered_lists(settings, briefing.language))
        page = html.page(
            item, theme, settings, image_url, css=css,
            site=site,
            masthead="",  # the site bar above the article carries the name, linked home
            canonical=url,
            json_ld=metadata.news_article(
                briefing, settings, url=url, images=absolute_images,
                logo=links.url(base_url, logo) if base_url and logo else None,
                description=description),
            open_graph=metadata.open_graph(briefing, settings, url=url,
                                           images=absolute_images, description=description),
            description=description,
        )
        page, families = webfonts.with_faces(page, theme, here)
        files = {**published.images(item),
                 **webfonts.web_fonts(theme, context.cache.get_all, families)}
        return Exported(page.encode("utf-8"), files=files)
