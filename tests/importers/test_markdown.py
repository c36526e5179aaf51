"""Markdown articles with front matter: the same briefing as the HTML of the same article."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefkit.errors import BriefingError
from briefkit.importers import import_file
from briefkit.importers.article import Heading
from briefkit.importers.markdown import front_matter, read_markdown

from .test_html import NIGHT_BUS_SECTIONS, NIGHT_BUS_STANDFIRST

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def night_bus() -> tuple[dict, list[str]]:
    notes: list[str] = []
    return import_file(FIXTURES / "night-bus.md", note=notes.append), notes


def test_a_markdown_article_becomes_standfirst_and_sections(night_bus: tuple) -> None:
    briefing, _ = night_bus
    assert briefing["standfirst"] == NIGHT_BUS_STANDFIRST
    assert briefing["sections"] == NIGHT_BUS_SECTIONS


def test_front_matter_gives_the_metadata(night_bus: tuple) -> None:
    briefing, notes = night_bus
    assert briefing["title"] == "Night buses: what changes on Monday"
    assert briefing["language"] == "en-GB"
    assert briefing["published"] == "2024-03-01T06:00:00Z"
    assert briefing["authors"] == [{"name": "Ana Ruiz"}, {"name": "Tom Becker"}]
    assert briefing["tags"] == ["transport", "night buses"]
    assert list(briefing)[:4] == ["id", "title", "language", "published"]
    assert notes == [("id made from the title: 'night-buses-what-changes-on-monday' "
                     "(pass --id to set it)")]


def test_options_win_over_front_matter() -> None:
    briefing = import_file(FIXTURES / "night-bus.md", id="buses", title="Buses", language="en",
                           published="2024-03-02T06:00:00+01:00", authors=["Desk"])
    assert (briefing["id"], briefing["title"], briefing["language"], briefing["published"],
            briefing["authors"]) == ("buses", "Buses", "en", "2024-03-02T06:00:00+01:00",
                                     [{"name": "Desk"}])


def test_front_matter_values_lists_and_unknown_keys() -> None:
    values, body, notes = front_matter(
        "---\ntitle: 'Quoted: yes'\nauthor: Jo\ntags: [a, \"b, c\"]\n# a comment\n"
        "colour: blue\nslug: my-id\n---\nBody\n", "a.md")
    assert values == {"title": "Quoted: yes", "authors": ["Jo"], "tags": ["a", "b, c"],
                      "id": "my-id"}
    assert body.split("\n").index("Body") == 8  # lines are those of the file
    assert notes and "a.md:6: front matter key 'colour' ignored" in notes[0]


@pytest.mark.parametrize("text, message", [
    ("---\ntitle: T\n", "a.md:1:1: front matter opened by '---' is never closed"),
    ("---\ntitle: T\nthis is not a key\n---\n", "a.md:3:1: front matter: expected 'key: value'"),
    ("---\ntitle:\n---\n", "a.md:2:1: front matter: 'title' has no value"),
])
def test_broken_front_matter_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(BriefingError) as caught:
        front_matter(text, "a.md")
    assert str(caught.value).startswith(message)


def test_title_from_a_level_one_heading_and_notes_at_markdown_lines() -> None:
    article = read_markdown("# The title\n\nOne [bad](javascript:x()) link.\n\n## Why?\n\nTwo.\n",
                            "a.md")
    assert article.title == "The title"
    assert article.pieces == [{"type": "paragraph", "text": "One bad link."}, Heading("Why?"),
                              {"type": "paragraph", "text": "Two."}]
    assert article.notes[0].startswith("a.md:3: link to a 'javascript:' address dropped")


def test_raw_script_in_markdown_is_refused_at_its_line() -> None:
    with pytest.raises(BriefingError) as caught:
        import_file(FIXTURES / "script.md")
    assert str(caught.value).endswith(
        "script.md:9:1: <script> cannot be imported: scripts never reach a briefing "
        "(remove it from the file)")
    assert "never\")" not in str(caught.value)


def test_plain_text_is_read_as_markdown(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Premier paragraphe du texte.\n\nLe second paragraphe, qui suit.\n", "utf-8")
    notes: list[str] = []
    briefing = import_file(article, title="Titre", language="fr",
                           published="2024-01-01T00:00:00Z", note=notes.append)
    assert briefing["standfirst"] == "Premier paragraphe du texte."
    assert briefing["sections"] == [{"blocks": [
        {"type": "paragraph", "text": "Le second paragraphe, qui suit."}]}]
    assert notes[0].endswith("article.txt read as Markdown")


def test_raw_inline_html_in_markdown_is_read_as_html() -> None:
    article = read_markdown("A <em>raw</em> tag,<br>a <a href=\"https://x.org\">link</a> &amp; "
                            "an entity.\n\nMore.\n", "a.md")
    assert article.pieces[0] == {"type": "paragraph",
                                 "text": "A *raw* tag, a [link](https://x.org) & an entity."}


def test_front_matter_is_yaml_whose_values_stay_text() -> None:
    values, _, notes = front_matter(
        "---\ntitle: no\npublished: 2024-03-01T06:00:00Z\nid: 0123\n"
        "summary: >\n  One summary\n  on two lines.\ntags:\n  - 1.50\n  - \"quoted: yes\"\n"
        "authors: [Ana Ruiz, 'O''Brien']\n---\nBody\n", "a.md")
    assert values == {"title": "no", "published": "2024-03-01T06:00:00Z", "id": "0123",
                      "summary": "One summary on two lines.", "tags": ["1.50", "quoted: yes"],
                      "authors": ["Ana Ruiz", "O'Brien"]}
    assert notes == []


@pytest.mark.parametrize("text, message", [
    ("---\ntitle: [a, b]\n---\n", "a.md:2:1: front matter: 'title' is not text"),
    ("---\ntags:\n  - a\n  - {b: c}\n---\n", "a.md:4:1: front matter: 'tags' is not text"),
    ("---\n- a\n- b\n---\n", "a.md:2:1: front matter: expected 'key: value' lines"),
    ("---\ntitle: 'open\n---\n", "a.md:2:1: front matter: expected 'key: value'"),
])
def test_front_matter_that_is_not_text_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(BriefingError) as caught:
        front_matter(text, "a.md")
    assert len(str(caught.value).splitlines()) == 1
    assert str(caught.value).startswith(message), str(caught.value)
