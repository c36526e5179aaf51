"""What the feeds and the front page say about each briefing.

One place decides which briefings a feed carries and in which order, where a
briefing lives on the published site, its identifier for feed readers, its
summary and its full content with absolute URLs.  RSS, Atom and JSON Feed
only differ in how they write it down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from briefkit import inline, links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.links import OutputInfo
from briefkit.model import Briefing, Paragraph
from briefkit.render import feed_body, html, published
from briefkit.render.site import DOWNLOADS, require_base_url
from briefkit.render.typography import typeset
from briefkit.theme import Theme

#: What a feed says when there is no briefing yet: a fixed time, never "now",
#: so that an empty project builds the same bytes every time.
EMPTY_FEED_TIME = datetime(1970, 1, 1, tzinfo=UTC)
#: Why a feed needs base_url.
FEEDS_NEED = "feeds link to the published site with absolute URLs"


def newest_first(items: Sequence[BriefingFile]) -> list[BriefingFile]:
    """Briefings newest first by publication time; the same time is ordered by id."""
    return sorted(items, key=lambda i: (-i.briefing.published.timestamp(), i.id))


def page_url(briefing: Briefing, base_url: str) -> str:
    """Where a briefing's web page is published."""
    return links.url(base_url, links.page(briefing.id))


@dataclass(frozen=True)
class Download:
    """One exported file of a briefing, as a feed links it."""

    format: str
    url: str
    media_type: str
    size: int
    title: str  # the format's name for readers: "Word"


@dataclass(frozen=True)
class LeadImage:
    """The briefing's first image, as a feed shows it beside the entry."""

    url: str
    media_type: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class FeedEntry:
    """One briefing, as every feed format describes it."""

    briefing: Briefing
    title: str
    link: str
    guid: str  # stable across corrections: derived from base_url and the id only
    summary: str | None  # plain text
    content: str  # HTML, absolute URLs; the standfirst, no title or byline (readers show them)
    downloads: tuple[Download, ...]
    #: the images the content links, by published path (a feed publishes them)
    files: Mapping[str, bytes] = field(default_factory=dict)
    image: LeadImage | None = None

    @property
    def guid_is_link(self) -> bool:
        return self.guid == self.link

    @property
    def published(self) -> datetime:
        return self.briefing.published

    @property
    def updated(self) -> datetime:
        return self.briefing.modified


#: The longest summary taken from the start of the first paragraph, in characters.
SUMMARY_LENGTH = 280


def summary(briefing: Briefing) -> str | None:
    """A short plain-text summary: the briefing's summary, else its standfirst, else the
    start of its first paragraph, cut after a word."""
    if briefing.summary:
        return typeset(briefing.summary, briefing.language)
    if briefing.standfirst:
        return typeset(inline.plain(briefing.standfirst), briefing.language)
    first = next((b.text for s in briefing.sections for b in s.blocks
                  if isinstance(b, Paragraph)), None)
    if first is None:
        return None
    text = " ".join(inline.plain(first).split())
    if len(text) > SUMMARY_LENGTH:
        cut = text[:SUMMARY_LENGTH + 1].rsplit(" ", 1)[0] if " " in text[:SUMMARY_LENGTH] \
            else text[:SUMMARY_LENGTH]
        text = cut.rstrip(" ,;:–—-") + "…"
    return typeset(text, briefing.language)


def headline_text(briefing: Briefing) -> str:
    """The title, and subtitle, as plain text: the summary of a briefing that has nothing
    else to summarise it (no summary, standfirst or paragraph)."""
    parts = [briefing.title, briefing.subtitle or ""]
    return typeset(" — ".join(" ".join(p.split()) for p in parts if p), briefing.language)


def downloads(briefing_id: str, outputs: Mapping[str, Mapping[str, OutputInfo]],
              base_url: str) -> tuple[Download, ...]:
    """The briefing's PDF, EPUB and DOCX that were exported, with absolute URLs."""
    made = outputs.get(briefing_id, {})
    return tuple(
        Download(fmt, links.url(base_url, made[fmt].name), made[fmt].media_type, made[fmt].size,
                 made[fmt].shown_as)
        for fmt in DOWNLOADS if fmt in made
    )


def lead_image(item: BriefingFile, base_url: str) -> LeadImage | None:
    """The briefing's first image, with its absolute URL."""
    for image in item.briefing.images():
        asset = item.assets.get(image.src)
        if asset is not None:
            return LeadImage(links.url(base_url, published.image_path(item, image.src)),
                             asset.media_type, asset.width, asset.height,
                             typeset(image.alt, item.briefing.language))
    return None


def feed_files(entries: Sequence[FeedEntry], theme: Theme) -> dict[str, bytes]:
    """What a feed publishes beside itself: its entries' images and the theme's logo."""
    files = published.logo(theme)
    for entry in entries:
        files.update(entry.files)
    return files


def last_change(entries: Sequence[FeedEntry]) -> datetime:
    """When the feed last changed: the newest last change of its entries."""
    return max((e.updated for e in entries), default=EMPTY_FEED_TIME)


def feed_entry(item: BriefingFile, theme: Theme, settings: Settings,
               outputs: Mapping[str, Mapping[str, OutputInfo]], base_url: str) -> FeedEntry:
    """One briefing as every feed describes it."""
    briefing = item.briefing

    def image_url(src: str) -> str:
        return links.url(base_url, published.image_path(item, src))

    # A reader shows the entry's title, summary, authors and date itself, and the
    # feed's own title: the content starts with the article, its standfirst first.
    content = html.content(item, theme, settings, image_url, masthead="", in_feed=True)
    content = feed_body.readable(content)
    return FeedEntry(
        briefing=briefing,
        title=typeset(briefing.title, briefing.language),
        link=briefing.url or page_url(briefing, base_url),
        guid=page_url(briefing, base_url),
        # never without a summary: RSS would carry the whole article as its description
        summary=summary(briefing) or headline_text(briefing),
        content=content,
        downloads=downloads(briefing.id, outputs, base_url),
        files=published.images(item),
        image=lead_image(item, base_url),
    )


def feed_entries(items: Sequence[BriefingFile], theme: Theme, settings: Settings,
                 outputs: Mapping[str, Mapping[str, OutputInfo]], output: str) -> list[FeedEntry]:
    """The entries of a feed: newest first, at most ``[feed] max_entries`` of them."""
    base_url = require_base_url(settings.base_url, output, FEEDS_NEED)
    return [feed_entry(item, theme, settings, outputs, base_url)
            for item in newest_first(items)[: settings.feed.max_entries]]
