"""Inline markup: *emphasis*, **strong**, [label](url); everything else is literal."""

from __future__ import annotations

import pytest

from briefkit.inline import Emphasis, Link, Strong, Text, link_scheme, links, parse, plain


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
        ("[a *b*](mailto:d@x.org)", (Link((Text("a "), Emphasis((Text("b"),))), "mailto:d@x.org"),)),
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
