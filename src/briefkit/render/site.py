"""What every page of the site knows: the feeds it announces, a briefing's downloads
and their sizes, the byline, and the base URL a format cannot do without."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from briefkit.datelines import in_digits
from briefkit.errors import ConfigError
from briefkit.links import OutputInfo
from briefkit.model import Briefing
from briefkit.render.dates import Convention, digits, locale_of


@dataclass(frozen=True)
class FeedFile:
    """One of the site's feeds: its file in the output folder, its media type, and the
    name readers know it by."""

    output: str
    media_type: str
    label: str


RSS = FeedFile("feed.xml", "application/rss+xml", "RSS")
ATOM = FeedFile("atom.xml", "application/atom+xml", "Atom")
JSON_FEED = FeedFile("feed.json", "application/feed+json", "JSON Feed")
#: The feeds every page announces, in the order it lists them.
FEEDS = (RSS, ATOM, JSON_FEED)
#: Formats offered as downloads, in the order readers see them.
DOWNLOADS = ("pdf", "epub", "docx")
#: Formats made for partners' systems, not offered to readers as downloads.
FOR_PARTNERS = frozenset({"ninjs"})


@dataclass(frozen=True)
class Feed:
    href: str
    media_type: str
    label: str
    title: str


@dataclass(frozen=True)
class DownloadLink:
    href: str
    media_type: str
    label: str
    size: str


def require_base_url(base_url: str | None, output: str, why: str) -> str:
    """The site's base URL, which ``output`` cannot be written without (``why``: what it
    needs absolute addresses for); else one line saying how to set it."""
    if base_url is None:
        raise ConfigError(
            f"{output} needs the setting base_url in briefkit.toml ({why}), "
            'e.g. base_url = "https://briefings.example.org/"')
    return base_url


def byline(briefing: Briefing) -> str:
    """The authors' names as the briefing's language lists them: 'A, B and C', 'A, B et C'."""
    from babel.lists import format_list

    return str(format_list([a.name for a in briefing.authors],
                           locale=locale_of(briefing.language)))


def file_size(size: int, language: str,
              conventions: Mapping[str, Convention] | None = None) -> str:
    """'245 kB', '1.5 MB' ('1,5 Mo' in French, '٨٩ كيلوبايت' in Arabic): CLDR units, in
    the digits of the language's dateline, number and unit never split."""
    value, unit = ((max(1, round(size / 1000)), "digital-kilobyte") if size < 1000 * 1000
                   else (round(size / 1000 / 1000, 1), "digital-megabyte"))
    return _quantity(value, unit, language, digits(language, conventions))


@lru_cache(maxsize=4096)
def _quantity(value: float, unit: str, language: str, system: str) -> str:
    # remembered: a front page and its archives give thousands of sizes, most of them
    # the same few hundred kilobytes, and CLDR's formatting is slow
    from babel.numbers import UnsupportedNumberingSystemError
    from babel.units import format_unit

    locale = locale_of(language)
    try:  # the language's decimal separator in those digits ("١٫٥")
        text = format_unit(value, unit, "short", locale=locale, numbering_system=system)
    except UnsupportedNumberingSystemError:
        text = format_unit(value, unit, "short", locale=locale)
    return in_digits(str(text), system).replace(" ", "\u00a0")


def download_links(made: Mapping[str, OutputInfo], language: str,
                   conventions: Mapping[str, Convention] | None = None,
                   ) -> tuple[DownloadLink, ...]:
    """Every file exported for a briefing for its readers: not its web page (its title
    links there), nor what is made for partners' systems (ninjs)."""
    order = [f for f in DOWNLOADS if f in made] + sorted(
        f for f in made if f not in DOWNLOADS and f != "html" and f not in FOR_PARTNERS)
    return tuple(
        DownloadLink(made[f].name, made[f].media_type, made[f].shown_as,
                     file_size(made[f].size, language, conventions))
        for f in order
    )
