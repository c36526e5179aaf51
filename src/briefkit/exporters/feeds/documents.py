"""The files of one feed format: for each listing (:mod:`briefkit.render.listings`) its
feed of the newest ``[feed] max_entries`` briefings, and the archived feeds (RFC 5005)
of what falls out of it, each linking the next and the previous.

What each file holds and where it is published is decided here, once, for RSS, Atom
and JSON Feed alike; :mod:`briefkit.exporters.feeds` writes them in each format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.exporters.base import Context, Exported
from briefkit.render.feed_entries import FEEDS_NEED, FeedEntry, feed_entry, feed_files
from briefkit.render.listings import Listing, archive_chunks, archive_folder, listings
from briefkit.render.site import require_base_url


@dataclass(frozen=True)
class FeedDocument:
    """One feed file: a listing's newest entries, or one of its archives."""

    path: str  # in the output folder: "feed.xml", "tags/q-a-3f1c9a0b/archive/2/feed.xml"
    current: str  # the listing's feed (the subscription document), as published
    listing: Listing
    entries: tuple[FeedEntry, ...]
    #: RFC 5005 links, absolute: "prev-archive", "next-archive", and "current" (archives)
    history: tuple[tuple[str, str], ...] = ()

    @property
    def archive(self) -> bool:
        return self.path != self.current

    def language(self, settings: Settings) -> str:
        return self.listing.language or settings.language


def feed_documents(output: str, items: Sequence[BriefingFile],
                   context: Context) -> list[FeedDocument]:
    """Every file of one feed format (named ``output``): one per listing, and its archives."""
    settings = context.settings
    base_url = require_base_url(settings.base_url, output, FEEDS_NEED)
    built = _entries_made(items, context, base_url)

    def entry(item: BriefingFile) -> FeedEntry:
        # a briefing is in several listings: its entry is made once
        found = built.get(id(item))
        if found is None or found[0] is not item:
            found = built[id(item)] = (item, feed_entry(item, context.theme, settings,
                                                        context.outputs, base_url))
        return found[1]

    size = settings.feed.max_entries
    documents = []
    for listing in listings(items):
        current = listing.path(output)
        oldest_first = list(reversed(listing.items))
        chunks = archive_chunks(len(oldest_first), size)
        paths = [archive_folder(listing, n + 1) + output for n in range(len(chunks))]
        urls = [links.url(base_url, p) for p in paths]
        history = (("prev-archive", urls[-1]),) if urls else ()
        documents.append(FeedDocument(current, current, listing,
                                      tuple(entry(i) for i in listing.items[:size]), history))
        for n, chunk in enumerate(chunks):
            links_of = [("current", links.url(base_url, current))]
            if n > 0:
                links_of.append(("prev-archive", urls[n - 1]))
            if n + 1 < len(chunks):
                links_of.append(("next-archive", urls[n + 1]))
            # newest first within an archive too, as in the feed
            members = [oldest_first[i] for i in reversed(chunk)]
            documents.append(FeedDocument(paths[n], current, listing,
                                          tuple(entry(i) for i in members), tuple(links_of)))
    return documents


#: The entries made for the collection this process last wrote feeds of, by briefing,
#: with what they were made from (held, so that it is the same objects that match).
_made: tuple[tuple[object, ...], str, dict[int, tuple[BriefingFile, FeedEntry]]] | None = None


def _entries_made(items: Sequence[BriefingFile], context: Context,
                  base_url: str) -> dict[int, tuple[BriefingFile, FeedEntry]]:
    """Where the entries of ``items`` are kept, by ``id`` (with the briefing, held): those
    the other feed formats made of the same collection in this process (a run makes RSS,
    Atom and JSON Feed one after another, from the same briefings, outputs, settings and
    theme, the same objects), else none."""
    global _made  # noqa: PLW0603 (the last collection's only: bounded)
    made_from = (items, context.outputs, context.settings, context.theme)
    if (_made is None or _made[1] != base_url
            or any(a is not b for a, b in zip(_made[0], made_from, strict=True))):
        _made = (made_from, base_url, {})
    return _made[2]


def exported(documents: dict[str, bytes], main: str, context: Context,
              entries: Sequence[FeedEntry]) -> Exported:
    """The main feed, with the other feeds and the images and logo they link as extras."""
    data = documents.pop(main)
    return Exported(data, files={**feed_files(entries, context.theme), **documents})


def every_entry(documents: Sequence[FeedDocument]) -> list[FeedEntry]:
    """The entries of every file of a feed format, each once."""
    return list({e.guid: e for d in documents for e in d.entries}.values())
