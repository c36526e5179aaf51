"""One project exported again and again by this process: the live preview's engine.

Every export runs here, one job at a time, whatever cluster the settings name, and
keeps this process's workshop for the next: WeasyPrint imported, the theme's fonts
and stylesheets loaded, so an edit costs its own outputs, not briefkit's start-up.
When the settings or the theme change, the workshop of the earlier ones is closed
(its caches, its temporary folder and the descriptor that holds it) before the next
export makes one for the new ones.

What the preview shows of a briefing file, its id and its title, is what the
manifest remembers as the last export left it: a file that no longer loads keeps
the id and the title it last had, so its problems are still shown on its page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefkit import registry
from briefkit.engine.home import STATE
from briefkit.engine.jobs import BriefingJob, Read, ReadJob
from briefkit.engine.project import Project, open_project
from briefkit.engine.report import Progress, Report
from briefkit.engine.run import export
from briefkit.engine.sources import source_name
from briefkit.engine.work import forget_others, setup_for, workshop
from briefkit.errors import BriefkitError
from briefkit.files import display_path
from briefkit.load import discover
from briefkit.model import RESERVED_IDS, id_problem


@dataclass(frozen=True)
class SourceFile:
    """A briefing file of source/, as the last export left it."""

    path: Path
    shown: str  # as problems name it: source/x.json
    id: str  # the id it holds, or held when it last loaded; else its file name's stem
    title: str | None


def names_a_page(name: str) -> bool:
    """Whether ``name`` can be a briefing's id by the model's own rule, or is a reserved
    one (``index``, the front page's)."""
    return id_problem(name) is None or name in RESERVED_IDS


class WarmProject:
    """A project whose exports run in this process, kept warm from one to the next."""

    def __init__(self, project: Project) -> None:
        self.project = project.here()
        self._remembered: dict[str, Any] = {}  # the manifest's memory of source/
        self._files = self._survey()

    # --- the project ----------------------------------------------------------------

    def reopen(self) -> None:
        """Read the settings and the theme again, refusing what export refuses (then the
        last good ones stay); the workshop of earlier ones is let go."""
        project = open_project(self.project.root).here()
        settings, theme = project.settings, project.theme
        forget_others(setup_for(settings, theme, settings.root / STATE).key)
        self.project = project
        self._files = self._survey()

    def formats(self) -> list[str]:
        """The installed formats."""
        return registry.names()

    def outputs_of(self, briefing_id: str, formats: Iterable[str]) -> dict[str, str]:
        """The file each of ``formats`` makes for briefing ``briefing_id`` (those installed)."""
        installed = set(registry.names())
        found: dict[str, str] = {}
        for name in formats:
            if name in installed:
                with contextlib.suppress(BriefkitError):  # a broken plugin: the run says so
                    found[name] = registry.get(name).filename(briefing_id)
        return found

    def files(self) -> Mapping[Path, SourceFile]:
        """Every briefing file of source/ at the last export, with its id and title."""
        return self._files

    # --- exporting -----------------------------------------------------------------

    def export(self, formats: Sequence[str] | None = None, paths: Sequence[Path] | None = None,
               first: Sequence[str] = (), progress: Progress | None = None) -> Report:
        """Export ``paths`` (default: all of source/) to ``formats`` (default: every one),
        those of ``first`` before the others; what is up to date is kept."""
        project = self.project
        report = export(project.settings, project.theme, formats=formats, paths=paths,
                        out=project.output, progress=progress, jobs=1, keep_warm=True,
                        first=first)
        self._remembered = report.sources
        self._files = self._survey()
        return report

    def warm_up(self, made: Collection[str], first: Sequence[str],
                waiting: Callable[[], bool]) -> None:
        """Export one briefing to every format of a briefing the last export did not make
        (dist/ was up to date), writing nothing, those of ``first`` first: each
        exporter's libraries, fonts and stylesheets are then loaded before the first
        edit, which pays only for its own outputs.  Stops as soon as ``waiting()``."""
        cold = []
        for name in dict.fromkeys([*first, *registry.names()]):
            with contextlib.suppress(BriefkitError):  # a broken plugin: the run says so
                if name not in made and not registry.get(name).collection:
                    cold.append(name)
        settings = self.project.settings
        # what goes wrong here, the exports report, with its file
        with contextlib.suppress(BriefkitError, OSError):
            shop = workshop(setup_for(settings, self.project.theme, settings.root / STATE))
            shop.prepare(tuple(cold))
            for path in discover(settings.source_dir) if cold else []:
                read = shop.perform(ReadJob(path, display_path(path)))
                if not isinstance(read, Read):
                    continue
                for name in cold:
                    if waiting():
                        return  # an edit waits: it warms up what it needs itself
                    output = shop.exporter(name).filename(read.item.id)
                    shop.perform(BriefingJob(name, output, "", path, item=read.item))
                return

    # --- what source/ holds ----------------------------------------------------------

    def _survey(self) -> dict[Path, SourceFile]:
        source = self.project.source
        found = {}
        for path in discover(source):
            memory = self._remembered.get(source_name(path, source))
            known = memory if isinstance(memory, dict) else {}
            id_, title = known.get("id"), known.get("title")
            found[path] = SourceFile(path, display_path(path),
                                     id_ if isinstance(id_, str) else path.stem,
                                     title if isinstance(title, str) else None)
        return found
