"""Watching the project: source/, themes/ and the settings file.

watchfiles (inotify) reports the folders; each batch of changes it hands over
(it waits for a short quiet moment, so one save is one batch) becomes one
:class:`~briefkit.serve.rebuild.Change`.  The settings file is compared by its
size, time and inode at every tick instead: editors often save a file by
replacing it, which a watch on the file itself would lose.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from briefkit.serve.rebuild import Change

#: How often the settings file is looked at and the watch checks for the stop (ms).
TICK_MS = 250
SETTINGS_FILES = ("briefkit.toml", "pyproject.toml")


def _hidden(path: Path, folder: Path) -> bool:
    """Editors' temporary files (``.x.json.swp``, ``.#x``) and hidden folders."""
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        return True
    return any(part.startswith(".") for part in parts)


class Watcher:
    """A thread that turns file changes into :class:`Change` objects for ``handle``."""

    def __init__(self, root: Path, source: Path, output: Path,
                 handle: Callable[[Change], None],
                 say: Callable[[str], None] = print) -> None:
        self.root, self.source, self.output = root, source, output
        self.say = say
        self.themes = root / "themes"
        self.handle = handle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="briefkit-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def ask_to_stop(self) -> None:
        """Stop at the next tick; returns at once (a signal handler asks)."""
        self._stop.set()

    def stop(self, seconds: float) -> None:
        """Stop, waiting for the thread at most ``seconds``."""
        self.ask_to_stop()
        if self._thread.is_alive():
            self._thread.join(timeout=seconds)

    def _settings(self) -> tuple[tuple[int, int, int] | None, ...]:
        found: list[tuple[int, int, int] | None] = []
        for name in SETTINGS_FILES:
            try:
                stat = os.stat(self.root / name)
                found.append((stat.st_ino, stat.st_size, stat.st_mtime_ns))
            except OSError:
                found.append(None)
        return tuple(found)

    def _folders(self) -> list[Path]:
        return [p for p in (self.source, self.themes) if p.is_dir()]

    def classify(self, changes: set[tuple[Any, str]]) -> Change | None:
        """What a batch of changed paths means for the export, or None when nothing."""
        from watchfiles import Change as Kind

        paths: set[Path] = set()
        everything = False
        for kind, name in changes:
            path = Path(name)
            if path.is_relative_to(self.output):
                continue  # our own outputs, should dist/ be inside a watched folder
            if path.is_relative_to(self.themes):
                everything = everything or not _hidden(path, self.themes)
            elif path.is_relative_to(self.source) and not _hidden(path, self.source):
                probe = (Kind.added, name) in changes and not path.exists()
                if path.suffix == ".json" and path.is_file():
                    paths.add(path)  # written, added, or removed and written again
                elif probe or (kind != Kind.deleted and path.is_dir()):
                    continue  # made and removed at once (vim's "4913"), or a new folder
                else:
                    # a briefing removed (its outputs go) or an image (which briefings
                    # show it is the engine's to know): the engine sorts out the rest
                    everything = True
        if not paths and not everything:
            return None
        return Change(frozenset(paths), everything)

    def _loop(self) -> None:
        settings = self._settings()
        polling = False
        while not self._stop.is_set():
            try:
                settings = self._watch(settings, polling)
            except (OSError, RuntimeError) as error:
                if polling:
                    raise
                # e.g. the system's limit of inotify watches is reached: look instead
                self.say(f"watching {self.source} by polling ({error})")
                polling = True

    def _watch(self, settings: tuple[tuple[int, int, int] | None, ...],
               polling: bool) -> tuple[tuple[int, int, int] | None, ...]:
        """Hand changes over until the watched folders change; returns the settings' stamp."""
        from watchfiles import DefaultFilter, watch

        folders = self._folders()
        if not folders:
            self._stop.wait(TICK_MS / 1000)
            batches: Iterable[set[tuple[Any, str]]] = [set()]
        else:
            batches = watch(*folders, watch_filter=DefaultFilter(), stop_event=self._stop,
                            rust_timeout=TICK_MS, yield_on_timeout=True,
                            raise_interrupt=False, step=50, force_polling=polling)
        for batch in batches:
            change = self.classify(batch)
            now = self._settings()
            if now != settings:
                settings = now
                change = Change(everything=True) | (change or Change())
            moved = self._folders() != folders
            if moved:  # themes/ (or source/) appeared or went: watch again
                change = Change(everything=True) | (change or Change())
            if change is not None:
                self.handle(change)
            if moved or self._stop.is_set():
                break
        return settings
