"""The dateline every format prints says in which time zone its time is, read back from each
output by its own reader (pdftotext, lxml, python-docx, the e-book's spine)."""

from __future__ import annotations

import json

import lxml.html
import pytest
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, SAMPLES, fixture, sample
from support.readers import docx_text, epub_text, pdf_text

from briefkit import registry
from briefkit.briefing_file import BriefingFile
from briefkit.exporters.base import CollectionExporter, Context, Exported
from briefkit.render import html

#: How each language names an offset from UTC (CLDR's "GMT{0}"), and its digits
ZONE_NAMES = {"en": "GMT", "fr": "UTC", "ar": "غرينتش"}
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

BRIEFINGS = {"english": (SAMPLES, ENGLISH), "french": (SAMPLES, FRENCH),
             "arabic": (FIXTURES, "rtl-arabic")}


def zone(name: str) -> str:
    """The zone a briefing's dateline must name, from its JSON: the offset of ``published``."""
    folder, briefing_id = BRIEFINGS[name]
    data = json.loads((folder / f"{briefing_id}.json").read_text("utf-8"))
    offset = data["published"][-6:]  # "+01:00"
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    written = "" if hours == minutes == 0 else (
        ("+" if offset[0] == "+" else "\u2212") + str(hours) + (f":{minutes:02d}" if minutes
                                                                 else ""))
    text = ZONE_NAMES[data["language"].split("-")[0]] + written
    return text.translate(ARABIC_DIGITS) if data["language"] == "ar" else text


def item(name: str) -> BriefingFile:
    folder, briefing_id = BRIEFINGS[name]
    return sample(briefing_id) if folder == SAMPLES else fixture(briefing_id)


def data(made: bytes | Exported) -> bytes:
    return made.data if isinstance(made, Exported) else made


def folded(text: str) -> str:
    return " ".join(text.split())  # no-break spaces as plain ones


@pytest.fixture(scope="module")
def outputs(context: Context) -> dict[str, dict[str, str]]:
    """The text of each format of each briefing, as its reader finds it."""
    found: dict[str, dict[str, str]] = {}
    index = registry.get("index")
    assert isinstance(index, CollectionExporter)
    front = lxml.html.document_fromstring(data(index.export_collection(
        [item(name) for name in BRIEFINGS], context)))
    for name in BRIEFINGS:
        briefing = item(name)

        def made(kind: str, briefing: BriefingFile = briefing) -> bytes:
            return data(registry.get(kind).export(briefing, context))

        page = lxml.html.document_fromstring(made("html"))
        found[name] = {
            "pdf": pdf_text(made("pdf")),
            "web page": page.xpath("string(//time[@class='dateline'])"),
            "front page": front.xpath(f"string(//li[@id='{briefing.id}']//time)"),
            "Word": docx_text(made("docx")),
            "e-book": epub_text(made("epub")),
        }
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", BRIEFINGS)
def test_every_format_names_the_zone_of_the_dateline(outputs: dict[str, dict[str, str]],
                                                     name: str) -> None:
    """"4 March 2026, 09:00" was UTC and the Arabic +03:00, both bare: a partner could not
    tell when something was published."""
    expected = zone(name)
    for kind, text in outputs[name].items():
        if kind == "pdf" and name == "arabic":
            # pdftotext gives right-to-left lines in visual runs: each piece on one line
            pieces = (ZONE_NAMES["ar"], expected.removeprefix(ZONE_NAMES["ar"])[1:])
            assert any(all(piece in line for piece in pieces) for line in text.splitlines()
                       if "يناير" in line), f"{name} {kind}: no {expected!r}"
            continue
        assert expected in folded(text), f"{name} {kind}: no {expected!r}"


def test_the_zone_follows_the_time_it_belongs_to(context: Context) -> None:
    def dateline(name: str) -> str:
        page = lxml.html.document_fromstring(html.page(item(name), context.theme,
                                                       context.settings))
        return folded(page.xpath("string(//time[@class='dateline'])"))

    assert "07:00 GMT · Updated 16:30" in dateline("english")  # the same zone: said once
    assert "11 h 45 UTC+1" in dateline("french")
    assert "٧:٠٠ ص غرينتش+٣" in dateline("arabic")


def test_a_middle_dot_never_stands_beside_arabic_digits(context: Context) -> None:
    """"·" before "٤" reads as the Arabic zero: Arabic separates the update with a dash."""
    arabic = item("arabic")
    updated = arabic.briefing.model_copy(update={"updated": arabic.briefing.published.replace(
        hour=12, minute=30)})
    page = lxml.html.document_fromstring(html.page(updated, context.theme, context.settings))
    byline = page.xpath("string(//p[@class='byline'])")
    assert "·" not in byline
    assert " – حُدّث ١٢:٣٠" in folded(byline)
