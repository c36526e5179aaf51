"""The briefing as a self-contained web page (``dist/<id>.html``)."""

from __future__ import annotations

import base64

from briefkit.exporters.base import Context, Exporter
from briefkit.load import BriefingFile
from briefkit.render import html


class HTMLExporter(Exporter):
    name = "html"
    extension = ".html"
    media_type = "text/html"
    description = "the briefing as a web page, styles and images inside"

    def export(self, item: BriefingFile, context: Context) -> bytes:
        def image_url(src: str) -> str:
            asset = item.assets[src]
            return f"data:{asset.media_type};base64,{base64.b64encode(asset.read()).decode()}"

        css = html.stylesheet(context.theme)
        page = html.page(item, context.theme, context.settings, image_url, css=css)
        return page.encode("utf-8")
