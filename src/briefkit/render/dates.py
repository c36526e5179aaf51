"""Dates as a reader of the briefing's language expects them, from CLDR (Babel)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

    from briefkit.config import Settings
    from briefkit.model import Briefing
# Babel is imported where dates are written, not with the module: a run with nothing
# to do never needs it.

NBSP = "\u00a0"

#: House style where CLDR's "full" pattern is not what the newsroom prints.
#: Names of days and months still come from CLDR.
HOUSE_PATTERNS = {
    "en_GB": "EEEE d MMMM y",  # CLDR: "Wednesday, 8 January 2020"
}


def locale_of(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag; English when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def long_date(moment: datetime, language: str) -> str:
    """'mercredi 8 janvier 2020' (fr), 'Wednesday 8 January 2020' (en-GB)."""
    from babel.dates import format_date

    locale = locale_of(language)
    pattern = HOUSE_PATTERNS.get(str(locale), "full")
    return format_date(moment.date(), pattern, locale=locale)


def date_time(moment: datetime, language: str) -> str:
    """Date and time in the briefing's own offset: '8 janv. 2020, 11:30'."""
    from babel.dates import format_datetime

    return format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=locale_of(language))


@dataclass(frozen=True)
class Convention:
    """How a newsroom of one language writes a dateline.

    Patterns are CLDR date and time patterns (month and day names still come
    from CLDR); ``None`` takes the locale's own CLDR pattern.  ``digits`` names
    the numbering system: ``"default"`` is CLDR's default for the locale,
    ``"native"`` the script's own digits.
    """

    date: str | None = None  # CLDR "long" when None
    time: str | None = None  # CLDR "short" when None
    #: publication date and time together; None: CLDR's date-time pattern for the locale
    at: str | None = None
    #: the update the same day, and another day; "{label}" is the word for "updated"
    updated_same_day: str = "{label} {time}"
    updated_other_day: str = "{label} {at}"
    digits: str = "default"


#: Newsroom conventions by locale, then by language; others follow CLDR.
#: French writes hours as "11 h 45" with no-break spaces (Imprimerie nationale).
CONVENTIONS: dict[str, Convention] = {
    "fr": Convention(date="d MMMM y", time=f"H'{NBSP}h{NBSP}'mm", at="{date} à {time}",
                     updated_same_day="Mis à jour à {time}",
                     updated_other_day="Mis à jour le {date} à {time}"),
    "en": Convention(date="d MMMM y", time="HH:mm", at="{date}, {time}",
                     updated_same_day="Updated {time}", updated_other_day="Updated {date}, {time}"),
    "en_US": Convention(date="MMMM d, y", time="h:mm a", at="{date}, {time}",
                        updated_same_day="Updated {time}",
                        updated_other_day="Updated {date}, {time}"),
    "ar": Convention(digits="native"),
}
#: The zero of each numbering system a dateline may use (its digits follow it).
_ZEROS = {"arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "beng": 0x9E6, "mymr": 0x1040,
          "thai": 0xE50, "tibt": 0xF20, "khmr": 0x17E0, "laoo": 0xED0}
SEPARATOR = " · "


def convention(locale: Locale,
               conventions: Mapping[str, Convention] | None = None) -> Convention:
    """The dateline convention of a locale: its own, its language's, else CLDR's."""
    table = CONVENTIONS if conventions is None else {**CONVENTIONS, **conventions}
    return table.get(str(locale)) or table.get(locale.language) or Convention()


def _digits(text: str, locale: Locale, system: str) -> str:
    if system == "native":
        system = locale.other_numbering_systems.get("native", "latn")
    elif system == "default":
        system = locale.default_numbering_system
    zero = _ZEROS.get(system)
    if zero is None:
        return text
    return text.translate({0x30 + d: zero + d for d in range(10)})


def dateline(briefing: Briefing, conventions: Mapping[str, Convention] | None = None) -> str:
    """When a briefing was published, and updated, as its language's newsroom writes it.

    'fr': "8 janvier 2020 à 11 h 45 · Mis à jour à 12 h 30"; 'en-GB': "8 January
    2020, 11:45 · Updated 12:30".  Each time is shown in the offset it was written
    with; an update the same day gives its time only.  Plain text.
    """
    from babel.dates import format_date, format_time

    from briefkit.render.labels import labels_for

    locale = locale_of(briefing.language)
    rule = convention(locale, conventions)

    def parts(moment: datetime) -> tuple[str, str, str]:
        date = format_date(moment.date(), rule.date or "long", locale=locale)
        time = format_time(moment, rule.time or "short", tzinfo=moment.tzinfo, locale=locale)
        if rule.at is not None:
            at = rule.at.format(date=date, time=time)
        else:
            pattern = str(locale.datetime_formats["long"]).replace("'", "")
            at = pattern.format(time, date)
        return date, time, at

    text = parts(briefing.published)[2]
    if briefing.updated is not None:
        date, time, at = parts(briefing.updated)
        same_day = briefing.updated.date() == briefing.published.date()
        template = rule.updated_same_day if same_day else rule.updated_other_day
        text += SEPARATOR + template.format(label=labels_for(briefing.language).updated,
                                            date=date, time=time, at=at)
    return _digits(text, locale, rule.digits)


def conventions_of(settings: Settings) -> dict[str, Convention]:
    """The newsroom's own dateline conventions (``[dateline.<language>]`` in its settings),
    each over the built-in one of that language."""
    import dataclasses

    from babel import Locale

    found = {}
    for tag, chosen in settings.dateline.items():
        key = str(Locale.parse(tag, sep="-")) if "-" in tag else tag
        base = CONVENTIONS.get(key) or CONVENTIONS.get(tag.split("-")[0]) or Convention()
        changes = {k: v for k, v in chosen.model_dump().items() if v is not None}
        found[key] = dataclasses.replace(base, **changes)
    return found
