"""Kinds of value the settings share: a line of text, a newsroom's name, a web address
and the base of every published address, each bounded and checked once."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict

from briefkit import links
from briefkit.characters import check_characters
from briefkit.model import ID_MAX


def one_line(value: str) -> str:
    """Plain text on one line: a setting ends up in XML (feeds, EPUB, Word), which cannot
    carry control characters, and in one-line places (a page's masthead, a feed title)."""
    for index, ch in enumerate(value):
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in "\ufffe\uffff":
            raise ValueError(f"control character U+{ord(ch):04X} at position {index + 1}: "
                             "a setting is one line of plain text")
    return value


def not_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


#: The longest address a sitemap may list (sitemaps.org), and so the longest base_url:
#: what briefkit appends to it is at most :func:`briefkit.links.longest_path` long
SITEMAP_LOC_MAX = 2048


MAX_BASE_URL = SITEMAP_LOC_MAX - links.longest_path(ID_MAX)


#: What an address cannot hold as it is (RFC 3986): a character outside its set, or a
#: "%" that does not start a percent-encoded byte
_NOT_IN_AN_ADDRESS = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def absolute_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value, re.IGNORECASE):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    bad = _NOT_IN_AN_ADDRESS.search(value)
    if bad:
        raise ValueError(f"{value!r}: {bad.group()!r} at position {bad.start() + 1} cannot be "
                         "written in an address as it is: percent-encode it (a host: its "
                         "xn-- form)")
    parts = urlsplit(value)
    if "?" in value or "#" in value:
        raise ValueError(f"{value!r} has a query or a fragment: paths are appended to "
                         "base_url, so it ends with its path")
    if "@" in parts.netloc:
        raise ValueError(f"{value!r} carries a user name or password: every address "
                         "briefkit publishes would carry it too")
    try:
        port_ok = parts.port != 0  # urlsplit refuses a port past 65535
    except ValueError:
        port_ok = False
    if not parts.hostname or not port_ok:
        raise ValueError(f"{value!r} is not an absolute http(s) URL: no host, or a port that "
                         "is not from 1 to 65535")
    if len(value) > MAX_BASE_URL:
        raise ValueError(f"is {len(value):,} characters long: at most {MAX_BASE_URL:,}, so "
                         f"that every address briefkit writes under it stays within the "
                         f"{SITEMAP_LOC_MAX:,} characters a sitemap allows")
    if not value.endswith("/"):
        value += "/"
    return value


#: Longest title or publisher: they head feeds, running heads and e-book metadata
MAX_NAME = 200


def newsroom_name(value: str) -> str:
    if len(value) > MAX_NAME:
        raise ValueError(f"is {len(value):,} characters long: at most {MAX_NAME}")
    return value


Line = Annotated[str, AfterValidator(one_line)]


#: Text a reader sees (title, publisher): one line, at most MAX_NAME characters, and only
#: characters every format can carry
Name = Annotated[Line, AfterValidator(newsroom_name), AfterValidator(check_characters)]


class SettingsTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def hub_address(value: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL of a WebSub hub")
    return value


#: A period: a whole number and a unit, several in a row ("1d12h"): minutes, hours, days, weeks.
_PERIOD = re.compile(r"(?:(\d{1,6})([mhdw]))+")
_PERIOD_PART = re.compile(r"(\d{1,6})([mhdw])")
_PERIOD_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
                 "w": timedelta(weeks=1)}
#: The longest period a setting may name (a digest of ten years is the whole archive).
MAX_PERIOD = timedelta(days=3660)


def period(value: str) -> str:
    """``value`` if it names a period ("24h", "90m", "7d", "1d12h"), else ValueError saying
    what one looks like: the command line's ``--since`` and ``[email] digest_since`` are
    checked the same way."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    if not _PERIOD.fullmatch(value):
        raise ValueError(f"{shown!r} is not a period: a whole number and a unit, e.g. '24h', "
                         "'90m', '7d' or '1d12h' (m minutes, h hours, d days, w weeks)")
    length = period_length(value)
    if not timedelta(0) < length <= MAX_PERIOD:
        raise ValueError(f"{shown!r}: a period is longer than nothing and at most "
                         f"{MAX_PERIOD.days:,} days")
    return value


def period_length(value: str) -> timedelta:
    """How long a period checked by :func:`period` is."""
    return sum((int(n) * _PERIOD_UNITS[unit] for n, unit in _PERIOD_PART.findall(value)),
               timedelta(0))
