"""Links between published files."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from briefkit.links import relative

SEGMENT = st.sampled_from(["a", "b", "tags", "x y", "é", "theme", "fonts", "index.html",
                           "f.woff2", ".", "..", "a%2F"])
PATH = st.lists(SEGMENT, min_size=1, max_size=5).map("/".join)


@given(PATH, PATH)
def test_a_link_is_what_posixpath_relpath_works_out(from_path: str, to_path: str) -> None:
    start = posixpath.dirname(from_path) or "."
    assert relative(from_path, to_path) == quote(posixpath.relpath(to_path, start), safe="/")


def test_links_between_folders() -> None:
    assert relative("index.html", "theme/fonts/a.woff2") == "theme/fonts/a.woff2"
    assert relative("tags/x/index.html", "theme/fonts/a.woff2") == "../../theme/fonts/a.woff2"
    assert relative("tags/x/index.html", "tags/x/feed.xml") == "feed.xml"
    assert relative("tags/x/index.html", "tags/x/") == "."
    assert relative("fr/index.html", "été.html") == "../%C3%A9t%C3%A9.html"
