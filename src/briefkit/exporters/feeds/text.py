"""Text written by the newsroom, as each feed format carries it exactly.

A title, summary, category or name may hold anything: ``Q&A: <script>…``, a tag
called ``<tag>``, an address with ``&lang=``.  Each format has a form that every
reader shows as written and the W3C Feed Validation Service accepts:

- Atom says what a text is (RFC 4287 §3.1): text holding ``<`` or ``&`` is written
  as HTML (``type="html"``, the text escaped once more), any other as ``type="text"``.
- RSS 2.0 does not say whether a title is text or HTML, and readers differ.  Plain
  text is written as it is (newsboat and feedparser show it so), unless a reader or
  the validator would take part of it for HTML (a closing tag such as ``</b>``, a
  character reference such as ``&amp;``): then it is written as HTML, escaped once
  more, which feedparser reports as HTML and readers that take titles as HTML show as
  written.  A category is plain text to readers (none guesses): it is escaped only when
  it holds a closing tag, which the validator would take for HTML.  An item's
  description is HTML by the specification: always escaped.
- A person's name is plain text in both, and has no HTML form: it is written as it is.
- In both, ``&``, ``<`` and ``>`` are written as the hexadecimal references
  ``&#x26;``, ``&#x3C;`` and ``&#x3E;``, as the RSS Advisory Board's profile
  recommends for plain text: the same characters to any XML reader.

Nothing is added to the text: no invisible character, no change of a letter.
"""

from __future__ import annotations

import html
import re

#: What a reader or the validator takes for HTML in text: a closing tag or a
#: character reference.
_LOOKS_LIKE_HTML = re.compile(r"</\w+>|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
#: What the validator takes for HTML in any text: a closing tag.
_CLOSING_TAG = re.compile(r"</\w+>")


def looks_like_html(text: str) -> bool:
    """Whether part of ``text`` would be read as HTML by a reader that guesses."""
    return bool(_LOOKS_LIKE_HTML.search(text))


def rss_plain(text: str) -> str:
    """Text for an RSS element that holds text (a title, a category, the channel's
    description): as written, or escaped as HTML when part of it looks like HTML."""
    return html.escape(text, quote=True) if looks_like_html(text) else text


def rss_category(text: str) -> str:
    """Text for an RSS category: as written, or escaped as HTML when it holds a closing tag."""
    return html.escape(text, quote=True) if _CLOSING_TAG.search(text) else text


def as_html(text: str) -> str:
    """Text for an element that holds HTML (an RSS item's description)."""
    return html.escape(text, quote=True)


def atom_type(text: str) -> str:
    """The type an Atom text construct holding ``text`` is written with."""
    return "html" if "<" in text or "&" in text else "text"


def atom_value(text: str) -> str:
    """What an Atom text construct of type :func:`atom_type` holds for ``text``."""
    return html.escape(text, quote=True) if atom_type(text) == "html" else text


#: lxml writes these for "&", "<" and ">" in text and attributes.
_XML_ESCAPES = ((b"&amp;", b"&#x26;"), (b"&lt;", b"&#x3C;"), (b"&gt;", b"&#x3E;"))


def hexadecimal_references(data: bytes) -> bytes:
    """An XML document with "&", "<" and ">" written as hexadecimal character
    references: the same document to any XML parser."""
    # one pass each, in C: a reference written leaves no "&amp;", "&lt;" or "&gt;" behind
    for entity, reference in _XML_ESCAPES:
        data = data.replace(entity, reference)
    return data
