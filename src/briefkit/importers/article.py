"""What a reader finds in an imported article, before it becomes a briefing.

Every reader (CMS text, HTML, Markdown, ninjs) produces the same :class:`Article`: the
metadata the file itself gives, and the body as a flat run of headings and
blocks.  :func:`shape` turns that run into a standfirst and sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    """A section heading: a question line, an ``<h2>``, a ``##`` line."""

    text: str


@dataclass(frozen=True)
class Figure:
    """An image a wire item's body shows, before its file is found: the ``<img>``'s
    attributes, the caption (briefing markup) and credit of its ``<figure>``, its line."""

    attributes: dict[str, str]
    caption: str | None
    credit: str | None
    line: int


Piece = Heading | Figure | dict[str, Any]


@dataclass
class Article:
    """An article as read from a file: what it says about itself, and its body."""

    title: str | None = None
    subtitle: str | None = None
    id: str | None = None
    language: str | None = None
    published: str | None = None
    updated: str | None = None
    #: a name, or a name with a role ({"name": ..., "role": ...})
    authors: list[str | dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    url: str | None = None
    rights: str | None = None
    #: given apart from the body (a ninjs description); else the body's first paragraph
    standfirst: str | None = None
    pieces: list[Piece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: what could not be imported and is left out (an image with no file): said louder
    warnings: list[str] = field(default_factory=list)
    #: the image files the pieces name (their ``src``), to be written beside the briefing
    files: dict[str, bytes] = field(default_factory=dict)


def shape(pieces: list[Piece], standfirst: str | None = None
          ) -> tuple[str | None, list[dict[str, Any]]]:
    """The standfirst and the sections of a body.

    The first paragraph is the standfirst, unless one is given or it is all there
    is (a briefing needs a section).  Blocks before the first heading make an intro
    section without a heading; each heading starts a section.
    """
    body = list(pieces)
    first = body[0] if body else None
    if standfirst is None and isinstance(first, dict) and first["type"] == "paragraph" \
            and len(body) > 1:
        standfirst = first["text"]
        body.pop(0)
    sections: list[dict[str, Any]] = []
    for piece in body:
        if isinstance(piece, Figure):
            continue  # an image whose file was never found: the reader said so
        if isinstance(piece, Heading):
            sections.append({"heading": piece.text, "blocks": []})
            continue
        if not sections:
            sections.append({"blocks": []})
        sections[-1]["blocks"].append(piece)
    return standfirst, sections
