"""The printed page, as a production desk looks at it: where things stand, in which face,
size and colour, measured on the PDF by poppler and pypdf (tests/printed.py), in both
packaged themes."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from printed import MM, Page, pages, picture, runs
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, ROOT, sample

from briefkit.config import Settings
from briefkit.exporters.base import Context, Exported
from briefkit.exporters.pdf import PDFExporter
from briefkit.load import load
from briefkit.theme import load_theme

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

#: plain English prose, one word at a time
WORDS = ["Water", "rationing", "reached", "the", "eastern", "valley", "towns", "this", "week",
         "while", "engineers", "repaired", "the", "main", "pipeline", "and", "residents",
         "queued", "at", "bottled", "water", "stations"]


def filler(words: int, start: int = 0) -> str:
    """``words`` words of plain English prose."""
    return " ".join(WORDS[(start + n) % len(WORDS)] for n in range(words))


def printed(settings: Settings, folder: Path, briefing: dict[str, Any], theme: str = "default",
            images: dict[str, bytes] | None = None) -> Path:
    """The PDF of ``briefing`` (its JSON, with defaults) in a packaged theme, as a file."""
    source = folder / "source"
    source.mkdir(parents=True, exist_ok=True)
    for name, data in (images or {}).items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    data = {"id": "test", "title": "A test briefing", "language": "en-GB",
            "published": "2026-03-04T09:00:00Z", **briefing}
    path = source / f"{data['id']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    here = Context(settings.model_copy(update={"root": folder}), load_theme(theme, ROOT))
    made = PDFExporter().export(load(path, source), here)
    out = folder / f"{data['id']}-{theme}.pdf"
    out.write_bytes(made.data if isinstance(made, Exported) else made)
    return out


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#2a6f97").save(out, "PNG")
    return out.getvalue()


# --- the page -----------------------------------------------------------------------------


def rule_and_first_ink(path: Path, page: int, dpi: int = 100) -> tuple[int, int]:
    """The pixel row of the running head's rule on a page (the first row inked across more
    than half the page's width), and the first row of ink below it."""
    from PIL import Image

    image: Any = picture(path, page, dpi)
    ink = image.convert("L").point(lambda v: 255 if v < 235 else 0)
    height = ink.size[1]
    # each row's share of inked pixels, averaged by Pillow
    rows = [v / 255 for v in ink.resize((1, height), Image.Resampling.BOX).get_flattened_data()]
    rule = next(y for y, share in enumerate(rows[:height // 4]) if share > 0.5)
    below = rule
    while rows[below + 1] > 0.5:  # the rule's own thickness
        below += 1
    first = next(y for y in range(below + 1, height) if rows[y] > 0)
    return rule, first


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_nothing_opening_a_page_touches_the_running_head(settings: Settings, tmp_path: Path,
                                                         theme: str) -> None:
    """A section heading that opens a page drew its accent bar on the running head's rule:
    every page now starts well clear of it."""
    sections = [{"heading": f"Section {n}", "blocks": [
        {"type": "paragraph", "text": filler(40 + 23 * (n % 9), n)}]} for n in range(1, 16)]
    path = printed(settings, tmp_path, {"sections": sections}, theme)
    count = len(pages(path))
    assert count >= 3
    for number in range(2, count + 1):
        rule, first = rule_and_first_ink(path, number)
        gap = (first - rule) / 100 * 25.4
        assert gap >= 4, f"page {number}: the text starts {gap:.1f} mm under the running head"


def test_an_image_stands_where_its_caption_starts(settings: Settings, tmp_path: Path) -> None:
    """The image was centred while its caption sat flush with the column."""
    path = printed(settings, tmp_path, {"sections": [{"blocks": [
        {"type": "paragraph", "text": filler(30)},
        {"type": "image", "src": "images/wide.png", "alt": "A chart",
         "caption": "Captionword under the chart", "credit": "Graphics desk"}]}]},
        images={"images/wide.png": png(1600, 1200)})  # height-bound: narrower than the column
    image: Any = picture(path, 1, 100)
    blue = [x for x in range(image.size[0]) for y in (image.size[1] // 2,)
            if image.getpixel((x, y)) == (42, 111, 151)]
    words = pages(path)[0].words
    caption = next(w for w in words if w.text == "Captionword")
    body = min(w.x0 for w in words if w.text in WORDS)
    left = min(blue) / 100 * 72
    assert abs(left - caption.x0) < 1.5, (left, caption.x0)
    assert abs(caption.x0 - body) < 1.5


def test_a_coarse_image_is_a_warning_in_the_report(newsroom: Path) -> None:
    """A 640-pixel image printed across the column is soft on paper: the desk is told, in
    one line, and the PDF is still made."""
    (newsroom / "source" / "images" / "small.png").write_bytes(png(640, 360))
    briefing = json.loads((newsroom / "source" / f"{ENGLISH}.json").read_text("utf-8"))
    briefing["sections"][0]["blocks"].append(
        {"type": "image", "src": "images/small.png", "alt": "A small chart"})
    (newsroom / "source" / f"{ENGLISH}.json").write_text(json.dumps(briefing), "utf-8")
    done = run_briefkit("export", "--all", "-f", "pdf", "--json", cwd=newsroom)
    assert done.returncode == 0, done.stderr
    warnings = json.loads(done.stdout)["warnings"]
    assert len(warnings) == 1
    (line,) = warnings
    assert line.startswith(f"source/{ENGLISH}.json: pdf: image 'images/small.png' (640 px wide) "
                           "is printed 134 mm wide, at 121 ppi")
    assert (newsroom / "dist" / f"{ENGLISH}.pdf").is_file()
    # a sharp image is no news
    assert not [w for w in warnings if "night-bus-journeys" in w]


def test_the_measure_fills_a4_with_even_margins(settings: Settings, tmp_path: Path) -> None:
    """The text stopped at two thirds of the page, the right third empty."""
    path = printed(settings, tmp_path, {"sections": [{"blocks": [
        {"type": "paragraph", "text": filler(400)}]}]})
    page = pages(path)[0]
    body = [w for w in page.words if w.text in WORDS]
    left, right = min(w.x0 for w in body), max(w.x1 for w in body)
    assert abs(left - (page.width - right)) < 3 * MM, (left, page.width - right)
    assert 125 * MM < right - left < 150 * MM


def test_a_long_briefing_opens_on_its_contents_with_the_page_of_each_section(
        settings: Settings, tmp_path: Path) -> None:
    sections = [{"heading": f"Question number {n}?", "blocks": [
        {"type": "paragraph", "text": filler(120 + 40 * (n % 5), n)}]} for n in range(1, 13)]
    path = printed(settings, tmp_path, {"sections": sections})
    found = pages(path)
    first = found[0].text()
    assert "Contents" in first or "CONTENTS" in first
    lines = [line.strip() for line in
             re.split(r"\n", _pdftotext(path, 1)) if line.strip().startswith("Question number")]
    listed = {}
    for line in lines:
        match = re.fullmatch(r"(Question number \d+\?)[ .…]*(\d+)", line)
        if match:
            listed[match[1]] = int(match[2])
    assert len(listed) == 12, lines
    for heading, number in listed.items():
        # the heading itself comes after the contents: the last page that shows it
        where = [n for n, page in enumerate(found, 1) if heading in page.text()]
        assert number == where[-1], (heading, number, where)


def _pdftotext(path: Path, page: int) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(page), "-l",
                           str(page), str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- text -----------------------------------------------------------------------------------


def test_a_citation_is_set_in_one_face_at_one_size(tmp_path: Path, context: Context) -> None:
    """The sources were numbered in smaller figures, in a second face, with the address in
    a third."""
    path = tmp_path / "english.pdf"
    made = PDFExporter().export(sample(ENGLISH), context)
    path.write_bytes(made.data if isinstance(made, Exported) else made)
    last = runs(path)[-1]
    top = next(run.y for run in last if run.text.strip().upper() == "SOURCES")
    bottom = next(run.y for run in last if run.text.startswith("©"))
    citations = [run for run in last if top < run.y < bottom]
    assert any("example.org" in run.text for run in citations)
    assert any(re.fullmatch(r"\d\. ?", run.text) for run in citations)
    assert {run.face.removesuffix("-Bold") for run in citations} == {"Charis-SIL"}
    assert len({run.size for run in citations}) == 1, {(r.text, r.size) for r in citations}


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_bold_in_the_standfirst_is_bold_in_the_text_colour(settings: Settings, tmp_path: Path,
                                                           theme: str) -> None:
    """Its bold was in the link colour (default), or the whole standfirst bold (wire)."""
    path = printed(settings, tmp_path, {
        "standfirst": "The council opens **six new routes** on Friday, and more later.",
        "sections": [{"blocks": [{"type": "paragraph", "text": filler(20)}]}]}, theme)
    first = runs(path)[0]
    bold = next(run for run in first if "six new routes" in run.text)
    plain = next(run for run in first if "on Friday" in run.text)
    assert bold.face.endswith("-Bold") and not plain.face.endswith(("-Bold", "-Semi-Bold"))
    text = load_theme(theme, ROOT).settings.colours.text
    assert bold.colour == plain.colour == tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_no_paragraph_ends_on_a_word_alone(settings: Settings, tmp_path: Path,
                                           theme: str) -> None:
    """A paragraph's last word ("jeu.", "tail.") stood alone on its last line."""
    blocks = [{"type": "paragraph", "text": f"{filler(12 + 3 * n, n)} ending{n}."}
              for n in range(40)]
    path = printed(settings, tmp_path, {"sections": [{"blocks": blocks}]}, theme)
    lines = [line.strip() for page in range(1, len(pages(path)) + 1)
             for line in _pdftotext_raw(path, page).splitlines()]
    alone = [line for line in lines if re.fullmatch(r"ending\d+\.", line)]
    assert not alone


def _pdftotext_raw(path: Path, page: int) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page),
                           str(path), "-"], capture_output=True, text=True, check=True).stdout


LONG_WORDS = " ".join(["internationalisation", "responsibilities", "administration"] * 4)


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_the_standfirst_is_never_hyphenated(settings: Settings, tmp_path: Path,
                                            theme: str) -> None:
    path = printed(settings, tmp_path, {
        "standfirst": LONG_WORDS,
        "sections": [{"blocks": [{"type": "paragraph", "text": "Endofstandfirst. " + LONG_WORDS}]}]},
        theme)
    text = _pdftotext_raw(path, 1)
    standfirst = text[:text.index("Endofstandfirst")]
    assert standfirst.count("internationalisation") == 4
    assert "\u2010" not in standfirst


ADDRESSES = ("https://example.org/style-guide/special-characters-in-headlines?edition=2026",
             "https://corrections.example.org/2026/03/04/q-and-a-special-characters")


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_no_hyphen_is_added_inside_a_web_address(settings: Settings, tmp_path: Path,
                                                 theme: str) -> None:
    """"https://ex- / ample.org/": an address written in a standfirst or a paragraph was
    hyphenated, in the text layer too."""
    text = (f"The guide lives at {ADDRESSES[0]} and the corrections log at {ADDRESSES[1]}, "
            "both public.")
    path = printed(settings, tmp_path, {"standfirst": text, "sections": [{"blocks": [
        {"type": "paragraph", "text": text}]}]}, theme)
    words = "".join(w.text for page in pages(path) for w in page.words)
    for address in ADDRESSES:  # whole, where the line breaks: nothing added inside
        assert words.count(address) == 2, address


# --- the wire theme's columns ----------------------------------------------------------------


def table(n: int) -> dict[str, Any]:
    return {"type": "table", "caption": f"Table{n} caption",
            "header": [f"H{n}a", f"H{n}b"],
            "rows": [[f"T{n}r{r}a", f"T{n}r{r}b"] for r in range(1, 4)]}


def test_a_short_table_is_never_split_across_columns(settings: Settings, tmp_path: Path) -> None:
    """A three-row table was split: two rows at the foot of the left column, one under a
    repeated header at the top of the right."""
    blocks: list[dict[str, Any]] = []
    for n in range(1, 25):
        blocks += [{"type": "paragraph", "text": filler(9 + 7 * n, n)}, table(n)]
    path = printed(settings, tmp_path, {"sections": [{"blocks": blocks}]}, "wire")
    for n in range(1, 25):
        where = {(number, word.x0 > page.width / 2)
                 for number, page in enumerate(pages(path), 1)
                 for word in page.words if re.fullmatch(rf"(T{n}r\da|T{n}r\db|H{n}a)", word.text)}
        assert len(where) == 1, f"table {n} is split: (page, right column) {sorted(where)}"


def test_ragged_columns_hyphenate_little_and_never_a_short_name(context: Context,
                                                                tmp_path: Path) -> None:
    """Six hyphens in 48 lines, two in a row, and the base of "Aïn al-As-sad" split."""
    wire = Context(context.settings, load_theme("wire", ROOT))
    path = tmp_path / "french.pdf"
    made = PDFExporter().export(sample(FRENCH), wire)
    path.write_bytes(made.data if isinstance(made, Exported) else made)
    lines = [line for line in _pdftotext_raw(path, 1).splitlines() if line.strip()]
    hyphenated = [n for n, line in enumerate(lines) if line.endswith("\u2010")]
    assert "As\u2010" not in {line.split()[-1] for line in lines if line.split()}
    assert len(hyphenated) <= len(lines) // 20, [lines[n] for n in hyphenated]
    assert not any(b - a == 1 for a, b in itertools.pairwise(hyphenated))


def test_a_name_in_a_narrow_table_cell_is_never_hyphenated(settings: Settings,
                                                             tmp_path: Path) -> None:
    """In a wire column, "Kelder Reservoir" was set "Kelder Reser- / voir" and a header
    "CHARAC- / TER" while the figures' columns had room to spare."""
    table = {"type": "table", "caption": "Reservoir levels, week 2",
             "header": ["Reservoir", "Capacity (Ml)", "Held now", "A year ago"],
             "rows": [["Tarrow Water", "39,000", "40%", "92%"],
                      ["Kelder Reservoir", "35,000", "33%", "94%"],
                      ["Brindle Lake", "17,000", "41%", "63%"]]}
    path = printed(settings, tmp_path, {"sections": [{"blocks": [table]}]}, "wire")
    text = _pdftotext_raw(path, 1)
    assert "Reservoir" in text and "\u2010" not in text, text


def footer_and_number(page: Page, footer: str) -> tuple[float, float]:
    """The baselines (bottom of the word boxes) of the footer line and the page number."""
    low = [w for w in page.words if w.y0 > page.height - 30 * MM]
    number = next(w for w in low if re.fullmatch(r"[\d٠-٩]+", w.text))
    first = footer.split(maxsplit=1)[0]
    text = next(w for w in low if w.text in (first, first[::-1]) or first in w.text)
    return text.y1, number.y1


def test_the_footer_and_the_page_number_share_a_baseline(context: Context,
                                                         tmp_path: Path) -> None:
    wire = load_theme("wire", ROOT)
    path = tmp_path / "english.pdf"
    made = PDFExporter().export(sample(ENGLISH), Context(context.settings, wire))
    path.write_bytes(made.data if isinstance(made, Exported) else made)
    footer, number = footer_and_number(pages(path)[0], wire.settings.brand.footer)
    assert abs(footer - number) < 0.3, (footer, number)


# --- Arabic -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Arabic look briefing printed in both themes."""
    room = tmp_path_factory.mktemp("arabic")
    shutil.copy(ROOT / "briefkit.toml", room / "briefkit.toml")
    (room / "source").mkdir()
    shutil.copytree(FIXTURES / "images", room / "source" / "images")
    shutil.copy(FIXTURES / "look" / "arabic-power-outage.json", room / "source")
    found = {}
    for theme in ("default", "wire"):
        done = run_briefkit("export", "--all", "-f", "pdf", "--theme", theme, "--out",
                            f"out-{theme}", "--quiet", cwd=room)
        assert done.returncode == 0, done.stderr
        found[theme] = room / f"out-{theme}" / "arabic-power-outage.pdf"
    return found


def heading_word(path: Path) -> tuple[float, float]:
    """The width and height of the word "ماذا" of the heading "ماذا حدث؟"."""
    word = next(w for w in pages(path)[0].words if w.text in ("ماذا", "اذام"))
    return word.x1 - word.x0, word.y1 - word.y0


def test_arabic_headings_are_never_letter_spaced(arabic: dict[str, Path]) -> None:
    """The wire theme spaced the letters of its headings, so those of "ماذا" came apart: set
    in the same face, the word is as wide for its height in both themes."""
    (width, height), (plain_width, plain_height) = (heading_word(arabic["wire"]),
                                                    heading_word(arabic["default"]))
    assert width / height == pytest.approx(plain_width / plain_height, rel=0.02)


def test_arabic_headings_are_larger_than_the_text(arabic: dict[str, Path]) -> None:
    """The wire theme's headings, at the text's size in capitals, were smaller than the
    enlarged Arabic text: a script without capitals gets a larger heading."""
    first = runs(arabic["wire"])[0]
    heading = next(run for run in first if "ماذا" in run.text)
    body = max((run for run in first if "الانقطاع عند الساعة" in run.text),
               key=lambda run: len(run.text))
    assert heading.size > body.size, (heading.size, body.size)


def test_an_arabic_briefing_is_set_in_two_columns_as_every_other(
        arabic: dict[str, Path]) -> None:
    page = pages(arabic["wire"])[0]
    words = [w for w in page.words if 90 * MM < w.y0 < page.height - 40 * MM]
    middle = page.width / 2
    left = [w for w in words if w.x1 < middle - 2 * MM]
    right = [w for w in words if w.x0 > middle + 2 * MM]
    across = [w for w in words if w.x0 < middle - 2 * MM < middle + 2 * MM < w.x1]
    assert len(left) > 50 and len(right) > 50 and not across


def test_the_wire_footer_is_in_the_briefings_language(arabic: dict[str, Path]) -> None:
    wire = load_theme("wire", ROOT)
    page = pages(arabic["wire"])[0]
    footer = " ".join(w.text for w in page.words if w.y0 > page.height - 20 * MM)
    arabic_footer = wire.settings.brand.footer_in("ar")
    assert "Partner" not in footer
    assert all(word in footer or word[::-1] in footer for word in arabic_footer.split())


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_arabic_page_numbers_are_in_arabic_digits(arabic: dict[str, Path], theme: str) -> None:
    """Page numbers were in Latin digits while the dateline is in Arabic ones."""
    for number, page in enumerate(pages(arabic[theme]), 1):
        low = " ".join(w.text for w in page.words if w.y0 > page.height - 30 * MM)
        assert chr(0x660 + number) in low and not re.search(r"[0-9]", low), low


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_punctuation_inside_arabic_is_set_in_the_arabic_face(arabic: dict[str, Path],
                                                             theme: str) -> None:
    """Full stops came from Charis SIL and the time's colon from Inter inside Amiri text."""
    marks = [run for page in runs(arabic[theme]) for run in page
             if re.search(r"[\u0600-\u06ff]", run.text) is None
             and re.fullmatch(r"[\s.:،؟!()\-–\d٠-٩]+", run.text)]
    body = [run for page in runs(arabic[theme]) for run in page
            if re.search(r"[\u0600-\u06ff]", run.text) and ("." in run.text or ":" in run.text)]
    assert all(run.face.startswith("Amiri") for run in marks), \
        {(run.text, run.face) for run in marks if not run.face.startswith("Amiri")}
    # the sentences carry their own full stops and colons, in their face
    assert body and all(run.face.startswith("Amiri") for run in body)


@pytest.mark.parametrize("theme", ["default", "wire"])
def test_a_printed_address_reads_left_to_right_in_arabic(arabic: dict[str, Path],
                                                         theme: str) -> None:
    """A source's address that wrapped in a right-to-left column read "/https://example.org"
    on its first line and touched the title: it reads from its start, a space from the
    title on its right."""
    for page in pages(arabic[theme]):
        for address in (w for w in page.words if "example.org" in w.text):
            assert address.text.startswith("https://"), address.text
            after = [w.x0 - address.x1 for w in page.words
                     if abs(w.y0 - address.y0) < 1 and w.x0 >= address.x1 - 1]
            assert after and min(after) > 1.5, (address.text, after)
