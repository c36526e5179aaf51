"""The pictures of a wire item: each image its body shows, taken from a file beside it.

Agencies deliver an item with the pictures its body shows (TT's ``<figure><img
data-assoc-ref="a001">``): the picture is an association of the item, listing its
renditions (hires, preview, thumbnail) by address.  A desk that receives the files too keeps
them beside the item, under the renditions' file names.  Each image is taken from such a
file: the association's renditions are tried largest first, then the ``<img>``'s own
address, each by its file name in the item's folder (a relative address may name a folder
inside it, never one outside).  A file is read bounded and checked as every image of a
briefing is (:func:`briefkit.load.check_image`).

An image without such a file is left out with a warning naming it and the files looked for;
so is a picture, graphic or video sent with the item that its body does not show.  Nothing
is fetched from the network: an import reads what is on the desk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from briefkit.errors import BriefingError
from briefkit.files import read_regular
from briefkit.images import MAX_IMAGE_BYTES, check_image
from briefkit.importers.article import Article, Figure, Piece
from briefkit.inline import Text, serialise

#: The most image bytes one item brings in: beyond, images are left out with a warning.
MAX_ITEM_IMAGE_BYTES = 100 * 1024 * 1024
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}
#: Attributes of an <img> naming its association, and naming its picture by address.
_REFERENCES = ("data-assoc-ref", "data-association", "data-name")
_ADDRESSES = ("data-uri", "uri", "src", "data-src")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SPACE = re.compile(r"\s+")

Entries = Callable[[Any], list[dict[str, Any]]]


def _text(value: Any) -> str:
    return _SPACE.sub(" ", value).strip() if isinstance(value, str) else ""


def _file_name(address: str) -> str | None:
    """Where an address's file would be in the item's folder: a URL's last segment, a
    relative address as it is (``pics/a.jpg``); None for what names no file."""
    parts = urlsplit(address.strip())
    if parts.scheme == "data" or not parts.path or "\\" in parts.path:
        return None
    path = PurePosixPath(unquote(parts.path))
    if parts.scheme or parts.netloc or path.is_absolute():
        return path.name or None
    if ".." in path.parts:
        return None
    return str(path)


class Pictures:
    """The pictures sent with one item, and the files beside it that are read."""

    def __init__(self, associations: Any, entries: Entries, folder: Path | None,
                 article: Article, file: str) -> None:
        self.entries = entries
        self.folder = folder
        self.article = article
        self.file = file
        self.associations = self._associations(associations)
        self.shown: set[int] = set()  # associations an image of the body took
        self.read: dict[Path, tuple[bytes, str] | str] = {}  # each file read once
        self.named: dict[Path, str] = {}  # file -> its name in the briefing
        self.missing: set[str] = set()  # images warned of: each once
        self.total = 0

    def _associations(self, value: Any) -> list[dict[str, Any]]:
        # 3.x: a list of objects with a name; 1.x: an object of them by name
        if isinstance(value, dict):
            value = [{"name": name, **item} for name, item in value.items()
                     if isinstance(item, dict)]
        return self.entries(value)

    def _renditions(self, association: dict[str, Any]) -> list[dict[str, Any]]:
        value = association.get("renditions")
        if isinstance(value, dict):
            value = [item for item in value.values() if isinstance(item, dict)]
        found = [r for r in self.entries(value) if isinstance(r.get("href"), str)
                 and str(r.get("contenttype", "image/")).lower().startswith("image/")]

        def pixels(rendition: dict[str, Any]) -> int:
            width, height = rendition.get("width"), rendition.get("height")
            sized = isinstance(width, int) and isinstance(height, int)
            return width * height if sized else 0  # type: ignore[operator]

        return sorted(found, key=pixels, reverse=True)

    def _association(self, attributes: dict[str, str]) -> int | None:
        """The index of the association an <img> shows, by name, else by address."""
        names = {attributes[k].strip() for k in _REFERENCES if attributes.get(k, "").strip()}
        for index, association in enumerate(self.associations):
            if _text(association.get("name")) in names:
                return index
        addresses = {attributes[k].strip() for k in _ADDRESSES if attributes.get(k, "").strip()}
        for index, association in enumerate(self.associations):
            known = {_text(association.get("uri"))} | {
                _text(r.get("href")) for r in self._renditions(association)}
            if addresses & known:
                return index
        return None

    def _load(self, name: str) -> tuple[Path, bytes, str] | str | None:
        """The file ``name`` beside the item: (path, bytes, media type), what is wrong with
        it, or None when there is no such file (or it would be outside the folder)."""
        if self.folder is None or not os.path.lexists(self.folder / name):
            return None
        folder = self.folder.resolve()
        try:
            path = (folder / name).resolve()
        except (OSError, RuntimeError):  # a loop of links
            return "is a loop of links"
        if not path.is_relative_to(folder) or path == folder:
            return "leads outside the item's folder"
        if path not in self.read:
            shown = str(PurePosixPath(name))
            try:
                data = read_regular(path, MAX_IMAGE_BYTES, shown)
            except BriefingError as error:
                self.read[path] = error.problems[0].message
            else:
                checked = check_image(data)
                self.read[path] = checked if isinstance(checked, str) else (data, checked[0])
        found = self.read[path]
        return found if isinstance(found, str) else (path, *found)

    def _name(self, path: Path, media_type: str) -> str:
        """The file's name in the briefing's image folder: letters, digits, ".", "-" and
        "_", the extension its content has, each file a name of its own."""
        if path not in self.named:
            stem = _UNSAFE.sub("-", path.stem).strip(".-") or "image"
            taken = set(self.named.values())
            name, number = f"{stem}{EXTENSIONS[media_type]}", 2
            while name in taken:
                name, number = f"{stem}-{number}{EXTENSIONS[media_type]}", number + 1
            self.named[path] = name
        return self.named[path]

    def image(self, figure: Figure) -> dict[str, Any] | None:
        """The image block of a figure, its file kept in the article; None (and a warning)
        when no file of it is beside the item."""
        index = self._association(figure.attributes)
        association = self.associations[index] if index is not None else {}
        if index is not None:
            self.shown.add(index)
        addresses = [r["href"] for r in self._renditions(association)] + [
            figure.attributes[k] for k in ("src", "data-src") if figure.attributes.get(k)]
        names = list(dict.fromkeys(n for a in addresses if (n := _file_name(a))))
        source = _text(figure.attributes.get("src"))
        label = _text(association.get("name")) or (names[-1] if names else None) or (
            source if len(source) <= 60 else f"{source[:60]}…") or "without an address"
        where = f"{self.file}:{figure.line}"
        for name in names:
            found = self._load(name)
            if isinstance(found, str):
                self.article.notes.append(f"{where}: {name} beside the item is not used: it "
                                          f"{found}")
                continue
            if found is None:
                continue
            path, data, media_type = found
            src = self._name(path, media_type)
            if src not in self.article.files:
                if self.total + len(data) > MAX_ITEM_IMAGE_BYTES:
                    self.article.warnings.append(
                        f"{where}: image {label!r} left out: the item's images would be more "
                        f"than {MAX_ITEM_IMAGE_BYTES // 1024 // 1024} MB")
                    return None
                self.total += len(data)
                self.article.files[src] = data
            return self._block(src, figure, association)
        if label in self.missing:
            return None
        self.missing.add(label)
        looked = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
        self.article.warnings.append(
            f"{where}: image {label!r} left out: no file of it beside the item"
            + (f" (looked for {looked})" if names else "") + ": add it as an image block")
        return None

    def _block(self, src: str, figure: Figure, association: dict[str, Any]) -> dict[str, Any]:
        described = [_text(d.get("value")) for d in self.entries(association.get("descriptions"))]
        described += [_text(association.get(k)) for k in ("description_text", "title")]
        headlines = [_text(h.get("value")) for h in self.entries(association.get("headlines"))]
        alt = next((t for t in [_text(figure.attributes.get("alt")), *described, *headlines,
                                _text(association.get("headline"))] if t), "")
        if not alt:
            alt = src
            self.article.warnings.append(f"{self.file}:{figure.line}: image {src!r} has no "
                                         "description: its alt text is its file name (write one)")
        caption = figure.caption or next(
            (serialise([Text(t)]) for t in described if t and t != alt), None)
        credit = figure.credit or _text(association.get("by")) or _text(
            association.get("byline"))
        block: dict[str, Any] = {"type": "image", "src": src, "alt": alt}
        if caption:
            block["caption"] = caption
        if credit:
            block["credit"] = credit
        return block

    def resolve(self, pieces: list[Piece]) -> list[Piece]:
        """The pieces with each figure an image block, or left out with a warning."""
        kept: list[Piece] = []
        for piece in pieces:
            if isinstance(piece, Figure):
                block = self.image(piece)
                if block is not None:
                    kept.append(block)
            else:
                kept.append(piece)
        return kept

    def unshown(self) -> None:
        """A warning for each picture, graphic or video sent with the item that its body
        does not show: it is not imported."""
        for index, association in enumerate(self.associations):
            if index in self.shown:
                continue
            kind = _text(association.get("type")) or "association"
            name = _text(association.get("name")) or _text(association.get("uri"))
            self.article.warnings.append(
                f"{self.file}: {kind} {name!r} sent with the item is not imported: the body "
                "does not show it (add it by hand)")
