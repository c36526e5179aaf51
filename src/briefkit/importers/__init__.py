"""From what the CMS gives us to a canonical briefing.

Four kinds of input, told apart by the file's extension (``.html``/``.htm``,
``.md``/``.markdown``, ``.json``) or else by its content: a ninjs news item
(JSON), CMS text (paragraphs set apart by ``<br /> <br />``), HTML (block
elements such as ``<p>``), Markdown (anything else, plain text included).  Each reader gives an
:class:`~briefkit.importers.article.Article`; :func:`import_file` completes its
metadata from the options, then from guesses, and checks the result against
the model before anyone writes it.

What is guessed (the kind of input, the title, the id, the language) is reported
through ``note`` so the user can check it.  What cannot be guessed (the
publication date) is asked for, naming the option to pass.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefkit import inline
from briefkit.errors import BriefingError, OutputError, Problem
from briefkit.files import display_path, read_regular
from briefkit.images import MAX_IMAGE_BYTES
from briefkit.importers.article import Article, shape
from briefkit.importers.language import guess_language
from briefkit.load import MAX_BRIEFING_BYTES, discover
from briefkit.model import ID_MAX, Briefing
from briefkit.objections import objections

KINDS = {"cms": "CMS text", "html": "HTML", "markdown": "Markdown", "ninjs": "ninjs item"}
EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown",
              ".markdown": "markdown", ".json": "ninjs"}
#: A title made from the standfirst stops at a word before this many characters.
MAX_TITLE = 120
#: The options that set each field, for messages that say what to pass.
OPTIONS = {"id": "--id", "title": "--title", "language": "--language",
           "published": "--published", "authors": "--author"}

_HTML_BLOCK = re.compile(r"<(p|h[1-6]|ul|ol|li|blockquote|div|html|body|article|section)\b",
                         re.IGNORECASE)
# C0 controls other than tab and line breaks: no text file holds them, no output can carry them
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def detect(path: Path, text: str) -> str:
    """The kind of input: 'cms', 'html', 'markdown' or 'ninjs'."""
    from briefkit.importers.cms import looks_like_cms
    from briefkit.importers.ninjs_fields import looks_like_json

    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    if looks_like_json(text):
        return "ninjs"
    if text.lstrip().startswith("---"):
        return "markdown"
    if _HTML_BLOCK.search(text):
        return "html"
    if looks_like_cms(text):
        return "cms"
    return "markdown"


def read_text(path: Path, shown: str) -> str:
    """The file as text; empty, binary or non-UTF-8 files are refused."""
    try:
        if not path.is_file():
            raise BriefingError.single(shown, "no such file" if not path.exists() else "not a file")
        size = path.stat().st_size
        if size > MAX_BRIEFING_BYTES:
            raise BriefingError.single(
                shown, f"file is {size / 1024 / 1024:.1f} MB: an article to import is at most "
                f"{MAX_BRIEFING_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
    except OSError as error:
        raise BriefingError.single(shown, f"cannot be read ({error.strerror})") from None
    if b"\0" in data:
        raise BriefingError.single(
            shown, "is a binary file, not text: import CMS text, HTML or Markdown")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BriefingError.single(
            shown, f"not UTF-8: byte 0x{data[error.start]:02X} cannot be decoded "
            "(save the file as UTF-8)", line=line, column=1) from None
    if not text.strip():
        raise BriefingError.single(shown, "the file is empty: nothing to import")
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - text.rfind("\n", 0, control.start())
        raise BriefingError.single(
            shown, f"control character U+{ord(control.group()):04X}: is this a text file?",
            line=line, column=column)
    return text


def slug(title: str) -> str:
    """An id made from a title: any script transliterated to ASCII letters and digits
    joined by hyphens, at most ID_MAX characters, cut between words."""
    from slugify import slugify

    # an apostrophe parts words ("l’on" -> "l-on"), as any other punctuation does
    return str(slugify(title, max_length=ID_MAX, word_boundary=True,
                       replacements=[["’", "-"], ["'", "-"], ["ʼ", "-"]]))


def title_from(text: str) -> str:
    """A title made from a paragraph: its first sentence, shortened between words."""
    plain = inline.plain(text).strip()
    first = _SENTENCE_END.split(plain, maxsplit=1)[0].strip()
    first = first.rstrip(".").rstrip() if first.endswith(".") and not first.endswith("...") \
        else first
    if len(first) <= MAX_TITLE:
        return first
    cut = first.rfind(" ", 0, MAX_TITLE)
    return first[: cut if cut > 0 else MAX_TITLE].rstrip(" ,;:") + "…"


def _problems(error: ValidationError, data: dict[str, Any], shown: str) -> BriefingError:
    """The model's objections, each naming the option that sets the field when there is one."""
    problems = []
    for objection in objections(error, Briefing, data):
        where = "/".join(str(part) for part in objection.path)
        message = objection.message
        if objection.path[:1] and objection.path[0] in OPTIONS:
            message += f" (set it with {OPTIONS[objection.path[0]]})"
        problems.append(Problem(shown, f"{where}: {message}" if where else message))
    return BriefingError(problems[0].message, problems)


def import_file(
    path: Path,
    *,
    id: str | None = None,
    title: str | None = None,
    language: str | None = None,
    published: str | None = None,
    authors: Sequence[str] = (),
    note: Callable[[str], None] = lambda message: None,
    taken: Callable[[str], str | None] = lambda id: None,
    warn: Callable[[str], None] | None = None,
    files: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """Read an article (CMS text, HTML, Markdown or a ninjs item) and return it as a
    canonical briefing, checked against the model and against the size validate accepts.

    Options win over what the file says, which wins over guesses; every guess is
    passed to ``note``, and what is left out to ``warn`` (default: ``note``).
    ``taken(id)`` names the briefing already holding an id, if any: an id made from the
    title is then made free (``<slug>-2``) and noted.  The images a wire item brings are
    put in ``files`` (``images/<id>/<name>`` -> bytes, as the briefing names them), to be
    written beside it; without ``files`` they are left out, with a warning.
    """
    from briefkit.importers.cms import read_cms
    from briefkit.importers.html import read_html
    from briefkit.importers.markdown import read_markdown
    from briefkit.importers.ninjs import read_ninjs

    shown = display_path(path)
    text = read_text(path, shown)
    kind = detect(path, text)
    if path.suffix.lower() not in EXTENSIONS:
        note(f"{shown} read as {KINDS[kind]}")
    article: Article
    if kind == "ninjs":
        article = read_ninjs(text, shown, path.parent)
    else:
        reader = {"cms": read_cms, "html": read_html, "markdown": read_markdown}[kind]
        article = reader(text, shown)
    for message in article.notes:
        note(message)
    for message in article.warnings:
        (warn or note)(message)
    standfirst, sections = shape(article.pieces, article.standfirst)
    if not sections:
        raise BriefingError.single(shown, f"no text to import: the {KINDS[kind]} holds no "
                                          "paragraph, heading, quote or list")

    if title is None:
        title = article.title
    if title is None:
        first = standfirst or next(
            (b["text"] for s in sections for b in s.get("blocks", []) if b["type"] == "paragraph"),
            None)
        if first is None:
            raise BriefingError.single(shown, "no title found: pass --title")
        title = title_from(first)
        note(f"title made from the first sentence of the "
             f"{'standfirst' if standfirst else 'first paragraph'}: {title!r} "
             "(pass --title to set it)")

    if id is None:
        id = article.id
    if id is None:
        id = slug(title)
        if not id:
            raise BriefingError.single(
                shown, f"no id can be made from the title {title!r} (no letter or digit): "
                "pass --id")
        note(f"id made from the title: {id!r} (pass --id to set it)")
        holder = taken(id)
        if holder is not None:
            made, id = id, free_id(id, taken)
            if Path(holder).name == f"{made}.json":
                note(f"{holder} exists: id {id!r} used instead (pass --replace to replace it)")
            else:  # another file of the folder holds the id: validate allows it once
                note(f"{holder} already uses the id {made!r}: id {id!r} used instead (pass --id "
                     "to set it)")

    if language is None:
        language = article.language
    if language is None:
        body = " ".join([standfirst or ""] + [
            inline.plain(text) for s in sections for b in s.get("blocks", [])
            for text in ([b["text"]] if "text" in b else b.get("items", []))])
        language = guess_language(f"{title} {body}")
        if language is None:
            raise BriefingError.single(
                shown, "cannot tell which language the article is in: pass --language "
                "(e.g. --language fr)")
        note(f"language guessed as {language!r} (pass --language to set it)")

    if published is None:
        published = article.published
    if published is None:
        raise BriefingError.single(
            shown, "no publication date in the file: pass --published "
            "(e.g. --published 2020-01-08T11:45:00+01:00)")

    names: list[str | dict[str, str]] = [*authors] or article.authors
    briefing: dict[str, Any] = {"id": id, "title": title}
    if article.subtitle:
        briefing["subtitle"] = article.subtitle
    briefing["language"] = language
    briefing["published"] = published
    if article.updated:
        briefing["updated"] = article.updated
    if names:
        briefing["authors"] = [{"name": name} if isinstance(name, str) else dict(name)
                               for name in names]
    if article.tags:
        briefing["tags"] = list(article.tags)
    for field in ("summary", "url", "rights"):
        if getattr(article, field):
            briefing[field] = getattr(article, field)
    if standfirst:
        briefing["standfirst"] = standfirst
    briefing["sections"] = _placed(sections, article.files, id, files, warn or note)
    if not briefing["sections"]:
        raise BriefingError.single(shown, f"no text to import: the {KINDS[kind]} holds images "
                                          "only (write it with -o to bring them beside it)")
    try:
        Briefing.model_validate(briefing)
    except ValidationError as error:
        raise _problems(error, briefing, shown) from None
    size = len(dumps(briefing).encode("utf-8"))
    if size > MAX_BRIEFING_BYTES:
        raise BriefingError.single(
            shown, f"the briefing would be {size / 1024 / 1024:.1f} MB: briefkit validate "
            f"accepts at most {MAX_BRIEFING_BYTES // 1024 // 1024} MB (split the article in two)")
    return briefing


def _placed(sections: list[dict[str, Any]], found: dict[str, bytes], id: str,
            files: dict[str, bytes] | None, warn: Callable[[str], None]) -> list[dict[str, Any]]:
    """The sections with each image block named ``images/<id>/<name>`` and its file put in
    ``files``; without ``files`` (nowhere to write them), left out with a warning."""
    placed = []
    for section in sections:
        blocks = []
        for block in section["blocks"]:
            if block["type"] != "image":
                blocks.append(block)
            elif files is None:
                warn(f"image {block['src']!r} left out: the briefing is printed, not written "
                     "(write it with -o to bring its images beside it)")
            else:
                src = f"images/{id}/{block['src']}"
                files[src] = found[block["src"]]
                blocks.append({**block, "src": src})
        if blocks or section.get("heading"):
            placed.append({**section, "blocks": blocks})
    return placed


def dumps(briefing: dict[str, Any]) -> str:
    """A briefing as it is written: UTF-8 text, two-space indent."""
    return json.dumps(briefing, indent=2, ensure_ascii=False) + "\n"


def free_id(id: str, taken: Callable[[str], str | None]) -> str:
    """``id`` with the first number from 2 up that no briefing holds (``<id>-2``),
    shortened between words to stay within ID_MAX."""
    number = 2
    while True:
        suffix = f"-{number}"
        base = id
        if len(base) + len(suffix) > ID_MAX:
            cut = base.rfind("-", 0, ID_MAX - len(suffix) + 1)
            base = base[: cut if cut > 0 else ID_MAX - len(suffix)]
        candidate = base + suffix
        if taken(candidate) is None:
            return candidate
        number += 1


def ids_in(folder: Path) -> dict[str, Path]:
    """The id of each briefing under ``folder`` (the files validate reads there), to the
    first file holding it; a file that cannot be read is passed over (validate names it)."""
    found: dict[str, Path] = {}
    for path in discover(folder):
        try:
            data = json.loads(read_regular(path, MAX_BRIEFING_BYTES, str(path)))
        except (BriefingError, ValueError, RecursionError):
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            found.setdefault(data["id"], path)
    return found


def image_files(briefing: dict[str, Any], files: dict[str, bytes], folder: Path,
                replace: bool) -> dict[Path, bytes]:
    """Where each image file of an imported briefing is written, beside it in ``folder``
    (``images/<id>/<name>``): a file already there with the same bytes is kept as it is;
    one with other bytes is replaced only when asked, else the image takes a free name
    (``<name>-2.jpg``) and the briefing names that.  A folder on the way that leads
    outside ``folder`` (a link) is refused."""
    root = folder.resolve()
    writes: dict[Path, bytes] = {}
    renamed: dict[str, str] = {}
    for src, data in files.items():
        stem, dot, extension = src.rpartition(".")
        final, number = src, 2
        while True:
            path = folder / final
            if not path.parent.resolve().is_relative_to(root):
                raise OutputError(f"{display_path(path.parent)} leads outside "
                                  f"{display_path(folder)}: the briefing's images are not "
                                  "written through it")
            if not os.path.lexists(path) or replace:
                writes[path] = data
                break
            try:
                if read_regular(path, MAX_IMAGE_BYTES, final) == data:
                    break  # the same image, written by an earlier import
            except BriefingError:
                pass
            final, number = f"{stem}-{number}{dot}{extension}", number + 1
        renamed[src] = final
    for section in briefing["sections"]:
        for block in section["blocks"]:
            if block["type"] == "image":
                block["src"] = renamed.get(block["src"], block["src"])
    return writes
