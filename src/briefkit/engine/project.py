"""Opening a project: its settings, its theme and its output folder, each checked.

``briefkit export`` and ``briefkit serve`` open a project the same way, with the same
refusals and in the same order: settings that do not validate, a theme that does not
load, an output folder whose cleaning could touch the project's own files.  Each is
a :class:`~briefkit.errors.BriefkitError` whose lines the command prints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefkit.config import Settings, load_settings
from briefkit.errors import ConfigError, OutputError
from briefkit.files import display_path
from briefkit.theme import Theme, load_theme

__all__ = ["Project", "check_output_folder", "check_source_folder", "display_path",
           "open_project", "output_folder"]


@dataclass(frozen=True)
class Project:
    """A project ready to export: its settings, its theme and the folder it writes."""

    settings: Settings
    theme: Theme
    output: Path  # absolute; allowed by the output folder's rule

    @property
    def root(self) -> Path:
        """The project folder (where ``briefkit.toml`` is)."""
        return self.settings.root

    @property
    def source(self) -> Path:
        """The folder of the briefing files."""
        return self.settings.source_dir

    def here(self) -> Project:
        """The same project, exported in this process whatever cluster its settings name
        (where outputs are made is no part of what they are made from)."""
        engine = self.settings.engine.model_copy(update={"scheduler": None})
        return replace(self, settings=self.settings.model_copy(update={"engine": engine}))


def open_project(root: Path, overrides: Mapping[str, Any] | None = None,
                 out: Path | None = None) -> Project:
    """Read the settings in ``root`` (with ``overrides`` from the command line), load their
    theme and choose the output folder (``out``, else the settings'), refusing what
    ``briefkit export`` refuses, in its order."""
    settings = load_settings(root, dict(overrides or {}))
    theme = load_theme(settings.theme, settings.root)
    return Project(settings, theme, output_folder(settings, out))


def output_folder(settings: Settings, out: Path | None = None) -> Path:
    """The folder a run writes (``out``, else the settings' ``output``), once
    :func:`check_output_folder` allows it: the one rule for export and the preview."""
    folder = Path(os.path.abspath(out or settings.output_dir))
    check_output_folder(settings, folder)
    return folder


def check_output_folder(settings: Settings, folder: Path) -> None:
    """Refuse an output folder whose cleaning could touch the project's own files."""
    target = folder.resolve()
    root = settings.root.resolve()
    guarded = {"the project folder": root, "source/": settings.source_dir,
               "themes/": root / "themes", "the run state": root / ".briefkit"}
    for what, given in guarded.items():
        path = given.resolve()
        if target == path or path.is_relative_to(target) or (
                what != "the project folder" and target.is_relative_to(path)):
            raise OutputError(f"{display_path(folder)}: cannot be the output folder: it holds, "
                              f"or is inside, {what} (briefkit replaces and removes files in "
                              "its output folder)")


def check_source_folder(settings: Settings) -> None:
    """Refuse a run whose source folder is missing (a typo in the settings): it would
    find no briefing, and remove every output as no longer in source/."""
    source = settings.source_dir
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "no such folder"
        raise ConfigError(f"{display_path(source)}: {what} (source = {settings.source!r} in the "
                          "settings); nothing was exported or removed: correct the setting, "
                          "or make the folder")
