"""The last good version of each briefing, kept in the state folder.

An edit that breaks a briefing (a typo in its JSON, a field left out, a damaged
image) leaves its own outputs as they were, and its place in the collections: the
feeds, the sitemap and the front page (with the feeds and pages of its topics and
language, which they write) list its last good version until it is fixed, so that a
feed reader never sees the entry vanish and come back as new, and a partner
mirroring the feed never deletes it.  A briefing removed from source/ still
leaves them.

For that, each output folder keeps in ``.briefkit/last-good/<output folder>/``
the bytes of every valid briefing file and of its images, one file per digest,
as the manifest remembers them.  The files are sealed as the cache's entries
are (:mod:`briefkit.engine.seals`): one is used only whole, under its own name,
holding bytes of that digest.  A broken briefing's version is laid out again
in the run's temporary folder and read by the loader, through every check a
briefing file goes through; one that does not pass is left out, and said so.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from briefkit.briefing_file import BriefingFile
from briefkit.engine.home import LAST_GOOD, read_plain, refuse_link, state_folder
from briefkit.engine.output import atomic_write, cannot_write, safe_name
from briefkit.engine.seals import SHA256, seal, unseal
from briefkit.engine.sources import Source
from briefkit.errors import BriefingError
from briefkit.files import display_path, read_regular
from briefkit.images import MAX_IMAGE_BYTES
from briefkit.load import MAX_BRIEFING_BYTES, load

#: Why a broken briefing's last good version cannot stand in the collections.
MISSING = "its last good version is not in the state folder"
DAMAGED = "its last good version in the state folder is damaged"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def left_out(shown: str, why: str) -> str:
    """The warning for a broken briefing the collections cannot list."""
    return f"{shown}: left out of the feeds until it is fixed: {why}"


def _key(digest: str) -> str:
    return f"last good {digest}"


def _of_digest(digest: str) -> Callable[[bytes], bool]:
    """Whether bytes are those of ``digest``: what a kept file must hold."""
    return lambda data: hashlib.sha256(data).hexdigest() == digest


def parts(name: str, memory: Any) -> list[tuple[str, str, int]] | None:
    """What a briefing's last good version is made of, as the manifest remembers it:
    (path inside source/, digest, largest size) of the file, then of each image; None
    when the memory is not one the run wrote (the manifest is input like any other)."""
    try:
        found = [(name, memory["sha256"], MAX_BRIEFING_BYTES)]
        found += [(image["file"], image["sha256"], MAX_IMAGE_BYTES)
                  for _, image in sorted(memory["images"].items())]
    except (KeyError, TypeError, AttributeError):
        return None
    if all(safe_name(path) is not None and isinstance(digest, str) and SHA256.fullmatch(digest)
           for path, digest, _ in found):
        return found
    return None


class LastGood:
    """The last good versions kept for one output folder."""

    def __init__(self, home: Path, manifest: Path) -> None:
        self.home = home
        self.folder = home / LAST_GOOD / manifest.stem
        self._names: set[str] | None = None

    def _check(self) -> None:
        """Refuse a link in place of the folders (one line), before any use."""
        refuse_link(self.home)
        refuse_link(self.home / LAST_GOOD)
        refuse_link(self.folder)

    def names(self) -> set[str]:
        """The digests kept (plain files only: a link there is no kept version)."""
        if self._names is None:
            self._check()
            self._names = set()
            try:
                fd = os.open(self.folder, _DIRECTORY)
            except OSError:
                return self._names
            try:
                with os.scandir(fd) as listing:
                    self._names = {e.name for e in listing if SHA256.fullmatch(e.name)
                                   and e.is_file(follow_symlinks=False)}
            finally:
                os.close(fd)
        return self._names

    def holds(self, name: str, memory: Any) -> bool:
        """Whether every file of the briefing's version ``memory`` is kept."""
        found = parts(name, memory)
        return found is not None and {d for _, d, _ in found} <= self.names()

    def keep(self, name: str, memory: Any, root: Path) -> None:
        """Keep the briefing file ``name`` of the source folder ``root`` and its images,
        as ``memory`` remembers them; a file changed since it was read is kept by a
        later run, once read again."""
        found = parts(name, memory)
        if found is None:
            return
        names = self.names()
        for path, digest, limit in found:
            if digest in names:
                continue
            try:
                data = read_regular(root / path, limit, path)  # bounded; no FIFO waited on
            except (BriefingError, OSError):
                return
            if hashlib.sha256(data).hexdigest() != digest:
                return
            self._check()
            state_folder(self.home, LAST_GOOD)
            state_folder(self.home / LAST_GOOD, self.folder.name)
            try:
                atomic_write(self.folder / digest, seal(_key(digest), data))
            except OSError as error:
                raise cannot_write(self.folder / digest, error) from None
            names.add(digest)

    def take(self, name: str, memory: Any, into: Path) -> BriefingFile | None:
        """The briefing's last good version, laid out in the empty folder ``into`` and
        read by the loader; None when a file of it is missing, damaged or foreign (it
        is removed, to be kept again once the briefing is valid)."""
        found = parts(name, memory)
        if found is None:
            return None
        self._check()
        for path, digest, limit in found:
            kept = read_plain(self.folder / digest, limit + 4096)  # never through a link
            data = None if kept is None else unseal(kept, _key(digest), _of_digest(digest))
            if data is None:
                self._forget([digest])
                return None
            target = into / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            item = load(into / name, into)
        except BriefingError:
            return None
        return item if item.digest == memory["sha256"] and item.id == memory.get("id") else None

    def stand_in(self, sources: Iterable[Source], members: list[Source],
                 in_source: set[Path]) -> tuple[list[Source], list[str], list[str]]:
        """Let each broken briefing of source/ whose last good version is kept stand in
        the collections (``members``, every valid briefing), in its place, until it is
        fixed; not one whose id another file has taken: that one is listed.  The members
        then, in the order of source/ (the collections' order holds), the broken ones kept
        and warnings for those left out, as shown."""
        every = list(sources)
        taken = {s.id for s in members}
        kept, warnings = [], []
        for source in every:
            if (source.error is None or source.memory is None or source.path not in in_source
                    or source.id in taken):
                continue
            if self.holds(source.name, source.memory):
                source.kept = True
                taken.add(source.id)
                kept.append(display_path(source.path))
            else:
                warnings.append(left_out(display_path(source.path), MISSING))
        members = [s for s in every if s.path in in_source and (s.valid or s.kept)]
        return members, kept, warnings

    def lay_out(self, sources: Iterable[Source], folder: Path) -> list[str]:
        """Read back the last good version of each of ``sources`` (broken briefings
        standing in the collections), laid out in ``folder``; those that cannot be
        (missing, damaged or foreign there) are left out of the collections, and
        returned, as shown."""
        left = []
        for number, source in enumerate(sources):
            source.item = self.take(source.name, source.memory, folder / str(number))
            if source.item is None:
                source.kept = False
                left.append(display_path(source.path))
        return left

    def prune(self, memories: Iterable[tuple[str, Any]]) -> None:
        """Remove the kept files no remembered briefing (``(name, memory)`` pairs) needs."""
        used = {d for name, memory in memories for _, d, _ in parts(name, memory) or ()}
        self._forget(sorted(self.names() - used))

    def _forget(self, digests: list[str]) -> None:
        if not digests:
            return
        self._check()
        try:
            fd = os.open(self.folder, _DIRECTORY)
        except OSError:
            return
        try:
            for digest in digests:
                with contextlib.suppress(OSError):
                    os.unlink(digest, dir_fd=fd)  # the name itself, never a link's target
                if self._names is not None:
                    self._names.discard(digest)
        finally:
            os.close(fd)
