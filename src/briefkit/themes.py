"""Themes: the design every format shares.

A theme is a folder: ``themes/<name>/`` in the project first, then the theme of
that name packaged with briefkit, then the packaged ``default`` theme.  A file
(template, stylesheet, font) is looked up in that order, so a project theme
only holds what it changes.  ``theme.toml`` holds the design decisions that
CSS and Word styles both derive from.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefkit.errors import ThemeError, UnsafeReferenceError

PACKAGED = Path(__file__).parent / "themes"
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FontFile(_Table):
    """One font file carried by the theme (OFL-licensed), for @font-face."""

    family: str
    path: str
    weight: int = 400
    style: Literal["normal", "italic"] = "normal"


class Fonts(_Table):
    body: str = "Charis SIL"
    headings: str = "Inter"
    #: families for scripts the first two lack (Arabic, Hebrew ...), in order
    fallback: list[str] = ["Amiri", "Noto Sans Hebrew"]
    size: float = 10.5  # body size in points, printed
    files: list[FontFile] = []


class Colours(_Table):
    text: Colour = "#1d1d1f"
    accent: Colour = "#b0171f"
    muted: Colour = "#5f6368"
    rule: Colour = "#d8d8d8"
    shade: Colour = "#f3f1ec"  # factbox background


class Page(_Table):
    size: Literal["A4", "Letter"] = "A4"
    #: top, right, bottom, left, as in CSS
    margins: str = "22mm 20mm 24mm 20mm"


class Brand(_Table):
    masthead: str = ""  # empty: the project's publisher
    logo: str | None = None  # a file in the theme folder
    footer: str = ""


class ThemeSettings(_Table):
    name: str = ""
    description: str = ""
    fonts: Fonts = Fonts()
    colours: Colours = Colours()
    page: Page = Page()
    brand: Brand = Brand()


@dataclass(frozen=True)
class Theme:
    """A theme as found: its settings and the folders files are looked up in."""

    name: str
    folders: tuple[Path, ...]
    settings: ThemeSettings = field(default_factory=ThemeSettings)

    def find(self, relative: str) -> Path | None:
        """The theme file ``relative`` (e.g. 'style.css'), confined to the theme folders."""
        for folder in self.folders:
            candidate = (folder / relative).resolve()
            if not candidate.is_relative_to(folder.resolve()):
                raise UnsafeReferenceError(
                    f"theme '{self.name}': {relative!r} points outside the theme folder"
                )
            if candidate.is_file():
                return candidate
        return None

    def read_text(self, relative: str) -> str:
        path = self.find(relative)
        if path is None:
            raise ThemeError(f"theme '{self.name}' has no {relative}")
        return path.read_text("utf-8")

    def contains(self, path: Path) -> bool:
        """Whether ``path`` lies inside one of the theme folders."""
        resolved = path.resolve()
        return any(resolved.is_relative_to(f.resolve()) for f in self.folders)

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every file of the theme (for incremental builds)."""
        import hashlib

        digest = hashlib.sha256()
        for folder in self.folders:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


def installed(project: Path | None = None) -> list[str]:
    """Names of every theme a project can use."""
    names = {p.name for p in PACKAGED.iterdir() if (p / "theme.toml").is_file()}
    if project is not None and (project / "themes").is_dir():
        names |= {p.name for p in (project / "themes").iterdir() if (p / "theme.toml").is_file()}
    return sorted(names)


def load_theme(name: str, project: Path | None = None) -> Theme:
    """Find theme ``name``: the project's ``themes/`` first, the packaged themes last."""
    candidates = []
    if project is not None:
        candidates.append(project / "themes" / name)
    candidates += [PACKAGED / name, PACKAGED / "default"]
    folders: list[Path] = []
    for folder in candidates:
        if folder.is_dir() and folder.resolve() not in [f.resolve() for f in folders]:
            folders.append(folder)
    if not folders or not (folders[0] / "theme.toml").is_file() or (
        folders[0].name != name
    ):
        raise ThemeError(
            f"theme '{name}' not found; installed themes: {', '.join(installed(project))}"
        )
    toml = folders[0] / "theme.toml"
    try:
        settings = ThemeSettings.model_validate(tomllib.loads(toml.read_text("utf-8")))
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(f"{toml}: {error}") from None
    except ValidationError as error:
        lines = [
            f"{toml}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        ]
        raise ThemeError("\n".join(lines)) from None
    return Theme(name, tuple(folders), settings)
