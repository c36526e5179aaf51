"""The briefing as a web page (``dist/<id>.html``), its images published beside it."""

from __future__ import annotations

from briefkit import links
from briefkit.exporters.base import Context, Exported, Exporter
from briefkit.load import BriefingFile
from briefkit.render import html, published


class HTMLExporter(Exporter):
    name = "html"
    extension = ".html"
    media_type = "text/html"
    description = "the briefing as a web page, its images beside it"

    def filename(self, briefing_id: str) -> str:
        return links.page(briefing_id)

    def export(self, item: BriefingFile, context: Context) -> Exported:
        here = links.page(item.id)

        def image_url(src: str) -> str:
            return links.relative(here, published.image_path(item, src))

        css = html.stylesheet(context.theme)
        page = html.page(item, context.theme, context.settings, image_url, css=css)
        return Exported(page.encode("utf-8"), files=published.images(item))
