"""Text built to make the parsers work hard: each must stay linear.

Before these were fixed, 20,000 characters of ``**a **a ...`` took minutes to
parse and a long run of spaces in French text took quadratic time in the
typography pass, so a single briefing could stall `briefkit validate`.  The
bounds are generous (a loaded machine) and far below what quadratic time takes.
"""

from __future__ import annotations

import time

import pytest

from briefkit import inline
from briefkit.render.html import inline_html
from briefkit.render.typography import typeset

SIZE = 200_000  # characters; a quadratic pass over this takes hours

HOSTILE_MARKUP = {
    "unclosed strong": "**a " * (SIZE // 4),
    "unclosed emphasis": "*a " * (SIZE // 3),
    "alternating": "*a**" * (SIZE // 4),
    "link openers": "[a](" * (SIZE // 4),
    "nested parentheses": "[a](" + "(" * SIZE,
    "long link URLs": "[a](b" * (SIZE // 10) + ")" * (SIZE // 10),
    "brackets": "[" * SIZE,
    "backslashes": "\\" * SIZE,
    "stars": "*" * SIZE,
}


#: markers that never pair up: a reader sees the text exactly as written
UNPAIRED = {"unclosed strong", "unclosed emphasis", "link openers", "nested parentheses",
            "brackets"}


@pytest.mark.parametrize("name", HOSTILE_MARKUP)
def test_inline_markup_is_parsed_in_linear_time(name: str) -> None:
    text = HOSTILE_MARKUP[name]
    inline.parse.cache_clear()
    started = time.perf_counter()
    nodes = inline.parse(text)
    assert time.perf_counter() - started < 20
    # nothing is lost: the text a reader sees is the text written, less the markers used
    seen = inline.plain(nodes)
    if name in UNPAIRED:
        assert seen == text
    elif name == "long link URLs":
        assert seen == "a"  # one link: its label, the rest (balanced parentheses) its URL
    elif name == "backslashes":
        assert seen == "\\" * (SIZE // 2)  # each pair is one escaped backslash
    else:  # stars: only those used as emphasis markers are gone
        assert seen.replace("*", "") == text.replace("*", "")


HOSTILE_FRENCH = {
    "spaces": "a" + " " * SIZE + "b",
    "no-break spaces": "a" + "\u00a0" * SIZE + "b",
    "spaces before nothing": (" " * 1000 + "x") * (SIZE // 1000),
    "colons": "a :" * (SIZE // 3),
    "guillemets": "« " * (SIZE // 2),
}


@pytest.mark.parametrize("text", HOSTILE_FRENCH.values(), ids=HOSTILE_FRENCH.keys())
def test_french_typography_is_linear(text: str) -> None:
    typeset.cache_clear()
    started = time.perf_counter()
    inline_html(text.replace("*", ""), "fr")
    assert time.perf_counter() - started < 20


def test_french_rules_still_apply_around_long_runs() -> None:
    assert typeset("Quoi" + " " * 5000 + "?", "fr") == "Quoi\u202f?"
    # narrow no-break spaces inside guillemets
    assert typeset("«" + " " * 5000 + "oui" + " " * 5000 + "»", "fr") == "«\u202foui\u202f»"
