"""The WordprocessingML python-docx lacks, built on a fresh document, saved, and read
back by python-docx and by lxml on the ZIP's parts."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib

import docx
import pytest
from docx.document import Document
from lxml import etree

from briefkit.exporters.docx import fonts, numbering, ooxml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}


def saved(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def local_names(node: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in node]


def png(width: int, height: int) -> bytes:
    """A grey PNG of the given size, written by hand so the test needs no imaging library."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_hyperlink_points_at_an_external_relationship() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("See ")
    link = ooxml.add_hyperlink(paragraph, "https://example.org/a?b=1&c=2")
    ooxml.add_run(link, paragraph, "the report")
    data = saved(document)

    body = part(data, "word/document.xml")
    (hyperlink,) = body.iter(f"{{{W}}}hyperlink")
    rid = hyperlink.get(f"{{{R}}}id")
    rels = part(data, "word/_rels/document.xml.rels")
    (rel,) = [r for r in rels if r.get("Id") == rid]
    assert rel.get("Target") == "https://example.org/a?b=1&c=2"
    assert rel.get("TargetMode") == "External"
    assert rel.get("Type").endswith("/hyperlink")

    reopened = docx.Document(io.BytesIO(data)).paragraphs[-1]
    assert reopened.text == "See the report"
    assert [h.url for h in reopened.hyperlinks] == ["https://example.org/a?b=1&c=2"]


def test_runs_keep_spaces_tabs_and_line_breaks() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    ooxml.add_run(paragraph._p, paragraph, " padded ", italic=True)
    ooxml.add_run(paragraph._p, paragraph, "a\tb\nc", bold=True)
    data = saved(document)
    runs = docx.Document(io.BytesIO(data)).paragraphs[-1].runs
    # a tab after a word comes after a space: a tab stop a hair away would glue the words
    assert [r.text for r in runs] == [" padded ", "a \tb\nc"]
    assert runs[0].italic and not runs[0].bold and runs[1].bold
    body = part(data, "word/document.xml")
    assert body.find(".//w:br", NS) is not None and body.find(".//w:tab", NS) is not None
    # left-to-right runs need no complex-script flags
    assert body.find(".//w:rtl", NS) is None and body.find(".//w:bCs", NS) is None


def test_page_fields_are_complex_fields_in_order() -> None:
    document = docx.Document()
    paragraph = document.sections[0].footer.paragraphs[0]
    ooxml.add_field(paragraph, "PAGE")
    paragraph.add_run(" / ")
    ooxml.add_field(paragraph, "NUMPAGES")
    footer = part(saved(document), "word/footer1.xml")
    instructions = [t.text.strip() for t in footer.iter(f"{{{W}}}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    chars = [c.get(f"{{{W}}}fldCharType") for c in footer.iter(f"{{{W}}}fldChar")]
    assert chars == ["begin", "separate", "end"] * 2


def test_language_and_fonts_in_the_style_defaults() -> None:
    document = docx.Document()
    ooxml.set_text_defaults(document, font="Charis SIL", complex_font="Amiri", size=10.5,
                             colour="1D1D1F", after=8, line=1.25)
    ooxml.set_language_defaults(document, "ar-EG", rtl=True)
    styles = part(saved(document), "word/styles.xml")
    rpr = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    fonts = rpr.find("w:rFonts", NS)
    assert fonts.get(f"{{{W}}}ascii") == "Charis SIL"
    assert fonts.get(f"{{{W}}}cs") == "Amiri"
    # theme font references would win over the named fonts in Word
    assert not [name for name in fonts.attrib if "Theme" in name or "theme" in name]
    lang = rpr.find("w:lang", NS)
    assert {k.split("}")[1]: v for k, v in lang.attrib.items()} == {
        "val": "ar-EG", "eastAsia": "ar-EG", "bidi": "ar-EG"}
    assert rpr.find("w:sz", NS).get(f"{{{W}}}val") == "21"
    assert rpr.find("w:szCs", NS).get(f"{{{W}}}val") == "21"
    ppr = styles.find("w:docDefaults/w:pPrDefault/w:pPr", NS)
    assert ppr.find("w:bidi", NS) is not None
    assert ppr.find("w:spacing", NS).get(f"{{{W}}}after") == "160"


def test_left_to_right_language_sets_no_bidi_paragraphs() -> None:
    document = docx.Document()
    ooxml.set_language_defaults(document, "fr-FR", rtl=False)
    styles = part(saved(document), "word/styles.xml")
    assert styles.find(".//w:pPrDefault//w:bidi", NS) is None
    assert styles.find(".//w:rPrDefault//w:lang", NS).get(f"{{{W}}}val") == "fr-FR"


def test_children_land_in_schema_order() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("x", style="List Bullet")
    ppr = ooxml.properties(paragraph._p, "w:pPr")
    paragraph.paragraph_format.space_after = 0  # w:spacing
    paragraph.paragraph_format.left_indent = 10  # w:ind
    ooxml.shade(ppr, "F3F1EC")
    ooxml.right_to_left_paragraph(ppr)
    ooxml.borders(ppr, {"top": ("1D1D1F", 18), "left": ("F3F1EC", 4)}, space=8)
    numbering.number_paragraph(ppr, 7)
    ooxml.shade(ppr, "FFFFFF")  # replaces, never duplicates
    reread = part(saved(document), "word/document.xml")
    ppr = reread.findall(".//w:p", NS)[-1].find("w:pPr", NS)
    assert local_names(ppr) == ["pStyle", "numPr", "pBdr", "shd", "bidi", "spacing", "ind"]
    assert ppr.find("w:shd", NS).get(f"{{{W}}}fill") == "FFFFFF"
    assert local_names(ppr.find("w:pBdr", NS)) == ["top", "left"]
    assert local_names(ppr.find("w:numPr", NS)) == ["ilvl", "numId"]


def test_right_to_left_run_table_and_section() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    ooxml.add_run(paragraph._p, paragraph, "مرحبا", style="Strong", bold=True, italic=True,
                   rtl=True)
    table = document.add_table(rows=1, cols=2)
    ooxml.right_to_left_table(table._tbl)
    ooxml.right_to_left_section(document.sections[0]._sectPr)
    body = part(saved(document), "word/document.xml")
    rpr = body.find(".//w:r/w:rPr", NS)
    assert local_names(rpr) == ["rStyle", "b", "bCs", "i", "iCs", "rtl"]
    tblpr = body.find(".//w:tblPr", NS)
    names = local_names(tblpr)
    assert names.index("bidiVisual") < names.index("tblW") < names.index("tblLook")
    sectpr = body.find("w:body/w:sectPr", NS)
    names = local_names(sectpr)
    assert "bidi" in names and names.index("bidi") > names.index("pgMar")


def test_alt_text_on_a_picture() -> None:
    document = docx.Document()
    picture = document.add_paragraph().add_run().add_picture(io.BytesIO(png(40, 20)))
    ooxml.set_alt_text(picture, "A bar chart rising from 41 to 71.")
    body = part(saved(document), "word/document.xml")
    (doc_pr,) = body.iter(f"{{{NS['wp']}}}docPr")
    assert doc_pr.get("descr") == "A bar chart rising from 41 to 71."


def test_header_row_repeats() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    ooxml.repeat_header_row(table.rows[0])
    ooxml.repeat_header_row(table.rows[0])  # idempotent
    body = part(saved(document), "word/document.xml")
    rows = body.findall(".//w:tr", NS)
    assert len(rows[0].findall("w:trPr/w:tblHeader", NS)) == 1
    assert rows[1].find("w:trPr/w:tblHeader", NS) is None
    # kept with the row below, but never by w:cantSplit (LibreOffice loses rows with it)
    assert all(p.find("w:pPr/w:keepNext", NS) is not None for p in rows[0].iter(f"{{{W}}}p"))
    assert body.find(".//w:cantSplit", NS) is None


def test_each_list_restarts_its_numbering() -> None:
    document = docx.Document()
    decimal = numbering.add_list_definition(document, ordered=True)
    bullet = numbering.add_list_definition(document, ordered=False)
    first, second = (numbering.add_list(document, decimal) for _ in range(2))
    bullets = numbering.add_list(document, bullet, restart=False)
    assert len({first, second, bullets}) == 3
    numbering_xml = part(saved(document), "word/numbering.xml")
    # the schema wants every abstractNum before the first num
    names = local_names(numbering_xml)
    assert max(i for i, n in enumerate(names) if n == "abstractNum") < names.index("num")
    formats = {a.get(f"{{{W}}}abstractNumId"): a.find("w:lvl/w:numFmt", NS).get(f"{{{W}}}val")
               for a in numbering_xml.findall("w:abstractNum", NS)}
    assert formats[str(decimal)] == "decimal" and formats[str(bullet)] == "bullet"
    nums = {n.get(f"{{{W}}}numId"): n for n in numbering_xml.findall("w:num", NS)}
    for num_id in (first, second):
        num = nums[str(num_id)]
        assert num.find("w:abstractNumId", NS).get(f"{{{W}}}val") == str(decimal)
        assert num.find("w:lvlOverride/w:startOverride", NS).get(f"{{{W}}}val") == "1"
    assert nums[str(bullets)].find("w:lvlOverride", NS) is None


def test_numbering_part_is_made_when_the_document_has_none() -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    document = docx.Document()
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype == RT.NUMBERING:
            del document.part.rels[rid]
    definition = numbering.add_list_definition(document, ordered=True)
    num = numbering.add_list(document, definition)
    paragraph = document.add_paragraph("one")
    numbering.number_paragraph(ooxml.properties(paragraph._p, "w:pPr"), num)
    data = saved(document)
    assert "word/numbering.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    numbering_xml = part(data, "word/numbering.xml")
    assert numbering_xml.find(f"w:num[@w:numId='{num}']", NS) is not None


def test_table_style_is_a_real_table_style() -> None:
    document = docx.Document()
    ooxml.add_table_style(document, "Briefing Table", text="1D1D1F", rule="D8D8D8",
                           font="Inter", size=9.5)
    ooxml.add_table_style(document, "Briefing Table", text="000000", rule="D8D8D8",
                           font="Inter", size=9.5)  # replaced, not doubled
    table = document.add_table(rows=2, cols=2)
    table.style = document.styles["Briefing Table"]
    data = saved(document)
    reopened = docx.Document(io.BytesIO(data))
    assert reopened.tables[0].style.name == "Briefing Table"
    styles = part(data, "word/styles.xml")
    (style,) = styles.findall("w:style[@w:styleId='BriefingTable']", NS)
    assert style.get(f"{{{W}}}type") == "table"
    first_row = style.find("w:tblStylePr[@w:type='firstRow']", NS)
    assert first_row.find("w:rPr/w:b", NS) is not None
    bottom = first_row.find("w:tcPr/w:tcBorders/w:bottom", NS)
    assert bottom.get(f"{{{W}}}color") == "000000"
    assert style.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}ascii") == "Inter"


@pytest.mark.parametrize("tag", ["w:pPr", "w:rPr"])
def test_properties_of_a_style_come_in_schema_order(tag: str) -> None:
    document = docx.Document()
    style = document.styles["Caption"]
    style.element.remove_all("w:pPr", "w:rPr")
    ooxml.properties(style.element, "w:rPr")
    ooxml.properties(style.element, "w:pPr")
    names = local_names(style.element)
    assert names.index("pPr") < names.index("rPr")
    assert ooxml.properties(style.element, tag) is style.element.find(ooxml.qn(tag))


def test_font_obfuscation_follows_ecma_376() -> None:
    # bytes 0-15 of the font XOR the GUID's bytes from the last
    # pair of hex digits to the first, and again for bytes 16-31; the rest untouched
    key = uuid.UUID("{61B1F81D-5D9E-4C6D-8B0A-5FA2B1A72EDE}")
    font = bytes(range(40))
    hidden = fonts.obfuscate_font(font, key)
    mask = bytes.fromhex("DE2EA7B1A25F0A8B6D4C9E5D1DF8B161")
    assert hidden[:16] == bytes(a ^ b for a, b in zip(font[:16], mask, strict=True))
    assert hidden[16:32] == bytes(a ^ b for a, b in zip(font[16:32], mask, strict=True))
    assert hidden[32:] == font[32:]
    assert fonts.obfuscate_font(hidden, key) == font


def test_embedded_font_parts_and_font_table() -> None:
    document = docx.Document()
    fonts.embed_fonts(document, [("Briefing Sans", "Regular", b"\x00\x01\x00\x00" * 20),
                                  ("Briefing Sans", "Bold", b"\x00\x01\x00\x00" * 30)])
    fonts.embed_fonts(document, [("Briefing Serif", "Italic", b"\x00\x01\x00\x00" * 10)])
    data = saved(document)
    archive = zipfile.ZipFile(io.BytesIO(data))
    table = part(data, "word/fontTable.xml")
    rels = {r.get("Id"): r for r in part(data, "word/_rels/fontTable.xml.rels")}
    (sans,) = table.findall("w:font[@w:name='Briefing Sans']", NS)
    assert local_names(sans)[-2:] == ["embedRegular", "embedBold"]
    for embed, size in zip(sans.findall("*", NS)[-2:], (80, 120), strict=True):
        target = rels[embed.get(f"{{{R}}}id")].get("Target")
        stored = archive.read("word/" + target)
        key = uuid.UUID(embed.get(f"{{{W}}}fontKey"))
        assert len(stored) == size and stored != b"\x00\x01\x00\x00" * (size // 4)
        assert fonts.obfuscate_font(stored, key) == b"\x00\x01\x00\x00" * (size // 4)
    types = part(data, "[Content_Types].xml")
    assert any(t.get("ContentType") == fonts.OBFUSCATED_FONT for t in types)
    settings = part(data, "word/settings.xml")
    names = local_names(settings)
    # in schema order: the switches come before the proofing state and the tab stop
    assert names.index("embedTrueTypeFonts") < names.index("saveSubsetFonts") \
        < names.index("defaultTabStop")
    assert names.index("zoom") < names.index("embedTrueTypeFonts")
    assert names.count("embedTrueTypeFonts") == 1
