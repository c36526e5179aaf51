"""The collection's listings: everything, each topic (tag) and each language.

A listing is a set of briefings with its own feeds (RSS, Atom, JSON Feed) and its
own web page, under its own folder of the output folder: ``""`` for the whole
collection, ``tags/<topic>/`` for the briefings of one tag, ``<language>/`` for
those of one language.  One place decides which listings exist, what they hold
and where they live, so the feeds, their pages and the briefings' web pages that
point to them can never disagree on an address.

A folder depends on the tag or language alone, never on the other briefings, so a
reader's subscription keeps working whatever else is published.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.model import Briefing
from briefkit.render.feed_entries import newest_first

#: Where the listings of topics live.
TOPICS = "tags/"
#: Where a listing keeps what falls out of its feeds (RFC 5005 archived feeds).
ARCHIVE = "archive/"
#: Longest topic folder name, percent-encoded as an address writes it.
TOPIC_MAX = 60
#: How much of a digest a topic's folder shows when its name had to be changed.
TOPIC_DIGEST_SHOWN = 8

# a topic folder as it may stand unchanged: letters and digits, words joined by "-"
_PLAIN_TOPIC = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_NOT_A_WORD = re.compile(r"[\W_]+")


def topic_key(tag: str) -> str:
    """What makes two tags one topic: "Transport", "transport" and "transport " are one."""
    return " ".join(unicodedata.normalize("NFC", tag).casefold().split())


def topic_folder(tag: str) -> str:
    """The folder of a topic's listing: ``tags/<name>/``.

    A tag made of letters, digits and single hyphens is its own folder name, in lower
    case ("transport", "élections-2026"); any other tag ("Q&A", "<tags>", "🚰") gets a
    readable name followed by the start of its digest ("q-a-3f1c9a0b"), so that two
    tags never share a folder and a folder never changes while its tag stays.
    """
    key = topic_key(tag)
    name = "-".join(key.split())
    if _PLAIN_TOPIC.fullmatch(name) and len(quote(name)) <= TOPIC_MAX:
        return f"{TOPICS}{name}/"
    readable = _NOT_A_WORD.sub("-", key).strip("-")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:TOPIC_DIGEST_SHOWN]
    room = TOPIC_MAX - TOPIC_DIGEST_SHOWN - 1
    while len(quote(readable)) > room:
        readable = readable[:-1].rstrip("-")
    return f"{TOPICS}{readable}-{digest}/" if readable else f"{TOPICS}{digest}/"


def language_code(language: str) -> str:
    """The language a briefing is listed under: its ISO 639 code ("fr" for "fr-CA"), but
    "zh-cn" for Simplified and "zh-tw" for Traditional Chinese, as news sitemaps write it."""
    primary, *rest = language.lower().split("-")
    if primary != "zh":
        return primary
    return "zh-tw" if any(part in ("hant", "tw", "hk", "mo") for part in rest) else "zh-cn"


def language_folder(language: str) -> str:
    """The folder of a language's listing: ``fr/``, ``ar/``, ``zh-tw/``."""
    return f"{language_code(language)}/"


def language_name(code: str) -> str:
    """A language's name in that language, as its readers write it: "français", "العربية"."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.get_display_name(locale)
    return name or code


@dataclass(frozen=True)
class Listing:
    """Briefings listed together, newest first, with where their feeds and page live."""

    folder: str  # "" (everything), "tags/<topic>/", "<language>/"
    kind: str  # "all", "topic" or "language"
    name: str  # the tag as first written, the language's own name; "" for everything
    items: tuple[BriefingFile, ...]
    language: str | None = None  # a language listing's language code

    def title(self, settings: Settings) -> str:
        """What the listing is called: the collection's title, then the topic or language."""
        return f"{settings.title} · {self.name}" if self.name else settings.title

    def path(self, name: str) -> str:
        """Where one of the listing's files is published: ``tags/q-a-3f1c9a0b/feed.xml``."""
        return self.folder + name


def listings(items: Sequence[BriefingFile]) -> list[Listing]:
    """Every listing of the collection: everything first, then each topic and each
    language, in the order of their folders."""
    ordered = newest_first(items)
    topics: dict[str, list[BriefingFile]] = {}
    names: dict[str, str] = {}
    languages: dict[str, list[BriefingFile]] = {}
    for item in ordered:
        for tag in dict.fromkeys(topic_key(t) for t in item.briefing.tags):
            topics.setdefault(tag, []).append(item)
        code = language_code(item.briefing.language)
        languages.setdefault(code, []).append(item)
    # a topic is named as its tag is written most often (then first in sort order)
    spellings: dict[str, dict[str, int]] = {}
    for item in ordered:
        for tag in item.briefing.tags:
            shown = " ".join(tag.split())
            counts = spellings.setdefault(topic_key(tag), {})
            counts[shown] = counts.get(shown, 0) + 1
    for key, counts in spellings.items():
        names[key] = min(counts, key=lambda s: (-counts[s], s))
    found = [Listing("", "all", "", tuple(ordered))]
    found += sorted((Listing(topic_folder(key), "topic", names[key], tuple(members))
                     for key, members in topics.items()), key=lambda listing: listing.folder)
    found += sorted((Listing(f"{code}/", "language", language_name(code), tuple(members), code)
                     for code, members in languages.items()), key=lambda listing: listing.folder)
    return found


def topics_of(briefing: Briefing) -> list[tuple[str, str]]:
    """The briefing's topics, each with its folder: (the tag as written, its folder)."""
    seen: dict[str, tuple[str, str]] = {}
    for tag in briefing.tags:
        seen.setdefault(topic_key(tag), (" ".join(tag.split()), topic_folder(tag)))
    return list(seen.values())


def archive_chunks(count: int, size: int) -> list[range]:
    """What a listing of ``count`` briefings keeps in archives when its feeds carry the
    newest ``size``: positions counted from the oldest, ``size`` per archive, the oldest
    archive first.  Archive ``n`` always holds the same briefings once it is full, so a
    reader that fetched it never needs it again; only the newest may still be filling."""
    archived = max(0, count - size)
    return [range(start, min(start + size, archived)) for start in range(0, archived, size)]


def archive_folder(listing: Listing, number: int) -> str:
    """The folder of a listing's archive ``number`` (1 is the oldest)."""
    return f"{listing.folder}{ARCHIVE}{number}/"


#: The first page of a listing; the others are ``page/<n>.html`` beside it.
FIRST_PAGE = "index.html"


@dataclass(frozen=True)
class ListingPage:
    """One web page of a listing: ``per_page`` briefings, newest first."""

    listing: Listing
    number: int  # from 1
    count: int  # pages in the listing
    items: tuple[BriefingFile, ...]

    @property
    def path(self) -> str:
        """Where the page is published: ``index.html``, ``page/2.html``,
        ``tags/transport/page/3.html``."""
        return page_path(self.listing, self.number)


def page_path(listing: Listing, number: int) -> str:
    """Where page ``number`` of a listing is published."""
    return listing.path(FIRST_PAGE if number == 1 else f"page/{number}.html")


def listing_pages(found: Sequence[Listing], per_page: int) -> list[ListingPage]:
    """Every web page of the listings: a listing's first page always (an empty collection
    still has a front page), then as many more as its briefings fill."""
    pages = []
    for listing in found:
        count = max(1, -(-len(listing.items) // per_page))
        for number in range(1, count + 1):
            chunk = listing.items[(number - 1) * per_page: number * per_page]
            pages.append(ListingPage(listing, number, count, chunk))
    return pages
