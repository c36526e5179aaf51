"""Dates as a reader of the briefing's language expects them, from CLDR (Babel)."""

from __future__ import annotations

from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime

#: House style where CLDR's "full" pattern is not what the newsroom prints.
#: Names of days and months still come from CLDR.
HOUSE_PATTERNS = {
    "en_GB": "EEEE d MMMM y",  # CLDR: "Wednesday, 8 January 2020"
}


def locale_of(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag; English when CLDR does not know it."""
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def long_date(moment: datetime, language: str) -> str:
    """'mercredi 8 janvier 2020' (fr), 'Wednesday 8 January 2020' (en-GB)."""
    locale = locale_of(language)
    pattern = HOUSE_PATTERNS.get(str(locale), "full")
    return format_date(moment.date(), pattern, locale=locale)


def date_time(moment: datetime, language: str) -> str:
    """Date and time in the briefing's own offset: '8 janv. 2020, 11:30'."""
    return format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=locale_of(language))
