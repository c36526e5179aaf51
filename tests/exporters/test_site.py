"""The front page, read back with lxml's HTML parser (and, on demand, seen in chromium)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from support.browser import page_widths
from support.exports import made
from support.newsrooms import ENGLISH, FRENCH, fixture, sample
from support.readers import chromium_reads

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import ThemeError
from briefkit.exporters.base import Context, OutputInfo
from briefkit.exporters.site import FrontPageExporter
from briefkit.render.site import file_size
from briefkit.theme import Theme


@pytest.fixture(scope="module")
def items() -> list[BriefingFile]:
    return [sample(ENGLISH), sample(FRENCH), fixture("every-block"), fixture("rtl-arabic")]


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[str, OutputInfo]]:
    return {
        FRENCH: made(FRENCH, html=7_491, pdf=61_282, epub=20_500, docx=15_321),
        ENGLISH: made(ENGLISH, html=41_610, pdf=1_503_081),
        "every-block": made("every-block", docx=900),
    }


@pytest.fixture(scope="module")
def cctx(settings: Settings, theme: Theme,
         outputs: dict[str, dict[str, OutputInfo]]) -> Context:
    return Context(settings, theme, outputs)


@pytest.fixture(scope="module")
def page(items: list[BriefingFile], cctx: Context) -> bytes:
    return FrontPageExporter().export_collection(items, cctx).data


@pytest.fixture(scope="module")
def tree(page: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page)


def test_feed_autodiscovery(tree: lxml.html.HtmlElement) -> None:
    links = [(link.get("type"), link.get("href"))
             for link in tree.xpath("//head/link[@rel='alternate']")]
    assert links == [("application/rss+xml", "feed.xml"), ("application/atom+xml", "atom.xml"),
                     ("application/feed+json", "feed.json")]
    assert all(link.get("title") for link in tree.xpath("//head/link[@rel='alternate']"))


def test_no_feeds_announced_without_base_url(items: list[BriefingFile],
                                             cctx: Context) -> None:
    bare = dataclasses.replace(cctx, settings=cctx.settings.model_copy(update={"base_url": None}))
    tree = lxml.html.document_fromstring(FrontPageExporter().export_collection(items, bare).data)
    assert tree.xpath("//link[@rel='alternate']") == []
    assert len(tree.xpath("//ol[@class='briefings']/li")) == len(items)


def test_a_row_per_briefing_newest_first(tree: lxml.html.HtmlElement,
                                         items: list[BriefingFile]) -> None:
    rows = tree.xpath("//ol[@class='briefings']/li")
    expected = sorted(sorted(items, key=lambda i: i.id), key=lambda i: i.briefing.published,
                      reverse=True)
    assert [r.get("id") for r in rows] == [i.id for i in expected]
    for row, item in zip(rows, expected, strict=True):
        assert row.xpath("string(*[@class='entry']/@lang)") == item.briefing.language
        assert row.xpath("string(*[@class='entry']/@dir)") == item.briefing.direction
        assert row.xpath("string(.//h2)").strip()
        time = row.xpath(".//time")[0]
        assert time.get("datetime") == item.briefing.published.isoformat()


def test_titles_link_to_the_web_page(tree: lxml.html.HtmlElement) -> None:
    def title_link(briefing_id: str) -> list[str]:
        return tree.xpath(f"//li[@id='{briefing_id}']//h2/a/@href")

    assert title_link(FRENCH) == [f"{FRENCH}.html"]
    assert title_link(ENGLISH) == [f"{ENGLISH}.html"]
    # no web page exported: the briefing's own url, else no link
    assert title_link("every-block") == ["https://example.org/briefings/every-block"]
    assert title_link("rtl-arabic") == []


def test_dates_and_standfirst_in_the_briefings_language(tree: lxml.html.HtmlElement) -> None:
    french = tree.xpath(f"//li[@id='{FRENCH}']")[0]
    assert french.xpath("string(.//time)") == (
        "8\u00a0janvier\u00a02020 à 11\u00a0h\u00a045\u00a0UTC+1")
    assert french.xpath("string(.//*[@class='standfirst'])").startswith(
        "Dans la nuit de mardi à mercredi")
    assert "Télécharger" in french.xpath("string(.//*[@class='downloads'])")
    english = tree.xpath(f"//li[@id='{ENGLISH}']")[0]
    assert english.xpath("string(.//time)") == (
        "8\u00a0January\u00a02020, 07:00\u00a0GMT · Updated 16:30")
    arabic = tree.xpath("//li[@id='rtl-arabic']")[0]
    assert arabic.xpath("string(.//time)") == "٨\u00a0يناير\u00a0٢٠٢٠، ٧:٠٠\u00a0ص\u00a0غرينتش+٣"
    every = tree.xpath("//li[@id='every-block']")[0]
    # inline markup becomes HTML, markup-looking text stays text
    assert every.xpath(".//*[@class='standfirst']/strong/text()") == ["every block type"]
    assert "<b>tags</b>" in every.xpath("string(.//*[@class='standfirst'])")
    assert not tree.xpath("//body//script")


def test_downloads_for_each_format_that_exists(tree: lxml.html.HtmlElement,
                                               outputs: dict[str, dict[str, OutputInfo]]) -> None:
    for briefing_id in (FRENCH, ENGLISH, "every-block", "rtl-arabic"):
        links = tree.xpath(f"//li[@id='{briefing_id}']//*[@class='downloads']/a")
        expected = [o for f, o in outputs.get(briefing_id, {}).items() if f != "html"]
        assert [(a.get("href"), a.get("type")) for a in links] == [
            (o.name, o.media_type) for o in expected]
    labels = [a.xpath("string(.//*[@class='format'])")
              for a in tree.xpath(f"//li[@id='{FRENCH}']//*[@class='downloads']/a")]
    assert labels == ["PDF", "EPUB", "Word"]
    sizes = tree.xpath(f"//li[@id='{ENGLISH}']//*[@class='size']/text()")
    assert sizes == ["1.5\u00a0MB"]


def test_file_sizes_read_as_the_language_writes_them() -> None:
    assert file_size(61_282, "en-GB") == "61\u00a0kB"
    assert file_size(61_282, "fr") == "61\u202fko"  # CLDR's narrow no-break space
    assert file_size(1_503_081, "fr") == "1,5\u202fMo"
    assert file_size(12, "en") == "1\u00a0kB"


def test_responsive_page(tree: lxml.html.HtmlElement) -> None:
    assert tree.xpath("//meta[@name='viewport']/@content") == [
        "width=device-width, initial-scale=1"]
    assert "@media (max-width:" in tree.xpath("string(//style)")
    assert tree.get("lang") == "en-GB"


def test_same_bytes_every_time(items: list[BriefingFile], cctx: Context,
                               page: bytes) -> None:
    assert FrontPageExporter().export_collection(list(reversed(items)), cctx).data == page


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
@pytest.mark.parametrize("width", [1200, 400])
def test_chromium_draws_the_page(width: int, page: bytes, tmp_path: Path) -> None:
    """Chromium draws the page at desktop and phone widths (the pictures are for people to look at)."""
    (tmp_path / "index.html").write_bytes(page)
    shot = tmp_path / f"index-{width}.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", f"--screenshot={shot}",
             f"--window-size={width},1400", (tmp_path / "index.html").as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (width, 1400)
        # the page is drawn: more than a blank screen (text, rules, the accent colour)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50


def test_the_theme_logo_heads_the_page_and_is_published(items: list[BriefingFile],
                                                        cctx: Context,
                                                        tmp_path: Path) -> None:
    logo = (Path(__file__).parent.parent / "fixtures" / "images" / "chart.png").read_bytes()
    (tmp_path / "logo.png").write_bytes(logo)
    brand = cctx.theme.settings.brand.model_copy(update={"logo": "logo.png"})
    theme = Theme(cctx.theme.name, (tmp_path, *cctx.theme.folders),
                  cctx.theme.settings.model_copy(update={"brand": brand}))
    exported = FrontPageExporter().export_collection(items, dataclasses.replace(cctx, theme=theme))
    published = f"theme/logo-{hashlib.sha256(logo).hexdigest()[:10]}.png"
    # besides the logo and the fonts: the pages of topics and languages
    assert {p: d for p, d in exported.files.items() if not p.endswith(".html")} == {
        published: logo, **{p: d for p, d in exported.files.items()
                            if p.startswith("theme/fonts/")}}
    tree = lxml.html.document_fromstring(exported.data)
    assert tree.xpath("//header//img/@src") == [published]


def logo_theme(cctx: Context, folder: Path, name: str, data: bytes) -> Theme:
    """The default theme with ``data`` as its logo, called ``name`` in ``folder`` (not
    checked when loaded: what a file swapped after the theme's check would be)."""
    (folder / name).write_bytes(data)
    brand = cctx.theme.settings.brand.model_copy(update={"logo": name})
    return Theme(cctx.theme.name, (folder, *cctx.theme.folders),
                 cctx.theme.settings.model_copy(update={"brand": brand}))


def test_a_logo_named_html_is_published_as_the_image_it_is_by_every_output(
        items: list[BriefingFile], cctx: Context, tmp_path: Path) -> None:
    """A PNG carrying a script in a text chunk, named logo.html, would be served as a web
    page: the front page, the feeds and the web page all publish and name it as a PNG."""
    from PIL import Image, PngImagePlugin

    from briefkit.exporters.base import Context
    from briefkit.exporters.feeds import AtomExporter, JSONFeedExporter, RSSExporter
    from briefkit.exporters.html import HTMLExporter

    chunk = PngImagePlugin.PngInfo()
    chunk.add_text("Comment", "<html><script>alert(document.cookie)</script></html>")
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "#0b4f8a").save(out, "PNG", pnginfo=chunk)
    png = out.getvalue()
    theme = logo_theme(cctx, tmp_path, "logo.html", png)
    branded = dataclasses.replace(cctx, theme=theme)
    path = f"theme/logo-{hashlib.sha256(png).hexdigest()[:10]}.png"
    url = "https://briefings.example.org/" + path

    front = FrontPageExporter().export_collection(items, branded)
    assert lxml.html.document_fromstring(front.data).xpath("//header//img/@src") == [path]
    feeds = {e.name: e.export_collection(items, branded)
             for e in (RSSExporter(), AtomExporter(), JSONFeedExporter())}
    for exported in (front, *feeds.values()):
        logos = {p: d for p, d in exported.files.items() if p.startswith("theme/")
                 and not p.startswith("theme/fonts/")}
        assert logos == {path: png}
        with Image.open(io.BytesIO(logos[path])) as image:  # what a browser gets: a PNG
            assert image.format == "PNG"
    assert lxml.etree.fromstring(feeds["rss"].data).findtext("channel/image/url") == url
    atom = lxml.etree.fromstring(feeds["atom"].data)
    assert atom.findtext("{http://www.w3.org/2005/Atom}logo") == url
    assert json.loads(feeds["jsonfeed"].data)["icon"] == url
    page = HTMLExporter().export(items[0], Context(cctx.settings, theme, cctx.outputs))
    (ld,) = lxml.html.document_fromstring(page.data).xpath(
        "//script[@type='application/ld+json']/text()")
    assert json.loads(ld)["publisher"]["logo"]["url"] == url


def test_a_logo_that_is_not_an_image_when_published_is_refused_in_one_line(
        items: list[BriefingFile], cctx: Context, tmp_path: Path) -> None:
    """theme.toml's logo is checked when the theme loads; the file is read, bounded, and
    checked again when it is published, so a file swapped since is never published."""
    theme = logo_theme(cctx, tmp_path, "logo.png", b"<svg onload='alert(1)'/>")
    with pytest.raises(ThemeError) as caught:
        FrontPageExporter().export_collection(items, dataclasses.replace(cctx, theme=theme))
    assert caught.value.lines() == [f"theme 'default': logo {tmp_path / 'logo.png'} is not "
                                    "an image"]


def test_web_fonts_beside_the_front_page(page: bytes, items: list[BriefingFile],
                                         cctx: Context) -> None:
    files = FrontPageExporter().export_collection(items, cctx).files
    css = lxml.html.document_fromstring(page).xpath("string(//style)")
    urls = re.findall(r'@font-face \{[^}]*src: url\("([^"]+)"\)', css)
    assert urls and all(url in files and files[url][:4] == b"wOF2" for url in urls)
    assert "theme/fonts/CharisSIL-Regular.woff2" in urls


LONG = "https://example.org/" + "a-very-long-address-without-a-single-space" * 6


def overflow_page(items: list[BriefingFile], cctx: Context,
                  tmp_path: Path) -> Path:
    """The front page with a headline and a standfirst that never break by themselves."""
    long = dataclasses.replace(items[0], briefing=items[0].briefing.model_copy(update={
        "title": "Supercalifragilistic" * 8, "standfirst": f"See {LONG} now."}))
    exported = FrontPageExporter().export_collection([long, *items[1:]], cctx)
    for path, data in exported.files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    (tmp_path / "index.html").write_bytes(exported.data)
    return tmp_path / "index.html"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
def test_the_front_page_never_scrolls_sideways(items: list[BriefingFile], cctx: Context,
                                               tmp_path: Path) -> None:
    page = overflow_page(items, cctx, tmp_path)
    widths = (390, 1280)
    for width, (scroll, inner) in zip(widths, page_widths([(page, w) for w in widths]),
                                      strict=True):
        assert inner > width - 30, (width, inner)
        assert scroll <= inner, f"at {width} px the page is {scroll} px wide"


# --- what a reader sees ------------------------------------------------------------------


def test_download_sizes_are_in_the_digits_of_the_dateline() -> None:
    """"PDF 98 kB" in Latin digits beside an Arabic dateline in Arabic ones."""
    assert file_size(98_000, "ar") == "٩٨\u00a0كيلوبايت"
    assert file_size(1_503_081, "ar") == "١٫٥\u00a0م.ب"
    assert file_size(98_000, "en") == "98\u00a0kB"


def test_ninjs_is_for_partners_not_a_download_for_readers(items: list[BriefingFile],
                                                          cctx: Context) -> None:
    """"NINJS 3 kB" was offered to readers beside the PDF."""
    outputs = {ENGLISH: {**made(ENGLISH, html=41_610, pdf=61_282),
                         "ninjs": OutputInfo(f"{ENGLISH}.ninjs.json", "ninjs",
                                             "application/json", 3_000)}}
    tree = lxml.html.document_fromstring(FrontPageExporter().export_collection(
        items, dataclasses.replace(cctx, outputs=outputs)).data)
    labels = tree.xpath(f"//li[@id='{ENGLISH}']//*[@class='downloads']/a//*[@class='format']")
    assert [label.text for label in labels] == ["PDF"]
    assert not tree.xpath("//a[contains(@href, '.ninjs.json')]")


def test_the_masthead_is_not_repeated_above_a_heading_that_says_the_same(
        items: list[BriefingFile], cctx: Context) -> None:
    for publisher in ("Briefings", "BRIEFINGS", "", "The Briefing Desk"):
        settings = cctx.settings.model_copy(update={"title": "Briefings",
                                                    "publisher": publisher})
        tree = lxml.html.document_fromstring(FrontPageExporter().export_collection(
            items, dataclasses.replace(cctx, settings=settings)).data)
        header = " ".join(tree.xpath("string(//header[@class='site-header'])").split())
        repeated = header.casefold().count("briefings")
        assert repeated == 1, (publisher, header)
        assert ("The Briefing Desk" in header) == (publisher == "The Briefing Desk")


def served(items: list[BriefingFile], cctx: Context, folder: Path,
           theme: str = "default") -> Path:
    """The front page in a packaged theme, written with its fonts."""
    from briefkit.theme import load_theme

    exported = FrontPageExporter().export_collection(
        items, dataclasses.replace(cctx, theme=load_theme(theme)))
    for path, data in exported.files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    (folder / "index.html").write_bytes(exported.data)
    return folder / "index.html"


ROWS = """
return Array.from(document.querySelectorAll('ol.briefings > li')).map(function (row) {
  var date = row.querySelector('.dateline').getBoundingClientRect();
  var title = row.querySelector('h2');
  return {id: row.id, date_left: Math.round(date.left), date_right: Math.round(date.right),
          transform: getComputedStyle(title).textTransform, title: title.innerText};
});
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
@pytest.mark.parametrize("look", ["default", "wire"])
def test_every_row_keeps_the_layout_of_the_page(items: list[BriefingFile],
                                                cctx: Context, tmp_path: Path,
                                                look: str) -> None:
    """The Arabic row was mirrored, its date column jumping to the other side."""
    rows = chromium_reads(served(items, cctx, tmp_path, look), ROWS, width=1280)
    assert len(rows) == len(items)
    assert len({row["date_left"] for row in rows}) == 1, rows
    assert all(row["date_right"] < 640 for row in rows), rows


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
def test_the_wire_front_page_writes_headlines_as_the_briefings_do(
        items: list[BriefingFile], cctx: Context, tmp_path: Path) -> None:
    """The wire theme's front page set every headline in capitals."""
    rows = chromium_reads(served(items, cctx, tmp_path, "wire"), ROWS, width=1280)
    english = next(row for row in rows if row["id"] == ENGLISH)
    assert english["transform"] == "none"
    assert english["title"] == "The new night bus network: what we\u00a0know"
