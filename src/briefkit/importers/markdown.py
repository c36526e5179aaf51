"""Markdown in, an article out.

An optional front-matter block between ``---`` lines gives the metadata::

    ---
    title: Night buses: what changes on Monday
    language: en
    published: 2024-03-01T06:00:00Z
    authors: [Ana Ruiz, Tom Becker]
    tags:
      - transport
      - night
    ---

Keys: title, subtitle, id, language, published, updated, authors (or author),
tags, summary, url, rights.  A value is text (quotes optional); a list is
``[a, b]`` or one ``- item`` per line.  This is a small subset of YAML, enough
for these keys and nothing more.

The body is CommonMark (markdown-it-py) turned into HTML and read by the HTML
reader: ``# Title`` is the title, ``##`` lines are section headings, ``>`` a
quote (a last "— Name" paragraph is its attribution).  Raw HTML in Markdown
follows the HTML rules, so a ``<script>`` is refused there too.
"""

from __future__ import annotations

import re
from typing import Any

from briefkit.errors import BriefingError
from briefkit.importers.article import Article
from briefkit.importers.html import SOURCE_LINE, read_html

#: Front-matter keys, and the aliases people write for them.
KEYS = {
    "title": "title", "subtitle": "subtitle", "id": "id", "slug": "id",
    "language": "language", "lang": "language", "published": "published", "date": "published",
    "updated": "updated", "authors": "authors", "author": "authors", "tags": "tags",
    "summary": "summary", "description": "summary", "url": "url", "rights": "rights",
}
LISTS = frozenset({"authors", "tags"})
_FENCE = re.compile(r"^(---|\.\.\.)\s*$")
_ENTRY = re.compile(r"^([A-Za-z][\w-]*)\s*:(?:\s+(.*))?$")
#: One item of ``[a, "b, c"]``: quoted (commas allowed) or up to the next comma.
_LIST_ITEM = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|[^,]+)\s*(?:,|$)")
_ITEM = re.compile(r"^\s+-\s+(.*)$|^-\s+(.*)$")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _inline_list(value: str) -> list[str]:
    inner = value.strip()[1:-1]
    return [_unquote(item) for item in _LIST_ITEM.findall(inner) if item.strip()]


def front_matter(text: str, file: str) -> tuple[dict[str, Any], str, list[str]]:
    """The front matter's values, the body with the front matter blanked out (so
    line numbers stay those of the file), and notes about keys left out."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, []
    end = next((n for n in range(1, len(lines)) if _FENCE.match(lines[n])), None)
    if end is None:
        raise BriefingError.single(file, "front matter opened by '---' is never closed", line=1, column=1)
    values: dict[str, Any] = {}
    notes: list[str] = []
    key: str | None = None
    for number in range(1, end):
        line = lines[number].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM.match(line)
        if item and key in LISTS and isinstance(values.get(key), list):
            values[key].append(_unquote(item.group(1) or item.group(2)))
            continue
        entry = _ENTRY.match(line)
        if not entry:
            raise BriefingError.single(
                file, "front matter: expected 'key: value' or '- item' under a list key",
                line=number + 1, column=1,
            )
        name, value = entry.group(1).lower(), (entry.group(2) or "").strip()
        if name not in KEYS:
            notes.append(f"{file}:{number + 1}: front matter key '{name}' ignored "
                         f"(known: {', '.join(sorted(set(KEYS.values())))})")
            key = None
            continue
        key = KEYS[name]
        if key in LISTS:
            if value.startswith("[") and value.endswith("]"):
                values[key] = _inline_list(value)
            elif value:
                values[key] = [_unquote(value)]
            else:
                values[key] = []
        elif not value:
            raise BriefingError.single(file, f"front matter: '{name}' has no value",
                                       line=number + 1, column=1)
        else:
            values[key] = _unquote(value)
    body = "\n" * (end + 1) + "\n".join(lines[end + 1:])
    return values, body, notes


def read_markdown(text: str, file: str) -> Article:
    """Read a Markdown article with its optional front matter."""
    from markdown_it import MarkdownIt

    values, body, notes = front_matter(text, file)
    parser = MarkdownIt("commonmark")
    # every link reaches the HTML reader, which drops (and names) those it does not carry
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    lines = text.split("\n")

    def locate(tag: str, position: tuple[int, int]) -> tuple[int, int]:
        # the HTML's lines are not the file's: find the element in the file itself
        for number, line in enumerate(lines, 1):
            found = re.search(rf"<{tag}\b", line, re.IGNORECASE)
            if found:
                return number, found.start() + 1
        return position[0], 1

    tokens = parser.parse(body)
    for token in tokens:
        # each block says which line of the file it comes from, for notes
        if token.map and token.nesting == 1:
            token.attrSet(SOURCE_LINE, str(token.map[0] + 1))
    html = parser.renderer.render(tokens, parser.options, {})
    article = read_html(html, file, locate)
    article.notes[:0] = notes
    for key, value in values.items():
        setattr(article, key, value)
    return article
