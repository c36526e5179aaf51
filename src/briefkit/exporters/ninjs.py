"""The briefing as an IPTC ninjs news item (``dist/<id>.ninjs.json``), for wire partners:
ninjs 3.2, or 3.1 for partners who pin it (``[ninjs] version``).

ninjs ("News in JSON") is the IPTC's exchange format for news: an agency or a
partner's CMS reads the headlines, the body as HTML and as text, the byline,
the subjects and where every published file of the item is.  The headline,
subtitle, standfirst, byline and rights are properties of their own, so the HTML
body is the article's text alone and a partner prints each once.  The renditions
list the briefing's web page, PDF, EPUB and Word files with their sizes, so the
exporter runs after them (``lists_outputs``); the images it describes are
published beside it, so every address it gives resolves.

Nothing in the file depends on the time of the build: keys are sorted, lists
keep the briefing's order, and every date is the briefing's own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from briefkit import inline, links
from briefkit.briefing_file import Asset, BriefingFile
from briefkit.exporters.base import Context, Exported, Exporter, OutputInfo
from briefkit.model import (
    Block,
    Briefing,
    Factbox,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    Timeline,
)
from briefkit.render import html
from briefkit.render.labels import labels_for
from briefkit.render.site import byline, require_base_url
from briefkit.render.typography import typeset

#: Renditions in the order a partner looks for them; other formats follow by name.
RENDITIONS = ("html", "pdf", "epub", "docx")
#: Why a ninjs item needs base_url.
NINJS_NEEDS = "a ninjs news item gives its files absolute addresses"
# characters a URI may carry as they are (RFC 3986 reserved and unreserved, and "%")
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"
_WORD = re.compile(r"\S+")


def uri(url: str) -> str:
    """A URL as a URI: characters outside ASCII (an IRI's) percent-encoded."""
    return quote(url, safe=_URI_SAFE)


def _text(text: str, language: str) -> str:
    """Briefing text with inline markup, as plain text with the language's typography."""
    return typeset(inline.plain(text), language)


def schema(version: str) -> str:
    """The schema an item of a ninjs version follows, as IPTC names it (its ``$id``)."""
    return f"http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json#"


def _lines(block: Block, lang: str) -> list[str]:
    """A block as lines of plain text: a list's items, a table's rows, a timeline's events
    one a line (a figure has none: ninjs counts words and characters without captions)."""
    if isinstance(block, Paragraph):
        return [_text(block.text, lang)]
    if isinstance(block, Quote):
        attribution = ["— " + typeset(block.attribution, lang)] if block.attribution else []
        return [_text(block.text, lang), *attribution]
    if isinstance(block, ListBlock):
        return [f"{f'{n}.' if block.ordered else '•'} {_text(item, lang)}"
                for n, item in enumerate(block.items, 1)]
    if isinstance(block, Table):
        caption = [_text(block.caption, lang)] if block.caption else []
        return caption + ["\t".join(_text(cell, lang) for cell in row)
                          for row in (block.header, *block.rows)]
    if isinstance(block, Timeline):
        return [f"{typeset(e.when, lang)}: {_text(e.text, lang)}" for e in block.events]
    if isinstance(block, Factbox):
        title = [typeset(block.title, lang)] if block.title else []
        return title + [f"• {_text(item, lang)}" for item in block.items]
    return []


def body_text(briefing: Briefing) -> str:
    """The article as plain text, as a partner prints it: the standfirst, each section's
    heading and blocks, then the sources, paragraphs set apart by a blank line.

    Figure captions are left out, as ninjs counts words and characters without them.
    """
    lang = briefing.language
    paragraphs = [_text(briefing.standfirst, lang)] if briefing.standfirst else []
    for section in briefing.sections:
        if section.heading:
            paragraphs.append(typeset(section.heading, lang))
        paragraphs.extend("\n".join(lines) for block in section.blocks
                          if (lines := _lines(block, lang)))
    if briefing.sources:
        paragraphs.append(labels_for(lang).sources)
        # an address in angle brackets, as RFC 3986 (appendix C) suggests in plain text
        paragraphs.append("\n".join(
            f"{n}. {typeset(s.title, lang)}"
            + (f", {typeset(s.publisher, lang)}" if s.publisher else "")
            + (f" <{uri(s.url)}>" if s.url else "")
            for n, s in enumerate(briefing.sources, 1)))
    return "\n\n".join(paragraphs)


def described(*texts: tuple[str, str | None]) -> list[dict[str, str]]:
    """ninjs descriptions, as plain text, by role: those that have a text."""
    return [{"role": role, "contentType": "text/plain", "value": value}
            for role, value in texts if value]


def word_count(text: str) -> int:
    """Words as runs between spaces that hold a letter or a digit (a lone dash is none)."""
    return sum(1 for w in _WORD.findall(text) if any(ch.isalnum() for ch in w))


def renditions(made: Mapping[str, OutputInfo], base_url: str,
               own: str) -> list[dict[str, Any]]:
    """The briefing's published files, with absolute addresses and sizes."""
    order = [f for f in RENDITIONS if f in made] + sorted(
        f for f in made if f not in RENDITIONS and f != own)
    return [
        {"name": f, "title": made[f].shown_as,
         "href": links.url(base_url, made[f].name), "contentType": made[f].media_type,
         "sizeInBytes": made[f].size}
        for f in order
    ]


def people(briefing: Briefing) -> list[dict[str, Any]]:
    """The authors; ``rel`` says what each is to the briefing: their role, else 'author'."""
    lang = briefing.language
    found = []
    for author in briefing.authors:
        person: dict[str, Any] = {"name": typeset(author.name, lang),
                                  "rel": typeset(author.role, lang) if author.role else "author"}
        if author.url:
            person["uri"] = uri(author.url)
        if author.email:
            person["contactInfo"] = [{"type": "email", "value": author.email}]
        found.append(person)
    return found


def picture(block: Image, asset: Asset, number: int, href: str, size: int,
            language: str) -> dict[str, Any]:
    """An image of the briefing as an associated picture item: alt text, caption, credit."""
    return {
        "name": f"image{number}",
        "rel": "image",
        "uri": href,
        "type": "picture",
        "language": language,
        "descriptions": described(
            ("alt", typeset(block.alt, language)),
            ("caption", block.caption and _text(block.caption, language)),
            ("creditline", block.credit and typeset(block.credit, language)),
        ),
        "renditions": [{"name": "original", "href": href, "contentType": asset.media_type,
                        "width": asset.width, "height": asset.height, "sizeInBytes": size}],
    }


class NinjsExporter(Exporter):
    name = "ninjs"
    label = "ninjs"
    extension = ".ninjs.json"
    # IPTC has registered no media type for ninjs with IANA: it is JSON.
    media_type = "application/json"
    description = "IPTC ninjs 3.2 (or 3.1) news item for wire partners, with the published files"
    lists_outputs = True
    runs_after = ("html",)  # the web page lists the downloads; the item lists the page too
    made_with = html.MADE_WITH

    def export(self, item: BriefingFile, context: Context) -> Exported:
        briefing, settings = item.briefing, context.settings
        base_url = require_base_url(settings.base_url, self.filename(item.id), NINJS_NEEDS)
        lang = briefing.language
        # every image the item names is published beside it, under the name all outputs use
        paths = {src: links.image(item.id, src, a.media_type, a.sha256)
                 for src, a in item.assets.items()}
        images = {paths[src]: asset.read() for src, asset in item.assets.items()}

        def image_url(src: str) -> str:
            return links.url(base_url, paths[src])

        content = html.content(item, context.theme, settings, image_url, body_only=True)
        text = body_text(briefing)
        news: dict[str, Any] = {
            "uri": uri(briefing.url) if briefing.url
            else links.url(base_url, links.page(briefing.id)),
            "standard": {"name": "ninjs", "version": settings.ninjs.version,
                         "schema": schema(settings.ninjs.version)},
            "type": "text",
            "slugline": briefing.id,
            "firstCreated": briefing.published.isoformat(),
            "versionCreated": briefing.modified.isoformat(),
            "language": lang,
            "headlines": [{"role": "main", "value": typeset(briefing.title, lang)}],
            "bodies": [
                {"role": "richtext", "contentType": "text/html", "value": content},
                {"role": "text", "contentType": "text/plain", "value": text,
                 "wordCount": word_count(text), "charCount": len(text)},
            ],
        }
        if briefing.subtitle:
            news["headlines"].append({"role": "subhead",
                                      "value": typeset(briefing.subtitle, lang)})
        descriptions = described(
            ("lead", briefing.standfirst and _text(briefing.standfirst, lang)),
            ("summary", briefing.summary and typeset(briefing.summary, lang)),
        )
        if descriptions:
            news["descriptions"] = descriptions
        if briefing.authors:
            news["by"] = typeset(byline(briefing), lang)
            news["people"] = people(briefing)
        if briefing.tags:
            news["subjects"] = [{"name": tag} for tag in briefing.tags]
        if briefing.rights:
            news["copyrightNotice"] = briefing.rights
        made = renditions(context.outputs.get(briefing.id, {}), base_url, self.name)
        if made:
            news["renditions"] = made
        associations: dict[str, dict[str, Any]] = {}
        for block in briefing.images():  # each image once, in the order it appears
            if block.src not in associations:
                path = paths[block.src]
                associations[block.src] = picture(
                    block, item.assets[block.src], len(associations) + 1,
                    links.url(base_url, path), len(images[path]), lang)
        if associations:
            news["associations"] = list(associations.values())
        data = json.dumps(news, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        return Exported(data.encode("utf-8"), files=images)
