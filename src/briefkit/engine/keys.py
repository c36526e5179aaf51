"""What each output is made from: its key, and what it is likely to cost.

An output is made again only when what it is made from changed.  Its *key* is
a digest of the briefing file, the briefing's images, the theme's files, the
settings, briefkit's version, the format and the versions of the libraries that
shape that format's bytes (an upgrade of WeasyPrint makes the PDFs again, and
nothing else).  An exporter that lists other
outputs (``lists_outputs``) adds those outputs' checksums to its key; a
collection output (a feed, the front page) has a key made of every member's
key and the outputs listed in it, so it follows any change to any entry.
"""

from __future__ import annotations

import functools
import importlib.metadata
import statistics
from collections.abc import Iterable, Mapping, Sequence

from briefkit import __version__, registry
from briefkit.config import Settings
from briefkit.engine.sources import Source, digest
from briefkit.engine.state import Record
from briefkit.errors import ExporterError
from briefkit.exporters.base import Exporter
from briefkit.links import OutputInfo
from briefkit.theme import Theme

#: Relative cost of one output of each format, until a run has measured them.
FIRST_GUESS = {"pdf": 1.0, "epub": 0.2, "docx": 0.15, "html": 0.05}
#: Cost of reading one briefing file, on the same scale.
READ_COST = 0.01


#: What every format's bytes depend on besides its own libraries: the model's validation
#: (how a briefing's values are parsed) and the images' check (the format an image
#: decodes as names it in every output).
EVERY_FORMAT = ("pydantic", "pillow")


def base_key(settings: Settings, theme: Theme) -> str:
    """What every output's key starts from: briefkit's version, the settings every format
    reads, the theme."""
    return digest(__version__, settings.fingerprint(), theme.fingerprint)


def version_of(distribution: str) -> str:
    """The installed version of a distribution, from its metadata (cheap: the library
    is not imported, and only the metadata's headers are read, not the long description
    ``importlib.metadata.version`` parses whole), or "none" when it is not installed."""
    try:
        found = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "none"
    headers = (found.read_text("METADATA") or found.read_text("PKG-INFO") or "").partition("\n\n")[0]
    for line in headers.splitlines():
        if line.startswith("Version:"):
            return line.removeprefix("Version:").strip()
    return found.version


def versions(distributions: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution (on a cluster worker too: the run
    compares them with its own)."""
    return {name: version_of(name) for name in sorted(set(distributions))}


def libraries(exporters: Iterable[Exporter]) -> list[str]:
    """Every distribution whose version shapes the bytes of one of ``exporters``."""
    return sorted({*EVERY_FORMAT, *(n for e in exporters for n in e.made_with)})


def format_base(base: str, exporter: Exporter, installed: Mapping[str, str],
                settings: Settings | None = None) -> str:
    """The base key of one format: with the versions of the libraries that shape it, and
    what it reads of the settings only some formats read (``[email] images``)."""
    names = sorted({*EVERY_FORMAT, *exporter.made_with})
    own = [settings.fingerprint(exporter.reads_settings)] \
        if settings is not None and exporter.reads_settings else []
    return digest(base, *(f"{name}=={installed[name]}" for name in names), *own)


def output_key(base: str, format: str, source: Source) -> str:
    return digest(base, format, source.content)


def listing_key(base: str, format: str, source: Source,
                outputs: Mapping[str, OutputInfo], records: Mapping[str, Record]) -> str:
    """The key of an output that lists the briefing's other outputs (their checksums too)."""
    parts = sorted(f"{o.name}:{records[o.name].sha256}" for o in outputs.values()
                   if o.name in records)
    return digest(base, format, source.content, *parts)


def collection_parts(members: Sequence[Source], records: Mapping[str, Record]) -> list[str]:
    """What every collection's key is made of: each member's content, and the outputs
    listed in it (worked out once for all the collections of a run)."""
    ids = {s.id for s in members}
    parts = sorted(f"{s.id}={s.content}" for s in members)
    parts += sorted(f"{r.path}:{r.format}:{r.bytes}:{r.sha256}" for r in records.values()
                    if r.briefing in ids and not r.extra)
    return parts


def collection_key(base: str, format: str, parts: Sequence[str]) -> str:
    """A collection's key: its format's, and :func:`collection_parts`."""
    return digest(base, format, *parts)


def estimates(records: Iterable[Record]) -> dict[str, float]:
    """Seconds per output of each format, as earlier runs measured them, else a guess."""
    sums: dict[str, list[float]] = {}
    for record in records:
        if record.seconds and not record.extra:
            sums.setdefault(record.format, []).append(record.seconds)
    # the median: the first output of a format in a process pays for loading its library
    # and fonts, which says little about the next one
    measured = {name: statistics.median(times) for name, times in sums.items()}
    return {**FIRST_GUESS, **measured}


def cost(guess: Mapping[str, float], format: str, size: int) -> float:
    """How long one output is likely to take: longer briefings take longer."""
    return guess.get(format, 0.1) * (1 + size / 20_000)


def listers(exporters: Iterable[Exporter]) -> frozenset[str]:
    """Every installed format that lists a briefing's other outputs, and those of
    ``exporters``: what one of them lists of the others is the same whatever formats a
    run asks for (a broken plug-in lists nothing)."""
    asked = {e.name: e for e in exporters}
    found = set()
    for name in {*asked, *registry.names()}:
        try:
            exporter = asked.get(name) or registry.get(name)
        except ExporterError:
            continue
        if not exporter.collection and exporter.lists_outputs:
            found.add(name)
    return frozenset(found)


def outputs_of(ids: set[str | None], records: Mapping[str, Record],
               skip: Iterable[str] = ()) -> dict[str, dict[str, OutputInfo]]:
    """The published outputs of some briefings, by id then format."""
    left_out = set(skip)
    by_id: dict[str, dict[str, OutputInfo]] = {}
    for record in records.values():
        if (record.briefing is not None and record.briefing in ids and not record.extra
                and record.format not in left_out):
            by_id.setdefault(record.briefing, {})[record.format] = OutputInfo(
                record.path, record.format, record.media_type, record.bytes,
                label_of(record.format))
    return by_id


@functools.cache
def label_of(format: str) -> str:
    """A format's name for readers, as its exporter gives it ("" when it is no longer
    installed: its name in capitals then)."""
    try:
        return registry.get(format).shown_as()
    except ExporterError:
        return ""
