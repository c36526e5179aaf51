"""What a ninjs item's fields are called and how one value is read.

ninjs 1.x, 2.x and 3.x name the same things differently (``headline`` and ``headlines``,
``versioncreated`` and ``versionCreated``); agencies name roles and relations from their
own vocabularies ("ninat:main", "sub-headline").  The names read are here, with the parse
that refuses JSON that is not a ninjs item in one line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from briefkit.errors import BriefingError
from briefkit.importers.html_inline import decode_entities

#: Body, headline and description roles, lower-cased.
MAIN_HEADLINES = frozenset({"main", "headline", "title"})

SUB_HEADLINES = frozenset({"sub", "subheadline", "sub-headline", "subhead", "subtitle", "deck",
                           "dek", "strapline", "secondary"})

STANDFIRSTS = frozenset({"standfirst", "lead", "lede", "intro", "introduction", "teaser",
                         "leadin", "summary-lead"})

SUMMARIES = frozenset({"summary", "abstract", "synopsis", "description", "short"})

#: Descriptions that hold the article's text (NTB's, TT's): the text of an item without body.
TEXTS = frozenset({"text", "body", "fulltext", "full-text"})

#: People's relations that make them authors; the generic ones give no role.
AUTHORSHIP = frozenset({"author", "creator", "by", "byline", "writer", "contributor", "reporter",
                        "correspondent", "editor", "photographer", "producer", "translator",
                        "columnist", "analyst"})

GENERIC_AUTHORSHIP = frozenset({"author", "creator", "by", "byline", "writer"})

#: Fields by which JSON is recognised as ninjs (the schema requires only ``uri``).
NINJS_FIELDS = frozenset({"uri", "headlines", "headline", "bodies", "body_html", "body_xhtml",
                          "body_text"})

#: A tag holds no "<": a scan for its ">" stops at the next "<", so "<<<<..." is read in
#: one pass (``<[^>]*>`` would scan to the end of the text from every "<").
_TAG = re.compile(r"<[^<>]*>")

SPACE = re.compile(r"\s+")


def same(text: str | None) -> str:
    """Text as compared: no-break and other spaces alike, case kept."""
    return SPACE.sub(" ", text or "").strip()


def looks_like_json(text: str) -> bool:
    """Whether the text is JSON rather than an article (so it is read as ninjs): text
    starting with "[" may be Markdown (a link), so only JSON that parses counts."""
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    except RecursionError:
        return True  # JSON nested too deeply to read: the ninjs reader says so in one line
    return True


def parse_item(text: str, file: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BriefingError.single(file, f"malformed JSON: {error.msg[0].lower()}{error.msg[1:]}",
                                   line=error.lineno, column=error.colno) from None
    except RecursionError:
        raise BriefingError.single(file, "malformed JSON: nested too deeply", line=1,
                                   column=1) from None
    except ValueError:
        raise BriefingError.single(file, "malformed JSON: a number too long to read") from None
    if isinstance(data, dict) and {"id", "title", "sections"} <= set(data):
        raise BriefingError.single(file, "this is a briefing already, not a ninjs item: put it in "
                                   "source/ and run briefkit validate")
    if not isinstance(data, dict) or not any(
            isinstance(key, str) and key.lower() in NINJS_FIELDS for key in data):
        raise BriefingError.single(file, "JSON, but not a ninjs news item (no uri, headline or "
                                   "body): briefkit imports ninjs text items, CMS text, HTML or "
                                   "Markdown")
    return data


def plain_text(value: Any, content_type: str = "") -> str:
    """Text of a headline or description, whitespace collapsed (HTML tags dropped)."""
    text = value if isinstance(value, str) else ""
    if "html" in content_type.lower() or ("<" in text and _TAG.search(text)):
        text = decode_entities(_TAG.sub(" ", text))
    return SPACE.sub(" ", text).strip()


def role_of(entry: dict[str, Any], field: str = "role") -> str:
    """A role or relation, lower-cased, without a vocabulary's prefix ("ninat:main")."""
    value = entry.get(field)
    if not isinstance(value, str):
        return ""
    return re.split(r"[:/#]", value.strip().lower())[-1]


def objects_of(value: Any) -> list[dict[str, Any]]:
    """The objects of a ninjs array (headlines, bodies, people ...) with keys lower-cased."""
    if not isinstance(value, list):
        return []
    return [{str(k).lower(): v for k, v in entry.items()} for entry in value
            if isinstance(entry, dict)]
