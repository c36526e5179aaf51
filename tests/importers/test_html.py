"""HTML articles: structure, inline markup, metadata, and what is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.readers import strings

from briefkit import inline
from briefkit.errors import BriefingError
from briefkit.importers import import_file
from briefkit.importers.article import Heading
from briefkit.importers.html import read_html
from briefkit.model import Briefing

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"

NIGHT_BUS_STANDFIRST = (
    "From Monday, the city’s night network runs *every* night of the week, "
    "not only at weekends. Here is what we know so far."
)
NIGHT_BUS_SECTIONS: list[dict[str, Any]] = [
    {"blocks": [{"type": "paragraph", "text": "The council approved the plan on Tuesday after a "
                 "**two-year** trial on three routes."}]},
    {"heading": "Which routes run?", "blocks": [
        {"type": "paragraph", "text": "Seven routes, numbered N1 to N7, leave the central station "
         "every **20 minutes** between midnight and 5 am. The full timetable is on the "
         "[operator’s site](https://example.org/night-buses?view=all&lang=en)."},
        {"type": "list", "ordered": False, "items": [
            "N1 and N2 serve the *north* of the city;", "N3 to N5 the east and south;",
            "N6 and N7 the airport & the hospital."]},
    ]},
    {"heading": "How much does a ticket cost?", "blocks": [
        {"type": "paragraph", "text": "The same as a day ticket: €2.40, or 5 \\* 2 = 10 rides for "
         "€20 with a \\[carnet\\]."},
        {"type": "quote", "text": "“Night workers have waited years for this.”",
         "attribution": "Maria Lopez, nurses’ union"},
    ]},
    {"heading": "What happens next?", "blocks": [
        {"type": "list", "ordered": True, "items": [
            "A review after six months;", "new routes if demand is there."]},
    ]},
]


@pytest.fixture(scope="module")
def night_bus() -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    return import_file(FIXTURES / "night-bus.html", note=notes.append), notes


def test_an_html_article_becomes_standfirst_and_sections(night_bus: tuple) -> None:
    briefing, _ = night_bus
    assert briefing["standfirst"] == NIGHT_BUS_STANDFIRST
    assert briefing["sections"] == NIGHT_BUS_SECTIONS
    Briefing.model_validate(briefing)


def test_metadata_comes_from_the_page(night_bus: tuple) -> None:
    briefing, notes = night_bus
    assert briefing["title"] == "Night buses: what changes on Monday"  # the <h1>, not <title>
    assert briefing["language"] == "en-GB"
    assert briefing["published"] == "2024-03-01T06:00:00Z"
    assert briefing["authors"] == [{"name": "Ana Ruiz"}]
    assert briefing["id"] == "night-buses-what-changes-on-monday"
    assert not any("language" in n for n in notes)  # read, not guessed


def test_a_relative_link_is_dropped_with_a_note(night_bus: tuple) -> None:
    briefing, notes = night_bus
    assert any(re.search(r"night-bus\.html:33: link to a relative address \(/internal/review\)", n)
               for n in notes), notes
    assert "/internal/review" not in str(briefing)


def test_no_tag_or_entity_is_left_in_any_text(night_bus: tuple) -> None:
    for text in strings(night_bus[0]):
        assert not re.search(r"</?[a-zA-Z]|&[a-z]+;|&#", text), text


def test_the_title_falls_back_to_the_page_title() -> None:
    article = read_html("<title>Page &amp; title</title><p>One.</p><p>Two.</p>", "a.html")
    assert article.title == "Page & title"
    assert article.notes == ["a.html: no <h1>: title taken from the page's <title>: "
                             "'Page & title' (pass --title to set it)"]


def test_inline_markup_is_tidied_for_the_briefing() -> None:
    article = read_html(
        "<p>An<em> emphasis </em>word, <b>bold<b>er</b></b>, <i></i>nothing, "
        "<em>a</em><em>b</em>, <a href='https://x.org/a b*c(d'>odd url</a>, "
        "<a href='mailto:desk@example.org'>mail</a>.</p>", "a.html")
    text = article.pieces[0]["text"]  # type: ignore[index]
    assert text == ("An *emphasis* word, **bolder**, nothing, *ab*, "
                    "[odd url](https://x.org/a%20b%2Ac%28d), [mail](mailto:desk@example.org).")
    assert inline.plain(text) == "An emphasis word, bolder, nothing, ab, odd url, mail."


def test_formatting_with_no_markup_keeps_its_words() -> None:
    article = read_html("<p><em><strong>Both</strong></em> at once.</p>", "a.html")
    text = article.pieces[0]["text"]  # type: ignore[index]
    assert inline.plain(text) == "Both at once."
    assert inline.parse(text)[0] == inline.Emphasis((inline.Text("Both"),))
    assert any("formatting" in n for n in article.notes)


def test_script_links_are_never_carried() -> None:
    article = read_html('<p>Click <a href="javascript:steal()">here</a>.</p><p>More.</p>',
                        "a.html")
    assert article.pieces[0] == {"type": "paragraph", "text": "Click here."}
    assert "steal" not in " ".join(article.notes)
    assert "'javascript:' address dropped" in article.notes[0]


def test_containers_and_loose_text_make_paragraphs() -> None:
    article = read_html("<div>First <span>part</span></div><div>Second</div>Loose"
                        "<ul><li>a<ul><li>b</li></ul></li></ul><h4>Q?</h4>", "a.html")
    assert article.pieces == [
        {"type": "paragraph", "text": "First part"},
        {"type": "paragraph", "text": "Second"},
        {"type": "paragraph", "text": "Loose"},
        {"type": "list", "items": ["a", "b"], "ordered": False},
        Heading("Q?"),
    ]


@pytest.mark.parametrize("name, element, where", [
    ("script.html", "script", "3:1"),
    ("iframe.html", "iframe", "2:11"),
    ("style.html", "style", "1:13"),
    ("object.html", "object", "2:1"),
])
def test_unsupported_elements_are_refused_by_name(name: str, element: str, where: str) -> None:
    with pytest.raises(BriefingError) as caught:
        import_file(FIXTURES / name, published="2024-01-01T00:00:00Z")
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert f"{name}:{where}: <{element}> cannot be imported" in message
    assert "document.cookie" not in message and "evil" not in message


@pytest.mark.parametrize("element", ["img src='a.png'", "table", "embed", "form", "svg", "video"])
def test_anything_outside_the_supported_set_is_refused(element: str) -> None:
    with pytest.raises(BriefingError, match=f"<{element.split(maxsplit=1)[0]}> cannot be imported"):
        read_html(f"<p>Text</p><{element}>", "a.html")


# Inline content built from the pieces that need care: markup characters, spaces, nesting.
_words = st.text(alphabet="ab *[]\\_(.&<", min_size=1, max_size=8)
_inline = st.recursive(
    _words.map(lambda w: w.replace("&", "&amp;").replace("<", "&lt;")),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["em", "strong", "i", "b"]), inner).map(
            lambda pair: f"<{pair[0]}>{pair[1]}</{pair[0]}>"),
        st.tuples(inner, inner).map("".join),
        inner.map(lambda label: f'<a href="https://x.org/p?q=(1">{label}</a>'),
    ),
    max_leaves=6,
)


@given(_inline)
def test_every_word_survives_as_written(html: str) -> None:
    from html import unescape

    expected = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()
    article = read_html(f"<p>{html}</p>", "a.html")
    texts = [p["text"] for p in article.pieces if isinstance(p, dict)]
    if not expected:
        assert texts == []
        return
    assert len(texts) == 1
    assert inline.plain(texts[0]) == expected
    Briefing.model_validate({"id": "a", "title": "T", "language": "en",
                             "published": "2024-01-01T00:00:00Z",
                             "sections": [{"blocks": article.pieces}]})
