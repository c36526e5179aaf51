"""Raw CMS text: the seed the French sample was made from, question lines, inline HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.newsrooms import FRENCH, SAMPLES

from briefkit.errors import BriefingError
from briefkit.importers import import_file
from briefkit.importers.article import Heading
from briefkit.importers.cms import read_cms, to_html

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "iran-cms.txt"
TITLE = "Frappes iraniennes en Irak : ce que l’on sait"


@pytest.fixture(scope="module")
def imported() -> dict:
    notes: list[str] = []
    briefing = import_file(SEED, id=FRENCH, title=TITLE, language="fr",
                           published="2020-01-08T11:45:00+01:00", authors=["La rédaction"],
                           note=notes.append)
    return {"briefing": briefing, "notes": notes}


def test_the_seed_gives_the_sample_text_exactly(imported: dict) -> None:
    sample = json.loads((SAMPLES / f"{FRENCH}.json").read_text("utf-8"))
    briefing = imported["briefing"]
    assert briefing["standfirst"] == sample["standfirst"]
    assert briefing["sections"] == sample["sections"]
    assert [s.get("heading") for s in briefing["sections"]] == [
        None, "Que s’est-il passé exactement ?", "Quel est le bilan de ces tirs ?",
        "Quelles possibles conséquences à ces bombardements ?"]
    for field in ("id", "title", "language", "published"):
        assert briefing[field] == sample[field]
    assert briefing["authors"] == [{"name": "La rédaction"}]


def test_the_seed_keeps_every_sentence_and_leaves_no_markup(imported: dict) -> None:
    raw = SEED.read_text("utf-8")
    written = json.dumps(imported["briefing"], ensure_ascii=False)
    assert "<br" not in written and "<" not in written
    for line in raw.replace("<br />", "\n").split("\n"):
        sentence = line.strip()
        if sentence:
            assert sentence in written, sentence


def test_with_options_given_nothing_is_guessed(imported: dict) -> None:
    assert len(imported["notes"]) == 1
    assert imported["notes"][0].endswith("iran-cms.txt read as CMS text")


def test_what_is_missing_is_guessed_and_said() -> None:
    notes: list[str] = []
    briefing = import_file(SEED, published="2020-01-08T11:45:00+01:00", note=notes.append)
    assert briefing["language"] == "fr"
    assert briefing["title"].startswith("Dans la nuit de mardi à mercredi, l’Iran a tiré")
    assert len(briefing["title"]) <= 121
    assert briefing["id"].startswith("dans-la-nuit-de-mardi-a-mercredi-l-iran")
    assert len(briefing["id"]) <= 80 and not briefing["id"].endswith("-")
    said = "\n".join(notes)
    assert "language guessed as 'fr'" in said
    assert "title made from the first sentence of the standfirst" in said
    assert f"id made from the title: '{briefing['id']}'" in said


def test_no_publication_date_names_the_option() -> None:
    with pytest.raises(BriefingError, match="pass --published"):
        import_file(SEED, title=TITLE)


def test_a_question_line_needs_an_answer_under_it() -> None:
    article = read_cms("Chapeau. <br /> <br />Pourquoi ? <br /> <br />Une phrase ? Oui<br />"
                       "et la suite.", "a.txt")
    assert article.pieces == [
        {"type": "paragraph", "text": "Chapeau."},
        {"type": "paragraph", "text": "Pourquoi ?"},
        {"type": "paragraph", "text": "Une phrase ? Oui et la suite."},
    ]


def test_inline_html_and_entities_in_cms_text() -> None:
    text = ("Un <em>chapeau</em> &amp; un <strong>gras</strong>.<br/><br/>"
            "Qui ?<BR>Le <a href=\"https://exemple.fr/a\">lien</a>, 5 * 3 [sic].\n\n"
            "Un   paragraphe\n sur deux lignes.")
    article = read_cms(text, "a.txt")
    assert article.pieces == [
        {"type": "paragraph", "text": "Un *chapeau* & un **gras**."},
        Heading("Qui ?"),
        {"type": "paragraph", "text": "Le [lien](https://exemple.fr/a), 5 \\* 3 \\[sic\\]."},
        {"type": "paragraph", "text": "Un paragraphe sur deux lignes."},
    ]


def test_the_html_made_from_cms_text_keeps_its_lines() -> None:
    text = "Un.<br />\n<br />Deux ?<br />\nTrois.\n\nQuatre."
    assert to_html(text).count("\n") == text.count("\n")


def test_a_script_in_cms_text_is_refused_where_it_is() -> None:
    text = "Chapeau.<br /><br />Texte.\nSuite <script>alert(1)</script>."
    with pytest.raises(BriefingError) as caught:
        read_cms(text, "a.txt")
    assert str(caught.value) == (
        "a.txt:2:7: <script> cannot be imported: scripts never reach a briefing "
        "(remove it from the file)")


def test_bulleted_and_numbered_lines_make_lists() -> None:
    article = read_cms("Chapeau.<br /><br />Ce qu’il faut retenir ?<br />• un ;<br />• deux."
                       "<br /><br />1. premier<br />2) second<br /><br />- seul tiret", "a.txt")
    assert article.pieces == [
        {"type": "paragraph", "text": "Chapeau."},
        Heading("Ce qu’il faut retenir ?"),
        {"type": "list", "items": ["un ;", "deux."], "ordered": False},
        {"type": "list", "items": ["premier", "second"], "ordered": True},
        {"type": "paragraph", "text": "- seul tiret"},
    ]
