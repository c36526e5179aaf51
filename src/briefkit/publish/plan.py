"""What a target needs, and in which order, so no reader follows a link to a missing file.

What to send is what the target takes (:mod:`briefkit.publish.targets`) and
its receipt does not hold with the same checksum; nothing is hashed, nothing
is listed.  It goes in waves, each whole before the next starts:

1. the files outputs link to (images, web fonts, the logo);
2. each briefing's own outputs (PDF, Word, EPUB);
3. the outputs that list a briefing's others (the web page, then the ninjs item
   that lists the page too), in the order the exporters run;
4. the collections (feeds, sitemap, front page), which list every briefing;
5. files made beside a collection that name it (``robots.txt`` names the sitemap).

Removals come after every upload, only of files the receipt says briefkit
published, and only when the target prunes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from briefkit.engine.state import Record
from briefkit.publish.receipts import Receipt

#: Where the files outputs link to live (:mod:`briefkit.links`): they go first.
LINKED = ("images/", "theme/")


@dataclass(frozen=True)
class Kind:
    """What the order needs to know of a format (from its exporter)."""

    collection: bool = False
    lists_outputs: bool = False
    runs_after: tuple[str, ...] = ()


def kinds_of(formats: set[str]) -> dict[str, Kind]:
    """The kind of each format, from the installed exporters (a format no longer installed
    is taken as a briefing's own output, or a collection when it has no briefing)."""
    from briefkit import registry
    from briefkit.errors import ExporterError

    installed = set(registry.names())
    kinds = {}
    for name in formats & installed:
        try:
            exporter = registry.get(name)
        except ExporterError:
            continue
        kinds[name] = Kind(exporter.collection, exporter.lists_outputs, exporter.runs_after)
    return kinds


@dataclass
class Plan:
    """One target's work: uploads in waves, then removals."""

    waves: list[list[Record]] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)  # only when the target prunes
    kept: list[str] = field(default_factory=list)  # published earlier, no longer exported
    fresh: int = 0  # files the target already holds as they are
    sizes: dict[str, int] = field(default_factory=dict)  # of each file to remove, as sent
    listing: set[str] = field(default_factory=set)  # formats that list a briefing's others

    @property
    def uploads(self) -> list[Record]:
        return [record for wave in self.waves for record in wave]

    @property
    def empty(self) -> bool:
        return not self.waves and not self.removals


def stale(selection: Mapping[str, Record], receipt: Receipt) -> list[Record]:
    """The selected files the receipt does not hold as they are in the manifest."""
    held = receipt.files
    out = []
    for path, record in selection.items():
        sent = held.get(path)
        if sent is None or sent.sha256 != record.sha256 or sent.size != record.bytes:
            out.append(record)
    return out


def plan_files(selection: Mapping[str, Record], receipt: Receipt, prune: bool,
               kinds: Callable[[set[str]], Mapping[str, Kind]] = kinds_of) -> Plan:
    """What to send to a file target, in waves, and what to remove."""
    todo = stale(selection, receipt)
    plan = Plan(fresh=len(selection) - len(todo))
    gone = sorted(path for path in receipt.files if path not in selection)
    if prune:
        plan.removals = gone
        plan.sizes = {path: receipt.files[path].size for path in gone}
    else:
        plan.kept = gone
    if not todo:
        return plan
    known = kinds({r.format for r in todo if not r.extra})
    listing = plan.listing = {name for name, kind in known.items() if kind.lists_outputs}
    waves: dict[int, list[Record]] = {}
    steps = _listing_steps(listing, known)
    for record in todo:
        kind = known.get(record.format, Kind(collection=record.briefing is None))
        if record.extra:
            step = 0 if record.path.startswith(LINKED) or record.briefing is not None else 99
        elif kind.collection or record.briefing is None:
            step = 98
        elif kind.lists_outputs:
            step = 2 + steps[record.format]
        else:
            step = 1
        waves.setdefault(step, []).append(record)
    plan.waves = [sorted(waves[step], key=lambda r: r.path) for step in sorted(waves)]
    return plan


def _listing_steps(listing: set[str], known: Mapping[str, Kind]) -> dict[str, int]:
    """The wave of each format that lists outputs: after the formats it runs after."""
    steps: dict[str, int] = {}
    left = set(listing)
    step = 0
    while left:
        ready = {n for n in left if set(known[n].runs_after) & listing <= set(steps)}
        ready = ready or left  # a cycle: the rest together
        for name in ready:
            steps[name] = step
        left -= ready
        step += 1
    return steps


def held_back(record: Record, lists: bool, failed: set[str],
              failed_briefings: set[str]) -> bool:
    """Whether a file must wait for a later publish: something it links or lists did not
    land (a page whose image failed, a page listing a PDF that failed, a feed listing a
    page that failed)."""
    if any(linked in failed for linked in record.files):
        return True
    if record.briefing is None:  # a collection, or a file naming one
        return bool(failed)
    return lists and record.briefing in failed_briefings
