"""Telling WebSub hubs that a feed changed, so feed readers get it in seconds.

After a publish that changed a feed, each hub in ``[feed] hubs`` gets a
``hub.mode=publish`` request naming the feed's address (the form most hubs
accept).  A hub that does not answer within a few seconds, or refuses, is a
warning: the feed is published either way, and readers still poll it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefkit import __version__
from briefkit.engine.state import Record

#: The feeds' media types: RSS, Atom, JSON Feed.
FEEDS = ("application/rss+xml", "application/atom+xml", "application/feed+json")
TIMEOUT = 5.0  # seconds per hub and feed


@dataclass(frozen=True)
class Ping:
    """One hub told (or to tell, in a dry run) that one feed changed."""

    hub: str
    feed: str  # the feed's address
    ok: bool | None  # None: not sent (a dry run)
    detail: str = ""


def is_feed(record: Record) -> bool:
    """Whether an output is a feed a hub can be told about."""
    return not record.extra and record.media_type in FEEDS


def ping(hubs: Sequence[str], feeds: Iterable[str], timeout: float = TIMEOUT) -> list[Ping]:
    """Tell every hub that every feed (by address) changed; never raises."""
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    told = []
    for feed in feeds:
        for hub in hubs:
            form = urlencode({"hub.mode": "publish", "hub.url": feed}).encode("ascii")
            request = Request(hub, data=form, method="POST", headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": f"briefkit/{__version__}"})
            try:
                with urlopen(request, timeout=timeout) as answer:
                    status = answer.status
            except HTTPError as error:
                told.append(Ping(hub, feed, False, f"the hub answered {error.code}"))
                continue
            except (URLError, OSError, ValueError) as error:
                reason = getattr(error, "reason", None) or error
                told.append(Ping(hub, feed, False, f"the hub cannot be reached ({reason})"))
                continue
            ok = 200 <= status < 300
            told.append(Ping(hub, feed, ok, "" if ok else f"the hub answered {status}"))
    return told
