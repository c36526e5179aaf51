"""JSON-LD that no text can break out of, and Open Graph's locale."""

from __future__ import annotations

import json

import lxml.html
import pytest

from briefkit.render.metadata import og_locale, script_json


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!-- a", "a\u2028b & c"])
def test_json_in_a_script_element_stays_json(text: str) -> None:
    page = f'<html><head><script type="application/ld+json">{script_json({"t": text})}</script>'
    page += "</head><body><p>after</p></body></html>"
    tree = lxml.html.document_fromstring(page)
    (script,) = tree.xpath("//script")
    assert json.loads(script.text) == {"t": text}
    assert tree.xpath("string(//p)") == "after"


@pytest.mark.parametrize(("tag", "locale"), [("fr", "fr_FR"), ("en-GB", "en_GB"), ("ar", "ar_EG"),
                                              ("pt-BR", "pt_BR"), ("zh-Hant-TW", "zh_TW")])
def test_open_graph_locale(tag: str, locale: str) -> None:
    assert og_locale(tag) == locale
