"""Briefing files in, typed briefings out: the edge where everything is checked.

Every problem in a file is reported at once, one :class:`~briefkit.errors.Problem`
each, with ``file:line:col`` and the JSON Pointer of the offending value.
Nothing outside the source folder is ever read: image paths and symlinks are
resolved and confined to it before any exporter sees them.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import stat
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from briefkit.errors import BriefingError, Problem
from briefkit.locate import Positions, pointer, scan, strings
from briefkit.model import BLOCK_TYPES, Briefing

#: Briefings are short; a larger file is refused before it is read.
MAX_BRIEFING_BYTES = 5 * 1024 * 1024
#: Largest image accepted, in pixels (decompression bombs stop here).
MAX_IMAGE_PIXELS = 40_000_000
#: Largest image file accepted, in bytes.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}


@dataclass(frozen=True)
class Asset:
    """An image of a briefing, checked and confined to the source folder."""

    path: Path
    media_type: str
    width: int
    height: int
    sha256: str  # of the file's bytes, as checked
    src: str = ""  # as the briefing names it
    briefing: str = ""  # the briefing file, as shown to the user

    def read(self) -> bytes:
        """The image's bytes, exactly as checked at load; a file changed since is refused."""
        shown = self.briefing or display_path(self.path)
        data = _read_capped(self.path, MAX_IMAGE_BYTES)
        if isinstance(data, str) or hashlib.sha256(data).hexdigest() != self.sha256:
            raise BriefingError.single(
                shown, f"image {self.src or self.path.name!r} changed since it was checked")
        return data


@dataclass(frozen=True)
class BriefingFile:
    """A briefing as loaded from source/: the model plus where it came from."""

    briefing: Briefing
    path: Path
    digest: str  # sha256 of the file's bytes
    assets: dict[str, Asset] = field(default_factory=dict)  # image src -> checked file

    @property
    def id(self) -> str:
        return self.briefing.id


def display_path(path: Path) -> str:
    """The path as a user typed it: relative to the working folder when inside it."""
    try:
        # the link's own name, not its target's: a link leading outside is named as listed
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def read_regular(path: Path, limit: int, shown: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; else one line.

    A device (``/dev/zero``), a FIFO or a socket is refused before anything is read:
    the file is opened without blocking and the opened descriptor itself is checked,
    so a name swapped after a check cannot make the read hang or run without end.
    Confinement (where ``path`` may lead) is the caller's check, made before.
    """
    read = _read_capped(path, limit)
    if isinstance(read, str):
        raise BriefingError.single(shown, read)
    return read


def _read_capped(path: Path, limit: int) -> bytes | str:
    """:func:`read_regular`'s work: the bytes, or what is wrong, as words after a name."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return "no such file"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return "is not a regular file"
        if status.st_size > limit:
            return f"is larger than {_megabytes(limit)} MB ({_megabytes(status.st_size)} MB)"
        chunks: list[bytes] = []
        total = 0
        # never more than the limit, even if the file grows after fstat()
        while total <= limit:
            chunk = os.read(descriptor, min(1024 * 1024, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            return f"is larger than {_megabytes(limit)} MB"
        return b"".join(chunks)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    finally:
        os.close(descriptor)


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


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-32' or 'UTF-16' if the file is written so, with or without a byte order mark.

    Without one, JSON text starts with an ASCII character: its zero bytes tell the
    encoding (RFC 4627, section 3).
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:4]
    if len(head) == 4 and (head[1:] == b"\0\0\0" or head[:3] == b"\0\0\0"):
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


def _decode(data: bytes, file: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    wide = _wide_encoding(data)
    if wide:
        raise BriefingError.single(file, f"the file is {wide}: save it as UTF-8", line=1, column=1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        raise BriefingError.single(
            file,
            f"not UTF-8: byte 0x{byte:02X} cannot be decoded (save the file as UTF-8)",
            line=line,
            column=column,
        ) from None


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


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Annotated, Optional and Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(data: Any, parts: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that describes the object at ``parts`` in ``data``."""
    candidates: list[Any] = [Briefing]
    node = data
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                info = candidate.model_fields.get(str(part)) if isinstance(part, str) else None
                if info is not None:
                    following.extend(_unwrap(info.annotation))
            elif typing.get_origin(candidate) is list and isinstance(part, int):
                following.extend(_unwrap(typing.get_args(candidate)[0]))
        candidates = following
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(models) > 1 and isinstance(node, dict):
        tagged = [m for m in models if "type" in m.model_fields
                  and node.get("type") in typing.get_args(m.model_fields["type"].annotation)]
        models = tagged or models
    return models[0] if len(models) == 1 else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """pydantic's location, less the discriminator tags it adds ('image', 'list' ...)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node \
                and node.get("type") == part:
            continue
        path.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(path)


def _problem(file: str, data: Any, where: Positions, error: Any) -> Problem:
    path = _data_path(data, tuple(error["loc"]))
    ptr = pointer(path)
    kind = error["type"]
    value = error.get("input")
    position = where.of_value(ptr)
    if kind == "missing":
        message = "field required"
    elif kind == "extra_forbidden":
        name = str(path[-1])
        model = _model_at(data, path[:-1])
        known = _field_names(model) if model else []
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            message = f"unknown field '{name}' (did you mean '{close[0]}'?)"
        else:
            message = f"unknown field '{name}' (known fields: {', '.join(known)})"
        position = where.of_key(ptr)
    elif kind == "union_tag_invalid":
        tag = error["ctx"]["tag"]
        close = difflib.get_close_matches(tag, BLOCK_TYPES, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(BLOCK_TYPES)}"
        message = f"unknown block type '{tag}' ({hint})"
        ptr += "/type"
        position = where.of_value(ptr)
    elif kind == "union_tag_not_found":
        message = f"block has no 'type' (one of: {', '.join(BLOCK_TYPES)})"
    elif kind == "string_type":
        message = f"expected text, got {_describe(value)}"
    elif kind == "list_type":
        message = f"expected a list, got {_describe(value)}"
    elif kind == "bool_type":
        message = f"expected true or false, got {_describe(value)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected an object, got {_describe(value)}"
    elif kind == "too_short":
        message = "needs at least one item"
    elif kind == "briefkit":
        message = error["msg"]
    else:
        message = error["msg"][0].lower() + error["msg"][1:]
    return Problem(file, message, position[0], position[1], ptr)


# --- images ---------------------------------------------------------------------------


def check_image(data: bytes) -> tuple[str, int, int, str] | str:
    """(media type, width, height, sha256) of a real image, or what is wrong with it.

    The file is read once: its bytes are hashed and decoded from memory.
    """
    from PIL import Image, ImageFile, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            if kind not in IMAGE_FORMATS:
                return f"is a {kind or 'file'} image: use PNG, JPEG or GIF"
            if width * height > MAX_IMAGE_PIXELS:
                return f"is {width}x{height} pixels: at most {MAX_IMAGE_PIXELS // 1_000_000} million"
            image.verify()
        # verify() checks little (nothing at all for JPEG and GIF): decode the pixels,
        # so that a truncated or garbled image is refused here, not half-drawn in a PDF.
        # WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process
        # when imported: off again while we look.
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format == "JPEG":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    except UnidentifiedImageError:
        return "is not an image"
    except Image.DecompressionBombError:
        return f"is too large once decompressed (limit {MAX_IMAGE_PIXELS // 1_000_000} million pixels)"
    except (OSError, SyntaxError, ValueError) as error:
        return f"is damaged or truncated ({error})"
    return IMAGE_FORMATS[kind], width, height, hashlib.sha256(data).hexdigest()


def _image(src: str, base: Path, root: Path, shown: str) -> Asset | str:
    """The checked image ``src`` of a briefing in ``base``, or what is wrong with it."""
    target = (base / src).resolve()
    if not target.is_relative_to(root):
        return f"image {src!r} is outside the source folder"
    if not target.exists():
        return f"image {src!r} not found"
    data = _read_capped(target, MAX_IMAGE_BYTES)
    checked = check_image(data) if isinstance(data, bytes) else data
    if isinstance(checked, str):
        return f"image {src!r} {checked}"
    return Asset(target, *checked, src=src, briefing=shown)


def _assets(briefing: Briefing, file: Path, root: Path, shown: str,
            where: Positions) -> tuple[dict[str, Asset], list[Problem]]:
    assets: dict[str, Asset] = {}
    problems: list[Problem] = []
    for si, section in enumerate(briefing.sections):
        for bi, block in enumerate(section.blocks):
            if block.type != "image":
                continue
            found = _image(block.src, file.parent, root, shown)
            if isinstance(found, Asset):
                assets[block.src] = found
            else:
                ptr = f"/sections/{si}/blocks/{bi}/src"
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


def load(path: Path, root: Path | None = None) -> BriefingFile:
    """Read and check one briefing file; raise :class:`BriefingError` listing every problem.

    ``root`` is the source folder that images must stay inside (default: the
    file's own folder).
    """
    shown = display_path(path)
    root = (root or path.parent).resolve()
    raw = read_briefing(path, root)
    text = _decode(raw, shown)
    data = _parse_json(text, shown)
    if not isinstance(data, dict):
        raise BriefingError.single(
            shown, f"a briefing is a JSON object, got {_describe(data)}", line=1, column=1, pointer=""
        )
    try:
        briefing = Briefing.model_validate(data)
    except ValidationError as error:
        where = scan(text)
        problems = [_problem(shown, data, where, e) for e in error.errors()]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise BriefingError(f"{len(problems)} problems", problems) from None
    assets: dict[str, Asset] = {}
    if briefing.images():
        assets, problems = _assets(briefing, path, root, shown, scan(text))
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
        found.extend(Path(folder) / f for f in sorted(files)
                     if f.endswith(".json") and not f.startswith("."))
    return found


def confinement(path: Path, source: Path) -> Path:
    """The folder a briefing's files must stay in: source/ for files under it (as
    named, before links are followed), else the briefing's own folder."""
    named = Path(os.path.abspath(path))
    source = source.resolve()
    return source if named.is_relative_to(source) else named.parent.resolve()


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
        text = _decode(read_regular(path, MAX_BRIEFING_BYTES, shown), shown)
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
    text = _decode(raw, shown)
    for ptr, value in strings(json.loads(text)):
        found = next((ch for ch in value if ch in wanted), None)
        if found is not None:
            return (found, *scan(text).of_value(ptr), ptr)
    return None
