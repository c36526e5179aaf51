"""What changed in source/ since the last run, reading as little as possible.

A source file whose size and modification time are those the manifest
remembers is not even read again, which keeps a run that has nothing to do
under a second for thousands of briefings.  A file whose size or time moved
is hashed again (through the same checks the loader makes, so a FIFO or a
link to ``/dev/zero`` is refused, not read for ever) and read only when its
bytes changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.engine.jobs import ReadJob
from briefkit.engine.seals import SHA256
from briefkit.errors import BriefingError
from briefkit.files import confinement, display_path, read_regular
from briefkit.images import MAX_IMAGE_BYTES
from briefkit.load import MAX_BRIEFING_BYTES, load


def digest(*parts: str) -> str:
    """A digest of strings, for the keys of what outputs are made from."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@dataclass
class Source:
    """One briefing file of this run and what we know of it."""

    path: Path
    name: str  # its entry in the manifest's "sources"
    memory: dict[str, Any] | None = None  # the entry: still right for the file as it is now
    item: BriefingFile | None = None
    error: BriefingError | None = None
    duplicate_of: str | None = None
    kept: bool = False  # broken: its last good version stands in the collections
    #: ``content`` as worked out, with the memory it was worked out from
    _content: tuple[dict[str, Any], str] | None = field(default=None, init=False, repr=False,
                                                        compare=False)

    @property
    def id(self) -> str | None:
        if self.item is not None:
            return self.item.id
        return self.memory["id"] if self.memory else None

    @property
    def content(self) -> str:
        """Digest of the briefing file and its images: what its outputs are made from."""
        memory = self.memory
        assert memory is not None
        # every format's key asks for it: worked out once for each memory of the file
        if self._content is None or self._content[0] is not memory:
            images = sorted((src, image["sha256"]) for src, image in memory["images"].items())
            self._content = (memory, digest(memory["sha256"],
                                            *(f"{src}={sha}" for src, sha in images)))
        return self._content[1]

    @property
    def valid(self) -> bool:
        return self.memory is not None and self.error is None and self.duplicate_of is None


def source_name(path: Path, root: Path) -> str:
    """A briefing file's name in the manifest: its path inside source/."""
    text, prefix = str(path), f"{root}{os.sep}"
    return text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else text


def _stamp(found: os.stat_result) -> int:
    """The modification time to remember; 0 (hash it again next time) for a file changed
    in the last two seconds, which a later edit of the same size could leave unchanged."""
    return 0 if time.time_ns() - found.st_mtime_ns < 2_000_000_000 else found.st_mtime_ns


#: What a run has found of a file (its size and modification time), or why it could not.
Looked = dict[str, os.stat_result | OSError]


def _still_same(path: str, entry: Any, limit: int, looked: Looked | None = None) -> bool:
    """Whether ``path`` still holds what ``entry`` remembers, re-reading it only when
    its size or modification time moved (and then updating ``entry``).  ``looked``
    keeps what the run found of each file: an image shown by many briefings is
    looked at once."""
    if not isinstance(entry, dict):
        return False
    found = looked.get(path) if looked is not None else None
    if found is None:
        try:
            found = os.stat(path)
        except OSError as error:
            found = error
        except ValueError:  # a NUL in a name the manifest gave
            found = OSError("not a file name")
        if looked is not None:
            looked[path] = found
    if isinstance(found, OSError):
        return False
    if (found.st_size, found.st_mtime_ns) == (entry.get("size"), entry.get("mtime_ns")):
        return True
    try:
        data = read_regular(Path(path), limit, path)
    except (OSError, BriefingError):
        return False
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return False
    entry["size"], entry["mtime_ns"] = found.st_size, _stamp(found)
    return True


def recall(path: Path, entry: Any, root: Path,
           looked: Looked | None = None) -> dict[str, Any] | None:
    """The manifest's memory of a briefing file, if the file and its images are unchanged
    (``looked``: what this run found of the files already, see :func:`_still_same`).

    Only files inside the source folder are looked at, whatever the memory says.
    """
    inside = os.path.join(root, "")
    try:
        # a copy: a time found again below is remembered in it, not in the manifest's
        # entry, so the run sees the memory change and saves it (else every later run
        # would hash the file again)
        memory: dict[str, Any] = {
            **entry, "images": {src: dict(image) if isinstance(image, dict) else image
                                for src, image in entry["images"].items()}}
        # language and tags too: a publish target chooses briefings by them (a memory from
        # a version that did not keep them is made again, from a read of the file)
        if not (_still_same(str(path), memory, MAX_BRIEFING_BYTES)
                and isinstance(memory["id"], str) and isinstance(memory["language"], str)
                and isinstance(memory["tags"], list)
                and isinstance(memory["title"], str)):  # the title too: the preview shows it
            return None
        for image in memory["images"].values():
            # strings, not Paths: thousands of briefings, each with its images
            file = os.path.normpath(os.path.join(root, image["file"]))
            if not file.startswith(inside) or not _still_same(file, image, MAX_IMAGE_BYTES,
                                                              looked):
                return None
    except (KeyError, TypeError, AttributeError):
        return None
    return memory


def _remember(path: Path, before: os.stat_result, item: BriefingFile,
              root: Path) -> dict[str, Any]:
    """What the manifest keeps about a briefing file just loaded (stat taken before reading,
    so a file changed while we read it is read again next time)."""
    images = {}
    for src, asset in sorted(item.assets.items()):
        found = os.stat(asset.path)
        try:
            file = str(asset.path.relative_to(root))
        except ValueError:
            file = str(asset.path)
        images[src] = {"file": file, "size": found.st_size, "mtime_ns": _stamp(found),
                       "sha256": asset.sha256, "media_type": asset.media_type}
    return {"id": item.id, "size": before.st_size, "mtime_ns": _stamp(before),
            "sha256": item.digest, "images": images, "language": item.briefing.language,
            "tags": list(item.briefing.tags), "title": item.briefing.title}


def decoded_images(entry: Any) -> frozenset[str]:
    """The SHA-256 of the images a manifest's memory of a briefing file names: each was
    decoded whole when that memory was made (nothing, for a memory of another shape)."""
    images = entry.get("images") if isinstance(entry, dict) else None
    if not isinstance(images, dict):
        return frozenset()
    return frozenset(image["sha256"] for image in images.values()
                     if isinstance(image, dict) and isinstance(image.get("sha256"), str)
                     and SHA256.fullmatch(image["sha256"]))


def read_job(source: Source, known: Mapping[str, Any]) -> ReadJob:
    """Reading a briefing file, but not decoding again the images the manifest remembers
    (``known``: its memory of the source files; an edit of one briefing reads every other
    for the feeds)."""
    memory = source.memory or known.get(source.name)
    return ReadJob(source.path, display_path(source.path), decoded_images(memory))


def read_source(path: Path, settings: Settings,
                decoded: frozenset[str] = frozenset()) -> tuple[BriefingFile, dict[str, Any] | None]:
    """Read and check a briefing file, with what the manifest should remember of it; the
    images of ``decoded`` digests are not decoded again (:func:`decoded_images`)."""
    root = settings.source_dir
    try:
        before: os.stat_result | None = os.stat(path)
    except OSError:
        before = None
    item = load(path, confinement(path, root), decoded)
    memory = _remember(path, before, item, root) if before is not None else None
    return item, memory

