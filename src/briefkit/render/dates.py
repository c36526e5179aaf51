"""Dates as a reader of the briefing's language expects them, from CLDR (Babel).

How a dateline is written, and what a newsroom may set for it, lives in
:mod:`briefkit.datelines`; this module applies it to a briefing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from briefkit import datelines
from briefkit.datelines import (
    CONVENTIONS,
    NBSP,
    SEPARATOR,
    Convention,
    convention,
    locale_of,
    numbering_system,
    write,
    zone,
)

if TYPE_CHECKING:
    from briefkit.config import Settings
    from briefkit.model import Briefing
# Babel is imported where dates are written, not with the module: a run with nothing
# to do never needs it.

__all__ = ["CONVENTIONS", "HOUSE_PATTERNS", "NBSP", "SEPARATOR", "Convention", "convention",
           "conventions_of", "date_time", "dateline", "digits", "locale_of", "long_date",
           "separator"]

#: House style where CLDR's "full" pattern is not what the newsroom prints.
#: Names of days and months still come from CLDR.
HOUSE_PATTERNS = {
    "en_GB": "EEEE d MMMM y",  # CLDR: "Wednesday, 8 January 2020"
}


def long_date(moment: datetime, language: str) -> str:
    """'mercredi 8 janvier 2020' (fr), 'Wednesday 8 January 2020' (en-GB)."""
    from babel.dates import format_date

    locale = locale_of(language)
    pattern = HOUSE_PATTERNS.get(str(locale), "full")
    return format_date(moment.date(), pattern, locale=locale)


def date_time(moment: datetime, language: str) -> str:
    """Date and time in the briefing's own offset, which it names: '8 janv. 2020, 11:30 UTC+1'."""
    from babel.dates import format_datetime

    locale = locale_of(language)
    return (format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=locale)
            + NBSP + zone(locale, moment))


def dateline(briefing: Briefing, conventions: Mapping[str, Convention] | None = None) -> str:
    """When a briefing was published, and updated, as its language's newsroom writes it.

    'fr': "8 janvier 2020 à 11 h 45 · Mis à jour à 12 h 30"; 'en-GB': "8 January
    2020, 11:45 · Updated 12:30".  Each time is shown in the offset it was written
    with; an update the same day gives its time only.  Plain text.
    """
    from briefkit.render.labels import labels_for

    locale = locale_of(briefing.language)
    return write(convention(locale, conventions), locale, briefing.published, briefing.updated,
                 labels_for(briefing.language).updated)


def separator(language: str, conventions: Mapping[str, Convention] | None = None) -> str:
    """What stands between the parts of a dateline in ``language`` (" · ", or a spaced
    dash where a middle dot reads as a digit), and so between the byline's names and it."""
    return convention(locale_of(language), conventions).separator


def digits(language: str, conventions: Mapping[str, Convention] | None = None) -> str:
    """The CLDR numbering system ("latn", "arab" ...) the dateline of ``language`` is
    written in: page numbers and the sizes of downloads are written in it too."""
    locale = locale_of(language)
    return numbering_system(locale, convention(locale, conventions).digits)


def conventions_of(settings: Settings) -> dict[str, Convention]:
    """The newsroom's own dateline conventions (``[dateline.<language>]`` in its settings),
    each over the built-in one of that language."""
    return datelines.conventions({tag: chosen.model_dump() for tag, chosen in settings.dateline.items()})
