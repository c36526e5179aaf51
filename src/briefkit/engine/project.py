"""Opening a project: its settings, its theme and its output folder, each checked.

``briefkit export`` and ``briefkit serve`` open a project the same way, with the same
refusals and in the same order: settings that do not validate, a theme that does not
load, an output folder whose cleaning could touch the project's own files.  Each is
a :class:`~briefkit.errors.BriefkitError` whose lines the command prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefkit.config import Settings, load_settings
from briefkit.engine.run import output_folder
from briefkit.files import display_path
from briefkit.theme import Theme, load_theme

__all__ = ["Project", "display_path", "open_project"]


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
