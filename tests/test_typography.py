"""Typography shared by every format, and dates from CLDR."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.newsrooms import ENGLISH, FRENCH, fixture, sample

from briefkit.model import Briefing
from briefkit.render.dates import dateline, long_date
from briefkit.render.typography import (
    NBSP,
    NNBSP,
    numeric_columns,
    tie_last_words,
    typeset,
    typeset_parts,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exactement ?", f"exactement{NNBSP}?"),
        ("exactement?", f"exactement{NNBSP}?"),
        ("Quoi ! Vraiment ; oui", f"Quoi{NNBSP}! Vraiment{NNBSP}; oui"),
        ("Note : voici", f"Note{NBSP}: voici"),
        ("« bonjour »", f"«{NNBSP}bonjour{NNBSP}»"),
        ("«bonjour»", f"«{NNBSP}bonjour{NNBSP}»"),
        ('il a dit "bonjour"', f"il a dit «{NNBSP}bonjour{NNBSP}»"),
        ("Ah ?!", f"Ah{NNBSP}?!"),
        ("à 10:30 et https://x.org", "à 10:30 et https://x.org"),
        ("l'Iran", "l\u2019Iran"),
        ("l’Iran", "l’Iran"),
    ],
)
def test_french(text: str, expected: str) -> None:
    assert typeset(text, "fr") == expected


def test_english_keeps_its_punctuation() -> None:
    assert typeset("Really? Yes: don't", "en-GB") == "Really? Yes: don\u2019t"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "mercredi 8 janvier 2020"), ("fr-CA", "mercredi 8 janvier 2020"),
     ("en-GB", "Wednesday 8 January 2020"), ("en", "Wednesday, January 8, 2020"),
     ("de", "Mittwoch, 8. Januar 2020"), ("ar", "الأربعاء، 8 يناير 2020"),
     ("x-unknown", "Wednesday, January 8, 2020")],
)
def test_long_date(language: str, expected: str) -> None:
    moment = datetime.fromisoformat("2020-01-08T11:45:00+01:00")
    assert long_date(moment, language) == expected


def test_date_is_read_in_the_briefings_own_offset() -> None:
    late = datetime.fromisoformat("2020-01-08T23:30:00-05:00")  # already the 9th in UTC
    assert long_date(late, "en-GB") == "Wednesday 8 January 2020"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ('He said "hello" and \'hi\'', "en-GB", "He said “hello” and ‘hi’"),
        ('"Quoted."', "en", "“Quoted.”"),
        ("the Smiths' house, don't", "en", "the Smiths’ house, don’t"),
        ('Er sagt "Hallo"', "de", "Er sagt „Hallo“"),
        ('Er sagt "Hallo" \'ja\'', "de-AT", "Er sagt „Hallo“ ‚ja‘"),
        ('see https://x.org/?a=\'b\'&c=1 or www.x.org/it\'s "now"', "en",
         "see https://x.org/?a='b'&c=1 or www.x.org/it's “now”"),
        ("'https://x.org/a'", "en", "‘https://x.org/a’"),
        ("write to l'équipe mailto:desk@x.org?subject=l'Iran", "fr",
         "write to l’équipe mailto:desk@x.org?subject=l'Iran"),
    ],
)
def test_quotes_by_language_never_in_addresses(text: str, language: str, expected: str) -> None:
    assert typeset(text, language) == expected


def test_a_quote_around_emphasis_opens_and_closes() -> None:
    assert typeset_parts(['"', "word", '" he said'], "en") == ["“", "word", "” he said"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A headline of words", f"A headline of{NBSP}words"),
        ("Two words", f"Two{NBSP}words"),
        ("One", "One"),
        (f"Que s’est-il passé exactement{NNBSP}?", f"Que s’est-il passé{NBSP}exactement{NNBSP}?"),
        ("ends with spaces  ", f"ends with{NBSP}spaces  "),
        ("a **bold end**", f"a **bold{NBSP}end**"),
    ],
)
def test_tie_last_words(text: str, expected: str) -> None:
    assert tie_last_words(text) == expected


def _updated(briefing: Briefing, when: str) -> Briefing:
    return briefing.model_copy(update={"updated": datetime.fromisoformat(when)})


def _unbroken(text: str) -> str:
    """A date as the dateline writes it: its words never part."""
    return text.replace(" ", NBSP)


def test_dateline_newsroom_conventions() -> None:
    french = sample(FRENCH).briefing
    day = _unbroken("8 janvier 2020")
    assert dateline(french) == f"{day} à 11{NBSP}h{NBSP}45{NBSP}UTC+1"
    assert dateline(_updated(french, "2020-01-08T12:30:00+01:00")) == (
        f"{day} à 11{NBSP}h{NBSP}45{NBSP}UTC+1 · Mis à jour à 12{NBSP}h{NBSP}30")
    assert dateline(_updated(french, "2020-01-09T08:05:00+01:00")) == (
        f"{day} à 11{NBSP}h{NBSP}45{NBSP}UTC+1 · Mis à jour le {_unbroken('9 janvier 2020')} "
        f"à 8{NBSP}h{NBSP}05")
    english = sample(ENGLISH).briefing
    assert dateline(english) == f"{_unbroken('8 January 2020')}, 07:00{NBSP}GMT · Updated 16:30"
    # an update in another offset says which
    assert dateline(fixture("every-block").briefing) == (
        f"{_unbroken('4 March 2021')}, 09:15{NBSP}GMT · Updated {_unbroken('5 March 2021')}, "
        f"18:00{NBSP}GMT+1")


def test_dateline_in_arabic_digits_and_order() -> None:
    arabic = fixture("rtl-arabic").briefing
    assert dateline(arabic) == _unbroken("٨ يناير ٢٠٢٠، ٧:٠٠ ص غرينتش+٣").replace(
        f"،{NBSP}", "، ")
    assert dateline(_updated(arabic, "2020-01-08T12:30:00+03:00")) == (
        f"٨{NBSP}يناير{NBSP}٢٠٢٠، ٧:٠٠{NBSP}ص{NBSP}غرينتش+٣ – حُدّث ١٢:٣٠{NBSP}م")


def test_dateline_in_the_briefings_own_offset() -> None:
    late = sample(ENGLISH).briefing.model_copy(update={
        "published": datetime.fromisoformat("2020-01-08T23:30:00-05:00"), "updated": None})
    assert dateline(late) == f"{_unbroken('8 January 2020')}, 23:30{NBSP}GMT\u22125"


def test_numeric_columns_are_the_figures_not_the_years() -> None:
    rows = [["2019", "1,204", "N1", "−3.5 %"], ["2020", "٤٥", "", "€12m"],
            ["2021", "990", "City", "12 500"]]
    assert numeric_columns(rows) == {1, 3}
    assert numeric_columns([["30 min", "1.5 MB"]]) == set()


def test_french_times_never_part() -> None:
    assert typeset("à 1 h 20 du matin, vers 11 h.", "fr") == (
        f"à 1{NBSP}h{NBSP}20 du matin, vers 11{NBSP}h.")
    assert typeset("5 hélicoptères", "fr") == "5 hélicoptères"
