"""The worker's side of a run: what a process keeps warm, and doing one job.

A :class:`Workshop` holds the export context and the exporters for as long as
the process lives, so WeasyPrint's fonts and compiled stylesheets are loaded
once per process, not once per briefing.  :func:`perform` is the function
every executor runs; it never writes the output folder, it returns bytes.

On a Dask cluster a worker may share nothing with the run but the installed
package: the run then sends the theme's files once (scattered to every
worker) and each job carries the checked bytes of its briefing's images; the
worker lays them out in its own temporary folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import time
import traceback
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefkit import registry
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.engine.cache import MAX_CACHED, NamingCache, ShippedCache, StateCache
from briefkit.engine.home import CACHE, THEMES, read_plain, state_folder
from briefkit.engine.jobs import CollectionJob, Job, Made, Outcome, Read, ReadJob, Refused
from briefkit.engine.keys import base_key
from briefkit.engine.layout import Layouts
from briefkit.engine.scratch import Scratch
from briefkit.engine.sources import digest, read_source
from briefkit.errors import BriefingError, BriefkitError
from briefkit.exporters.base import Cache, CollectionExporter, Exported, Exporter
from briefkit.reproducible import is_zip, normalise_zip
from briefkit.theme import Theme

#: How many extra files' digests a process remembers (see Workshop._leave_out).
MAX_DIGESTS = 256
#: Theme files sent to cluster workers: {(folder index, path inside it): bytes}.
ThemeFiles = Mapping[tuple[int, str], bytes]


@dataclass(frozen=True)
class Setup:
    """What every job of a run shares: settings, theme, and a key naming the pair."""

    settings: Settings
    theme: Theme
    key: str
    state: Path  # the project's state folder, for this process's temporary files
    portable: bool = False  # jobs carry their files: the worker may be on another machine


def setup_for(settings: Settings, theme: Theme, state: Path) -> Setup:
    """What the runs of a project share with these settings and this theme: its key names
    the pair (and where the project is), so they share one workshop per process."""
    # every setting an export reads, the tables only some formats read too
    key = digest(base_key(settings, theme), settings.fingerprint(settings.FORMAT_TABLES),
                 str(settings.root), *map(str, theme.folders))
    return Setup(settings, theme, key, state)


#: The folder index under which the exporters' cache travels with the theme's files.
CACHED = -1


def theme_files(theme: Theme, cache: Path | None = None,
                leave_out: Collection[str] = ()) -> dict[tuple[int, str], bytes]:
    """Every file of the theme's folders, for workers that do not have them, and what the
    exporters' cache holds (a worker need not make the web fonts again) but the entries
    named in ``leave_out``."""
    files = {}
    for index, folder in enumerate(theme.folders):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
            files[(index, path.relative_to(folder).as_posix())] = path.read_bytes()
    if cache is not None and cache.is_dir() and not cache.is_symlink():
        names = sorted(p.name for p in cache.iterdir() if p.name not in leave_out)
        files.update(((CACHED, name), data) for name, data in cached(cache, names).items())
    return files


def cached(cache: Path, entries: Collection[str]) -> dict[str, bytes]:
    """The ``entries`` of the exporters' cache folder that are there, by name: for a
    worker that cannot read it (each checked where it is used)."""
    found: dict[str, bytes] = {}
    for name in entries:
        kept = read_plain(cache / name, MAX_CACHED)  # never through a link
        if kept is not None:
            found[name] = kept
    return found


class Workshop:
    """What a process keeps for the runs of one project: context, exporters, temp folder."""

    def __init__(self, setup: Setup, theme: Theme | None = None,
                 cache: Cache | None = None) -> None:
        from briefkit.exporters.base import Context

        self.setup = setup
        self.scratch = Scratch(setup.state if not setup.portable else _worker_state())
        self.scratch.open()
        if cache is None:
            cache = NamingCache() if setup.portable else StateCache(setup.state / CACHE)
        # the faces' coverage tables (the glyph check, the cover's faces) kept there too
        self.context = Context(setup.settings, replace(theme or setup.theme, keep=cache.get),
                               cache=cache)
        self.exporters: dict[str, Exporter] = {}
        self.layouts = Layouts()
        self.digests: dict[int, tuple[bytes, str]] = {}  # see _leave_out
        self.jobs = 0

    def exporter(self, name: str) -> Exporter:
        if name not in self.exporters:
            self.exporters[name] = registry.get(name)
        return self.exporters[name]

    def prepare(self, formats: tuple[str, ...]) -> None:
        """Load what every export of the run shares (fonts, stylesheets) before the first."""
        for name in formats:
            # what goes wrong here, the first export reports, with its file
            with contextlib.suppress(Exception):
                self.exporter(name).prepare(self.context)

    def close(self) -> None:
        """Let go of what was kept (exporters' caches, the temporary folder)."""
        for exporter in self.exporters.values():
            exporter.close()
        self.exporters.clear()
        self.layouts.clear()
        self.digests.clear()
        self.scratch.close()

    def perform(self, job: Job, images: Mapping[str, bytes] | None = None,
                held: Mapping[str, str] | None = None,
                entries: Mapping[str, bytes] | None = None) -> Outcome:
        if isinstance(job, ReadJob):
            try:
                item, memory = read_source(job.path, self.setup.settings, job.decoded)
            except BriefingError as error:
                return Refused(error.message, tuple(error.problems))
            return Read(item, memory)
        if job.format not in self.exporters:
            # what the process loads once for a format (its library, the theme's fonts)
            # is loaded first, out of the time this output records: the time earlier
            # outputs took is what the next run judges its work by
            self.prepare((job.format,))
        started = time.perf_counter()
        cache = self.context.cache
        made_before = 0.0  # the seconds the cache had counted making entries
        if isinstance(cache, NamingCache):
            cache.used.clear()
            made_before = cache.making
        if isinstance(cache, ShippedCache):
            cache.own = entries or {}  # what was sent with this job alone
        try:
            exporter = self.exporter(job.format)
            context = replace(self.context, outputs=job.outputs) if job.outputs else self.context
            if isinstance(job, CollectionJob):
                assert isinstance(exporter, CollectionExporter)
                result = exporter.export_collection(job.items, context)
                moment = max((i.briefing.modified for i in job.items), default=None)
            else:
                assert job.item is not None
                item = job.item
                if images is not None:
                    item, context = self._lay_out(item, images, context)
                result = exporter.export(item, context)
                moment = item.briefing.modified
            data, files = ((result.data, dict(result.files)) if isinstance(result, Exported)
                           else (result, {}))
            warnings = tuple(result.warnings) if isinstance(result, Exported) else ()
            if not isinstance(data, bytes) or not all(isinstance(v, bytes)
                                                      for v in files.values()):
                raise TypeError(f"exporter '{job.format}' returned {type(data).__name__}, "
                                "not bytes")
            if is_zip(data):
                data = normalise_zip(data, moment)
            used: tuple[str, ...] = ()
            making = 0.0
            if isinstance(cache, NamingCache):
                used, making = tuple(sorted(cache.used)), cache.making - made_before
            return Made(data, exporter.media_type, files, time.perf_counter() - started,
                        making, used, warnings,
                        self._leave_out(files, held) if held else {})
        except BriefkitError as error:
            return Refused(error.message)
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                # the exporter's own temporary files (WeasyPrint's fonts): the disk is full
                return Refused(f"{job.name}: cannot write temporary files ({error.strerror}); "
                               "earlier outputs are unchanged", disk_full=True)
            return _bug(error)
        except Exception as error:  # noqa: BLE001 (a bug in an exporter: report it, go on)
            return _bug(error)
        finally:
            self.jobs += 1

    def _leave_out(self, files: dict[str, bytes], held: Mapping[str, str]) -> dict[str, str]:
        """Take out of ``files`` those the run holds already, the same bytes: their
        digests.  An exporter hands back the same bytes object for a file many outputs
        link (a web font, from the cache): it is hashed once per process."""
        left: dict[str, str] = {}
        for name in held.keys() & files.keys():
            data = files[name]
            known = self.digests.get(id(data))
            if known is None or known[0] is not data:
                if len(self.digests) >= MAX_DIGESTS:
                    self.digests.clear()
                known = self.digests[id(data)] = (data, hashlib.sha256(data).hexdigest())
            if known[1] == held[name]:
                del files[name]
                left[name] = known[1]
        return left

    def _lay_out(self, item: BriefingFile, images: Mapping[str, bytes],
                 context: Any) -> tuple[BriefingFile, Any]:
        """Put a briefing's images in this worker's temporary folder, where the
        exporters will look for them (a cluster worker may not see source/); kept
        there for the briefing's other formats."""
        moved, here = self.layouts.lay_out(self.scratch.open(), item, images,
                                           self.setup.settings)
        return moved, replace(context, settings=here)


def _bug(error: Exception) -> Refused:
    return Refused(f"internal error: {type(error).__name__}: {error}", bug=traceback.format_exc())


_worker_home: Path | None = None


def _worker_state() -> Path:
    """Where a cluster worker keeps its temporary folders: a folder of its own in its
    temporary folder (as it was before this process's scratch folder took ``tempfile``
    over), made with a random name, exclusively: never one someone else put there."""
    global _worker_home  # noqa: PLW0603 (one per worker process, made on first use)
    if _worker_home is None:
        import tempfile

        _worker_home = Path(tempfile.mkdtemp(prefix=f"briefkit-{os.getpid()}-"))
    return _worker_home


# --- one workshop per process and project ------------------------------------------------

_workshops: dict[str, Workshop] = {}
_at_exit = False


def workshop(setup: Setup, files: ThemeFiles | None = None) -> Workshop:
    """This process's workshop for ``setup``, made on first use."""
    found = _workshops.get(setup.key)
    if found is None:
        global _at_exit  # noqa: PLW0603 (the clean-up registered once per process)
        if not _at_exit:
            import atexit

            atexit.register(forget)  # a process kept warm lets go of everything at exit
            _at_exit = True
        theme, cache = None, None
        if files is not None:
            theme = _unpack_theme(setup, files)
            cache = ShippedCache({name: data for (index, name), data in files.items()
                                  if index == CACHED})
        found = _workshops[setup.key] = Workshop(setup, theme, cache)
    return found


def _unpack_theme(setup: Setup, files: ThemeFiles) -> Theme:
    """The theme laid out in this worker's own folder (it may not see the project's)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="theme-", dir=_scratch_root(setup)))
    folders = []
    for index in range(len(setup.theme.folders)):
        (folder / str(index)).mkdir()
        folders.append(folder / str(index))
    for (index, relative), data in files.items():
        if index == CACHED:
            continue
        target = folder / str(index) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return replace(setup.theme, folders=tuple(folders))


def _scratch_root(setup: Setup) -> Path:
    return state_folder(setup.state if not setup.portable else _worker_state(), THEMES)


def perform(job: Job, setup: Setup, files: ThemeFiles | None = None,
            images: Mapping[str, bytes] | None = None,
            held: Mapping[str, str] | None = None,
            entries: Mapping[str, bytes] | None = None) -> Outcome:
    """Do one job in this process (the function every executor runs); the extra files
    named in ``held`` (name -> SHA-256), the run has already: only their digests come
    back.  A cluster's job brings its ``images`` and the cache ``entries`` that only its
    output uses."""
    return workshop(setup, files).perform(job, images, held, entries)


def forget_others(key: str) -> int:
    """Close every workshop of this process but the one of ``key``: a process that goes
    on exporting one project (the live preview) lets go of those of its earlier settings
    and themes, their caches and temporary folders."""
    others = [other for other in _workshops if other != key]
    for other in others:
        _workshops.pop(other).close()
    return len(others)


def forget() -> int:
    """Close every workshop of this process: caches dropped, temporary folders removed."""
    import shutil

    global _worker_home  # noqa: PLW0603 (one per worker process, made on first use)
    count = len(_workshops)
    for shop in _workshops.values():
        shop.close()
    if _worker_home is not None:
        shutil.rmtree(_worker_home, ignore_errors=True)  # never follows a link
        _worker_home = None
    _workshops.clear()
    return count

