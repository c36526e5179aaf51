"""What an exporter is.

An exporter turns one briefing into the bytes of one file; it never writes to
disk (:mod:`briefkit.engine.output` does), never reads outside the briefing's checked
images and the theme, and imports its heavy library inside :meth:`export`, so
that ``briefkit validate`` starts fast.  A collection exporter (the feeds, the
front page) turns every briefing into one file.

Built-in exporters register through the ``briefkit.exporters`` entry-point
group exactly as a third-party package does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.links import OutputInfo
from briefkit.theme import Theme

__all__ = [
    "Cache",
    "Check",
    "CollectionExporter",
    "Context",
    "Exported",
    "Exporter",
    "OutputInfo",
    "Wanted",
]


#: Whether bytes read back from a cache are what their key holds (a font, ...).
Check = Callable[[bytes], bool]
#: What :meth:`Cache.get_all` is asked for: key, how to make it, its check.
Wanted = tuple[str, Callable[[], bytes], Check | None]
#: Bytes of entries a process keeps in memory (:class:`Kept`).
KEPT_BYTES = 64 * 1024 * 1024


class Kept:
    """The entries a process keeps in memory, to hand out again without reading or
    making them: up to ``limit`` bytes, the longest unused let go first.  A worker of
    a big run asks for entries of its own for many briefings (an e-book's cover, a
    Word font subset for a briefing's characters); kept without end, they would grow
    the process by the size of the archive."""

    def __init__(self, limit: int = KEPT_BYTES) -> None:
        self.limit = limit
        self.bytes = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, key: str) -> bytes:
        data = self._entries[key]
        self._entries.move_to_end(key)
        return data

    def __setitem__(self, key: str, data: bytes) -> None:
        if key in self._entries:
            self.bytes -= len(self._entries.pop(key))
        self._entries[key] = data
        self.bytes += len(data)
        while self.bytes > self.limit and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= len(dropped)


class Cache:
    """Where an exporter keeps what it derives from the theme and may reuse (web fonts).

    ``get(key, make, check)`` returns the bytes stored under ``key``, making and
    storing them on first use.  This one keeps them in memory (:class:`Kept`: the
    process's most recently used ``KEPT_BYTES``, the rest made again); the engine
    gives exporters one that keeps them in the project's state folder between
    runs, and hands a kept entry back only when it was stored under ``key`` and
    ``check(data)`` says it is what the key holds (a WOFF2 font, a TrueType font):
    the state folder is input like any other.  Without a check, an entry is kept
    in memory only.  A key must name everything the bytes depend on (e.g. a
    digest of the input).
    """

    def __init__(self) -> None:
        self._kept = Kept()

    def get(self, key: str, make: Callable[[], bytes], check: Check | None = None) -> bytes:
        if key in self._kept:
            return self._kept[key]
        data = self._kept[key] = make()
        return data

    def get_all(self, wanted: Sequence[Wanted]) -> list[bytes]:
        """:meth:`get` of each ``(key, make, check)``, in order; a cache shared between
        processes makes first what no other process is making."""
        return [self.get(key, make, check) for key, make, check in wanted]


@dataclass(frozen=True)
class Context:
    """What an export may use besides the briefing: the project settings and the theme.

    ``outputs`` holds, by briefing id then format, the files already exported:
    filled for collection exporters and for exporters that set ``lists_outputs``
    (they run after the briefing's other formats), empty for the others.
    """

    settings: Settings
    theme: Theme
    outputs: Mapping[str, Mapping[str, OutputInfo]] = field(default_factory=dict)
    cache: Cache = field(default_factory=Cache, compare=False)


@dataclass(frozen=True)
class Exported:
    """What an exporter returns: its main file and, by path in the output folder, the
    extra files it links to (a page's images and web fonts, a feed's logo).

    An extra file named by several outputs must have the same bytes in each; the
    engine writes it once and removes it when no output names it any more.
    ``warnings`` are what a desk should know about the file although it was made (an
    image too coarse for print, say): one line each, in the run's report.
    """

    data: bytes
    files: Mapping[str, bytes] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


class Exporter:
    """One format of one briefing.  Subclasses set the class attributes and :meth:`export`."""

    name: ClassVar[str]  # what users type: -f pdf
    extension: ClassVar[str]  # ".pdf"
    media_type: ClassVar[str]  # "application/pdf"
    description: ClassVar[str] = ""
    #: How the format is named to readers, on a download link, a feed enclosure or a ninjs
    #: rendition ("Word"); empty: its name in capitals.
    label: ClassVar[str] = ""
    collection: ClassVar[bool] = False
    #: Run after the briefing's other formats, with their files in ``context.outputs``.
    lists_outputs: ClassVar[bool] = False
    #: Formats that list outputs too and whose files this one lists (it runs after them).
    runs_after: ClassVar[tuple[str, ...]] = ()
    #: The distributions (as pip names them) whose versions shape this format's bytes:
    #: an upgrade of one makes this format's outputs again, and a cluster worker with
    #: another version of one is refused.
    made_with: ClassVar[tuple[str, ...]] = ()
    #: What this format reads of the settings tables only some formats read
    #: (``Settings.FORMAT_TABLES``): a table, or one key of it (``"email.images"``).  A
    #: change there makes this format's outputs again, and no other's.
    reads_settings: ClassVar[tuple[str, ...]] = ()

    def filename(self, briefing_id: str) -> str:
        return f"{briefing_id}{self.extension}"

    @classmethod
    def shown_as(cls) -> str:
        """The format's name for readers: :attr:`label`, else its name in capitals."""
        return cls.label or cls.name.upper()

    def prepare(self, context: Context) -> None:
        """Load what every export of a run shares (fonts, stylesheets), once per process.

        Called before the first export on each worker; optional.
        """

    def close(self) -> None:
        """Let go of what :meth:`prepare` and the exports kept (caches, temporary files)."""

    def export(self, item: BriefingFile, context: Context) -> bytes | Exported:
        """The file's bytes for one briefing (and any extra files, as :class:`Exported`)."""
        raise NotImplementedError


class CollectionExporter(Exporter):
    """One file for the whole collection (a feed, the front page)."""

    collection: ClassVar[bool] = True
    output: ClassVar[str]  # file name: "feed.xml"

    def filename(self, briefing_id: str = "") -> str:
        return self.output

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> bytes | Exported:
        """The file's bytes for every valid briefing (newest first is the exporter's call)."""
        raise NotImplementedError
