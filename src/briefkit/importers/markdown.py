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
tags, summary, url, rights.  The block is YAML, read by PyYAML's ``BaseLoader``
so every value stays the text it is written as (``2024-03-01`` is not a date,
``no`` is not false): a value is text (quotes optional), a list is ``[a, b]`` or
one ``- item`` per line.

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
from briefkit.importers.html import SOURCE_LINE, opening, read_html, unclosed_comment

#: Front-matter keys, and the aliases people write for them.
KEYS = {
    "title": "title", "subtitle": "subtitle", "id": "id", "slug": "id",
    "language": "language", "lang": "language", "published": "published", "date": "published",
    "updated": "updated", "authors": "authors", "author": "authors", "tags": "tags",
    "summary": "summary", "description": "summary", "url": "url", "rights": "rights",
}
LISTS = frozenset({"authors", "tags"})
#: Front matter holds text and lists of text: anything nested deeper is refused before it
#: is put together (PyYAML does that by recursion, one call per level).
MAX_FRONT_MATTER_DEPTH = 8
_FENCE = re.compile(r"^(---|\.\.\.)\s*$")


def _yaml_problem(error: Any, file: str, offset: int) -> BriefingError:
    """A YAML error as one line at the file's line (``offset`` lines before the YAML)."""
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    line = offset + (mark.line + 1 if mark is not None else 1)
    problem = getattr(error, "problem", None) or "not YAML"
    return BriefingError.single(
        file, f"front matter: expected 'key: value' or '- item' under a list key ({problem})",
        line=line, column=1)


def _check_nesting(yaml_text: str, file: str) -> None:
    """Refuse front matter nested more than :data:`MAX_FRONT_MATTER_DEPTH` deep, at the
    line where it goes too deep: read as a stream of events, in a loop, stopping there."""
    import yaml

    loader = yaml.BaseLoader(yaml_text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_FRONT_MATTER_DEPTH:
                    raise BriefingError.single(
                        file, f"front matter: nested more than {MAX_FRONT_MATTER_DEPTH} deep "
                        "(it holds text and lists of text)",
                        line=event.start_mark.line + 2, column=event.start_mark.column + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as error:
        raise _yaml_problem(error, file, 1) from None
    finally:
        loader.dispose()


def _text(node: Any, name: str, file: str, line: int) -> str:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        raise BriefingError.single(file, f"front matter: '{name}' is not text", line=line,
                                   column=1)
    return str(node.value)


def front_matter(text: str, file: str) -> tuple[dict[str, Any], str, list[str]]:
    """The front matter's values, the body with the front matter blanked out (so
    line numbers stay those of the file), and notes about keys left out."""
    import yaml

    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, []
    end = next((n for n in range(1, len(lines)) if _FENCE.match(lines[n])), None)
    if end is None:
        raise BriefingError.single(file, "front matter opened by '---' is never closed",
                                   line=1, column=1)
    _check_nesting("\n".join(lines[1:end]), file)
    loader = yaml.BaseLoader("\n".join(lines[1:end]))
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        raise _yaml_problem(error, file, 1) from None
    finally:
        loader.dispose()
    values: dict[str, Any] = {}
    notes: list[str] = []
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise BriefingError.single(
            file, "front matter: expected 'key: value' lines", line=root.start_mark.line + 2,
            column=1)
    for key_node, value_node in root.value if root is not None else []:
        line = key_node.start_mark.line + 2  # the file's line: the fence comes first
        name = _text(key_node, "a key", file, line).lower()
        if name not in KEYS:
            notes.append(f"{file}:{line}: front matter key '{name}' ignored "
                         f"(known: {', '.join(sorted(set(KEYS.values())))})")
            continue
        key = KEYS[name]
        if key in LISTS:
            if isinstance(value_node, yaml.SequenceNode):
                values[key] = [_text(item, name, file, item.start_mark.line + 2)
                               for item in value_node.value]
            else:
                value = _text(value_node, name, file, line).strip()
                values[key] = [value] if value else []
            continue
        value = _text(value_node, name, file, line).strip()
        if not value:
            raise BriefingError.single(file, f"front matter: '{name}' has no value",
                                       line=line, column=1)
        values[key] = value
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

    def locate(tag: str, position: tuple[int, int], first: int = 1) -> tuple[int, int]:
        # the HTML's lines are not the file's: find the element in the file itself
        if tag == "!--" and first == 1:
            # the comment left open is the first one with no "-->" after it: the first
            # opened after the last "-->" has begun (a search from each opener in turn
            # would read the rest of the file once per comment)
            opened = text.find("<!--", max(0, text.rfind("-->") - 3))
            if opened != -1:
                return text.count("\n", 0, opened) + 1, opened - text.rfind("\n", 0, opened)
        for number, line in enumerate(lines[first - 1:], first):
            found = opening(tag).search(line)
            if found:
                return number, found.start() + 1
        return position[0], 1

    tokens = parser.parse(body)
    for token in tokens:
        # each block says which line of the file it comes from, for notes
        if token.map and token.nesting == 1:
            token.attrSet(SOURCE_LINE, str(token.map[0] + 1))
        # a comment CommonMark did not read as one (never closed) would be text
        if token.type == "inline" and token.map and any(
                child.type == "text" and "<!--" in child.content for child in token.children or []):
            raise unclosed_comment(file, *locate("!--", (token.map[0] + 1, 1), token.map[0] + 1))
    html = parser.renderer.render(tokens, parser.options, {})
    article = read_html(html, file, locate)
    article.notes[:0] = notes
    for key, value in values.items():
        setattr(article, key, value)
    return article
