"""The work of a run, one typed job per kind, and what comes back from each.

Jobs are pure: a worker reads a briefing or turns one into bytes, and sends
the result back; only the run writes the output folder.  So a job can run in
this process, in a local worker process or on a Dask worker on another
machine, and nothing but the run knows which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.briefing_file import BriefingFile
from briefkit.errors import Problem
from briefkit.links import OutputInfo


@dataclass(frozen=True)
class ReadJob:
    """Read and check one briefing file (reading thousands is worth sharing out too)."""

    path: Path
    shown: str  # what a failure names
    #: the SHA-256 of images decoded whole by an earlier read (the manifest remembers
    #: them): not decoded again (:func:`briefkit.images.check_image`)
    decoded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BriefingJob:
    """Make one output of one briefing."""

    format: str  # an exporter's name
    name: str  # the output's file name in the output folder
    key: str
    source: Path  # the briefing file
    cost: float = 0.0
    item: BriefingFile | None = None  # filled once the briefing is read
    outputs: Mapping[str, Mapping[str, OutputInfo]] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        from briefkit.files import display_path

        return display_path(self.source)


@dataclass(frozen=True)
class CollectionJob:
    """Make one output of the whole collection (a feed, the front page)."""

    format: str
    name: str
    key: str
    items: tuple[BriefingFile, ...] = ()
    outputs: Mapping[str, Mapping[str, OutputInfo]] = field(default_factory=dict)
    cost: float = 0.0

    @property
    def shown(self) -> str:
        return self.name


Job = ReadJob | BriefingJob | CollectionJob


@dataclass(frozen=True)
class Made:
    """An output's bytes, its extra files, how long it took, what it took from the cache
    and what the exporter warned of.  An extra file many outputs link (a web font) is
    sent back once: after that, by its digest alone (``held``)."""

    data: bytes
    media_type: str
    files: Mapping[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    #: of those seconds, the ones spent making cache entries the outputs after it share
    #: (a cover, a font's subset): the report counts them, the manifest does not
    making: float = 0.0
    cached: tuple[str, ...] = ()  # the cache entries it was made with (their file names)
    warnings: tuple[str, ...] = ()  # what a desk should know, one line each
    #: extra files left out of ``files`` as the run holds their bytes: name -> SHA-256
    held: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Read:
    """A briefing read and checked, with what the manifest should remember of it."""

    item: BriefingFile
    memory: dict[str, Any] | None


@dataclass(frozen=True)
class Refused:
    """A job that could not be done: why, and the traceback when it is a bug."""

    reason: str
    problems: tuple[Problem, ...] = ()
    bug: str | None = None
    disk_full: bool = False  # the worker cannot write its temporary files: the run stops


Outcome = Made | Read | Refused
