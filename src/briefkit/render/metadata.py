"""What a web page tells search engines and link previews about its briefing:
schema.org ``NewsArticle`` JSON-LD and Open Graph tags.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from briefkit.config import Settings
from briefkit.model import Briefing
from briefkit.render.typography import typeset

#: What JSON may hold but a ``<script>`` element may not: written as JSON escapes,
#: so "</script>" or "<!--" in a title can never end the element.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: Any) -> Markup:
    """``data`` as JSON safe inside an HTML ``<script>`` element."""
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_SAFE))


def news_article(briefing: Briefing, settings: Settings, *, url: str | None,
                 images: Sequence[str], logo: str | None, description: str | None) -> Markup:
    """The briefing as schema.org ``NewsArticle`` JSON-LD."""
    lang = briefing.language
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": typeset(briefing.title, lang),
        "inLanguage": lang,
        "datePublished": briefing.published.isoformat(),
        "dateModified": briefing.modified.isoformat(),
    }
    if description:
        data["description"] = description
    if url:
        data["url"] = url
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": url}
    if briefing.authors:
        data["author"] = [
            {"@type": "Person", "name": a.name, **({"url": a.url} if a.url else {})}
            for a in briefing.authors
        ]
    if images:
        data["image"] = list(images)
    publisher_name = settings.publisher or settings.title
    publisher: dict[str, Any] = {"@type": "Organization", "name": publisher_name}
    if settings.base_url:
        publisher["url"] = settings.base_url
    if logo:
        publisher["logo"] = {"@type": "ImageObject", "url": logo}
    data["publisher"] = publisher
    if briefing.tags:
        data["keywords"] = list(briefing.tags)
    if briefing.rights:
        data["copyrightNotice"] = briefing.rights
    return script_json(data)


def og_locale(language: str) -> str:
    """Open Graph's locale, language_TERRITORY: 'fr' is 'fr_FR', 'ar' 'ar_EG' (CLDR's
    likely subtags)."""
    from babel.core import get_global

    parts = language.replace("-", "_").split("_")
    base = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 or p.isdigit()), None)
    if region is None:
        likely = str(get_global("likely_subtags").get(base, base)).split("_")
        region = next((p for p in likely[1:] if len(p) == 2), None)
    return f"{base}_{region}" if region else base


def open_graph(briefing: Briefing, settings: Settings, *, url: str | None,
               images: Sequence[str], description: str | None) -> list[tuple[str, str]]:
    """Open Graph properties, in order: (property, content)."""
    lang = briefing.language
    tags = [("og:type", "article"), ("og:title", typeset(briefing.title, lang))]
    if url:
        tags.append(("og:url", url))
    if description:
        tags.append(("og:description", description))
    tags += [("og:image", image) for image in images[:1]]
    tags += [("og:site_name", settings.title), ("og:locale", og_locale(lang)),
             ("article:published_time", briefing.published.isoformat()),
             ("article:modified_time", briefing.modified.isoformat())]
    tags += [("article:author", a.url or a.name) for a in briefing.authors]
    tags += [("article:tag", tag) for tag in briefing.tags]
    return tags
