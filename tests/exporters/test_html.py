"""The web page of a briefing, read back with the standard library's HTML parser."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from briefkit.exporters.base import Context
from briefkit.exporters.html import HTMLExporter
from conftest import ENGLISH, FRENCH, fixture, sample


class Page(HTMLParser):
    """Collects text per element and attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("img", "meta", "link", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((self.stack[-1] if self.stack else "", data))


def read(item_name: str, context: Context, loader=sample) -> Page:  # type: ignore[no-untyped-def]
    page = Page()
    page.feed(HTMLExporter().export(loader(item_name), context).data.decode("utf-8"))
    return page


@pytest.fixture(scope="module")
def every(context: Context) -> Page:
    return read("every-block", context, fixture)


def test_french_headings_in_order_with_narrow_spaces(context: Context) -> None:
    page = read(FRENCH, context)
    headings = [t for tag, t in page.texts if tag == "h2"]
    assert headings == [
        "Que s’est-il passé\u00a0exactement\u202f?",
        "Quel est le bilan de ces\u00a0tirs\u202f?",
        "Quelles possibles conséquences à ces\u00a0bombardements\u202f?",
    ]
    assert ("html", {"lang": "fr", "dir": "ltr"}) in page.tags
    assert ("time", "8 janvier 2020 à 11\u00a0h\u00a045") in page.texts


def test_markup_in_text_is_literal(every: Page) -> None:
    assert ("h1", "Every block: a test briefing\u00a0<script>alert(1)</script>") in every.texts
    assert not any(tag == "script" for tag, _ in every.tags)
    assert any("<b>tags</b>" in t for _, t in every.texts)


def test_every_block_type_is_rendered(every: Page) -> None:
    tags = [t for t, _ in every.tags]
    for tag in ("blockquote", "ul", "ol", "table", "thead", "img", "aside", "figcaption"):
        assert tag in tags, tag
    images = [a for t, a in every.tags if t == "img"]
    assert images[0]["alt"] == "A bar chart rising from 41 to 71."
    assert str(images[0]["src"]).startswith("images/every-block/")
    links = [a["href"] for t, a in every.tags if t == "a"]
    assert "https://example.org/a?b=1&c=2" in links and "mailto:desk@example.org" in links


def test_right_to_left(context: Context) -> None:
    page = read("rtl-arabic", context, fixture)
    assert ("html", {"lang": "ar", "dir": "rtl"}) in page.tags


def test_english_sample(context: Context) -> None:
    page = read(ENGLISH, context)
    assert ("time", "8 January 2020, 07:00 · Updated 16:30") in page.texts


def test_images_are_published_beside_the_page(context: Context) -> None:
    item = sample(ENGLISH)
    exported = HTMLExporter().export(item, context)
    page = Page()
    page.feed(exported.data.decode("utf-8"))
    sources = [str(a["src"]) for t, a in page.tags if t == "img"]
    assert sources and set(sources) <= set(exported.files)
    for src in sources:
        assert src.startswith(f"images/{ENGLISH}/")
    for src, asset in item.assets.items():
        path = next(p for p in exported.files if exported.files[p] == asset.path.read_bytes())
        assert path.endswith(".png") and path in sources, src
