"""Hypothesis strategies for valid briefings: every block type, any script, any length.

A briefing is drawn as the JSON object a newsroom would write, so that it goes
through :func:`briefkit.load.load` like any file.  Text mixes random Unicode
(any assigned, non-control character) with the things that break exporters:
right-to-left scripts, balanced bidirectional controls, emoji sequences,
combining marks, CJK, long words, markup characters and HTML that must stay
literal.  Every value is valid: a test that loads one and fails has found a
bug, not a bad example.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

#: the image every generated image block shows (copied beside the briefing by the test)
IMAGE = "images/chart.png"

LANGUAGES = ["en", "en-GB", "fr", "fr-CA", "de", "ar", "he", "fa", "ja", "zh-Hant", "hi", "ru"]

# Embeddings, overrides and isolates are generated only as balanced pairs (see _bidi_run).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"



def _allowed(ch: str) -> bool:
    return unicodedata.category(ch) not in ("Cc", "Cs", "Cn", "Co") and ch not in _BIDI


# Any assigned character but controls, surrogates, private use and unassigned code
# points: every such character of the Basic Multilingual Plane, and of the planes of
# emoji, mathematical letters and rare CJK.  (A list to sample from: st.characters
# with excluded categories is slow to draw.)
_CHARACTERS = [
    chr(code)
    for low, high in ((0x20, 0xFFFD), (0x1D400, 0x1D7FF), (0x1F000, 0x1FAFF), (0x20000, 0x2000F))
    for code in range(low, high + 1)
    if _allowed(chr(code))
]
_any_character = st.sampled_from(_CHARACTERS)

_hostile_words = st.sampled_from([
    "<script>alert(1)</script>", "]]>", "<![CDATA[x]]>", "&amp;", "&lt;b&gt;", "<!-- c -->",
    "<b>bold?</b>", "\"quoted\"", "l'Iran", "« guillemets »", "exactement ?", "a : b",
    "5 * 3", "{{ jinja }}", "{% raw %}", "${x}", "%s%n", "\\", "C:\\path", "javascript:alert(1)",
])
_script_words = st.sampled_from([
    "Bonjour", "élève", "Straße", "ﬁnancière", "naïve", "Ωμέγα", "Москва", "كلمة", "العراق",
    "שלום", "فارسی", "東京都", "北京", "한국어", "हिन्दी", "ภาษาไทย", "ქართული", "Ꭰ",
])
_emoji = st.sampled_from([
    "🚌", "👍🏽", "👩‍👩‍👧", "🏳️‍🌈", "🇫🇷", "❤️", "🧑🏿‍🚀", "1️⃣", "🫠", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
])
_combining = st.builds(
    lambda base, marks: base + marks,
    st.sampled_from(["a", "e", "o", "ا", "ש", "क"]),
    st.text(st.sampled_from("\u0300\u0301\u0308\u0323\u0327\u064b\u0651\u05b8\u093c\u20dd"),
            min_size=1, max_size=4),
)
_long_word = st.builds(
    lambda letters, length: (letters * length)[:length],
    st.text(_any_character, min_size=1, max_size=4), st.integers(60, 400),
)
_random_word = st.text(_any_character, min_size=1, max_size=8)


@st.composite
def _bidi_run(draw: st.DrawFn) -> str:
    """Text wrapped in a balanced embedding, override or isolate."""
    opener, closer = draw(st.sampled_from([
        ("\u202a", "\u202c"), ("\u202b", "\u202c"), ("\u202d", "\u202c"), ("\u202e", "\u202c"),
        ("\u2066", "\u2069"), ("\u2067", "\u2069"), ("\u2068", "\u2069"),
    ]))
    return opener + draw(st.one_of(_script_words, _random_word)) + closer


_word = st.one_of(
    _random_word, _random_word, _script_words, _script_words, _hostile_words, _emoji,
    _combining, _bidi_run(), _long_word,
)


@st.composite
def text(draw: st.DrawFn, max_words: int = 6) -> str:
    """Plain text that is not blank: words, spaces and the odd line break."""
    words = draw(st.lists(_word, min_size=1, max_size=max_words))
    separators = draw(st.lists(st.sampled_from([" ", " ", " ", "\n", "\u00a0", "  "]),
                               min_size=len(words), max_size=len(words)))
    value = "".join(w + s for w, s in zip(words, separators, strict=True)).strip()
    return value if value.strip() else "x"


def _literal(value: str) -> str:
    """Plain text made safe for a markup field: no accidental link (relative URLs are refused)."""
    return value.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


_url = st.builds(
    lambda scheme, path: f"{scheme}://example.org/{path}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["", "a", "a/b?c=1&d=2", "wiki/Foo_(bar)", "%E2%82%AC", "x#frag", "é"]),
)


@st.composite
def markup(draw: st.DrawFn, max_words: int = 6) -> str:
    """Text with inline markup: emphasis, strong, links (http, https, mailto) and stray stars."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        piece = _literal(draw(text(max_words)))
        kind = draw(st.sampled_from(["plain", "plain", "em", "strong", "link", "mail", "star"]))
        if kind == "em":
            piece = f"*{piece}*"
        elif kind == "strong":
            piece = f"**{piece}**"
        elif kind == "link":
            piece = f"[{piece}]({draw(_url)})"
        elif kind == "mail":
            piece = f"[{piece}](mailto:desk@example.org)"
        elif kind == "star":
            piece = f"{piece} * {piece}"
        parts.append(piece)
    return " ".join(parts)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


_paragraph = st.builds(lambda t: {"type": "paragraph", "text": t}, markup())
_quote = st.builds(
    lambda t, a: _drop_none({"type": "quote", "text": t, "attribution": a}),
    markup(), _optional(text(4)),
)
_list = st.builds(
    lambda items, ordered: {"type": "list", "items": items, "ordered": ordered},
    st.lists(markup(6), min_size=1, max_size=5), st.booleans(),
)
_image = st.builds(
    lambda alt, caption, credit: _drop_none(
        {"type": "image", "src": IMAGE, "alt": alt, "caption": caption, "credit": credit}),
    text(8), _optional(markup(8)), _optional(text(4)),
)


@st.composite
def _table(draw: st.DrawFn) -> dict[str, Any]:
    columns = draw(st.integers(1, 4))
    cell = st.one_of(st.just(""), markup(3))
    return _drop_none({
        "type": "table",
        "caption": draw(_optional(markup(6))),
        "header": draw(st.lists(markup(2), min_size=columns, max_size=columns)),
        "rows": draw(st.lists(st.lists(cell, min_size=columns, max_size=columns),
                              min_size=1, max_size=4)),
    })


_timeline = st.builds(
    lambda events: {"type": "timeline", "events": events},
    st.lists(st.builds(lambda w, t: {"when": w, "text": t}, text(3), markup(6)),
             min_size=1, max_size=4),
)
_factbox = st.builds(
    lambda title, items: _drop_none({"type": "factbox", "title": title, "items": items}),
    _optional(text(4)), st.lists(markup(6), min_size=1, max_size=4),
)
block = st.one_of(_paragraph, _quote, _list, _image, _table(), _timeline, _factbox)


@st.composite
def _section(draw: st.DrawFn) -> dict[str, Any]:
    heading = draw(_optional(text(6)))
    blocks = draw(st.lists(block, min_size=0 if heading else 1, max_size=3))
    return _drop_none({"heading": heading, "blocks": blocks or None})


_slug = st.from_regex(r"\A[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,4}\Z")


@st.composite
def _moment(draw: st.DrawFn) -> datetime:
    naive = draw(st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)))
    minutes = draw(st.integers(-14 * 4, 14 * 4)) * 15
    return naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))


_author = st.builds(
    lambda name, role, email, url: _drop_none(
        {"name": name, "role": role, "email": email, "url": url}),
    text(4), _optional(text(3)), _optional(st.just("desk@example.org")), _optional(_url),
)
_source = st.builds(
    lambda title, url, publisher: _drop_none({"title": title, "url": url, "publisher": publisher}),
    text(8), _optional(_url), _optional(text(4)),
)


@st.composite
def briefing(draw: st.DrawFn, briefing_id: str | None = None) -> dict[str, Any]:
    """A valid briefing as a JSON object (``load`` accepts it as written)."""
    published = draw(_moment())
    updated = draw(_optional(st.timedeltas(timedelta(0), timedelta(days=400))))
    identifier = briefing_id or draw(_slug)
    return _drop_none({
        "id": identifier,
        "title": draw(text(10)),
        "subtitle": draw(_optional(text(8))),
        "standfirst": draw(_optional(markup(20))),
        "language": draw(st.sampled_from(LANGUAGES)),
        "published": published.isoformat(),
        "updated": (published + updated).isoformat() if updated is not None else None,
        "authors": draw(st.lists(_author, max_size=3)) or None,
        "tags": draw(st.lists(text(2), max_size=4)) or None,
        "summary": draw(_optional(text(15))),
        "url": draw(_optional(st.just(f"https://example.org/briefings/{identifier}"))),
        "rights": draw(_optional(text(4))),
        "sections": draw(st.lists(_section(), min_size=1, max_size=3)),
        "sources": draw(st.lists(_source, max_size=3)) or None,
    })


@st.composite
def collection(draw: st.DrawFn, max_size: int = 3) -> list[dict[str, Any]]:
    """One to ``max_size`` valid briefings with distinct ids."""
    ids = draw(st.lists(_slug, min_size=1, max_size=max_size, unique=True))
    return [draw(briefing(i)) for i in ids]
