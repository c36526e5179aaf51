"""The Word document partners edit, read back by python-docx and by lxml on the ZIP.

Each briefing is exported once for the module; LibreOffice's conversion to PDF
(read by pdftotext) is the slow check.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import json
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree
from pypdf import PdfReader
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, ROOT, fixture, sample

from briefkit import inline, registry
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import ThemeError
from briefkit.exporters.base import Context
from briefkit.exporters.docx import DocxExporter, word_language
from briefkit.load import load
from briefkit.model import Image, ListBlock, Section, Table
from briefkit.render.typography import tie_last_words, typeset
from briefkit.theme import Theme, load_theme

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W,
    "r": R,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
DOCUMENTS: dict[str, Callable[[], BriefingFile]] = {
    "french": lambda: sample(FRENCH),
    "english": lambda: sample(ENGLISH),
    "every-block": lambda: fixture("every-block"),
    "arabic": lambda: fixture("rtl-arabic"),
}


@dataclass
class Exported:
    item: BriefingFile
    data: bytes

    @property
    def document(self) -> Document:
        return docx.Document(io.BytesIO(self.data))

    @property
    def names(self) -> list[str]:
        return zipfile.ZipFile(io.BytesIO(self.data)).namelist()

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(zipfile.ZipFile(io.BytesIO(self.data)).read(name))

    def relationships(self, name: str = "word/_rels/document.xml.rels") -> dict[str, etree._Element]:
        return {rel.get("Id"): rel for rel in self.xml(name)}

    def by_style(self, style: str) -> list[str]:
        return [p.text for p in self.document.paragraphs if p.style.name == style]


@pytest.fixture(scope="module")
def exported(context: Context) -> dict[str, Exported]:
    exporter = DocxExporter()
    return {name: Exported(item, exporter.export(item, context))
            for name, item in ((n, load()) for n, load in DOCUMENTS.items())}


@pytest.fixture(scope="module")
def every(exported: dict[str, Exported]) -> Exported:
    return exported["every-block"]


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def test_registered_as_docx() -> None:
    assert isinstance(registry.get("docx"), DocxExporter)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_python_docx_reopens_every_output(exported: dict[str, Exported], name: str) -> None:
    document = exported[name].document
    briefing = exported[name].item.briefing
    assert document.paragraphs[0].text == tie_last_words(typeset(briefing.title,
                                                                 briefing.language))
    assert document.paragraphs[0].style.name == "Title"
    assert len(document.sections) == 1


def test_section_headings_carry_heading_1(every: Exported) -> None:
    briefing = every.item.briefing
    headings = [s.heading for s in briefing.sections if s.heading]
    assert every.by_style("Heading 1") == [tie_last_words(typeset(h, "en-GB"))
                                           for h in headings] + ["Sources"]
    styles = every.document.styles
    for level in (1, 2):
        heading = styles[f"Heading {level}"]
        # a real heading: in the navigation pane and the table of contents
        assert heading.element.find("w:pPr/w:outlineLvl", NS).get(w("val")) == str(level - 1)
        assert heading.font.name == "Inter" and heading.font.bold


def test_every_block_has_its_style(every: Exported) -> None:
    b = every.item.briefing
    assert every.by_style("Subtitle") == [tie_last_words(typeset(b.subtitle or "", "en-GB"))]
    assert every.by_style("Standfirst") == [
        tie_last_words(typeset(inline.plain(b.standfirst or ""), "en-GB"))]
    (byline,) = every.by_style("Byline")
    # as British English lists three names: no comma before "and"
    assert "Ada Byron (editor), Li Wei and José Núñez" in byline
    # the dateline: publication time, and the update's date and time on another day
    assert byline.endswith("\n4\u00a0March\u00a02021, 09:15\u00a0GMT · Updated 5\u00a0March\u00a02021, "
                           "18:00\u00a0GMT+1")
    assert every.by_style("List Bullet") == ["Unordered one", "Unordered two", "Unordered three"]
    assert every.by_style("List Number") == ["Ordered one", "Ordered two", "Ordered three"]
    assert every.by_style("Quote")[0].startswith("A quotation that runs long")
    assert every.by_style("Quote")[1] == "A quote without attribution."
    # the attribution is a paragraph of its own style, right under its quote
    assert every.by_style("Attribution") == ["\u2014\u00a0A. Source, spokesperson"]
    texts = [p.text for p in every.document.paragraphs]
    assert texts[texts.index(every.by_style("Quote")[0]) + 1] == every.by_style("Attribution")[0]
    assert every.by_style("Caption") == ["Journeys per week, in thousands.", "Figures by year"]
    assert every.by_style("Credit") == ["Example Council", "CC BY 4.0"]
    assert every.by_style("Timeline Date") == ["1 March 2021", "3 March 2021"]
    assert every.by_style("Timeline Event") == ["Something happens", "Something else happens"]
    assert every.by_style("Factbox Title") == ["Key facts"]
    assert every.by_style("Factbox") == ["Fact one", "Fact two with a link",
                                         "A factbox without a title"]
    assert every.by_style("Source") == ["Example report, Example Institute", "Phone interview, Desk"]
    text = "\n".join(p.text for p in every.document.paragraphs)
    # literal markup stays text
    assert "<script>alert(1)</script>" in text and "<b>tags</b>" in text


def test_inline_emphasis_and_strong_are_run_formatting(every: Exported) -> None:
    (paragraph,) = [p for p in every.document.paragraphs if p.text.startswith("First paragraph")]
    runs = {r.text: r for r in paragraph.runs}
    assert runs["strong"].bold and not runs["strong"].italic
    assert runs["emphasis"].italic and not runs["emphasis"].bold


def test_styles_derive_from_the_theme(every: Exported, theme: Theme) -> None:
    look = theme.settings
    styles = every.xml("word/styles.xml")
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    fonts = defaults.find("w:rFonts", NS)
    assert fonts.get(w("ascii")) == look.fonts.body
    assert fonts.get(w("cs")) == look.fonts.fallback[0]
    assert defaults.find("w:sz", NS).get(w("val")) == str(round(look.fonts.size * 2))
    assert defaults.find("w:color", NS).get(w("val")).lower() == look.colours.text[1:].lower()

    def style(style_id: str) -> etree._Element:
        (found,) = styles.findall(f"w:style[@w:styleId='{style_id}']", NS)
        return found

    link = style("Hyperlink")
    assert link.get(w("type")) == "character"
    assert link.find("w:rPr/w:color", NS).get(w("val")).lower() == look.colours.accent[1:].lower()
    assert link.find("w:rPr/w:u", NS).get(w("val")) == "single"
    factbox = style("Factbox")
    assert factbox.find("w:pPr/w:shd", NS).get(w("fill")).lower() == look.colours.shade[1:].lower()
    assert style("FactboxTitle").find("w:basedOn", NS).get(w("val")) == "Factbox"
    for style_id in ("Standfirst", "Byline", "TimelineDate", "TimelineEvent", "Source", "Credit"):
        assert style(style_id).get(w("customStyle")) == "1"
    assert style("Heading1").find("w:rPr/w:rFonts", NS).get(w("ascii")) == look.fonts.headings
    table = style("BriefingTable")
    assert table.get(w("type")) == "table"
    # the template's heap of unused table styles is gone
    assert len(styles.findall("w:style[@w:type='table']", NS)) <= 3


def test_page_size_and_margins_from_the_theme(every: Exported) -> None:
    section = every.document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(m.mm) for m in (section.top_margin, section.right_margin,
                                  section.bottom_margin, section.left_margin)] == [22, 38, 24, 38]


def test_links_are_hyperlinks_to_the_right_url(every: Exported) -> None:
    b = every.item.briefing
    expected = set(inline.links(b.standfirst or ""))
    for section in b.sections:
        for block in section.blocks:
            for text in (getattr(block, "text", None), *getattr(block, "items", [])):
                if text:
                    expected |= set(inline.links(text))
    expected |= {a.url for a in b.authors if a.url} | {s.url for s in b.sources if s.url}
    rels = every.relationships()
    found = set()
    for link in every.xml("word/document.xml").iter(w("hyperlink")):
        rel = rels[link.get(f"{{{R}}}id")]
        assert rel.get("TargetMode") == "External"
        found.add(rel.get("Target"))
        for run in link.findall("w:r", NS):
            assert run.find("w:rPr/w:rStyle", NS).get(w("val")) == "Hyperlink"
    assert found == expected
    assert "https://example.org/a?b=1&c=2" in found and "mailto:desk@example.org" in found
    urls = [h.url for p in every.document.paragraphs for h in p.hyperlinks]
    assert "https://example.org/report" in urls


def test_images_carry_alt_text_and_fit_the_text_width(every: Exported) -> None:
    images = every.item.briefing.images()
    pictures = list(every.xml("word/document.xml").iter(f"{{{NS['wp']}}}inline"))
    assert [p.find("wp:docPr", NS).get("descr") for p in pictures] == [i.alt for i in images]
    section = every.document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for picture, image in zip(pictures, images, strict=True):
        extent = picture.find("wp:extent", NS)
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        asset = every.item.assets[image.src]
        assert 0 < cx <= text_width
        assert abs(cx / cy - asset.width / asset.height) < 0.01
    media = [n for n in every.names if n.startswith("word/media/")]
    assert len(media) == 1  # the same chart twice is stored once


def test_table_repeats_its_header_row(every: Exported) -> None:
    (table,) = every.document.tables
    assert table.style.name == "Briefing Table"
    assert [c.text for c in table.rows[0].cells] == ["Year", "Value", "Note"]
    assert [c.text for c in table.rows[2].cells] == ["2020", "1,380", "record"]
    assert table.rows[2].cells[2].paragraphs[0].runs[0].bold
    # figures set to the right, header included; years and words left as they are (the
    # shared rule of every format)
    alignments = [[c.paragraphs[0].alignment for c in row.cells] for row in table.rows]
    assert all(row == [None, WD_ALIGN_PARAGRAPH.RIGHT, None] for row in alignments)
    rows = every.xml("word/document.xml").findall(".//w:tbl/w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    # a short table stays on one page: every row but the last keeps with the next
    keeps = [all(p.find("w:pPr/w:keepNext", NS) is not None for p in r.iter(w("p")))
             for r in rows]
    assert keeps == [True] * (len(rows) - 1) + [False]


def test_ordered_lists_are_word_numbering_restarted_per_list(every: Exported) -> None:
    body = every.xml("word/document.xml")
    numbering = every.xml("word/numbering.xml")

    def num_ids(style: str) -> set[str]:
        return {p.find("w:pPr/w:numPr/w:numId", NS).get(w("val"))
                for p in body.iter(w("p"))
                if (s := p.find("w:pPr/w:pStyle", NS)) is not None and s.get(w("val")) == style}

    (ordered,) = num_ids("ListNumber")
    (sources,) = num_ids("Source")
    (bullets,) = num_ids("ListBullet")
    assert len({ordered, sources, bullets}) == 3
    for num_id, kind in ((ordered, "decimal"), (sources, "decimal"), (bullets, "bullet")):
        (num,) = numbering.findall(f"w:num[@w:numId='{num_id}']", NS)
        abstract = num.find("w:abstractNumId", NS).get(w("val"))
        (definition,) = numbering.findall(f"w:abstractNum[@w:abstractNumId='{abstract}']", NS)
        assert definition.find("w:lvl/w:numFmt", NS).get(w("val")) == kind
        if kind == "decimal":
            assert num.find("w:lvlOverride/w:startOverride", NS).get(w("val")) == "1"


def test_header_and_footer(every: Exported, settings: Settings) -> None:
    section = every.document.sections[0]
    header = section.header.paragraphs[0].text
    assert header.startswith(settings.publisher) and every.item.briefing.title in header
    footer = every.xml("word/" + every.relationships()[
        section._sectPr.find("w:footerReference", NS).get(f"{{{R}}}id")].get("Target"))
    instructions = [t.text.strip() for t in footer.iter(w("instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(w("t"))).startswith("Page ")


def test_documents_made_one_after_another_each_have_their_own_themes_styles(
        settings: Settings, theme: Theme) -> None:
    """A process makes its documents from a start it keeps (template, page, styles): a
    theme changed meanwhile (the preview's edit of theme.toml), another language or
    direction, each gets its own."""
    def accent(data: bytes) -> str:
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml"))
        (link,) = root.findall("w:style[@w:styleId='Hyperlink']", NS)
        return str(link.find("w:rPr/w:color", NS).get(w("val"))).lower()

    item = fixture("every-block")
    first = DocxExporter().export(item, Context(settings, theme))
    colours = theme.settings.colours.model_copy(update={"accent": "#123456"})
    recoloured = dataclasses.replace(theme, settings=theme.settings.model_copy(
        update={"colours": colours}))
    second = DocxExporter().export(item, Context(settings, recoloured))
    assert accent(first) == theme.settings.colours.accent[1:].lower()
    assert accent(second) == "123456"
    assert DocxExporter().export(item, Context(settings, theme)) == first
    arabic = docx.Document(io.BytesIO(DocxExporter().export(fixture("rtl-arabic"),
                                                            Context(settings, theme))))
    assert arabic.sections[0]._sectPr.find(qn("w:bidi")) is not None
    assert docx.Document(io.BytesIO(first)).sections[0]._sectPr.find(qn("w:bidi")) is None


def test_the_wire_footer_is_in_the_briefings_language(settings: Settings) -> None:
    """The wire theme's footer line in Arabic in an Arabic document, as in its PDF."""
    wire = load_theme("wire", ROOT)
    item = fixture("rtl-arabic")
    data = DocxExporter().export(item, Context(settings, wire))
    footer = docx.Document(io.BytesIO(data)).sections[0].footer.paragraphs[0].text
    assert wire.settings.brand.footer_in("ar") in footer
    assert wire.settings.brand.footer not in footer


def test_an_arabic_byline_joins_names_as_arabic_does(settings: Settings, theme: Theme) -> None:
    """Two names in an Arabic document: 'A وB', never a Latin comma."""
    item = fixture("rtl-arabic")
    first = item.briefing.authors[0]
    second = first.model_copy(update={"name": "سامي خوري", "role": None, "url": None})
    named = dataclasses.replace(item, briefing=item.briefing.model_copy(update={
        "authors": [first, second]}))
    document = docx.Document(io.BytesIO(DocxExporter().export(named, Context(settings, theme))))
    (byline,) = [p.text for p in document.paragraphs if p.style.name == "Byline"]
    assert f"{first.name} وسامي خوري" in byline.replace(f" ({first.role})", ""), byline
    assert "," not in byline and "،" not in byline.split("\n")[0]


def test_theme_footer_line_shares_the_footer_with_the_page_number(
        tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "themes" / "partner"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(
        '[brand]\nmasthead = "Wire Desk"\nfooter = "Partner copy: do not resell"\n', "utf-8")
    theme = load_theme("partner", tmp_path)
    data = DocxExporter().export(fixture("every-block"), Context(settings, theme))
    section = docx.Document(io.BytesIO(data)).sections[0]
    (footer,) = section.footer.paragraphs
    assert footer.text.startswith("Partner copy: do not resell\tPage ")
    assert section.header.paragraphs[0].text.startswith("Wire Desk\t")


def test_footer_says_page_in_the_briefing_language(exported: dict[str, Exported]) -> None:
    footer = exported["arabic"].document.sections[0].footer.paragraphs[-1].text
    assert footer.startswith("صفحة ")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_core_properties_come_from_the_briefing(exported: dict[str, Exported], name: str) -> None:
    out = exported[name]
    b = out.item.briefing
    props = out.document.core_properties
    assert props.title == typeset(b.title, b.language)
    assert props.author == "; ".join(a.name for a in b.authors)
    assert props.subject == (typeset(b.subtitle, b.language) if b.subtitle else "")
    assert props.keywords == "; ".join(b.tags)
    assert props.language == b.language
    assert props.created == b.published.astimezone(UTC)
    assert props.modified == b.modified.astimezone(UTC)
    assert props.revision == 1
    assert "python-docx" not in (props.comments or "")
    core = zipfile.ZipFile(io.BytesIO(out.data)).read("docProps/core.xml").decode()
    assert "python-docx" not in core and "2013" not in core
    app = zipfile.ZipFile(io.BytesIO(out.data)).read("docProps/app.xml").decode()
    assert "Macintosh" not in app and "Normal.dotm" not in app
    assert not [n for n in out.names if "thumbnail" in n or n.startswith("customXml")]


def test_summary_is_the_description(every: Exported) -> None:
    assert every.document.core_properties.comments == every.item.briefing.summary


def test_long_standfirst_fits_the_description_limit(exported: dict[str, Exported]) -> None:
    # the French sample has no summary and a standfirst beyond Word's 255 characters
    comments = exported["french"].document.core_properties.comments
    assert 0 < len(comments) <= 255 and comments.endswith("\u2026")


@pytest.mark.parametrize(("name", "lang"), [("french", "fr-FR"), ("english", "en-GB"),
                                            ("every-block", "en-GB"), ("arabic", "ar-EG")])
def test_document_language_is_the_briefing_language(exported: dict[str, Exported], name: str,
                                                     lang: str) -> None:
    out = exported[name]
    assert lang.startswith(out.item.briefing.language)
    rpr = out.xml("word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    (tag,) = rpr.findall("w:lang", NS)
    assert (tag.get(w("val")), tag.get(w("eastAsia")), tag.get(w("bidi"))) == (lang,) * 3
    settings = out.xml("word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(w("val")) == lang
    # the template claimed its spelling was already checked
    assert settings.find("w:proofState", NS) is None


def test_word_language_adds_the_likeliest_region() -> None:
    assert word_language("fr") == "fr-FR"
    assert word_language("en-GB") == "en-GB"
    assert word_language("pt-BR") == "pt-BR"
    assert word_language("de") == "de-DE"


def test_arabic_is_right_to_left(exported: dict[str, Exported]) -> None:
    out = exported["arabic"]
    styles = out.xml("word/styles.xml")
    assert styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:bidi", NS) is not None
    body = out.xml("word/document.xml")
    assert body.find("w:body/w:sectPr/w:bidi", NS) is not None
    assert body.find(".//w:tbl/w:tblPr/w:bidiVisual", NS) is not None
    arabic_runs = [r for r in body.iter(w("r"))
                   if re.search("[\u0600-\u06ff]", "".join(t.text or "" for t in r.iter(w("t"))))]
    assert arabic_runs and all(r.find("w:rPr/w:rtl", NS) is not None for r in arabic_runs)
    # numbered styles say so themselves (LibreOffice puts bullets on the left otherwise)
    for style in ("ListBullet", "ListNumber", "Factbox", "Source"):
        assert styles.find(f"w:style[@w:styleId='{style}']/w:pPr/w:bidi", NS) is not None
    # quote and timeline rules run down the right, where Arabic lines start
    quote = styles.find("w:style[@w:styleId='Quote']/w:pPr/w:pBdr", NS)
    assert quote.find("w:right", NS) is not None and quote.find("w:left", NS) is None


def test_left_to_right_documents_have_no_bidi(every: Exported) -> None:
    assert every.xml("word/styles.xml").find(".//w:pPrDefault//w:bidi", NS) is None
    assert every.xml("word/document.xml").find(".//w:rtl", NS) is None


def test_french_spaces(exported: dict[str, Exported]) -> None:
    text = "\n".join(p.text for p in exported["french"].document.paragraphs)
    assert "exactement\u202f?" in text
    assert " ?" not in text
    assert "Frappes iraniennes en Irak\u00a0: ce que l\u2019on\u00a0sait" in text


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="needs pandoc")
def test_pandoc_reads_the_structure(every: Exported, tmp_path: Path) -> None:
    """Another word-processing reader sees headings, lists, quotes, links, alt text and a
    table with its header, not styled paragraphs that only look like them."""
    source = tmp_path / "every-block.docx"
    source.write_bytes(every.data)
    markdown = subprocess.run(["pandoc", "-f", "docx", "-t", "markdown", "--wrap=none",
                               str(source)], capture_output=True, text=True, check=True,
                              timeout=60).stdout
    # headings end on two words held together by a no-break space
    lines = markdown.replace("\u00a0", " ").splitlines()
    for expected in ("# Paragraphs and quotes?", "# Lists", "# Sources",
                     "-   Unordered one", "1.  Ordered one", "3.  Ordered three",
                     "> A quote without attribution."):
        assert expected in lines
    assert "[mailto link](mailto:desk@example.org)" in markdown
    assert "[a link](https://example.org/a?b=1&c=2)" in markdown
    assert "![A bar chart rising from 41 to 71.](" in markdown
    assert re.search(r"^ *Year +Value +Note *$", markdown, re.MULTILINE)
    assert "**record**" in markdown and "*thousands*" in markdown


def entries(data: bytes) -> list[tuple[str, bytes]]:
    """The names and bytes of a Word document's parts, in order."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, archive.read(i)) for i in archive.infolist()]


def test_same_briefing_same_bytes(context: Context, every: Exported) -> None:
    """Every entry of the archive is the same, read with zipfile (the entries' times are the
    engine's to fix: test_reproducible checks the files it writes)."""
    again = DocxExporter().export(every.item, context)
    assert entries(again) == entries(every.data)


def test_reference_docx_styles_are_used(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "themes" / "house"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('name = "house"\n', "utf-8")
    reference = docx.Document()
    heading = reference.styles["Heading 1"]
    heading.font.name = "Courier New"
    heading.font.size = docx.shared.Pt(20)
    reference.add_paragraph("Text left in the reference document")
    reference.sections[0].header.paragraphs[0].text = "Old masthead"
    reference.sections[0].footer.add_table(1, 1, docx.shared.Mm(50)).cell(0, 0).text = "Old"
    reference.core_properties.title = "House style"
    reference.core_properties.author = "Design desk"
    section = reference.sections[0]
    section.page_width, section.page_height = docx.shared.Mm(216), docx.shared.Mm(279)
    reference.save(folder / "reference.docx")

    theme = load_theme("house", tmp_path)
    item = fixture("every-block")
    data = DocxExporter().export(item, Context(settings, theme))
    document = docx.Document(io.BytesIO(data))
    assert document.styles["Heading 1"].font.name == "Courier New"
    assert document.styles["Heading 1"].font.size == docx.shared.Pt(20)
    assert round(document.sections[0].page_width.mm) == 216
    text = [p.text for p in document.paragraphs]
    assert "Text left in the reference document" not in text
    header, footer = document.sections[0].header, document.sections[0].footer
    assert [p.text for p in header.paragraphs] == [f"{settings.publisher}\t{item.briefing.title}"]
    assert not footer.tables and footer.paragraphs[0].text.startswith("Page ")
    assert text[0] == tie_last_words(typeset(item.briefing.title, "en-GB"))
    # what the reference lacks still comes from the theme
    assert document.styles["Factbox"].font is not None
    assert "Heading 1" in {p.style.name for p in document.paragraphs}
    props = document.core_properties
    assert props.title == typeset(item.briefing.title, "en-GB")
    assert props.author == "Ada Byron; Li Wei; José Núñez"
    lang = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")).find(
        "w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(w("val")) == "en-GB"


@pytest.mark.parametrize(("margins", "expected"), [
    ("10mm", (10, 10, 10, 10)),
    ("10mm 2cm", (10, 20, 10, 20)),
    ("1cm 2cm 3cm", (10, 20, 30, 20)),
    ("1in 72pt 25.4mm 2.54cm", (25.4, 25.4, 25.4, 25.4)),
])
def test_page_margins_read_as_css(tmp_path: Path, settings: Settings, margins: str,
                                  expected: tuple[float, ...]) -> None:
    folder = tmp_path / "themes" / "margins"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(f'[page]\nsize = "Letter"\nmargins = "{margins}"\n',
                                       "utf-8")
    data = DocxExporter().export(fixture("rtl-arabic"),
                                 Context(settings, load_theme("margins", tmp_path)))
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert round(section.page_width.inches, 2) == 8.5
    assert round(section.page_height.inches, 2) == 11
    found = (section.top_margin, section.right_margin, section.bottom_margin,
             section.left_margin)
    assert [round(m.mm, 1) for m in found] == [round(v, 1) for v in expected]


def test_bad_page_margins_are_a_theme_error(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "themes" / "odd"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('[page]\nmargins = "2em 20mm"\n', "utf-8")
    with pytest.raises(ThemeError, match="'2em' is not a length"):
        DocxExporter().export(fixture("every-block"), Context(settings, load_theme("odd", tmp_path)))


# --- embedded fonts -------------------------------------------------------------------

ODTTF = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


def embedded_fonts(out: Exported) -> dict[tuple[str, str], TTFont]:
    """(family, slot) -> the font, de-obfuscated as ECMA-376 part 1, 17.8.1 describes:
    the key is the GUID's 32 hex digits read from the last pair to the first."""
    table = out.xml("word/fontTable.xml")
    if "word/_rels/fontTable.xml.rels" not in out.names:
        return {}
    rels = out.relationships("word/_rels/fontTable.xml.rels")
    archive = zipfile.ZipFile(io.BytesIO(out.data))
    found = {}
    for font in table.findall("w:font", NS):
        for embed in font:
            name = etree.QName(embed).localname
            if not name.startswith("embed"):
                continue
            rel = rels[embed.get(f"{{{R}}}id")]
            assert rel.get("Type").endswith("/relationships/font")
            digits = re.sub("[{}-]", "", embed.get(w("fontKey")))
            key = bytes(int(digits[i:i + 2], 16) for i in range(30, -2, -2))
            data = bytearray(archive.read("word/" + rel.get("Target")))
            for i in range(32):
                data[i] ^= key[i % 16]
            found[(font.get(w("name")), name.removeprefix("embed"))] = TTFont(io.BytesIO(data))
    return found


@pytest.mark.parametrize("name", ["french", "english", "arabic"])
def test_theme_fonts_are_embedded_as_word_does(exported: dict[str, Exported], name: str,
                                               theme: Theme) -> None:
    out = exported[name]
    settings = out.xml("word/settings.xml")
    assert settings.find("w:embedTrueTypeFonts", NS) is not None
    types = out.xml("[Content_Types].xml")
    kinds = {e.get("Extension") or e.get("PartName"): e.get("ContentType") for e in types}
    fonts = embedded_fonts(out)
    parts = [n for n in out.names if n.startswith("word/fonts/")]
    assert len(parts) == len(fonts) and all(n.endswith(".odttf") for n in parts)
    assert all(kinds.get("odttf", kinds.get("/" + n)) == ODTTF for n in parts)
    look = theme.settings.fonts
    body, head = look.body, look.headings
    assert {(body, "Regular"), (body, "Bold"), (body, "Italic"), (body, "BoldItalic"),
            (head, "Regular"), (head, "Bold"), (head, "Italic")} <= set(fonts)
    text = "".join(t.text or "" for t in out.xml("word/document.xml").iter(w("t")))
    for (family, _slot), font in fonts.items():
        # TrueType outlines (Inter ships as CFF), the family's own name, and a glyph for
        # every character of the text the family covers
        assert "glyf" in font and "CFF " not in font
        assert font["name"].getDebugName(1) == family
        assert font["OS/2"].fsType & 0x2 == 0  # not restricted: Word may embed it
    latin = {ch for ch in text if ch.isalpha() and ord(ch) < 0x250}
    for family in (body, head):
        assert latin <= {chr(c) for c in fonts[(family, "Regular")].getBestCmap()}
    arabic = ("Amiri", "Regular") in fonts
    assert arabic == (name == "arabic")
    if arabic:
        cmap = fonts[("Amiri", "Regular")].getBestCmap()
        assert {ch for ch in text if "\u0600" <= ch <= "\u06ff"} <= {chr(c) for c in cmap}
    assert ("Noto Sans Hebrew", "Regular") not in fonts


def test_embedded_fonts_are_subsets(exported: dict[str, Exported]) -> None:
    # a subset of each face, not the 750 KB files: the document stays small
    assert len(exported["english"].data) < 600_000
    table = exported["english"].xml("word/fontTable.xml")
    assert all(e.get(w("subsetted")) in ("1", "true") for e in table.iter(w("embedRegular")))


def test_font_subsets_are_kept_between_runs(tmp_path: Path, context: Context,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # subsetting seven faces is most of a Word document's cost: a later run (a new
    # process, here a new cache over the same folder) makes none of them again
    from briefkit.engine.cache import StateCache
    from briefkit.exporters.docx import fonts
    item = sample(ENGLISH)
    first = DocxExporter().export(item, dataclasses.replace(
        context, cache=StateCache(tmp_path / "cache")))
    assert len(list((tmp_path / "cache").iterdir())) >= 4  # Charis SIL's and Inter's slots
    fonts.truetype_subset.cache_clear()

    def refuse(*args: object) -> bytes:
        raise AssertionError("a kept subset was made again")

    monkeypatch.setattr(fonts, "truetype_subset", refuse)
    again = DocxExporter().export(item, dataclasses.replace(
        context, cache=StateCache(tmp_path / "cache")))
    # the same entries (their times are the engine's to fix, and a second may pass)
    assert entries(again) == entries(first)


def test_embedded_font_parts_are_kept_as_word_embeds_them(tmp_path: Path, context: Context,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A later document with the same faces and characters takes each part (obfuscated,
    under its key) from the cache: no subset read back to be obfuscated again."""
    from briefkit.engine.cache import StateCache
    from briefkit.exporters.docx import fonts

    def export() -> bytes:
        return DocxExporter().export(sample(ENGLISH), dataclasses.replace(
            context, cache=StateCache(tmp_path / "cache")))

    first = export()
    parts = sorted((tmp_path / "cache").iterdir())

    def refuse(*args: object) -> bytes:
        raise AssertionError("a kept part was made again")

    monkeypatch.setattr(fonts, "subset_of", refuse)  # what making a part starts with
    assert entries(export()) == entries(first)
    assert sorted((tmp_path / "cache").iterdir()) == parts


def test_a_kept_part_must_hide_a_font_under_the_key_its_bytes_give() -> None:
    import uuid

    from briefkit.exporters.docx import fonts

    face = fonts.truetype_subset(ROOT / "src/briefkit/theme/packaged/default/fonts/"
                                 "NotoSansSymbols-Regular.ttf", "→")
    key = fonts.font_key(face)
    assert fonts.is_font_part(key.bytes + fonts.obfuscate_font(face, key))
    other = uuid.uuid4()  # a key the bytes do not give: another document than briefkit's
    assert not fonts.is_font_part(other.bytes + fonts.obfuscate_font(face, other))
    assert not fonts.is_font_part(key.bytes + face)  # not obfuscated
    assert not fonts.is_font_part(key.bytes + fonts.obfuscate_font(b"<html>" * 20, key))


def test_a_face_whose_licence_forbids_embedding_stays_out(tmp_path: Path,
                                                          settings: Settings) -> None:
    folder = tmp_path / "themes" / "licensed"
    (folder / "fonts").mkdir(parents=True)
    font = TTFont(str(ROOT / "src/briefkit/theme/packaged/default/fonts/CharisSIL-Regular.ttf"))
    font["OS/2"].fsType = 0x0002  # restricted licence embedding
    font.save(str(folder / "fonts" / "Closed.ttf"))
    (folder / "theme.toml").write_text(
        '[fonts]\nbody = "Closed Serif"\nheadings = "Closed Serif"\nfallback = []\n'
        '[[fonts.files]]\nfamily = "Closed Serif"\npath = "fonts/Closed.ttf"\n', "utf-8")
    data = DocxExporter().export(fixture("every-block"),
                                 Context(settings, load_theme("licensed", tmp_path)))
    out = Exported(fixture("every-block"), data)
    assert embedded_fonts(out) == {}
    # nothing embedded: the document does not claim otherwise
    assert out.xml("word/settings.xml").find("w:embedTrueTypeFonts", NS) is None


# --- styles and page flow -------------------------------------------------------------


def test_standfirst_is_not_all_bold(exported: dict[str, Exported]) -> None:
    out = exported["english"]
    style = out.xml("word/styles.xml").find("w:style[@w:styleId='Standfirst']", NS)
    bold = style.find("w:rPr/w:b", NS)
    assert bold is None or bold.get(w("val")) in ("0", "false")
    (standfirst,) = [p for p in out.document.paragraphs if p.style.name == "Standfirst"]
    runs = {r.text: r for r in standfirst.runs}
    assert runs["night bus network"].bold and not runs[" on Friday. Here is what changes for "
                                                       "passengers, what it costs and what "
                                                       "happens after the "].bold


def test_lines_are_an_exact_pitch_as_in_print(exported: dict[str, Exported]) -> None:
    # "auto" spacing multiplies the face's own line height: Charis SIL's is tall
    styles = exported["english"].xml("word/styles.xml")
    spacing = styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:spacing", NS)
    assert spacing.get(w("lineRule")) == "exact"
    assert int(spacing.get(w("line"))) / 20 == pytest.approx(10.5 * 1.48, abs=0.1)
    # a picture's line is as tall as the picture, never cut to the text's pitch
    body = exported["every-block"].xml("word/document.xml")
    for drawing in body.iter(w("drawing")):
        paragraph = next(drawing.iterancestors(w("p")))
        assert paragraph.find("w:pPr/w:spacing", NS).get(w("lineRule")) == "auto"


def test_arabic_is_set_larger_than_latin_as_in_print(exported: dict[str, Exported]) -> None:
    def sizes(name: str, where: str) -> tuple[int, int]:
        rpr = exported[name].xml("word/styles.xml").find(where, NS)
        return (int(rpr.find("w:sz", NS).get(w("val"))),
                int(rpr.find("w:szCs", NS).get(w("val"))))

    for where in ("w:docDefaults/w:rPrDefault/w:rPr", "w:style[@w:styleId='Title']/w:rPr",
                  "w:style[@w:styleId='Quote']/w:rPr"):
        latin, arabic = sizes("arabic", where)
        # the printed page and the web set Arabic 15 % larger (style.css, html:lang(ar))
        assert arabic / latin == pytest.approx(1.15, abs=0.03), where
        latin, other = sizes("english", where)
        assert other == latin, where
    assert sizes("arabic", "w:docDefaults/w:rPrDefault/w:rPr") == (21, 24)


def special_characters() -> BriefingFile:
    """The look briefing full of emoji, Greek, Hebrew, markup-like text and a tab."""
    return load(FIXTURES / "look" / "special-characters.json", FIXTURES)


def face_has(theme: Theme, family: str, text: str) -> bool:
    """Whether a file of ``family`` in ``theme`` draws every letter of ``text`` (read with
    fontTools: joiners and variation selectors need no glyph of their own)."""
    letters = {ord(ch) for ch in text if ch not in "\u200d\ufe0f" and not ch.isspace()}
    for face in theme.settings.fonts.files:
        if face.family == family:
            letters -= mapped(theme.find(face.path))
    return not letters


@functools.cache
def mapped(path: Path) -> frozenset[int]:
    """The characters the font file at ``path`` maps to a glyph (read once per test run:
    the themes' fonts do not change under the tests)."""
    return frozenset(TTFont(str(path)).getBestCmap())


@pytest.mark.parametrize("theme_name", ["default", "wire"])
def test_runs_name_the_face_that_has_their_letters(theme_name: str, settings: Settings) -> None:
    # Word and LibreOffice draw a letter the style's face lacks from a face of the machine
    # (DejaVu, an empty box for emoji) unless the run names one of the theme's that has it
    theme = load_theme(theme_name, ROOT)
    item = special_characters()
    out = Exported(item, DocxExporter().export(item, Context(settings, theme)))
    body, head = theme.settings.fonts.body, theme.settings.fonts.headings
    named: dict[str, str] = {}
    for run in out.xml("word/document.xml").iter(w("r")):
        text = "".join(t.text or "" for t in run.iter(w("t")))
        fonts = run.find("w:rPr/w:rFonts", NS)
        if fonts is None:
            assert face_has(theme, body, text) and face_has(theme, head, text), text
            continue
        family = fonts.get(w("ascii"))
        assert {fonts.get(w(slot)) for slot in ("hAnsi", "eastAsia", "cs")} == {family}
        assert face_has(theme, family, text), (family, text)
        for ch in text:
            named.setdefault(ch, family)
    assert named["🚰"] == named["\U0001f1ec"] == "Noto Emoji"  # a tap, a flag's first half
    assert named["ש"] == "Noto Sans Hebrew"
    # Charis SIL has no Greek capitals; Inter, the wire theme's body, has them all
    assert named.get("Α") == ("Inter" if theme_name == "default" else None)
    fonts = embedded_fonts(out)
    assert ("Noto Emoji", "Regular") in fonts and ("Noto Sans Hebrew", "Regular") in fonts


@pytest.mark.parametrize("theme_name", ["default", "wire"])
def test_a_text_in_the_style_faces_is_one_piece(theme_name: str) -> None:
    # the short way (every letter in both style faces) comes to what deciding word by
    # word does, over the texts of every sample and fixture
    from briefkit.exporters.docx.faces import TextFaces

    faces = TextFaces(load_theme(theme_name, ROOT))
    texts = {"", " ", "a  b\u00a0c\t", "\u00e9\u0301", "\u200d", "l\u2019\u00e9t\u00e9 \u2014 1\u202f%"}
    for path in [*FIXTURES.rglob("*.json"), *(ROOT / "source").glob("*.json")]:
        texts.update(re.findall(r'"((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")))
    short = 0
    for found in texts:
        text = json.loads(f'"{found}"') if "\\" in found else found
        assert faces.pieces(text) == faces.word_by_word(text), text
        short += faces.pieces(text) == [(None, text)] and bool(text)
    assert short > 100  # most texts take the short way


def test_first_page_has_no_running_title(every: Exported, settings: Settings) -> None:
    section = every.document.sections[0]
    assert section.different_first_page_header_footer
    assert "".join(p.text for p in section.first_page_header.paragraphs) == ""
    assert every.item.briefing.title in section.header.paragraphs[0].text
    footer = section.first_page_footer.paragraphs[0]
    assert footer.text.startswith("Page ")
    first = every.xml("word/" + every.relationships()[section._sectPr.find(
        "w:footerReference[@w:type='first']", NS).get(f"{{{R}}}id")].get("Target"))
    assert [t.text.strip() for t in first.iter(w("instrText"))] == ["PAGE", "NUMPAGES"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_empty_spacer_paragraphs(exported: dict[str, Exported], name: str) -> None:
    body = exported[name].xml("word/document.xml").find("w:body", NS)
    children = list(body)
    for index, p in enumerate(children):
        if p.tag != w("p"):
            continue
        filled = "".join(t.text or "" for t in p.iter(w("t"))) or p.find(".//w:drawing", NS)
        # the one empty paragraph allowed keeps two tables from merging
        between_tables = 0 < index < len(children) - 1 and children[index - 1].tag == w(
            "tbl") and children[index + 1].tag == w("tbl")
        assert (filled is not None and filled != "") or between_tables, index


def keeps(paragraph: etree._Element) -> bool:
    found = paragraph.find("w:pPr/w:keepNext", NS)
    return found is not None and found.get(w("val")) not in ("0", "false")


def style_of(paragraph: etree._Element) -> str:
    found = paragraph.find("w:pPr/w:pStyle", NS)
    return found.get(w("val")) if found is not None else "Normal"


def test_blocks_keep_together(every: Exported) -> None:
    body = [p for p in every.xml("word/document.xml").find("w:body", NS) if p.tag == w("p")]
    styles = [style_of(p) for p in body]
    # a short list: every item but the last keeps with the next
    for style in ("ListBullet", "ListNumber"):
        items = [p for p, s in zip(body, styles, strict=True) if s == style]
        assert [keeps(p) for p in items] == [True] * (len(items) - 1) + [False]
    # a factbox as one box
    box = [p for p, s in zip(body, styles, strict=True) if s in ("FactboxTitle", "Factbox")][:3]
    assert [keeps(p) for p in box] == [True, True, False]
    # a quote with its attribution
    quote = styles.index("Quote")
    assert styles[quote + 1] == "Attribution" and keeps(body[quote])
    assert not keeps(body[quote + 1])
    # a picture with its caption and credit
    picture = next(i for i, p in enumerate(body) if p.find(".//w:drawing", NS) is not None)
    assert styles[picture + 1: picture + 3] == ["Caption", "Credit"]
    assert keeps(body[picture]) and keeps(body[picture + 1]) and not keeps(body[picture + 2])
    # headings keep with the lines after them, by their style; no line alone on a page
    style_xml = every.xml("word/styles.xml")
    for style in ("Heading1", "Heading2", "Title", "FactboxTitle", "TimelineDate"):
        found = style_xml.find(f"w:style[@w:styleId='{style}']/w:pPr/w:keepNext", NS)
        assert found is not None, style
    assert style_xml.find("w:docDefaults/w:pPrDefault/w:pPr/w:widowControl", NS) is not None


def with_blocks(item: BriefingFile, *blocks: object) -> BriefingFile:
    briefing = item.briefing.model_copy(update={
        "sections": [Section(heading="Only section", blocks=list(blocks))]})
    return dataclasses.replace(item, briefing=briefing)


def test_a_long_list_may_break_across_pages(context: Context) -> None:
    item = with_blocks(fixture("every-block"),
                       ListBlock(type="list", items=[f"Item {n}" for n in range(5)]))
    document = docx.Document(io.BytesIO(DocxExporter().export(item, context)))
    items = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert len(items) == 5 and not any(p.paragraph_format.keep_with_next for p in items)


def test_export_time_grows_linearly_with_the_blocks(context: Context) -> None:
    """An item costs the same at the end of a long list as in a short one (python-docx's
    own way of adding a paragraph looks through the whole body each time: 40,000 items
    took 26 s; each item of 20,000 then cost four times one of 2,000)."""
    item = fixture("every-block")

    def seconds(count: int) -> float:
        long = with_blocks(item, ListBlock(type="list", items=["An item"] * count))
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            DocxExporter().export(long, context)
            best = min(best, time.process_time() - start)
        return best

    base = seconds(100)  # the document around the list: styles, fonts, saving
    short = (seconds(2_000) - base) / 1_900
    long = (seconds(20_000) - base) / 19_900
    assert long / short < 2, (short, long)


# --- pictures -------------------------------------------------------------------------


def picture_briefing(tmp_path: Path, pictures: dict[str, bytes]) -> BriefingFile:
    from briefkit.load import load

    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    data = json.loads((ROOT / "tests" / "fixtures" / "every-block.json").read_text("utf-8"))
    blocks = []
    for name, content in pictures.items():
        (source / "images" / name).write_bytes(content)
        blocks.append({"type": "image", "src": f"images/{name}", "alt": name})
    data["sections"] = [{"heading": "Pictures", "blocks": blocks}]
    (source / "pictures.json").write_text(json.dumps(data), "utf-8")
    return load(source / "pictures.json", source)


def _exif_after_pixels(png: bytes) -> bytes:
    """The PNG with its eXIf chunk moved after its last IDAT chunk."""
    chunks, at = [], 8
    while at < len(png):
        length = int.from_bytes(png[at:at + 4], "big")
        chunks.append(png[at:at + 12 + length])
        at += 12 + length
    exif = [c for c in chunks if c[4:8] == b"eXIf"]
    rest = [c for c in chunks if c[4:8] != b"eXIf"]
    assert len(exif) == 1 and rest[-1][4:8] == b"IEND"
    return png[:8] + b"".join(rest[:-1] + exif + rest[-1:])


def test_a_cmyk_jpeg_and_a_turned_photo(tmp_path: Path, context: Context) -> None:
    from PIL import Image as Picture

    cmyk = io.BytesIO()
    Picture.new("CMYK", (60, 40), (0, 220, 220, 0)).save(cmyk, "JPEG")
    # a camera's photo: stored 80 x 40, to be shown turned a quarter (EXIF orientation 6)
    turned = io.BytesIO()
    photo = Picture.new("RGB", (80, 40), (255, 255, 255))
    photo.paste((200, 0, 0), (0, 0, 40, 40))  # red on the stored left half
    exif = Picture.Exif()
    exif[0x0112] = 6
    photo.save(turned, "JPEG", exif=exif.tobytes(), quality=95)
    # the same as a PNG whose EXIF follows its pixels, as the PNG specification allows
    png = io.BytesIO()
    photo.save(png, "PNG", exif=exif.tobytes())
    item = picture_briefing(tmp_path, {"cmyk.jpg": cmyk.getvalue(),
                                       "turned.jpg": turned.getvalue(),
                                       "turned.png": _exif_after_pixels(png.getvalue())})
    data = DocxExporter().export(item, context)
    out = Exported(item, data)
    pictures = list(out.xml("word/document.xml").iter(f"{{{NS['wp']}}}inline"))
    assert [p.find("wp:docPr", NS).get("descr") for p in pictures] == [
        "cmyk.jpg", "turned.jpg", "turned.png"]
    sizes = [(int(p.find("wp:extent", NS).get("cx")), int(p.find("wp:extent", NS).get("cy")))
             for p in pictures]
    assert abs(sizes[0][0] / sizes[0][1] - 1.5) < 0.01
    assert abs(sizes[1][0] / sizes[1][1] - 0.5) < 0.01  # upright: taller than wide
    assert abs(sizes[2][0] / sizes[2][1] - 0.5) < 0.01
    archive = zipfile.ZipFile(io.BytesIO(data))
    media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
    shown = [Picture.open(io.BytesIO(archive.read(n))) for n in media]
    modes = sorted(p.mode for p in shown)
    assert "CMYK" not in modes
    upright = next(p for p in shown if p.size == (40, 80))
    # orientation 6 turns the picture clockwise: the stored left half is now on top
    top, bottom = upright.convert("RGB").getpixel((20, 10)), upright.convert("RGB").getpixel(
        (20, 70))
    assert top[0] > 150 and top[1] < 80 and min(bottom) > 200


def _to_pdf(docx_data: bytes, folder: Path) -> Path:
    """The document as LibreOffice lays it out, converted to PDF in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "briefing.docx"
    source.write_bytes(docx_data)
    profile = folder / "profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    pdf = folder / "briefing.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    return pdf


def _pdf_text(docx_data: bytes, folder: Path) -> tuple[str, int]:
    pdf = _to_pdf(docx_data, folder)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text, text.count("\f")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                    reason="needs LibreOffice and poppler-utils")
@pytest.mark.parametrize("name", ["french", "english", "arabic"])
def test_libreoffice_converts_the_samples(exported: dict[str, Exported], name: str,
                                          tmp_path: Path) -> None:
    out = exported[name]
    b = out.item.briefing
    text, pages = _pdf_text(out.data, tmp_path)
    flat = " ".join(text.split())
    # LibreOffice lays the text out in the embedded faces (none is installed here)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "briefing.pdf")], capture_output=True,
                           text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert {"CharisSIL", "Inter-Regular"} <= names, names
    if b.direction == "rtl":
        assert {"Amiri-Regular", "Amiri-Bold"} <= names, names
    else:
        assert "Inter-Bold" in names
    assert not any("DejaVu" in n or "Liberation" in n for n in names), names
    assert pages >= 1 and "python-docx" not in text
    # every Latin table cell is laid out, on whichever page the table lands
    for block in (blk for s in b.sections for blk in s.blocks if isinstance(blk, Table)):
        for cell in (c for row in [block.header, *block.rows] for c in row):
            if cell and cell.isascii():
                assert inline.plain(cell) in flat
    if b.direction == "rtl":
        return  # pdftotext gives right-to-left lines in visual order
    for heading in [s.heading for s in b.sections if s.heading]:
        assert " ".join(typeset(heading, b.language).split()) in flat
    assert f"Page 1 / {pages}" in flat and f"Page {pages} / {pages}" in flat
    for block in (blk for s in b.sections for blk in s.blocks if isinstance(blk, Image)):
        if block.caption:
            assert " ".join(inline.plain(block.caption).split()) in flat


# --- as LibreOffice lays it out ---------------------------------------------------------

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler-utils")


@pytest.fixture(scope="module")
def laid_out(exported: dict[str, Exported], settings: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """LibreOffice's PDF of a document: one of ``exported``, the Arabic look briefing
    ('arabic-power-outage'), or 'special-characters' in the default or the wire theme
    ('special-characters-wire'); each converted once."""
    folder = tmp_path_factory.mktemp("libreoffice")
    made: dict[str, Path] = {}

    def pdf(name: str) -> Path:
        if name not in made:
            if name in exported:
                data = exported[name].data
            elif name == "arabic-power-outage":
                # its images sit in tests/fixtures/images, beside a copy of it
                shutil.copytree(FIXTURES / "images", folder / "source" / "images")
                shutil.copy(FIXTURES / "look" / f"{name}.json", folder / "source")
                item = load(folder / "source" / f"{name}.json")
                data = DocxExporter().export(item, Context(settings, load_theme("default", ROOT)))
            else:
                theme = load_theme("wire" if name.endswith("-wire") else "default", ROOT)
                data = DocxExporter().export(special_characters(), Context(settings, theme))
            made[name] = _to_pdf(data, folder / name)
        return made[name]

    return pdf


def line_pitch(pdf: Path, font: str, size: float) -> float:
    """The most common distance in points between successive baselines of text drawn in
    ``font`` (its name without the subset tag) at ``size``, read with pypdf."""
    gaps: list[float] = []
    for page in PdfReader(str(pdf)).pages:
        baselines: set[float] = set()

        def visit(text: str, cm: list[float], tm: list[float], face: dict[str, object] | None,
                  points: float, baselines: set[float] = baselines) -> None:
            name = str((face or {}).get("/BaseFont", "")).split("+")[-1]
            if text.strip() and name == font and round(points * tm[0] * cm[0], 1) == size:
                # to half a point: marks set above or below a letter move the text a hair
                baselines.add(round(2 * (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])) / 2)
        page.extract_text(visitor_text=visit)
        ordered = sorted(baselines)
        gaps += [b - a for a, b in itertools.pairwise(ordered) if b - a > 2]
    return max(set(gaps), key=gaps.count)


def drawn_in(pdf: Path) -> dict[str, set[tuple[str, float]]]:
    """For each character of the PDF's text, the fonts (name without subset tag) and sizes
    it is drawn in, read with pypdf."""
    found: dict[str, set[tuple[str, float]]] = {}
    reader = PdfReader(str(pdf))
    for page in reader.pages:
        def visit(text: str, cm: list[float], tm: list[float], font: dict[str, object] | None,
                  size: float) -> None:
            name = str((font or {}).get("/BaseFont", "")).split("+")[-1]
            for ch in text:
                found.setdefault(ch, set()).add((name, round(size * tm[0] * cm[0], 1)))
        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_sets_the_body_lines_as_far_apart_as_the_pdf(
        laid_out: Callable[[str], Path]) -> None:
    # 10.5 pt type on 15.5 pt, as the printed page (line-height 1.48), not 19.7 pt
    assert line_pitch(laid_out("english"), "CharisSIL", 10.5) == pytest.approx(15.5, abs=0.3)


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_sets_arabic_larger_with_more_room(laid_out: Callable[[str], Path]) -> None:
    # as print and the web: Arabic 15 % larger than the 10.5 pt body, lines 1.65 apart
    pdf = laid_out("arabic-power-outage")
    assert ("Amiri-Regular", 12.0) in drawn_in(pdf)["ك"], drawn_in(pdf)["ك"]
    assert line_pitch(pdf, "Amiri-Regular", 12.0) == pytest.approx(19.9, abs=0.5)


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("name", ["special-characters", "special-characters-wire"])
def test_libreoffice_draws_emoji_greek_and_hebrew_in_the_embedded_faces(
        laid_out: Callable[[str], Path], name: str) -> None:
    pdf = laid_out(name)
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                            check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:]}
    assert {"NotoEmoji-Regular", "NotoSansHebrew-Regular"} <= names, names
    assert not any("DejaVu" in n or "Liberation" in n for n in names), names
    drawn = drawn_in(pdf)
    for ch in "🚰💧🎉⚕":
        assert {font for font, _ in drawn[ch]} == {"NotoEmoji-Regular"}, ch
    for ch in "שלום":
        assert {font for font, _ in drawn[ch]} == {"NotoSansHebrew-Regular"}, ch
    for ch in "ΑΚ":
        assert {font for font, _ in drawn[ch]} == {"Inter-Regular"}, ch


@pytest.mark.slow
@needs_libreoffice
def test_a_picture_as_wide_as_the_text_ends_at_the_margins(
        exported: dict[str, Exported], laid_out: Callable[[str], Path]) -> None:
    section = exported["every-block"].document.sections[0]
    mm = 72 / 25.4
    left = section.left_margin.mm * mm
    right = (section.page_width.mm - section.right_margin.mm) * mm
    placed = []
    for page in PdfReader(str(laid_out("every-block"))).pages:
        def visit(operator: bytes, operands: list[object], cm: list[float],
                  tm: list[float]) -> None:
            if operator == b"Do":
                placed.append((cm[4], cm[4] + cm[0]))
        page.extract_text(visitor_operand_before=visit)
    assert placed
    for start, end in placed:
        # within a tenth of a millimetre of the margins, never past them
        assert start >= left - 0.3 and end <= right + 0.3, (start / mm, end / mm)
    assert max(end - start for start, end in placed) == pytest.approx(right - left, abs=0.3)


@pytest.mark.slow
@needs_libreoffice
def test_a_tab_keeps_the_words_around_it_apart(laid_out: Callable[[str], Path]) -> None:
    # "words:\tTab\there": in the wire theme "words:" ends a hair before a tab stop
    out = subprocess.run(["pdftotext", "-bbox", str(laid_out("special-characters-wire")), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    page = etree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).encode())
    words = [(w.text, float(w.get("xMin")), float(w.get("xMax"))) for w in page.iter("{*}word")]
    texts = [text for text, _, _ in words]
    at = texts.index("words:")
    assert texts[at + 1: at + 3] == ["Tab", "here."]
    for (_, _, end), (_, start, _) in zip(words[at:at + 2], words[at + 1:at + 3],
                                                 strict=True):
        assert start - end >= 2.0  # at least a word space (9 pt Inter: 2.5 pt)
