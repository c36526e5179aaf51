"""Inline markup: *emphasis*, **strong**, [label](url); everything else is literal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefkit.inline import (
    Emphasis,
    Inline,
    Link,
    Strong,
    Text,
    link_scheme,
    links,
    markup,
    parse,
    plain,
    serialise,
)


@pytest.mark.parametrize(
    ("text", "nodes"),
    [
        ("a *b* c", (Text("a "), Emphasis((Text("b"),)), Text(" c"))),
        ("**s *e* s**", (Strong((Text("s "), Emphasis((Text("e"),)), Text(" s"))),)),
        ("*e **s** e*", (Emphasis((Text("e "), Strong((Text("s"),)), Text(" e"))),)),
        ("5 * 3 * 2", (Text("5 * 3 * 2"),)),
        ("**unclosed", (Text("**unclosed"),)),
        ("<script>x</script>", (Text("<script>x</script>"),)),
        (r"\*literal\* \[x\]", (Text("*literal* [x]"),)),
        ("[a](https://x.org/(b)) c", (Link((Text("a"),), "https://x.org/(b)"), Text(" c"))),
        ("[a *b*](mailto:d@x.org)",
         (Link((Text("a "), Emphasis((Text("b"),))), "mailto:d@x.org"),)),
        ("[no url]", (Text("[no url]"),)),
        ("[spaced](https://x.org/a b)", (Text("[spaced](https://x.org/a b)"),)),
    ],
)
def test_parse(text: str, nodes: tuple[object, ...]) -> None:
    assert parse(text) == nodes


def test_plain_and_links() -> None:
    text = "See **[the report](https://x.org/r)** and *[mail](mailto:a@b.org)*."
    assert plain(text) == "See the report and mail."
    assert links(text) == ["https://x.org/r", "mailto:a@b.org"]


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("https://x", "https"), ("JavaScript:alert(1)", "javascript"), ("/a/b", None),
     ("a/b:c", None), ("mailto:a@b", "mailto"), ("data:text/html,x", "data")],
)
def test_link_scheme(url: str, scheme: str | None) -> None:
    assert link_scheme(url) == scheme


# --- back to markup -------------------------------------------------------------------

# Words made of what needs care in markup: markers, brackets, backslashes, parentheses.
_WORD = st.text(alphabet="ab*[]\\()_-.é", min_size=1, max_size=6)
_URL = st.text(alphabet="abc/?=&_-.~%", max_size=8).map(lambda tail: f"https://x.org/{tail}")


def _texts(words: list[str]) -> str:
    return " ".join(words)


def _runs(allowed: frozenset[str], depth: int) -> st.SearchStrategy[tuple[Inline, ...]]:
    """Inline runs the markup can carry: words around each formatting node (two markers
    never touch), no formatting inside formatting of its kind, no link inside a link."""
    text = st.lists(_WORD, min_size=1, max_size=3).map(_texts)
    if depth == 0 or not allowed:
        return text.map(lambda t: (Text(t),))

    def node(kind: str) -> st.SearchStrategy[Inline]:
        inner = _runs(allowed - {kind}, depth - 1)
        if kind == "em":
            return inner.map(Emphasis)
        if kind == "strong":
            return inner.map(Strong)
        return st.tuples(inner, _URL).map(lambda pair: Link(*pair))

    piece = st.one_of(*(node(kind) for kind in sorted(allowed)))

    # a word touches the formatting before it, or a space parts them
    after = st.tuples(st.sampled_from(["", " "]), _WORD).map("".join)

    def join(first: str, parts: list[tuple[Inline, str]]) -> tuple[Inline, ...]:
        run: list[Inline] = [Text(first)]
        for part, word in parts:
            run += [part, Text(word)]
        return tuple(run)

    return st.builds(join, _WORD, st.lists(st.tuples(piece, after), max_size=3))


@given(_runs(frozenset({"em", "strong", "link"}), 3))
def test_markup_reads_back_as_written(nodes: tuple[Inline, ...]) -> None:
    assert parse(serialise(nodes)) == nodes


@given(_runs(frozenset({"em", "strong", "link"}), 3))
def test_a_run_the_markup_carries_is_kept_whole(nodes: tuple[Inline, ...]) -> None:
    text, degraded = markup(nodes)
    assert not degraded and text == serialise(nodes)


def test_markers_that_would_touch_give_up_formatting_not_words() -> None:
    nodes = (Emphasis((Text("a"),)), Strong((Text("b"),)))
    text, degraded = markup(nodes)
    assert degraded and plain(text) == "ab"
