"""The e-mail edition of a briefing (``dist/<id>.eml``): a whole message, ready to send.

Its images are linked at their published addresses under ``base_url`` (they are
published beside the message, as the web page publishes them), or, with
``[email] images = "attached"``, carried in the message and shown by
Content-ID.  It links the web page and the briefing's PDF, e-book and Word
document when they are published: it is written after them.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import ConfigError
from briefkit.exporters.base import Context, Exported, Exporter
from briefkit.exporters.email import message, page, style, text
from briefkit.links import OutputInfo
from briefkit.model import Briefing
from briefkit.render import published
from briefkit.render.dates import conventions_of, dateline
from briefkit.render.feed_entries import summary
from briefkit.render.site import DOWNLOADS, download_links
from briefkit.render.typography import typeset


def host_of(settings: Settings) -> str:
    """Where the messages say they come from (Message-ID, Content-ID): the site's host."""
    return (urlsplit(settings.base_url).hostname if settings.base_url else None) \
        or message.NO_HOST


def web_page(briefing: Briefing, settings: Settings,
             made: Mapping[str, OutputInfo]) -> str | None:
    """Where the briefing is read on the web: its own ``url`` (its canonical address, as
    the feeds and the web page say), else its web page when that is published."""
    if briefing.url:
        return briefing.url
    if settings.base_url and "html" in made:
        return links.url(settings.base_url, made["html"].name)
    return None


def downloads(settings: Settings, made: Mapping[str, OutputInfo],
              language: str) -> list[text.Download]:
    """The briefing's PDF, e-book and Word document, at their published addresses."""
    if settings.base_url is None:
        return []
    base_url = settings.base_url
    files = {f: made[f] for f in DOWNLOADS if f in made}
    return [text.Download(d.label, d.size, links.url(base_url, d.href))
            for d in download_links(files, language)]


class EmailExporter(Exporter):
    name = "email"
    label = "E-mail"
    extension = ".eml"
    media_type = "message/rfc822"
    description = "the briefing as an e-mail: HTML every mail client shows, and plain text"
    #: it links the web page, the PDF, the e-book and the Word document
    lists_outputs = True
    runs_after = ("html",)
    made_with = page.MADE_WITH
    reads_settings = ("email.images",)

    def export(self, item: BriefingFile, context: Context) -> Exported:
        settings, theme = context.settings, context.theme
        briefing = item.briefing
        language = briefing.language
        attach = settings.email.images == "attached"
        if briefing.images() and not attach and settings.base_url is None:
            raise ConfigError(
                f"{self.filename(item.id)} needs the setting base_url in briefkit.toml (the "
                "message shows its images from their published addresses), e.g. base_url = "
                '"https://briefings.example.org/", or [email] images = "attached"')
        host = host_of(settings)
        carried: dict[str, message.Attached] = {}

        def picture(src: str) -> page.Picture:
            asset = item.assets[src]
            width = min(asset.width, style.CONTENT)
            height = max(1, round(asset.height * width / asset.width))
            if not attach:
                assert settings.base_url is not None
                address = links.url(settings.base_url, published.image_path(item, src))
                return page.Picture(address, width, height)
            data = asset.read()
            cid = message.content_id(data, host)
            name = published.image_path(item, src).rsplit("/", 1)[-1]
            carried.setdefault(cid, message.Attached(cid, data, asset.media_type, name))
            return page.Picture(f"cid:{cid}", width, height)

        made = context.outputs.get(item.id, {})
        page_url = web_page(briefing, settings, made)
        files = downloads(settings, made, language)
        masthead = theme.settings.brand.masthead or settings.publisher
        subject = typeset(" ".join(briefing.title.split()), language)
        css = style.stylesheet(theme, briefing.direction)
        html = page.briefing_page(
            item, theme, settings, css=css, picture=picture, page_url=page_url,
            downloads=files, preheader=summary(briefing), subject=subject)
        plain = text.briefing_text(
            briefing, dateline=dateline(briefing, conventions_of(settings)),
            masthead=masthead, page_url=page_url, downloads=files,
            footer=theme.settings.brand.footer_in(language))
        # a long briefing's message may show fewer images than were looked at
        shown = sorted((a for a in carried.values() if f"cid:{a.content_id}" in html),
                       key=lambda a: a.content_id)
        data = message.message(subject=subject, date=briefing.modified, language=language,
                               host=host, text=plain, page=html, attached=shown)
        # linked images are published beside the message, as the web page publishes them
        return Exported(data, files={} if attach else published.images(item))
