"""Text that looks like code stays text, in every format: markup, CDATA ends,
template syntax, bidi overrides, emoji and the longest word allowed.

One briefing full of it is exported once by every installed exporter (those
that land later are covered by the registry) and each output is read back by
an independent reader (see readers.py): no element or event handler the
briefing did not ask for, and the hostile strings are shown as written.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hostile.readers import Reading, read, squeeze
from support.newsrooms import FIXTURES

from briefkit import registry
from briefkit.briefing_file import BriefingFile
from briefkit.characters import MAX_WORD
from briefkit.config import Settings
from briefkit.exporters.base import CollectionExporter, Context, Exported
from briefkit.links import OutputInfo
from briefkit.load import load
from briefkit.theme import Theme

TITLE = "<script>alert('title')</script> ]]> & {{ 7 * 7 }}"
LONGEST = "w" * MAX_WORD
HOSTILE = {
    "id": "literal-text",
    "title": TITLE,
    "subtitle": "<b>not bold</b> ]]>",
    "standfirst": "<img src=x onerror=alert(1)> and <![CDATA[x]]> and {% raw %}",
    "language": "en",
    "published": "2020-01-08T11:45:00+01:00",
    "authors": [{"name": "<i>Ada</i> \u202eesrever\u202c", "role": "<u>editor</u>"}],
    "tags": ["<tag>", "]]>"],
    "summary": "</title><script>alert('summary')</script>",
    "sections": [
        {"heading": "</h2><script>alert('heading')</script>", "blocks": [
            {"type": "paragraph", "text": "Before <script>alert('para')</script> after ]]> "
                                          "&amp; &lt; 🚌 👩‍👩‍👧 🏳️‍🌈 e\u0301\u0323 "
                                          "\u2067\u05e9\u05dc\u05d5\u05dd\u2069 end."},
            {"type": "paragraph", "text": f"The longest word allowed: {LONGEST} done."},
            {"type": "quote", "text": "<style>body{display:none}</style>",
             "attribution": "<a href='javascript:alert(1)'>x</a>"},
            {"type": "list", "items": ["<li>nested</li>", "\\*not emphasis\\*"]},
            {"type": "image", "src": "images/chart.png", "alt": "\" onload=\"alert(1)",
             "caption": "<svg onload=alert(1)>", "credit": "<iframe src=x>"},
            {"type": "table", "caption": "<caption>", "header": ["</th>", "<td>"],
             "rows": [["</td></tr></table><script>alert('cell')</script>", "]]>"]]},
            {"type": "timeline", "events": [{"when": "<time>", "text": "<object data=x>"}]},
            {"type": "factbox", "title": "<h1>", "items": ["<form action=x>"]},
        ]},
    ],
    "sources": [{"title": "<a href=x>source</a>", "url": "https://example.org/?a=1&b=<2>",
                 "publisher": "<embed>"}],
}

# elements and attributes the briefing's text asks for: none of them may appear
# (svg is not among them: the front page draws its feed icon with one)
INJECTED_ELEMENTS = {"script", "iframe", "object", "embed", "form", "u", "b", "i"}
INJECTED_ATTRIBUTES = {"onerror", "onload"}
# what must be read back as written (after squeeze()) from each format's text
LITERALS = ["<script>alert('para')</script>", "]]>", "{{7*7}}", "<b>notbold</b>"]


@pytest.fixture(scope="module")
def item(tmp_path_factory: pytest.TempPathFactory) -> BriefingFile:
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(FIXTURES / "images", source / "images")
    path = source / "literal-text.json"
    path.write_text(json.dumps(HOSTILE, ensure_ascii=False), "utf-8")
    return load(path, source)


# the web page's own metadata: a script element of JSON only, which no text can close
_JSON_LD = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def without_json_ld(data: bytes) -> bytes:
    """The output without its JSON-LD, once each block is checked to be JSON and nothing else."""
    for block in _JSON_LD.findall(data):
        json.loads(block)
    return _JSON_LD.sub(b"", data)


# the typography pass writes the language's quotation marks; an RSS title keeps an invisible
# word joiner after a "<" that would open a tag
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"',
                             "\u201d": '"', "\u201e": '"', "\u2060": None})


def written(text: str) -> str:
    """squeeze(), with typographic quotation marks read as the straight ones written."""
    return squeeze(text.translate(_TYPOGRAPHY))


@pytest.fixture(scope="module")
def readings(item: BriefingFile, settings: Settings, theme: Theme) -> dict[str, Reading]:
    found = {}
    for name in registry.names():
        exporter = registry.get(name)
        if isinstance(exporter, CollectionExporter):
            # as after a run: the briefing's web page exists (the sitemap lists pages)
            page = OutputInfo(f"{item.id}.html", "html", "text/html", 1)
            context = Context(settings, theme, outputs={item.id: {"html": page}})
            data = exporter.export_collection([item], context)
        else:
            data = exporter.export(item, Context(settings, theme))
        if isinstance(data, Exported):  # the main file; extra files are images and fonts
            data = data.data
        found[name] = read(exporter.media_type, without_json_ld(data))
    return found


@pytest.mark.parametrize("name", registry.names())
def test_no_element_or_handler_is_injected(name: str, readings: dict[str, Reading]) -> None:
    reading = readings[name]
    assert not reading.elements & INJECTED_ELEMENTS, reading.elements & INJECTED_ELEMENTS
    assert not reading.attributes & INJECTED_ATTRIBUTES


@pytest.mark.parametrize("name", registry.names())
def test_title_is_shown_as_written(name: str, readings: dict[str, Reading]) -> None:
    reading = readings[name]
    assert written(TITLE) in written(reading.all_text) or any(
        written(TITLE) in written(t) for t in reading.titles
    ), reading.titles


BODY_FORMATS = [n for n in registry.names() if not registry.get(n).collection or n in
                ("rss", "atom", "jsonfeed")]


@pytest.mark.parametrize("name", BODY_FORMATS)
def test_body_text_is_shown_as_written(name: str, readings: dict[str, Reading]) -> None:
    text = written(readings[name].all_text)
    for literal in LITERALS:
        assert written(literal) in text, f"{literal!r} not in the {name} text"
    # every letter of the longest word is there (a page break may run through it)
    assert text.count("w") >= MAX_WORD, "the longest word allowed went missing"


@pytest.mark.parametrize("name", BODY_FORMATS)
def test_emoji_and_right_to_left_text_survive(name: str, readings: dict[str, Reading]) -> None:
    text = readings[name].all_text
    if registry.get(name).media_type == "application/pdf":
        # a PDF's text layer gives glyphs back, not code points: Hebrew is enough here
        assert "שלום" in text or "םולש" in text
        return
    for piece in ("🚌", "👩‍👩‍👧", "e\u0301\u0323", "\u2067\u05e9\u05dc\u05d5\u05dd\u2069"):
        assert piece in text, f"{piece!r} not in the {name} text"
