"""The PDF a partner receives, read back by pypdf, pdftotext and pdffonts.

Each document is rendered once for the module; the checks read it with
independent tools, never with the code that wrote it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FRENCH, fixture, sample

from briefkit import inline
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import BriefingError, ThemeError, UnsafeReferenceError
from briefkit.exporters.base import Context
from briefkit.exporters.pdf import PDFExporter
from briefkit.model import (
    Briefing,
    Factbox,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    Timeline,
)
from briefkit.render.dates import dateline
from briefkit.render.html import headline
from briefkit.render.typography import typeset
from briefkit.theme import Theme, load_theme

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

DOCUMENTS = {
    "french": lambda: sample(FRENCH),
    "english": lambda: sample(ENGLISH),
    "every-block": lambda: fixture("every-block"),
    "arabic": lambda: fixture("rtl-arabic"),
}


@dataclass(frozen=True)
class Rendered:
    item: BriefingFile
    data: bytes
    path: Path

    @property
    def reader(self) -> pypdf.PdfReader:
        return pypdf.PdfReader(self.path)

    def pdftotext(self, *args: str) -> str:
        return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(self.path), "-"],
                              capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def rendered(context: Context, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    folder = tmp_path_factory.mktemp("pdf")
    out = {}
    for name, load in DOCUMENTS.items():
        item = load()
        data = PDFExporter().export(item, context).data
        path = folder / f"{name}.pdf"
        path.write_bytes(data)
        out[name] = Rendered(item, data, path)
    return out


def letters(text: str) -> str:
    """Only letters and digits, compatibility-normalised: what survives line breaks,
    hyphenation, justification and Arabic shaping in extracted text."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def expected_texts(briefing: Briefing) -> list[str]:
    """Title, every heading and every paragraph, in reading order."""
    lang = briefing.language
    texts = [typeset(briefing.title, lang)]
    if briefing.standfirst:
        texts.append(typeset(inline.plain(briefing.standfirst), lang))
    for section in briefing.sections:
        if section.heading:
            texts.append(typeset(section.heading, lang))
        texts += [typeset(inline.plain(b.text), lang) for b in section.blocks
                  if isinstance(b, Paragraph)]
    return texts


def block_texts(block: object) -> list[str]:
    """The words of every other block type, in the order a reader meets them."""
    if isinstance(block, Quote):
        return [block.text, *([block.attribution] if block.attribution else [])]
    if isinstance(block, ListBlock | Factbox):
        title = [block.title] if isinstance(block, Factbox) and block.title else []
        return [*title, *block.items]
    if isinstance(block, Image):
        return [t for t in (block.caption, block.credit) if t]
    if isinstance(block, Table):
        return [*([block.caption] if block.caption else []), *block.header,
                *(cell for row in block.rows for cell in row)]
    if isinstance(block, Timeline):
        return [t for event in block.events for t in (event.when, event.text)]
    return []


def find_in_order(text: str, expected: list[str], name: str) -> None:
    position = 0
    for wanted in expected:
        found = text.find(letters(wanted), position)
        assert found >= 0, f"{name}: {wanted!r} missing or out of order"
        position = found + len(letters(wanted))


@pytest.mark.parametrize("name", ["english", "every-block"])
def test_every_block_is_in_the_text_in_order(rendered: dict[str, Rendered], name: str) -> None:
    doc = rendered[name]
    briefing = doc.item.briefing
    expected = [dateline(briefing)]
    for section in briefing.sections:
        expected += [section.heading] if section.heading else []
        for block in section.blocks:
            texts = [block.text] if isinstance(block, Paragraph) else block_texts(block)
            expected += [typeset(inline.plain(t), briefing.language) for t in texts]
    expected += [typeset(s.title, briefing.language) for s in briefing.sources]
    # -layout: a table is read row by row, whatever the alignment of its columns
    find_in_order(letters(doc.pdftotext("-layout")), expected, name)


def test_dates_are_written_in_the_briefings_language(rendered: dict[str, Rendered]) -> None:
    def text(name: str) -> str:
        return " ".join(rendered[name].pdftotext().replace("\u00a0", " ").split())

    assert "8 janvier 2020 à 11 h 45 UTC+1" in text("french")
    assert "8 January 2020, 07:00 GMT · Updated 16:30" in text("english")
    # pdftotext gives right-to-left lines in visual runs: look for each piece on one line
    line = next(li for li in rendered["arabic"].pdftotext().splitlines() if "يناير" in li)
    assert all(piece in line for piece in ("٨", "٢٠٢٠", "٧:٠٠", "ص"))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_heading_and_paragraph_is_in_the_text_in_order(rendered: dict[str, Rendered],
                                                              name: str) -> None:
    doc = rendered[name]
    find_in_order(letters(doc.pdftotext()), expected_texts(doc.item.briefing), name)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_metadata_comes_from_the_briefing(rendered: dict[str, Rendered], name: str) -> None:
    doc = rendered[name]
    briefing = doc.item.briefing
    info = doc.reader.metadata
    assert info is not None
    assert info.title == typeset(briefing.title, briefing.language)
    assert info.author == ", ".join(a.name for a in briefing.authors)
    if briefing.standfirst:
        assert info.subject == typeset(inline.plain(briefing.standfirst), briefing.language)
    assert [k.strip() for k in (info["/Keywords"] or "").split(",")] == briefing.tags
    assert info.creation_date == briefing.published
    assert info.modification_date == briefing.modified
    assert doc.reader.trailer["/Root"]["/Lang"] == briefing.language


@pytest.mark.parametrize("name", DOCUMENTS)
def test_outline_has_the_title_and_each_section(rendered: dict[str, Rendered], name: str) -> None:
    doc = rendered[name]
    briefing = doc.item.briefing
    reader = doc.reader

    def titles(outline: list[object]) -> Iterator[str]:
        for entry in outline:
            if isinstance(entry, list):
                yield from titles(entry)
            else:
                yield entry.title  # type: ignore[attr-defined]

    found = list(titles(reader.outline))
    headings = [headline(s.heading, briefing.language) for s in briefing.sections if s.heading]
    assert found[0] == headline(briefing.title, briefing.language)
    assert [t for t in found if t in headings] == headings
    # every bookmark points at a page of this document
    assert all(reader.get_destination_page_number(e) < len(reader.pages)
               for e in reader.outline if not isinstance(e, list))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_tagged_accessible_with_embedded_fonts(rendered: dict[str, Rendered], name: str) -> None:
    reader = rendered[name].reader
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject, not True)
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp  # PDF/UA-1 is the default variant
    fonts = subprocess.run(["pdffonts", str(rendered[name].path)], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        emb = line.split()[-5]
        assert emb == "yes", f"font not embedded: {line}"


def test_sources_and_links_are_clickable(rendered: dict[str, Rendered]) -> None:
    doc = rendered["english"]
    uris = {annotation.get_object()["/A"]["/URI"]
            for page in doc.reader.pages for annotation in page.get("/Annots", [])
            if "/A" in annotation.get_object()}
    for source in doc.item.briefing.sources:
        if source.url:
            assert source.url in uris
    assert "https://example.org/reports/night-buses" in uris  # a link inside a paragraph


def test_fonts_are_the_themes_own(rendered: dict[str, Rendered]) -> None:
    assert {"Charis-SIL", "Inter-Bold"} <= embedded_faces(rendered["english"].path)
    # Arabic is set in the Amiri the theme carries, not a system fallback
    assert "Amiri" in embedded_faces(rendered["arabic"].path)


def embedded_faces(path: Path) -> set[str]:
    """The faces pdffonts lists, without their subset tags ('Charis-SIL-Bold')."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+", 1)[-1] for line in out}


def strangers(path: Path, theme: Theme) -> set[str]:
    """The faces of the PDF that are not of a family the theme carries."""
    carried = {face.family.replace(" ", "-") for face in theme.settings.fonts.files}
    return {face for face in embedded_faces(path)
            if not any(face == family or face.startswith(family + "-") for family in carried)}


def test_every_pdf_is_set_in_the_themes_faces_only(rendered: dict[str, Rendered],
                                                    theme: Theme) -> None:
    for name, doc in rendered.items():
        assert strangers(doc.path, theme) == set(), name


def test_greek_in_the_body_comes_from_a_face_of_the_theme(context: Context,
                                                          tmp_path: Path) -> None:
    # the body face (Charis SIL) has no Greek: the headings face draws it, not the machine
    path = briefing_pdf(context, tmp_path, [{"blocks": [
        {"type": "paragraph", "text": "The city of Αθήνα voted."}]}], title="Ελλάδα votes")
    assert strangers(path, context.theme) == set()
    assert "Inter" in embedded_faces(path)
    text = pages_text(path)[0]
    assert "Ελλάδα votes" in text and "The city of Αθήνα voted." in text


def write_briefing(folder: Path, briefing_id: str, paragraph: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{briefing_id}.json"
    path.write_text(json.dumps({
        "id": briefing_id, "title": "Beijing talks", "language": "en",
        "published": "2020-01-08T11:45:00+01:00",
        "sections": [{"blocks": [{"type": "paragraph", "text": "Talks open today."},
                                 {"type": "paragraph", "text": paragraph}]}],
    }, ensure_ascii=False, indent=2), "utf-8")
    return path


def test_a_letter_no_face_draws_is_refused_with_its_place(context: Context,
                                                         tmp_path: Path) -> None:
    from briefkit.load import load

    path = write_briefing(tmp_path / "source", "beijing", "The talks in 北京 open.")
    lines = path.read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "北京" in text)
    column = lines[line - 1].index('"The talks') + 1
    settings = context.settings.model_copy(update={"root": tmp_path})
    with pytest.raises(BriefingError) as caught:
        PDFExporter().export(load(path, path.parent), Context(settings, context.theme))
    assert caught.value.message == (
        f"line {line}, column {column}, /sections/0/blocks/1/text: '北' (U+5317) and 1 other "
        "character are in no face of theme 'default', so the PDF would take them from this "
        "machine's fonts; add a font that has them to the theme ([[fonts.files]] and "
        "fonts.fallback)")


def test_the_other_formats_still_carry_a_letter_the_pdf_cannot(newsroom: Path) -> None:
    write_briefing(newsroom / "source", "beijing", "The talks in 北京 open.")
    done = run_briefkit("export", "--all", "-f", "pdf", "-f", "html", "--quiet", cwd=newsroom)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("source/beijing.json: pdf: line ") and "'北' (U+5317)" in line
    dist = newsroom / "dist"
    assert "北京" in (dist / "beijing.html").read_text("utf-8")
    assert not (dist / "beijing.pdf").exists()
    assert (dist / f"{ENGLISH}.pdf").is_file() and (dist / f"{FRENCH}.pdf").is_file()


@pytest.mark.skipif(not shutil.which("fc-list") or "DejaVu Sans Mono" not in subprocess.run(
    ["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout,
    reason="needs a font of the machine the theme does not carry")
def test_a_stylesheet_naming_a_font_of_the_machine_is_refused(settings: Settings,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "themes" / "mono"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('extends = "default"\n', "utf-8")
    (folder / "theme.css").write_text('p { font-family: "DejaVu Sans Mono"; }\n', "utf-8")
    with pytest.raises(ThemeError) as caught:
        PDFExporter().export(sample(ENGLISH), Context(settings, load_theme("mono", tmp_path)))
    assert caught.value.message.startswith("theme 'mono' sets text (")
    assert caught.value.message.endswith(
        "in 'DejaVu Sans Mono', a font it does not carry: its stylesheets may name only the "
        "families of its [[fonts.files]]")


def test_french_has_a_narrow_no_break_space_before_each_question_mark(
        rendered: dict[str, Rendered]) -> None:
    text = "".join(page.extract_text() for page in rendered["french"].reader.pages)
    assert text.count("?") >= 3
    assert text.count("?") == text.count("\u202f?")


def test_arabic_is_laid_out_right_to_left(rendered: dict[str, Rendered]) -> None:
    """The title sits against the right margin in Arabic, the left one in English."""

    def title_span(doc: Rendered) -> tuple[float, float, float]:
        html = doc.pdftotext("-bbox", "-f", "1", "-l", "1")
        page_width = float(re.search(r'<page width="([\d.]+)"', html)[1])  # type: ignore[index]
        title = letters(doc.item.briefing.title)
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="[\d.]+">([^<]*)</word>', html)
        # pdftotext gives right-to-left words in visual order: match them either way
        boxes = [(float(x0), float(x1)) for x0, y0, x1, word in words
                 if len(letters(word)) > 2 and float(y0) < 160
                 and (letters(word) in title or letters(word)[::-1] in title)]
        assert boxes
        return min(b[0] for b in boxes), max(b[1] for b in boxes), page_width

    # against the page's margin (38 mm, 108 pt) on the side a line starts
    left, right, width = title_span(rendered["arabic"])
    assert width - right < 115 and left > 150  # flush right, ragged left
    left, right, width = title_span(rendered["english"])
    assert left < 115


def test_same_briefing_gives_the_same_bytes(rendered: dict[str, Rendered],
                                            context: Context) -> None:
    again = PDFExporter().export(rendered["english"].item, context).data
    assert again == rendered["english"].data


def test_each_stream_is_compressed_once_and_the_bytes_stay_weasyprints(
        rendered: dict[str, Rendered], context: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF's streams are deflated once, not again for the file identifier's digest,
    and the file is byte for byte the one WeasyPrint writes without that step."""
    import zlib

    from briefkit.exporters import pdf

    made = 0
    compressor = zlib.compressobj

    def counted(*args: object, **options: object) -> object:
        nonlocal made
        made += 1
        return compressor(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(zlib, "compressobj", counted)
    item = rendered["every-block"].item
    once = PDFExporter().export(item, context).data
    compressed_once = made
    made = 0
    monkeypatch.setattr(pdf, "compress_once", lambda document, written: None)
    twice = PDFExporter().export(item, context).data
    assert once == twice == rendered["every-block"].data
    # every stream twice but the ones the step settled; the object and xref streams,
    # made by the writer itself, stay twice in both
    assert compressed_once < 0.6 * made, (compressed_once, made)


def test_a_stream_that_would_read_otherwise_is_left_to_the_writer() -> None:
    """The step keeps a stream's bytes or leaves it as it was: a dictionary whose text
    holds the marker it looks for is left to pydyf, which writes it as before."""
    from types import SimpleNamespace

    import pydyf  # type: ignore[import-untyped]

    from briefkit.exporters.pdf import compress_once

    plain = pydyf.Stream([b"BT /F1 12 Tf (Hello) Tj ET"], {"Type": "/XObject"}, compress=True)
    odd = pydyf.Stream([b"q Q"], {"Note": pydyf.String("a\nstream\nb")}, compress=True)
    before = plain.data, odd.data
    compress_once(None, SimpleNamespace(objects=[plain, odd]))
    assert (plain.data, odd.data) == before
    assert not plain.compress and plain.extra["Filter"] == "/FlateDecode"  # settled
    assert odd.compress and "Filter" not in odd.extra  # the writer's, as it was


def test_archival_variant(settings: Settings, theme: Theme, tmp_path: Path) -> None:
    archival = settings.model_copy(update={"pdf": settings.pdf.model_copy(
        update={"variant": "pdf/a-3b"})})
    data = PDFExporter().export(sample(FRENCH), Context(archival, theme)).data
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    root = pypdf.PdfReader(path).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in root and "/StructTreeRoot" in root


def test_plain_variant_claims_no_conformance(settings: Settings, theme: Theme,
                                             tmp_path: Path) -> None:
    plain = settings.model_copy(update={"pdf": settings.pdf.model_copy(update={"variant": "none"})})
    path = tmp_path / "plain.pdf"
    path.write_bytes(PDFExporter().export(sample(FRENCH), Context(plain, theme)).data)
    root = pypdf.PdfReader(path).trailer["/Root"]
    assert "/Metadata" not in root  # no PDF/UA or PDF/A claim
    assert "/StructTreeRoot" in root  # still tagged: accessible whatever the variant


def test_weasyprint_is_imported_only_to_make_a_pdf() -> None:
    code = ("import sys, briefkit.cli, briefkit.registry as r; "
            "[r.get(n) for n in r.names()]; print('weasyprint' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_pdf_variant_option_on_the_command_line(newsroom: Path) -> None:
    done = run_briefkit("export", "-f", "pdf", "--pdf-variant", "pdf/a-3b",
                        f"source/{ENGLISH}.json", cwd=newsroom)
    assert done.returncode == 0, done.stderr
    root = pypdf.PdfReader(newsroom / "dist" / f"{ENGLISH}.pdf").trailer["/Root"]
    assert 'pdfaid:part="3"' in root["/Metadata"].get_object().get_data().decode()


# --- safety: nothing outside our folders is read -----------------------------------------


def test_an_image_outside_the_source_folder_is_refused(context: Context, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    secret = tmp_path / "outside.png"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "images" / "chart.png", secret)
    briefing = Briefing.model_validate({
        "id": "escape", "title": "Escape", "language": "en", "published": "2020-01-01T00:00:00Z",
        "sections": [{"blocks": [{"type": "paragraph", "text": "Hello."},
                                 {"type": "image", "src": "../outside.png", "alt": "x"}]}],
    })
    assert isinstance(briefing.sections[0].blocks[1], Image)
    # what a loader that forgot its checks would hand over: no checked asset for the image
    item = BriefingFile(briefing, source / "escape.json", "0" * 64, {})
    settings = context.settings.model_copy(update={"root": tmp_path})
    with pytest.raises(UnsafeReferenceError) as caught:
        PDFExporter().export(item, Context(settings, context.theme))
    message = str(caught.value.message)
    assert "escape" in message and "outside.png" in message


def leaky_theme(project: Path, **files: str) -> Theme:
    """A project theme built on the default one, with the files given."""
    from briefkit.theme import load_theme

    folder = project / "themes" / "leaky"
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text('name = "leaky"\n', "utf-8")
    for relative, text in files.items():
        (folder / relative).write_text(text, "utf-8")
    return load_theme("leaky", project)


def test_a_theme_pointing_at_the_network_fails_and_fetches_nothing(
        context: Context, tmp_path: Path) -> None:
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        theme = leaky_theme(tmp_path, **{
            "theme.css": f'body {{ background: url("{url}/pixel.png"); }}\n'
                         'h1::after { content: url("file:///etc/passwd"); }\n'})
        with pytest.raises(UnsafeReferenceError) as caught:
            PDFExporter().export(sample(ENGLISH), Context(context.settings, theme))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert asked == []
    lines = "\n".join(caught.value.lines())
    assert f"{url}/pixel.png" in lines and "file:///etc/passwd" in lines
    assert ENGLISH in caught.value.message


def test_attachments_are_refused_not_embedded(context: Context, tmp_path: Path) -> None:
    default = (Path(__file__).parents[2] / "src/briefkit/theme/packaged/default/templates/briefing.html")
    template = default.read_text("utf-8").replace(
        "</head>", '<link rel="attachment" href="night-bus-network.json"></head>')
    theme = leaky_theme(tmp_path, **{"templates/briefing.html": template})
    with pytest.raises(UnsafeReferenceError) as caught:
        PDFExporter().export(sample(ENGLISH), Context(context.settings, theme))
    assert "night-bus-network.json" in caught.value.message
    assert "attachment" in caught.value.message


def test_the_newsroom_folder_does_not_show_in_the_bytes(rendered: dict[str, Rendered],
                                                        context: Context, tmp_path: Path) -> None:
    from briefkit.load import load

    copy = tmp_path / "elsewhere" / "source"
    shutil.copytree(Path(__file__).parents[2] / "source", copy)
    item = load(copy / f"{ENGLISH}.json", copy)
    settings = context.settings.model_copy(update={"root": copy.parent})
    assert PDFExporter().export(item, Context(settings, context.theme)).data == rendered["english"].data


# --- typography and page flow -----------------------------------------------------------


def briefing_pdf(context: Context, tmp_path: Path, sections: list[dict[str, object]],
                 title: str = "A test briefing", language: str = "en-GB",
                 authors: list[dict[str, str]] | None = None) -> Path:
    """A PDF of a briefing written here, read back from its file."""
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    briefing = Briefing.model_validate({
        "id": "test", "title": title, "language": language,
        "published": "2020-01-08T11:45:00+01:00", "sections": sections,
        "authors": authors or [],
    })
    item = BriefingFile(briefing, source / "test.json", "0" * 64, {})
    settings = context.settings.model_copy(update={"root": tmp_path})
    path = tmp_path / "test.pdf"
    path.write_bytes(PDFExporter().export(item, Context(settings, context.theme)).data)
    return path


def pages_text(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_emoji_and_symbols_print_from_the_themes_fallback_font(context: Context,
                                                               tmp_path: Path) -> None:
    path = briefing_pdf(context, tmp_path, [{"blocks": [
        {"type": "paragraph", "text": "Lift-off 🚀 at dawn ★ ✓"}]}], title="Launch day 🚀")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert "Noto-Emoji" in fonts
    text = pages_text(path)[0]
    assert "Launch day 🚀" in text and "🚀 at dawn ★ ✓" in text


# justified text, a narrow measure and long dictionary words: hyphenation is sure to happen
LONG_WORDS = " ".join(["internationalisation", "responsibilities", "administration"] * 12)


def test_links_and_names_are_never_hyphenated(context: Context, tmp_path: Path) -> None:
    linked = " ".join(f"[{w}](https://example.org/{w})" for w in LONG_WORDS.split())
    path = briefing_pdf(context, tmp_path, [{"blocks": [
        {"type": "paragraph", "text": LONG_WORDS + " Endofplain."},
        {"type": "paragraph", "text": linked}]}],
        authors=[{"name": "Maximiliana Administrationsberg-Internationalisation"}])
    text = pages_text(path)[0]
    plain_part, _, linked_part = text.partition("Endofplain.")
    assert "\u2010" in plain_part  # the same words in plain text are hyphenated ...
    assert linked_part.count("internationalisation") == 12
    assert "\u2010" not in linked_part  # ... never as links
    assert "Maximiliana Administrationsberg-Internationalisation" in " ".join(text.split())


def test_short_lists_and_headings_keep_with_what_follows(context: Context,
                                                         tmp_path: Path) -> None:
    sections: list[dict[str, object]] = []
    for n in range(1, 25):  # paragraphs of every length: lists and headings fall everywhere
        filler = {"type": "paragraph", "text": "Words to fill the page. " * (3 + 5 * (n % 7))}
        sections.append({"heading": f"Heading number {n}", "blocks": [
            filler, {"type": "list", "ordered": True,
                     "items": [f"List {n} item {i}" for i in range(1, 5)]}]})
    pages = pages_text(briefing_pdf(context, tmp_path, sections))
    assert len(pages) > 4
    for n in range(1, 25):
        holding = [i for i, page in enumerate(pages) if f"List {n} item" in page]
        assert len(holding) == 1, f"list {n} split across pages {holding}"
    for page in pages:
        lines = [line for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line.strip())]
        assert not body[-1].startswith("Heading number"), "a heading ends a page"


# --- what the PDF embeds is what was checked -------------------------------------------


def png(size: tuple[int, int], colour: str) -> bytes:
    """A PNG of one colour."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def embedded_images(data: bytes) -> list[tuple[tuple[int, int], set[tuple[int, ...]]]]:
    """Each image of a PDF, read back by pypdf: its size in pixels and its colours (an
    image every page shares is listed once)."""
    import io

    found: list[tuple[tuple[int, int], set[tuple[int, ...]]]] = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            pixels = image.image.convert("RGB")
            seen = (pixels.size, {c for _, c in pixels.getcolors(1 << 16) or []})
            if seen not in found:
                found.append(seen)
    return found


def test_an_image_swapped_after_its_check_never_reaches_the_pdf(context: Context,
                                                                tmp_path: Path) -> None:
    """The PDF embeds the bytes the loader checked, as every other format publishes them:
    an image file replaced after the briefing was loaded is refused, in one line."""
    from briefkit.load import load

    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    (source / "images" / "photo.png").write_bytes(png((60, 30), "#c0392b"))
    (source / "swap.json").write_text(json.dumps({
        "id": "swap", "title": "Swap", "language": "en", "published": "2020-01-01T00:00:00Z",
        "sections": [{"blocks": [{"type": "paragraph", "text": "Hello."},
                                 {"type": "image", "src": "images/photo.png", "alt": "A photo"}]}],
    }), "utf-8")
    item = load(source / "swap.json", source)
    here = Context(context.settings.model_copy(update={"root": tmp_path}), context.theme)
    assert embedded_images(PDFExporter().export(item, here).data) == [((60, 30), {(192, 57, 43)})]
    (source / "images" / "photo.png").write_bytes(png((90, 45), "#27ae60"))  # after the check
    with pytest.raises(BriefingError) as caught:
        PDFExporter().export(item, here)
    assert caught.value.lines() == [
        f"{source / 'swap.json'}: image 'images/photo.png' changed since it was checked"]


def test_the_printed_logo_is_the_checked_image_and_a_swapped_one_is_refused(
        context: Context, tmp_path: Path) -> None:
    folder = tmp_path / "themes" / "branded"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('[brand]\nlogo = "logo.png"\n', "utf-8")
    (folder / "logo.png").write_bytes(png((80, 20), "#0b4f8a"))
    theme = load_theme("branded", tmp_path)  # the logo is checked here
    french = sample(FRENCH)  # a briefing without images: the logo is the PDF's one image
    printed = PDFExporter().export(french, Context(context.settings, theme)).data
    assert embedded_images(printed) == [((80, 20), {(11, 79, 138)})]
    (folder / "logo.png").write_text("<svg xmlns='http://www.w3.org/2000/svg'>"
                                     "<image href='file:///etc/passwd'/></svg>", "utf-8")
    with pytest.raises(ThemeError) as caught:
        PDFExporter().export(french, Context(context.settings, theme))
    assert caught.value.lines() == [
        f"theme 'branded': logo {folder / 'logo.png'} is not an image"]


def _photo_briefing(source: Path, name: str, colour: str, language: str = "en") -> BriefingFile:
    """A briefing ``name`` in its own folder showing ``images/photo.png`` in ``colour``."""
    from briefkit.load import load

    folder = source / name
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "photo.png").write_bytes(png((60, 30), colour))
    (folder / f"{name}.json").write_text(json.dumps({
        "id": name, "title": name.title(), "language": language,
        "published": "2020-01-01T00:00:00Z",
        "sections": [{"blocks": [{"type": "paragraph", "text": "Hello."},
                                 {"type": "image", "src": "images/photo.png", "alt": "A photo"}]}],
    }), "utf-8")
    return load(folder / f"{name}.json", source)


def test_the_pdfs_of_a_theme_share_fonts_furniture_and_pictures(
        context: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One FontConfiguration per theme in a process, each language's page furniture
    compiled once, a picture decoded once: yet each PDF shows its own briefing's picture,
    though two briefings name theirs alike."""
    import weasyprint

    from briefkit.exporters import pdf
    from briefkit.render.furniture import page_furniture

    source = tmp_path / "source"
    red, blue = _photo_briefing(source, "red", "#c0392b"), _photo_briefing(source, "blue", "#2e86c1")
    again = _photo_briefing(source, "again", "#c0392b", language="fr")  # red's bytes
    here = Context(context.settings.model_copy(update={"root": tmp_path}), context.theme)
    compiled: list[str] = []
    css = weasyprint.CSS

    def counted(*args: object, **options: object) -> object:
        compiled.append(str(options.get("string", ""))[:40])
        return css(*args, **options)

    monkeypatch.setattr(weasyprint, "CSS", counted)
    monkeypatch.setattr(pdf, "_styles", {})
    exporter = PDFExporter()
    made = {item.id: exporter.export(item, here).data for item in (red, blue, again, red)}
    assert len(pdf._styles) == 1  # one stylesheet, one FontConfiguration
    (style,) = pdf._styles.values()
    furnitures = {page_furniture(here.theme, here.settings, lang) for lang in ("en", "fr")}
    assert set(style.furniture) == furnitures  # each language's, compiled once
    assert len(compiled) == 1 + len(furnitures)  # and the print stylesheet
    assert embedded_images(made["red"]) == [((60, 30), {(192, 57, 43)})]
    assert embedded_images(made["blue"]) == [((60, 30), {(46, 134, 193)})]
    assert embedded_images(made["again"]) == [((60, 30), {(192, 57, 43)})]
    assert len([url for url in style.images if url.startswith("briefing-image:")]) == 2
