"""How a dateline is written: each language's newsroom conventions, the one function that
writes a dateline (:func:`write`), and the check of a newsroom's own conventions
(``[dateline.<language>]`` in briefkit.toml) that makes that function safe on every briefing.

A newsroom's patterns are checked when the settings are read, twice: each value for what
it may hold (a date pattern only date fields, a template only its named fields, as they
are), then every convention is written with :func:`write` itself, for sample dates, times
and updates, in its language and in the collection's.  What passes cannot fail later, in
any format, and the check and the dateline cannot drift apart: they are one function.
"""

from __future__ import annotations

import dataclasses
import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale
# Babel is imported where dates are written, not with the module: a run with nothing
# to do never needs it.

NBSP = "\u00a0"
SEPARATOR = " · "
#: Between the publication and the update where a middle dot beside Arabic-Indic digits
#: reads as their zero (٠): a spaced dash.
DASH_SEPARATOR = " – "
MINUS = "\u2212"
#: Longest pattern or template a newsroom may set
MAX_PATTERN = 200


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
    #: between the publication and the update (and the byline's names and the dateline)
    separator: str = SEPARATOR


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
    "ar": Convention(digits="native", separator=DASH_SEPARATOR),
    "fa": Convention(separator=DASH_SEPARATOR),
    "ur": Convention(separator=DASH_SEPARATOR),
}
#: The zero of each numbering system a dateline may use (its digits follow it).
_ZEROS = {"arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "beng": 0x9E6, "mymr": 0x1040,
          "thai": 0xE50, "tibt": 0xF20, "khmr": 0x17E0, "laoo": 0xED0}


@lru_cache(maxsize=256)
def locale_of(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag; English when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-", maxsplit=1)[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def convention(locale: Locale,
               conventions: Mapping[str, Convention] | None = None) -> Convention:
    """The dateline convention of a locale: its own, its language's, else CLDR's."""
    table = CONVENTIONS if conventions is None else {**CONVENTIONS, **conventions}
    return table.get(str(locale)) or table.get(locale.language) or Convention()


def conventions(chosen: Mapping[str, Mapping[str, Any]]) -> dict[str, Convention]:
    """A newsroom's own conventions (``[dateline.<language>]``: the values it sets, by
    language tag), each over the built-in one of its language, by locale."""
    found = {}
    for tag, values in chosen.items():
        key = str(_known_locale(tag) or tag)
        base = CONVENTIONS.get(key) or CONVENTIONS.get(tag.split("-")[0]) or Convention()
        changes = {k: v for k, v in values.items() if v is not None}
        found[key] = dataclasses.replace(base, **changes)
    return found


def _known_locale(tag: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return None


# --- writing a dateline -------------------------------------------------------------------


def write(rule: Convention, locale: Locale, published: datetime, updated: datetime | None,
          label: str) -> str:
    """The dateline of a briefing published (and perhaps updated) at these moments, as
    ``rule`` writes it in ``locale``; ``label`` is the language's word for "updated".

    Each time is shown in the offset it was written with, and says which (:func:`zone`):
    a reader or a partner elsewhere can tell when it was.  An update the same day gives
    its time only, and its zone only when it differs from the publication's.  A date and
    a time never break across lines.  Plain text.
    """
    text = _pieces(rule, locale, published)[2]
    if updated is not None:
        date, time, at = _pieces(rule, locale, updated,
                                 with_zone=updated.utcoffset() != published.utcoffset())
        same_day = updated.date() == published.date()
        template = rule.updated_same_day if same_day else rule.updated_other_day
        text += rule.separator + fill(template, {"label": label, "date": date, "time": time,
                                                 "at": at})
    return _digits(text, locale, rule.digits)


def zone(locale: Locale, moment: datetime) -> str:
    """The UTC offset of ``moment`` as ``locale`` names it (CLDR's localized GMT format,
    short): "GMT", "GMT+3", "UTC−5" (French), "GMT+5:45", "غرينتش+3" (before the
    language's digits)."""
    minutes = round((moment.utcoffset() or timedelta(0)).total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    offset = ("" if minutes == 0 else ("+" if minutes > 0 else MINUS) + str(hours)
              + (f":{rest:02d}" if rest else ""))
    written = str(locale.zone_formats.get("gmt", "GMT%s")).replace("%s", offset)
    # CLDR adds direction marks in some locales: nothing invisible goes into a dateline
    return "".join(ch for ch in written if unicodedata.category(ch) != "Cf").strip()


def _pieces(rule: Convention, locale: Locale, moment: datetime,
            with_zone: bool = True) -> tuple[str, str, str]:
    """The date, the time (with its zone), and both together, of one moment."""
    date, time = _date(rule, locale, moment), _time(rule, locale, moment)
    if with_zone and not _names_a_zone(rule.time):
        time += NBSP + zone(locale, moment)
    return date, time, _at(rule, locale, date, time)


def _date(rule: Convention, locale: Locale, moment: datetime) -> str:
    from babel.dates import format_date

    return _unbroken(format_date(moment.date(), rule.date or "long", locale=locale))


def _time(rule: Convention, locale: Locale, moment: datetime) -> str:
    from babel.dates import format_time

    return _unbroken(format_time(moment, rule.time or "short", tzinfo=moment.tzinfo,
                                 locale=locale))


def _unbroken(text: str) -> str:
    """A date or a time read as one: "4 March 2026" never ends a line at "March"."""
    return text.replace(" ", NBSP)


def _names_a_zone(pattern: str | None) -> bool:
    """Whether a newsroom's time pattern writes the zone itself (z, O, x ... outside quotes)."""
    if pattern is None:
        return False
    return any(token.group(1) is not None and token.group(1) in ZONE_FIELDS
               for token in _PATTERN_TOKEN.finditer(pattern.replace("''", "\0\0")))


def _at(rule: Convention, locale: Locale, date: str, time: str) -> str:
    if rule.at is not None:
        return fill(rule.at, {"date": date, "time": time})
    # CLDR's own: "{1} 'at' {0}", the date as {1}, the time as {0}
    pattern = str(locale.datetime_formats["long"]).replace("'", "")
    return re.sub(r"\{([01])\}", lambda m: (time, date)[int(m[1])], pattern)


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``{name}`` replaced by its value (``{{`` and ``}}`` are
    braces).  A value is put in as it is: a template was checked to hold names only
    (:func:`template_fault`), never a format specification or a conversion."""
    return "".join(literal + (values[name] if name is not None else "")
                   for literal, name, _, _ in string.Formatter().parse(template))


def numbering_system(locale: Locale, system: str) -> str:
    """The CLDR numbering system ("latn", "arab" ...) a convention's ``digits`` names in
    ``locale``: what the dateline, the page numbers and the sizes of downloads are
    written in."""
    if system == "native":
        return str(locale.other_numbering_systems.get("native", "latn"))
    if system == "default":
        return str(locale.default_numbering_system)
    return system


def in_digits(text: str, system: str) -> str:
    """``text`` with its Latin digits written in the numbering system ``system``."""
    zero = _ZEROS.get(system)
    if zero is None:
        return text
    return text.translate({0x30 + d: zero + d for d in range(10)})


def _digits(text: str, locale: Locale, system: str) -> str:
    return in_digits(text, numbering_system(locale, system))


# --- what a newsroom's values may hold ----------------------------------------------------

#: CLDR fields a date can be written with (era, years, quarters, months, weeks, days)
DATE_FIELDS = "GyYuQqMLwWdDFgEec"
#: CLDR fields a time can be written with (AM/PM, hours, minutes, seconds, time zone);
#: not the day periods 'b' and 'B', which CLDR lacks for some hours of some locales
TIME_FIELDS = "ahHKkmsSAzZOvVxX"
#: The fields of a time pattern that write its zone
ZONE_FIELDS = "zZOvVxX"
#: The fields each template may name
TEMPLATE_FIELDS = {"at": ("date", "time"),
                   "updated_same_day": ("date", "time", "at", "label"),
                   "updated_other_day": ("date", "time", "at", "label")}
_EXAMPLES = {"date": "d, M, y, E ...", "time": "H, h, m, a ..."}
_PATTERN_TOKEN = re.compile(r"'[^']*'?|([A-Za-z])\1*|[^'A-Za-z]+")


def pattern_fault(value: str, kind: str) -> str | None:
    """What is wrong with a CLDR pattern written for a ``kind`` ("date" or "time")."""
    from babel.dates import PATTERN_CHARS

    fields, other = (DATE_FIELDS, TIME_FIELDS) if kind == "date" else (TIME_FIELDS, DATE_FIELDS)
    if not value.strip():
        return "must not be empty: leave it out for the language's own"
    if len(value) > MAX_PATTERN:
        return f"is {len(value)} characters long: at most {MAX_PATTERN}"
    # '' is a quote, inside quotes or out; the same length keeps the positions
    for token in _PATTERN_TOKEN.finditer(value.replace("''", "\0\0")):
        run = token.group()
        if run.startswith("'"):
            if len(run) < 2 or not run.endswith("'"):
                return (f"{value!r}: the quote at position {token.start() + 1} is never "
                        "closed (write a quote itself as '')")
            continue
        letter = token.group(1)
        if letter is None:
            continue
        if letter in other:
            other_kind = "time" if kind == "date" else "date"
            return (f"{value!r}: {run} is a {other_kind} field: write it in '{other_kind}' "
                    f"(a {kind} holds {kind} fields only: {_EXAMPLES[kind]})")
        if letter in "bB":
            return (f"{value!r}: {run} (a day period) is missing from CLDR for some hours of "
                    "some languages: write a (AM, PM)")
        lengths = PATTERN_CHARS.get(letter) if letter in fields else []
        if lengths == []:
            return (f"{value!r}: {run!r} is not a CLDR {kind} field: put words in quotes "
                    "('at')")
        if lengths is not None and len(run) not in lengths:
            counts = ", ".join(letter * n for n in lengths)
            return f"{value!r}: {run} is not a CLDR field (write {counts})"
    return None


def template_fault(value: str, key: str) -> str | None:
    """What is wrong with a template (``at``, ``updated_same_day``, ``updated_other_day``):
    it may name its fields, as they are, and nothing else."""
    allowed = TEMPLATE_FIELDS[key]
    named = " and ".join(f"{{{name}}}" for name in allowed).replace(" and ", ", ",
                                                                     len(allowed) - 2)
    if not value.strip():
        return "must not be empty: leave it out for the language's own"
    if len(value) > MAX_PATTERN:
        return f"is {len(value)} characters long: at most {MAX_PATTERN}"
    try:
        pieces = list(string.Formatter().parse(value))
    except ValueError as error:
        return f"{value!r}: {error} (write a brace itself as {{{{ or }}}})"
    for _, name, spec, conversion in pieces:
        if name is None:
            continue
        field = ("{" + name + (f"!{conversion}" if conversion else "")
                 + (f":{spec}" if spec else "") + "}")
        if name == "" or name.isdigit():
            return f"{value!r}: {field} is a field without a name: only {named} can be used"
        if spec or conversion:
            return (f"{value!r}: {field} changes how the field is written: write "
                    f"{{{name}}} as it is")
        if name not in allowed:
            return f"{value!r} names {name}: only {named} can be used"
    return None


# --- writing every convention once, before any briefing -----------------------------------

_OFFSETS = (timedelta(hours=1), timedelta(0), timedelta(hours=-12), timedelta(hours=14),
            timedelta(hours=5, minutes=45))
#: (published, updated) pairs: no update, the same day, another day, at the ends of the
#: years a briefing may have and in the widest offsets
_SAMPLES: tuple[tuple[datetime, datetime | None], ...] = tuple(
    (datetime(year, month, day, 11, 45, tzinfo=timezone(offset)), updated)
    for year, month, day in ((2020, 1, 8), (1900, 1, 1), (9000, 12, 30))
    for offset in _OFFSETS
    for updated in (None,
                    datetime(year, month, day, 16, 30, tzinfo=timezone(offset)),
                    datetime(year, month, day + 1, 0, 5, tzinfo=timezone(-offset)))
)


def check(chosen: Mapping[str, Mapping[str, Any]],
          language: str) -> list[tuple[str, str | None, str]]:
    """What cannot be written of a newsroom's own conventions (``[dateline.<tag>]``: the
    values it sets, each already checked alone), as (tag, key, message): each
    convention is written with :func:`write` for every sample moment, in its own locale
    and in the collection's (``language``) when it applies there."""
    found: list[tuple[str, str | None, str]] = []
    known: dict[str, tuple[str, Locale]] = {}
    for tag in chosen:
        locale = _known_locale(tag)
        if locale is None:
            unknown = (f"CLDR has no locale {tag!r}: name a language ('fr') or a language "
                       "and a region it knows ('fr-CA')")
            found.append((tag, None, unknown))
        elif str(locale) in known:
            found.append((tag, None, f"the same locale as dateline.{known[str(locale)][0]}"))
        else:
            known[str(locale)] = (tag, locale)
    table = conventions({tag: chosen[tag] for tag, _ in known.values()})
    collection = locale_of(language)
    for key, (tag, locale) in known.items():
        rule = table[key]
        locales = [locale]
        if collection != locale and convention(collection, table) is rule:
            locales.append(collection)
        for where in locales:
            fault = _fault(rule, where, chosen[tag])
            if fault is not None:
                found.append((tag, *fault))
                break
    return found


def _fault(rule: Convention, locale: Locale,
           chosen: Mapping[str, Any]) -> tuple[str | None, str] | None:
    """The first value of ``rule`` that cannot be written in ``locale``, and why."""
    label = "Updated"
    for published, updated in _SAMPLES:
        # each part alone first, to name the value at fault
        steps: list[tuple[str, Callable[[], object]]] = [
            ("date", partial(_date, rule, locale, published)),
            ("time", partial(_time, rule, locale, published)),
            ("at", partial(_pieces, rule, locale, published)),
            ("updated_same_day" if updated is not None and updated.date() == published.date()
             else "updated_other_day", partial(write, rule, locale, published, updated, label)),
        ]
        for key, step in steps:
            try:
                step()
            except Exception as error:  # noqa: BLE001  (CLDR data can fail in any way)
                shown = key if key in chosen and chosen[key] is not None else None
                moment = updated if key.startswith("updated") and updated else published
                return shown, (f"{getattr(rule, key)!r} cannot be written for "
                               f"{moment.isoformat()} in {locale}: {error}")
    return None
