"""Themes: the design every format shares.

A theme is a folder: ``themes/<name>/`` in the project first, then the theme of
that name packaged with briefkit.  It extends another theme (``extends`` in its
theme.toml; by default the packaged theme of its name, else ``default``), and so
on up to the packaged ``default``.  A file (template, stylesheet, font) is looked
up along that chain, and theme.toml values merge along it (the child wins key by
key, tables merge), so a project theme only holds what it changes.  theme.toml
holds the design decisions that CSS and Word styles both derive from; every
value, font and logo is checked here, once (see :mod:`briefkit.theme.settings`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefkit import tomlfiles
from briefkit.errors import Problem, ThemeError, UnsafeReferenceError
from briefkit.files import display_path
from briefkit.images import MAX_IMAGE_BYTES, check_image
from briefkit.theme.coverage import Keep
from briefkit.theme.fonts import (
    MAX_THEME_FILE,
    characters_of,
    describe,
    font_fault,
    needs_a_glyph,
    read_theme_file,
    stamp,
)
from briefkit.theme.settings import (
    ThemeSettings,
    merge,
    problems,
    theme_name,
)
from briefkit.tomlfiles import Key, key_lines, locate

PACKAGED = Path(__file__).parent / "packaged"


@dataclass(frozen=True)
class Theme:
    """A theme as found: its settings and the folders files are looked up in."""

    name: str
    folders: tuple[Path, ...]
    settings: ThemeSettings = field(default_factory=ThemeSettings)
    #: Where the faces' coverage tables are kept between processes (the exporters' cache,
    #: given by the engine to what it exports with); None: read again in each process.
    keep: Keep | None = field(default=None, compare=False, repr=False)
    #: What :meth:`find`, :meth:`drawn_by` and :meth:`family_draws` found, for this
    #: theme's life (a changed theme is loaded again): every export asks, often
    _found: dict[str, Path | None] = field(default_factory=dict, init=False, repr=False,
                                           compare=False)
    _drawn: dict[Path | str, frozenset[int]] = field(default_factory=dict, init=False,
                                                     repr=False, compare=False)
    _derived: dict[str, str] = field(default_factory=dict, init=False, repr=False,
                                     compare=False)

    def find(self, relative: str) -> Path | None:
        """The theme file ``relative`` (e.g. 'style.css'), confined to the theme folders."""
        if relative in self._found:  # every export looks its fonts up, often
            return self._found[relative]
        found = None
        for folder in self.folders:
            candidate = (folder / relative).resolve()
            if not candidate.is_relative_to(folder.resolve()):
                raise UnsafeReferenceError(
                    f"theme '{self.name}': {relative!r} points outside the theme folder"
                )
            if candidate.is_file():
                found = candidate
                break
        self._found[relative] = found
        return found

    def derived(self, name: str, make: Callable[[], str]) -> str:
        """What ``make`` writes from this theme alone (a web page's stylesheet: its
        files read, its night colours worked out), made once for the theme's life."""
        found = self._derived.get(name)
        if found is None:
            found = self._derived[name] = make()
        return found

    def read_text(self, relative: str) -> str:
        path = self.find(relative)
        if path is None:
            raise ThemeError(f"theme '{self.name}' has no {relative}")
        return read_theme_file(path, MAX_THEME_FILE).decode("utf-8", errors="replace")

    @cached_property
    def characters(self) -> frozenset[int]:
        """Every code point a face of the theme draws (text falls back through all of
        them: :meth:`~briefkit.theme.settings.Fonts.stack`)."""
        fonts = self.settings.fonts
        found: set[int] = set()
        for face in fonts.files:
            path = self.find(face.path) if face.family in fonts.families else None
            if path is not None:
                found |= self.drawn_by(path)
        return frozenset(found)

    def drawn_by(self, path: Path) -> frozenset[int]:
        """The code points the theme's font file at ``path`` draws."""
        found = self._drawn.get(path)
        if found is None:
            found = self._drawn[path] = characters_of(path, self.keep)
        return found

    def family_draws(self, family: str) -> frozenset[int]:
        """The code points the faces of ``family`` draw between them."""
        found = self._drawn.get(family)
        if found is None:
            paths = (self.find(f.path) for f in self.settings.fonts.files if f.family == family)
            found = self._drawn[family] = frozenset().union(
                *(self.drawn_by(p) for p in paths if p is not None))
        return found

    def families_for(self, text: str) -> list[str]:
        """The families ``text`` is set in: the body's and the headings', then each
        fallback family holding a character of it that the families before it lack.
        What embeds or publishes the theme's faces (Word, the e-book, a web page) takes
        these families' only."""
        fonts = self.settings.fonts
        chosen = list(dict.fromkeys((fonts.body, fonts.headings)))
        # not a joiner or a variation selector: a shaper takes those from any face
        wanted = {ord(ch) for ch in set(text) if needs_a_glyph(ch)}
        wanted -= set().union(*(self.family_draws(family) for family in chosen))
        for family in fonts.fallback:
            if family not in chosen and wanted & (own := self.family_draws(family)):
                chosen.append(family)
                wanted -= own
        return chosen

    def undrawable(self, text: str) -> list[str]:
        """The characters of ``text`` that no face of the theme draws, in order of first
        appearance.  Layout would take them from whatever fonts the machine has, so the
        same briefing would give different bytes, or empty boxes, elsewhere."""
        drawn = self.characters
        return [ch for ch in dict.fromkeys(text) if ord(ch) not in drawn and needs_a_glyph(ch)]

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every file of the theme (for incremental builds)."""
        digest = hashlib.sha256()
        for folder in self.folders:
            inside = folder.resolve()
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                if not path.resolve().is_relative_to(inside):
                    continue  # never read: find() refuses it
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(read_theme_file(path, MAX_THEME_FILE))
        return digest.hexdigest()


def installed(project: Path | None = None) -> list[str]:
    """Names of every theme a project can use."""
    names = {p.name for p in PACKAGED.iterdir() if (p / "theme.toml").is_file()}
    if project is not None and (project / "themes").is_dir():
        names |= {p.name for p in (project / "themes").iterdir() if (p / "theme.toml").is_file()}
    return sorted(names)


# --- the chain of themes ------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    """One theme of a chain: its folder and its theme.toml as read."""

    folder: Path
    shown: str  # theme.toml, as shown to the user
    text: str
    values: dict[str, Any]


def _read_toml(folder: Path) -> _Link:
    toml = folder / "theme.toml"
    shown = display_path(toml)
    if not toml.resolve().is_relative_to(folder.resolve()):
        raise UnsafeReferenceError(f"{shown}: is a link to a file outside the theme folder")
    raw = read_theme_file(toml, 1024 * 1024)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ThemeError(f"{shown}: not UTF-8 (byte {error.start + 1})") from None
    return _Link(folder, shown, text, tomlfiles.read(text, shown, ThemeError))


def _folder(name: str, project: Path | None, below: Path | None) -> Path | None:
    """The folder of theme ``name``: the project's first, then the packaged one.  From a
    theme (``below``), its own folder is skipped: ``default`` extending ``default`` in a
    project means the packaged one."""
    candidates = [PACKAGED / name]
    if project is not None and (below is None or below.is_relative_to(project / "themes")):
        candidates.insert(0, project / "themes" / name)
    for folder in candidates:
        if folder.is_dir() and (folder / "theme.toml").is_file() and folder != below:
            return folder
    return None


def _chain(name: str, project: Path | None) -> list[_Link]:
    """The theme ``name`` and every theme it extends, itself first.

    A theme without ``extends`` extends the packaged theme of its name, if any, else
    ``default``; the packaged ``default`` extends nothing.
    """
    try:
        folder = _folder(theme_name(name), project, None)
    except ValueError:
        folder = None  # '../x' or 'a/b' names no theme: never a path
    if folder is None:
        raise ThemeError(
            f"theme '{name}' not found; installed themes: {', '.join(installed(project))}")
    chain = [_read_toml(folder)]
    while True:
        link = chain[-1]
        parent = link.values.get("extends")
        if link.folder == PACKAGED / "default" and parent is None:
            return chain
        if parent is None:
            same = PACKAGED / link.folder.name
            parent = link.folder.name if link.folder != same and same.is_dir() else "default"
        elif not isinstance(parent, str):
            raise _at(link, ("extends",), "expected the name of a theme")
        else:
            try:
                theme_name(parent)
            except ValueError as error:
                raise _at(link, ("extends",), str(error)) from None
        found = _folder(parent, project, link.folder)
        if found is None:
            raise _at(link, ("extends",), f"no theme '{parent}'; installed themes: "
                      f"{', '.join(installed(project))}")
        if any(found.resolve() == other.folder.resolve() for other in chain):
            names = " -> ".join([*(c.folder.name for c in chain), found.name])
            raise _at(link, ("extends",), f"themes extend each other in a circle ({names})")
        chain.append(_read_toml(found))


def _at(link: _Link, key: Key, message: str) -> ThemeError:
    line, column = locate(key, key_lines(link.text))
    problem = Problem(link.shown, f"{'.'.join(map(str, key))}: {message}", line, column)
    return ThemeError(str(problem), [problem])


def _origins(chain: list[_Link]) -> dict[Key, tuple[str, str]]:
    """For each key of the merged values, the theme.toml it comes from (the child's)."""
    found: dict[Key, tuple[str, str]] = {}

    def walk(values: dict[str, Any], prefix: Key, link: _Link) -> None:
        for key, value in values.items():
            found[(*prefix, key)] = (link.shown, link.text)
            if isinstance(value, dict):
                walk(value, (*prefix, key), link)

    for link in reversed(chain):  # the parent first, each child over it
        found[()] = (link.shown, link.text)
        walk(link.values, (), link)
    return found


def load_theme(name: str, project: Path | None = None) -> Theme:
    """Find theme ``name`` (the project's ``themes/`` first, the packaged themes last),
    merge its theme.toml over those of the themes it extends and check every value,
    font and logo; raise :class:`ThemeError` with one line per problem."""
    chain = _chain(name, project)
    values: dict[str, Any] = {}
    for link in reversed(chain):
        values = merge(values, link.values)
    origins = _origins(chain)
    try:
        settings = ThemeSettings.model_validate(values)
    except ValidationError as error:
        found = problems(error, origins)
        raise ThemeError(str(found[0]) if len(found) == 1 else f"{len(found)} problems",
                         found) from None
    folders = [link.folder for link in chain]
    if PACKAGED / "default" not in folders:
        folders.append(PACKAGED / "default")
    theme = Theme(name, tuple(folders), settings)
    found = _check_files(theme, origins)
    if found:
        raise ThemeError(str(found[0]) if len(found) == 1 else f"{len(found)} problems", found)
    return theme


# --- the files theme.toml names -----------------------------------------------------------


def _check_files(theme: Theme, origins: dict[Key, tuple[str, str]]) -> list[Problem]:
    """Every font theme.toml names is a font, its logo an image, each inside the theme."""
    named: list[tuple[Key, str, str]] = [
        (("fonts", "files", index, "path"), face.path, "font")
        for index, face in enumerate(theme.settings.fonts.files)]
    if theme.settings.brand.logo:
        named.append((("brand", "logo"), theme.settings.brand.logo, "logo"))
    found = []
    for key, relative, kind in named:
        fault: str | None
        try:
            path = theme.find(relative)
            if path is None:
                fault = f"{relative!r} not found in the theme folders"
            elif kind == "font":
                fault = font_fault(path, *stamp(path))
            else:
                fault = _image_fault(path)
        except (ThemeError, UnsafeReferenceError) as error:
            fault = error.message
        if fault:
            found.append(_problem(key, fault, origins))
    if not found:
        found = _check_coverage(theme, origins)
    return found


def _check_coverage(theme: Theme, origins: dict[Key, tuple[str, str]]) -> list[Problem]:
    """Every family text is set in is carried by the theme, and the theme draws its own
    footer: nothing printed comes from the fonts of the machine."""
    fonts = theme.settings.fonts
    carried = {face.family for face in fonts.files}
    named: list[tuple[Key, str]] = [(("fonts", "body"), fonts.body),
                                    (("fonts", "headings"), fonts.headings),
                                    *((("fonts", "fallback", i), f)
                                      for i, f in enumerate(fonts.fallback))]
    found = []
    for key, family in named:
        if family not in carried:
            # a theme's own files replace the whole list its parent's families rely on
            files = origins.get(("fonts", "files"), origins[()])[0]
            elsewhere = (f" (the list set in {files})"
                         if files == origins[()][0] != _origin(key, origins)[0] else "")
            found.append(_problem(key, f"{family!r} has no file in [[fonts.files]]{elsewhere}:"
                                  " a theme carries the faces it names, so that a PDF is the "
                                  "same on every machine", origins))
    brand = theme.settings.brand
    footers: list[tuple[Key, str]] = [(("brand", "footer"), brand.footer),
                                      *((("brand", "footers", tag), text)
                                        for tag, text in brand.footers.items())]
    for key, footer in footers:
        missing = theme.undrawable(footer) if footer and not found else []
        if missing:
            found.append(_problem(key, f"{describe(missing[0])} is in no face "
                                  "of the theme; add a font that has it", origins))
    return found


def _origin(key: Key, origins: dict[Key, tuple[str, str]]) -> tuple[str, str]:
    """The theme.toml (as shown, and its text) that set ``key``, or its nearest table."""
    return next(origins[key[:n]] for n in range(len(key), -1, -1) if key[:n] in origins)


def _problem(key: Key, fault: str, origins: dict[Key, tuple[str, str]]) -> Problem:
    """A problem at ``key`` of the theme.toml that set it."""
    shown, text = _origin(key, origins)
    line, column = locate(key, key_lines(text))
    return Problem(shown, f"{'.'.join(map(str, key))}: {fault}", line, column)


def _image_fault(path: Path) -> str | None:
    checked = check_image(read_theme_file(path, MAX_IMAGE_BYTES))
    return f"{path.name} {checked}" if isinstance(checked, str) else None
