"""Briefing files in, typed briefings out: the edge where everything is checked.

Every problem in a file is reported at once, one :class:`~briefkit.errors.Problem`
each, with ``file:line:col`` and the JSON Pointer of the offending value.
Nothing outside the source folder is ever read: image paths and symlinks are
resolved and confined to it before any exporter sees them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefkit.briefing_file import Asset, BriefingFile
from briefkit.errors import BriefingError, Problem
from briefkit.files import confinement, decode_text, display_path, read_capped, read_regular
from briefkit.images import MAX_IMAGE_BYTES, check_image
from briefkit.locate import Positions, pointer, scan, strings
from briefkit.model import Briefing
from briefkit.objections import Objection, describe_value, objections

#: Briefings are short; a larger file is refused before it is read.
MAX_BRIEFING_BYTES = 5 * 1024 * 1024


# --- malformed JSON -------------------------------------------------------------------


def _json_fault(text: str, error: json.JSONDecodeError) -> str:
    """Say what is wrong in words a newsroom uses, not the parser's."""
    before = text[: error.pos].rstrip()
    here = text[error.pos : error.pos + 1]
    msg = error.msg
    if msg.startswith(("Expecting property name", "Illegal trailing comma")):
        if before.endswith(","):
            return f"malformed JSON: trailing comma before '{here or '}'}'"
        return "malformed JSON: expected a field name in double quotes"
    if msg.startswith("Expecting value"):
        if not text.strip():
            return "the file is empty: a briefing is a JSON object"
        if before.endswith(",") and here in "]}":
            return f"malformed JSON: trailing comma before '{here}'"
        return "malformed JSON: expected a value (text in double quotes, a number, a list or an object)"
    if msg.startswith("Expecting ',' delimiter"):
        return "malformed JSON: missing comma between two items"
    if msg.startswith("Expecting ':' delimiter"):
        return "malformed JSON: missing ':' after a field name"
    if msg.startswith("Unterminated string"):
        return "malformed JSON: text not closed by a double quote"
    if msg.startswith("Invalid control character"):
        return "malformed JSON: a raw line break or control character inside text (write \\n)"
    if msg.startswith(("Invalid \\escape", "Invalid \\u")):
        return "malformed JSON: invalid backslash escape in text"
    if msg.startswith("Extra data"):
        return "malformed JSON: more content after the briefing's closing '}'"
    return f"malformed JSON: {msg[0].lower()}{msg[1:]}"


_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_NUMBER = re.compile(r"\d{4000,}")


def _parse_json(text: str, file: str) -> Any:
    duplicates: list[str] = []
    broken_names = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal broken_names
        obj: dict[str, Any] = {}
        for key, value in items:
            if key in obj:
                duplicates.append(key)
            if _SURROGATE.search(key):
                broken_names = True
            obj[key] = value
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        where = scan(text)
        line, column = where.line_col(error.pos)
        raise BriefingError.single(
            file, _json_fault(text, error), line=line, column=column, pointer=where.path_at_fault
        ) from None
    except RecursionError:
        raise BriefingError.single(file, "malformed JSON: nested too deeply", line=1, column=1) from None
    except ValueError:
        # Python refuses to read integers of more than 4,300 digits (a denial-of-service guard)
        digits = _LONG_NUMBER.search(text)
        line, column = scan(text).line_col(digits.start() if digits else 0)
        raise BriefingError.single(
            file, "malformed JSON: a number too long to read", line=line, column=column
        ) from None
    if broken_names:
        where = scan(text)
        problems = [
            Problem(file, "field name holds a lone surrogate (a \\uD800-\\uDFFF escape "
                    "without its pair)", *where.line_col(offset), None)
            for ptr, offset in where.keys.items() if _SURROGATE.search(ptr)
        ]
        raise BriefingError(problems[0].message if problems else "lone surrogate", problems)
    if duplicates:
        where = scan(text)
        problems = [
            Problem(file, f"field '{ptr.rsplit('/', 1)[1]}' appears twice", *where.line_col(off), ptr)
            for ptr, off in where.duplicates
        ]
        raise BriefingError(problems[0].message, problems)
    return data


# --- model problems -------------------------------------------------------------------


# --- images ---------------------------------------------------------------------------


def _image(src: str, base: Path, root: Path, shown: str,
           decoded: Collection[str]) -> Asset | str:
    """The checked image ``src`` of a briefing in ``base``, or what is wrong with it
    (``decoded``: see :func:`load`)."""
    target = (base / src).resolve()
    if not target.is_relative_to(root):
        return f"image {src!r} is outside the source folder"
    if not target.exists():
        return f"image {src!r} not found"
    data = read_capped(target, MAX_IMAGE_BYTES)
    checked = check_image(data, decoded) if isinstance(data, bytes) else data
    if isinstance(checked, str):
        return f"image {src!r} {checked}"
    return Asset(target, *checked, src=src, briefing=shown)


def _assets(briefing: Briefing, file: Path, root: Path, shown: str, text: str,
            decoded: Collection[str]) -> tuple[dict[str, Asset], list[Problem]]:
    """The briefing's checked images, or where each that is not is named (``text``, the
    file, is scanned for positions only then)."""
    assets: dict[str, Asset] = {}
    where: Positions | None = None
    problems: list[Problem] = []
    for si, section in enumerate(briefing.sections):
        for bi, block in enumerate(section.blocks):
            if block.type != "image":
                continue
            found = _image(block.src, file.parent, root, shown, decoded)
            if isinstance(found, Asset):
                assets[block.src] = found
            else:
                ptr = f"/sections/{si}/blocks/{bi}/src"
                where = where or scan(text)
                problems.append(Problem(shown, found, *where.of_value(ptr), ptr))
    return assets, problems


# --- files ----------------------------------------------------------------------------


def read_briefing(path: Path, root: Path) -> bytes:
    """The bytes of a briefing file, read as :func:`load` reads them: it must stay inside
    ``root`` once links are followed, and is read bounded (a FIFO never blocks)."""
    shown = display_path(path)
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        raise BriefingError.single(shown, "cannot be read (a loop of links)") from None
    if not inside:
        raise BriefingError.single(shown, "is a link to a file outside the source folder")
    return read_regular(path, MAX_BRIEFING_BYTES, shown)


def _located(shown: str, where: Positions, objection: Objection) -> Problem:
    """An objection to a briefing at its line and column: an unknown field at its key,
    anything else at its value."""
    ptr = pointer(objection.path)
    at = where.of_key(ptr) if objection.kind == "extra_forbidden" else where.of_value(ptr)
    return Problem(shown, objection.message, at[0], at[1], ptr)


def load(path: Path, root: Path | None = None, decoded: Collection[str] = ()) -> BriefingFile:
    """Read and check one briefing file; raise :class:`BriefingError` listing every problem.

    ``root`` is the source folder that images must stay inside (default: the
    file's own folder).  An image whose SHA-256 is in ``decoded`` was decoded whole
    before: its pixels are not decoded again (:func:`briefkit.images.check_image`).
    """
    shown = display_path(path)
    root = (root or path.parent).resolve()
    raw = read_briefing(path, root)
    text = decode_text(raw, shown)
    data = _parse_json(text, shown)
    if not isinstance(data, dict):
        raise BriefingError.single(
            shown, f"a briefing is a JSON object, got {describe_value(data)}", line=1, column=1,
            pointer=""
        )
    try:
        briefing = Briefing.model_validate(data)
    except ValidationError as error:
        where = scan(text)
        problems = [_located(shown, where, objection)
                    for objection in objections(error, Briefing, data)]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise BriefingError(f"{len(problems)} problems", problems) from None
    assets: dict[str, Asset] = {}
    if briefing.images():
        assets, problems = _assets(briefing, path, root, shown, text, decoded)
        if problems:
            raise BriefingError(f"{len(problems)} problems", problems)
    return BriefingFile(briefing, path, hashlib.sha256(raw).hexdigest(), assets)


def discover(source: Path) -> list[Path]:
    """Every briefing file (``*.json``) under the source folder, in a stable order."""
    if not source.is_dir():
        return []
    found: list[Path] = []
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)  # once a folder: a newsroom's holds thousands of files
        found.extend(here / f for f in sorted(files)
                     if f.endswith(".json") and not f.startswith("."))
    return found


def load_all(paths: Iterable[Path], source: Path) -> Iterator[BriefingFile | BriefingError]:
    """Load every file, yielding each briefing or its error; ids must be unique."""
    seen: dict[str, str] = {}
    for path in paths:
        try:
            item = load(path, confinement(path, source))
        except BriefingError as error:
            yield error
            continue
        first = seen.setdefault(item.id, display_path(path))
        if first != display_path(path):
            yield duplicate_id(path, item.id, first)
            continue
        yield item


def duplicate_id(path: Path, briefing_id: str, first: str) -> BriefingError:
    """The error of a briefing taking an id that ``first`` (a file shown to the user) has."""
    shown = display_path(path)
    message = f"id '{briefing_id}' is already used by {first}"
    try:
        text = decode_text(read_regular(path, MAX_BRIEFING_BYTES, shown), shown)
    except BriefingError:
        return BriefingError.single(shown, message)
    line, column = scan(text).of_value("/id")
    return BriefingError.single(shown, message, line=line, column=column, pointer="/id")


def find_in_source(item: BriefingFile, wanted: str) -> tuple[str, int, int, str] | None:
    """Where the briefing's file first has one of the characters of ``wanted``: that
    character, its line, column and JSON Pointer (None when the file changed since it
    was loaded, or holds none of them)."""
    shown = display_path(item.path)
    try:
        raw = read_regular(item.path, MAX_BRIEFING_BYTES, shown)
    except BriefingError:
        return None
    if hashlib.sha256(raw).hexdigest() != item.digest:
        return None
    text = decode_text(raw, shown)
    for ptr, value in strings(json.loads(text)):
        found = next((ch for ch in value if ch in wanted), None)
        if found is not None:
            return (found, *scan(text).of_value(ptr), ptr)
    return None
