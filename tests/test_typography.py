"""Typography shared by every format, and dates from CLDR."""

from __future__ import annotations

from datetime import datetime

import pytest

from briefkit.render.dates import long_date
from briefkit.render.typography import NBSP, NNBSP, typeset


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exactement ?", f"exactement{NNBSP}?"),
        ("exactement?", f"exactement{NNBSP}?"),
        ("Quoi ! Vraiment ; oui", f"Quoi{NNBSP}! Vraiment{NNBSP}; oui"),
        ("Note : voici", f"Note{NBSP}: voici"),
        ("« bonjour »", f"«{NBSP}bonjour{NBSP}»"),
        ("«bonjour»", f"«{NBSP}bonjour{NBSP}»"),
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
