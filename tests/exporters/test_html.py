"""The web page of a briefing, read back with lxml (and fontTools for its web fonts)."""

from __future__ import annotations

import dataclasses
import io
import json
import posixpath
import re
import shutil
import unicodedata
from pathlib import Path

import lxml.html
import pytest
from fontTools.ttLib import TTFont
from support.exports import export_with, made
from support.newsrooms import ENGLISH, FRENCH, ROOT, fixture, sample
from support.readers import chromium_reads

from briefkit.briefing_file import BriefingFile
from briefkit.exporters.base import Context, Exported
from briefkit.exporters.html import HTMLExporter

BASE = "https://briefings.example.org/"
#: briefing name -> (the briefing, its exported web page)
Pages = dict[str, tuple[BriefingFile, Exported]]


def export(item: BriefingFile, context: Context, **sizes: int) -> Exported:
    """The web page of ``item``, its other formats exported at ``sizes`` bytes."""
    outputs = {item.id: made(item.id, **sizes)} if sizes else {}
    return export_with(HTMLExporter(), item, context.settings, context.theme, outputs)


@pytest.fixture(scope="module")
def pages(context: Context) -> Pages:
    items = {"french": sample(FRENCH), "english": sample(ENGLISH),
             "every": fixture("every-block"), "arabic": fixture("rtl-arabic")}
    sizes = {"french": {"pdf": 61_282, "docx": 15_321, "epub": 20_500},
             "english": {"pdf": 1_503_081}, "arabic": {"pdf": 30_000, "epub": 9_000}}
    return {name: (item, export(item, context, **sizes.get(name, {})))
            for name, item in items.items()}


def tree(pages: Pages, name: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(pages[name][1].data)


def text(element: lxml.html.HtmlElement) -> str:
    """The element's text, runs of ordinary white space as one (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", element.text_content()).strip()


def test_french_headings_in_order_with_narrow_spaces(pages: Pages) -> None:
    page = tree(pages, "french")
    assert [h.text_content() for h in page.iter("h2")] == [
        "Que s’est-il passé\u00a0exactement\u202f?",
        "Quel est le bilan de ces\u00a0tirs\u202f?",
        "Quelles possibles conséquences à ces\u00a0bombardements\u202f?",
    ]
    assert page.get("lang") == "fr" and page.get("dir") == "ltr"
    assert page.xpath("string(//time[@class='dateline'])") == (
        "8\u00a0janvier\u00a02020 à 11\u00a0h\u00a045\u00a0UTC+1")
    assert "1\u00a0h\u00a020 du matin" in page.xpath("string(//main)")


def test_a_source_names_its_publisher_after_the_languages_comma(pages: Pages) -> None:
    """"Title، Publisher" in Arabic (never a Latin comma in Arabic text), "Title, Publisher"
    in English."""
    for name, between in (("arabic", "\u060c "), ("every", ", ")):
        item = pages[name][0].briefing
        published = [s for s in item.sources if s.publisher]
        assert published, name
        shown = [text(li) for li in tree(pages, name).xpath("//*[@class='publisher']/..")]
        assert shown == [f"{s.title}{between}{s.publisher}" for s in published], shown


def test_english_dateline(pages: Pages) -> None:
    dateline = tree(pages, "english").xpath("//time[@class='dateline']")[0]
    assert dateline.text == "8\u00a0January\u00a02020, 07:00\u00a0GMT · Updated 16:30"
    assert dateline.get("datetime") == "2020-01-08T07:00:00+00:00"


def test_right_to_left(pages: Pages) -> None:
    page = tree(pages, "arabic")
    assert page.get("lang") == "ar" and page.get("dir") == "rtl"
    assert page.xpath("string(//time[@class='dateline'])") == (
        "٨\u00a0يناير\u00a0٢٠٢٠، ٧:٠٠\u00a0ص\u00a0غرينتش+٣")


def test_markup_in_text_is_literal(pages: Pages) -> None:
    page = tree(pages, "every")
    title = "Every block: a test briefing\u00a0<script>alert(1)</script>"
    assert page.xpath("string(//h1)") == title
    assert page.xpath("//script/@type") == ["application/ld+json"]
    assert "<b>tags</b>" in text(page)


def test_every_block_type_is_rendered(pages: Pages) -> None:
    page = tree(pages, "every")
    for tag in ("blockquote", "ul", "ol", "table", "thead", "img", "aside", "figcaption"):
        assert page.xpath(f"//main//{tag}"), tag
    assert page.xpath("//img/@alt")[0] == "A bar chart rising from 41 to 71."
    links = page.xpath("//main//a/@href")
    assert "https://example.org/a?b=1&c=2" in links and "mailto:desk@example.org" in links


def test_numeric_columns_right_aligned_and_credit_apart(pages: Pages) -> None:
    page = tree(pages, "every")
    table = page.xpath("//table")[0]
    header = [th.get("class") for th in table.xpath(".//th")]
    assert header == [None, "num", None]  # years name rows; the values are figures
    assert [td.text_content() for td in table.xpath(".//td[@class='num']")] == [
        "1,204", "1,380", "990"]
    caption = page.xpath("//figure[@class='image']/figcaption")[0]
    assert caption.xpath("string(span[@class='credit'])") == "Example Council"
    assert caption.xpath("string(span[@class='caption'])") == "Journeys per week, in thousands."


def test_every_content_sits_in_a_landmark(pages: Pages) -> None:
    for name in pages:
        body = tree(pages, name).find("body")
        assert [child.tag for child in body] == ["header", "main", "footer"][: len(body)], name
        assert len(body.xpath("//main")) == 1
        assert body.xpath("header/nav/a[@rel='home']/@href") == ["index.html"]
        assert body.xpath("main/article/header/h1")


def test_links_to_the_other_formats_with_sizes_and_to_the_feeds(pages: Pages) -> None:
    footer = tree(pages, "french").xpath("//footer[@class='page-footer']")[0]
    downloads = [(a.get("href"), text(a)) for a in footer.xpath(".//p[@class='downloads']/a")]
    assert downloads == [(f"{FRENCH}.pdf", "PDF 61\u202fko"), (f"{FRENCH}.epub", "EPUB 20\u202fko"),
                         (f"{FRENCH}.docx", "Word 15\u202fko")]
    feeds = footer.xpath(".//p[@class='feeds']/a/@href")
    assert feeds == ["feed.xml", "atom.xml", "feed.json"]
    english = tree(pages, "english")
    assert [text(a) for a in english.xpath("//p[@class='downloads']/a")] == ["PDF 1.5\u00a0MB"]
    alternate = english.xpath("//link[@rel='alternate']/@href")
    assert alternate[:3] == ["feed.xml", "atom.xml", "feed.json"]
    # then its language's and its topics' feeds
    assert alternate[3:6] == ["en/feed.xml", "en/atom.xml", "en/feed.json"]
    assert all(a.startswith("tags/") for a in alternate[6:]) and alternate[6:]


def test_no_downloads_listed_when_none_were_made(context: Context) -> None:
    page = lxml.html.document_fromstring(export(sample(ENGLISH), context).data)
    assert not page.xpath("//p[@class='downloads']")


def json_ld(page: lxml.html.HtmlElement) -> dict:  # type: ignore[type-arg]
    (script,) = page.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)  # type: ignore[no-any-return]


def test_news_article_json_ld(pages: Pages) -> None:
    _, exported = pages["english"]
    data = json_ld(lxml.html.document_fromstring(exported.data))
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "The new night bus network: what we know"
    assert data["datePublished"] == "2020-01-08T07:00:00+00:00"
    assert data["dateModified"] == "2020-01-08T16:30:00+00:00"
    assert [a["name"] for a in data["author"]] == ["Amira Haddad", "Tom Price"]
    assert all(a["@type"] == "Person" for a in data["author"])
    assert data["inLanguage"] == "en-GB"
    assert data["publisher"] == {"@type": "Organization", "name": "The Briefing Desk",
                                 "url": BASE}
    (image,) = data["image"]
    assert image.startswith(f"{BASE}images/{ENGLISH}/") and image[len(BASE):] in exported.files
    assert data["url"] == f"{BASE}{ENGLISH}.html"


def test_json_ld_cannot_be_closed_by_a_title(pages: Pages) -> None:
    raw = pages["every"][1].data.decode()
    head = raw[raw.index("application/ld+json"):]
    body = head[head.index(">") + 1: head.index("</script>")]
    assert "<" not in body  # "</script>" in the title is written \u003c/script\u003e
    data = json_ld(lxml.html.document_fromstring(raw))
    assert data["headline"] == "Every block: a test briefing <script>alert(1)</script>"


def test_open_graph(pages: Pages) -> None:
    page = tree(pages, "french")
    og = {m.get("property"): m.get("content") for m in page.xpath("//meta[@property]")}
    assert og["og:type"] == "article"
    assert og["og:title"] == "Frappes iraniennes en Irak\u00a0: ce que l’on sait"
    assert og["og:url"] == f"{BASE}{FRENCH}.html"
    assert og["og:description"].startswith("Dans la nuit de mardi à mercredi")
    assert og["og:locale"] == "fr_FR"
    english = {m.get("property"): m.get("content")
               for m in tree(pages, "english").xpath("//meta[@property]")}
    assert english["og:image"].startswith(f"{BASE}images/{ENGLISH}/")


def test_images_are_published_beside_the_page(pages: Pages) -> None:
    item, exported = pages["english"]
    page = lxml.html.document_fromstring(exported.data)
    sources = page.xpath("//img/@src")
    assert sources and all(src.startswith(f"images/{ENGLISH}/") for src in sources)
    for src, asset in item.assets.items():
        published = [p for p in sources if exported.files[p] == asset.path.read_bytes()]
        assert published and published[0].endswith(".png"), src


@pytest.mark.parametrize(("name", "expected"), [
    ("french", {"Charis SIL", "Inter"}),
    ("arabic", {"Charis SIL", "Inter", "Amiri"}),
])
def test_the_themes_fonts_are_served_as_woff2(pages: Pages, name: str,
                                              expected: set[str]) -> None:
    """A page declares, and has published beside it, the faces of the families its text
    needs, as WOFF2, and those faces draw every character it shows."""
    _, exported = pages[name]
    page = lxml.html.document_fromstring(exported.data)
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("([^"]+)"\)',
                       page.xpath("string(//style)"))
    assert {family for family, _ in faces} == expected
    published = {path for path in exported.files if path.startswith("theme/fonts/")}
    assert published == {posixpath.normpath(url) for _, url in faces}
    drawn: set[int] = set()
    for family, url in faces:
        path = posixpath.normpath(url)
        assert path.startswith("theme/fonts/") and path.endswith(".woff2"), url
        font = TTFont(io.BytesIO(exported.files[path]))
        assert font.flavor == "woff2"
        assert font["name"].getDebugName(1).startswith(family.split()[0]), (family, path)
        drawn |= set(font.getBestCmap())
    shown = page.body.text_content() + page.xpath("string(//title)")
    assert not {ch for ch in shown if ord(ch) not in drawn and not ch.isspace()
                and unicodedata.category(ch) not in ("Cf", "Cc")}


def test_no_page_names_a_file_it_does_not_publish(pages: Pages) -> None:
    for name, (_, exported) in pages.items():
        page = lxml.html.document_fromstring(exported.data)
        local = [u for u in page.xpath("//img/@src") if "://" not in u]
        css = page.xpath("string(//style)")
        local += re.findall(r'url\("([^"]+)"\)', css)
        for url in local:
            assert posixpath.normpath(url) in exported.files, (name, url)


# --- what a reader sees ------------------------------------------------------------------


def test_images_carry_their_size_so_the_page_keeps_their_room(pages: Pages) -> None:
    """Images had no width and height: the page jumped as each one loaded."""
    from PIL import Image

    for name in ("english", "every", "arabic"):
        _, exported = pages[name]
        images = lxml.html.document_fromstring(exported.data).xpath("//img")
        assert images, name
        for image in images:
            with Image.open(io.BytesIO(exported.files[image.get("src")])) as drawn:
                assert (image.get("width"), image.get("height")) == (
                    str(drawn.width), str(drawn.height)), (name, image.get("src"))


def test_ninjs_is_for_partners_not_a_download_for_readers(context: Context) -> None:
    from briefkit.links import OutputInfo

    item = sample(ENGLISH)
    outputs = {item.id: {**made(item.id, pdf=61_282, epub=20_500),
                         "ninjs": OutputInfo(f"{item.id}.ninjs.json", "ninjs",
                                             "application/json", 3_000)}}
    page = lxml.html.document_fromstring(
        HTMLExporter().export(item, Context(context.settings, context.theme, outputs)).data)
    assert [text(a) for a in page.xpath("//p[@class='downloads']/a")] == [
        "PDF 61\u00a0kB", "EPUB 20\u00a0kB"]


def on_disk(item: BriefingFile, context: Context, folder: Path, theme: str = "default") -> Path:
    """The web page of ``item`` in a packaged theme, written with its images and fonts."""
    from briefkit.theme import load_theme

    exported = HTMLExporter().export(item, Context(context.settings,
                                                   load_theme(theme, ROOT)))
    for path, data in exported.files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    page = folder / f"{item.id}.html"
    page.write_bytes(exported.data)
    return page


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two CSS colours as a browser reports them (rgb(...))."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


COLOURS = """
function colour(selector, property) {
  var element = document.querySelector(selector);
  return element ? getComputedStyle(element)[property] : null;
}
return {page: colour('html', 'backgroundColor'), text: colour('body', 'color'),
        link: colour('main a', 'color'), muted: colour('.byline .role', 'color'),
        shade: colour('aside.factbox', 'backgroundColor'),
        box_title: colour('.factbox-title', 'color'),
        masthead: colour('.site-bar .masthead', 'color'),
        masthead_ground: colour('.site-bar .masthead', 'backgroundColor')};
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
@pytest.mark.parametrize("look", ["default", "wire"])
def test_by_night_the_page_is_dark_and_every_text_reads_at_aa_contrast(
        context: Context, tmp_path: Path, look: str) -> None:
    """No dark mode: a reader whose system is dark got a white page."""
    page = on_disk(sample(ENGLISH), context, tmp_path, look)
    day = chromium_reads(page, COLOURS)
    night = chromium_reads(page, COLOURS, dark=True)
    assert contrast(day["page"], "rgb(255, 255, 255)") == 1
    assert contrast(night["page"], "rgb(0, 0, 0)") < 1.5, night["page"]  # a dark page
    for looks in (day, night):
        assert contrast(looks["text"], looks["page"]) >= 7
        for text in ("link", "muted", "box_title"):
            for ground in ("page", "shade"):
                assert contrast(looks[text], looks[ground]) >= 4.5, (text, ground, looks)
        if looks["masthead_ground"] != "rgba(0, 0, 0, 0)":  # the wire's solid masthead bar
            assert contrast(looks["masthead"], looks["masthead_ground"]) >= 4.5, looks


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
def test_the_wire_standfirst_is_larger_than_the_first_paragraph(context: Context,
                                                                tmp_path: Path) -> None:
    sizes = chromium_reads(on_disk(sample(ENGLISH), context, tmp_path, "wire"), """
        function size(selector) {
          return parseFloat(getComputedStyle(document.querySelector(selector)).fontSize);
        }
        return [size('.standfirst'), size('.section p'),
                getComputedStyle(document.querySelector('.standfirst')).fontWeight];""")
    standfirst, paragraph, weight = sizes
    assert standfirst > paragraph * 1.05, sizes
    assert weight == "400"  # regular: its own bold stands out


DATE_LINES = """
var time = document.querySelector('time.dateline'), text = time.firstChild;
var end = text.data.indexOf(','), broken = [];
// the byline at every width of a phone: the date falls at every place of a line
for (var width = 160; width <= 390; width += 1) {
  time.parentElement.style.width = width + 'px';
  var range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(text, end);
  var tops = Array.from(range.getClientRects()).map(function (r) { return Math.round(r.top); });
  if (new Set(tops).size > 1) broken.push(width);
}
return {date: text.data.slice(0, end), broken: broken};
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
def test_the_date_of_the_dateline_never_breaks_across_lines(context: Context,
                                                            tmp_path: Path) -> None:
    """On a phone the dateline broke inside "4 March / 2026"."""
    found = chromium_reads(on_disk(sample(ENGLISH), context, tmp_path), DATE_LINES, width=390)
    assert " ".join(found["date"].split()) == "8 January 2020"
    assert found["broken"] == [], f"the date breaks at widths {found['broken']} px"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
def test_an_address_in_the_text_wraps_anywhere_and_is_never_hyphenated(
        context: Context, tmp_path: Path) -> None:
    item = sample(ENGLISH)
    address = "https://example.org/reports/" + "night-bus-network-consultation-" * 4
    long = dataclasses.replace(item, briefing=item.briefing.model_copy(update={
        "standfirst": f"The council's report is at {address} for everyone."}))
    found = chromium_reads(on_disk(long, context, tmp_path), """
        var standfirst = document.querySelector('.standfirst');
        var walker = document.createTreeWalker(standfirst, NodeFilter.SHOW_TEXT), node;
        while ((node = walker.nextNode()) && node.data.indexOf('https://') < 0) {}
        var style = getComputedStyle(node.parentElement);
        return {hyphens: style.hyphens, wrap: style.overflowWrap,
                wide: document.documentElement.scrollWidth >
                      document.documentElement.clientWidth};""", width=390)
    assert found == {"hyphens": "none", "wrap": "anywhere", "wide": False}


@pytest.mark.parametrize(("language", "names", "expected"), [
    ("en-GB", ["Ada Byron", "Li Wei"], "Ada Byron and Li Wei"),
    ("en-GB", ["Ada Byron", "Li Wei", "José Núñez"], "Ada Byron, Li Wei and José Núñez"),
    ("fr", ["Ada Byron", "Li Wei", "José Núñez"], "Ada Byron, Li Wei et José Núñez"),
    ("ar", ["أميرة حداد", "سامي خوري"], "أميرة حداد وسامي خوري"),
], ids=["en-two", "en-three", "fr-three", "ar-two"])
def test_the_byline_lists_names_as_the_language_does(context: Context, language: str,
                                                     names: list[str], expected: str) -> None:
    """'A and B', 'A, B et C', 'A وB': never a bare comma before the last name."""
    item = sample(ENGLISH)
    authors = [item.briefing.authors[0].model_copy(update={"name": name, "role": None,
                                                           "url": None}) for name in names]
    named = dataclasses.replace(item, briefing=item.briefing.model_copy(update={
        "authors": authors, "language": language}))
    page = lxml.html.document_fromstring(HTMLExporter().export(named, context).data)
    (authors_span,) = page.xpath("//*[@class='authors']")
    assert " ".join(authors_span.text_content().split()) == expected
