"""What an exporter is.

An exporter turns one briefing into the bytes of one file; it never writes to
disk (:mod:`briefkit.output` does), never reads outside the briefing's checked
images and the theme, and imports its heavy library inside :meth:`export`, so
that ``briefkit validate`` starts fast.  A collection exporter (the feeds, the
front page) turns every briefing into one file.

Built-in exporters register through the ``briefkit.exporters`` entry-point
group exactly as a third-party package does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from briefkit.config import Settings
from briefkit.load import BriefingFile
from briefkit.themes import Theme


@dataclass(frozen=True)
class Context:
    """What an export may use besides the briefing: the project settings and the theme."""

    settings: Settings
    theme: Theme


@dataclass(frozen=True)
class OutputInfo:
    """A file already exported for a briefing, as collection exporters see it."""

    name: str  # file name inside the output folder, e.g. "iran-missiles.pdf"
    format: str
    media_type: str
    size: int


@dataclass(frozen=True)
class CollectionContext(Context):
    """Context of a collection export: the outputs of every briefing, by id then format."""

    outputs: Mapping[str, Mapping[str, OutputInfo]] = field(default_factory=dict)


def published_image(briefing_id: str, src: str) -> str:
    """Where an image of a briefing is published in the output folder, relative to it.

    ``images/<briefing id>/<src with folders joined by '-'>``: stable, readable and
    unique within a briefing, so feeds and web pages can link it by URL.
    """
    parts = [p for p in src.split("/") if p not in ("", ".", "..")]
    return f"images/{briefing_id}/{'-'.join(parts)}"


class Exporter:
    """One format of one briefing.  Subclasses set the class attributes and :meth:`export`."""

    name: ClassVar[str]  # what users type: -f pdf
    extension: ClassVar[str]  # ".pdf"
    media_type: ClassVar[str]  # "application/pdf"
    description: ClassVar[str] = ""
    collection: ClassVar[bool] = False

    def filename(self, briefing_id: str) -> str:
        return f"{briefing_id}{self.extension}"

    def export(self, item: BriefingFile, context: Context) -> bytes:
        """The file's bytes for one briefing."""
        raise NotImplementedError


class CollectionExporter(Exporter):
    """One file for the whole collection (a feed, the front page)."""

    collection: ClassVar[bool] = True
    output: ClassVar[str]  # file name: "feed.xml"

    def filename(self, briefing_id: str = "") -> str:
        return self.output

    def export_collection(self, items: Sequence[BriefingFile], context: CollectionContext) -> bytes:
        """The file's bytes for every valid briefing (newest first is the exporter's call)."""
        raise NotImplementedError
