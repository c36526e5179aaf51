"""One HTML rendering of a briefing, from the theme's Jinja templates.

It serves the web page, the PDF, the EPUB chapters and the feeds' full
content.  Text is escaped by Jinja's autoescape and by the inline renderer,
so ``<script>`` in a briefing is always shown as text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from briefkit import inline
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.model import Briefing
from briefkit.render import colours
from briefkit.render.dates import (
    NBSP,
    conventions_of,
    date_time,
    dateline,
    locale_of,
    long_date,
    separator,
)
from briefkit.render.labels import between_names, comma, labels_for, name_separators
from briefkit.render.scripts import script_stacks
from briefkit.render.typography import (
    ADDRESS,
    numeric_columns,
    tie_last_words,
    typeset,
    typeset_inline,
)
from briefkit.theme import Theme

if TYPE_CHECKING:
    import jinja2

ImageUrl = Callable[[str], str]

#: The libraries whose versions shape this HTML: its templates, escaping and dates.
MADE_WITH = ("jinja2", "markupsafe", "babel")
#: A briefing with this many headed sections or more opens on its contents (with page
#: numbers in print): a production desk expects one in a long document.
CONTENTS_FROM = 8


def inline_html(text: str, language: str, *, tie: bool = False) -> Markup:
    """Briefing text with inline markup, as safe HTML with the language's typography;
    with ``tie``, its last two words never part (a standfirst)."""
    nodes = inline.parse(text)
    runs = iter(typeset_inline(nodes, language, tie=tie))

    def render(children: tuple[inline.Inline, ...]) -> str:
        out = []
        for node in children:
            if isinstance(node, inline.Text):
                out.append(_with_addresses(next(runs)))
            elif isinstance(node, inline.Emphasis):
                out.append(f"<em>{render(node.children)}</em>")
            elif isinstance(node, inline.Strong):
                out.append(f"<strong>{render(node.children)}</strong>")
            else:
                out.append(f'<a href="{escape(node.url)}">{render(node.children)}</a>')
        return "".join(out)

    return Markup(render(nodes))


def _with_addresses(text: str) -> str:
    """Text as HTML, each web or e-mail address written in it marked as one (``<span
    class="address">``): stylesheets never hyphenate an address, and break a long one
    anywhere rather than let it run past the edge."""
    out = []
    start = 0
    for match in ADDRESS.finditer(text):
        out.append(str(escape(text[start:match.start()])))
        out.append(f'<span class="address">{escape(match.group())}</span>')
        start = match.end()
    out.append(str(escape(text[start:])))
    return "".join(out)


def headline(text: str, language: str) -> str:
    """A title or heading: the language's typography, its last two words tied."""
    return tie_last_words(typeset(text, language))


def _inline(context: Any, text: str | None, tie: bool = False) -> Markup:
    # tie: a paragraph never ends on a line holding one short word alone
    return inline_html(text or "", context["lang"], tie=tie)


def _typo(context: Any, text: str | None) -> str:
    return typeset(text or "", context["lang"])


def environment(theme: Theme) -> jinja2.Environment:
    """The Jinja environment of a theme: its template folders in lookup order, in the
    sandbox every theme's templates run in (:mod:`briefkit.theme.sandbox`)."""
    return _environment(theme.name, theme.folders)


@lru_cache(maxsize=16)
def _environment(name: str, folders: tuple[Path, ...]) -> jinja2.Environment:
    # Jinja is imported here, not with the module: a run with nothing to do never needs it
    import jinja2

    from briefkit.theme.sandbox import sandbox

    env = sandbox(
        name,
        folders,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["inline"] = jinja2.pass_context(_inline)
    env.filters["typo"] = jinja2.pass_context(_typo)
    env.filters["plain"] = inline.plain
    return env


def stylesheet(theme: Theme, *, print_media: bool = False,
               font_url: Callable[[str], str] | None = None, logo_url: str | None = None) -> str:
    """The theme's CSS: variables from theme.toml, its fonts, then its stylesheets.

    ``style.css`` serves every format, ``print.css`` (with ``print_media``) the
    PDF, and ``theme.css`` holds what a theme changes in the stylesheets it
    inherits from the default theme.  ``logo_url`` (print only) is where the printed
    masthead's logo is fetched from.  theme.toml values were checked at load
    (colours, family names, sizes): they are written as they are.  The result is
    safe inside an HTML ``<style>`` element: no ``</`` in it can close the element.
    """
    ts = theme.settings
    parts = [
        ":root {",
        f"  --font-body: {font_stack(theme, ts.fonts.body)}, serif;",
        f"  --font-headings: {font_stack(theme, ts.fonts.headings)}, sans-serif;",
        f"  --size-body: {ts.fonts.size:g}pt;",
        f"  --paper: {colours.PAPER};",
        *(f"  --{name}: {value};" for name, value in ts.colours.model_dump().items()),
        "}",
        # by night (a reader's dark mode, on screens only): colours read as well as by day
        "@media screen and (prefers-color-scheme: dark) {",
        "  :root { color-scheme: dark;",
        *(f"    --{name}: {value};" for name, value in colours.night(ts.colours).items()),
        "  }",
        "}",
        script_stacks(theme),
    ]
    faces = font_faces(theme, font_url) if font_url is not None else ""
    if faces:
        parts.append(faces)
    parts.append(theme.read_text("style.css"))
    if print_media:
        parts.append(_page_box(theme))
        if theme.find("print.css"):
            parts.append(theme.read_text("print.css"))
        parts.append(_brand(theme, logo_url))
    # a theme built on another one adds its differences here, after everything it inherits
    if theme.find("theme.css"):
        parts.append(theme.read_text("theme.css"))
    # '<\/' is '</' to CSS wherever it may stand (strings, URLs, comments), and no end tag
    return "\n".join(parts).replace("</", "<\\/")


def font_faces(theme: Theme, font_url: Callable[[str], str],
               families: Collection[str] | None = None) -> str:
    """The ``@font-face`` rules of the theme's faces (of ``families`` only, when given),
    each face fetched from ``font_url(its path in the theme)``."""
    return "\n".join(
        f"@font-face {{ font-family: {css_string(face.family)};"
        f" src: url({css_string(font_url(face.path))});"
        f" font-weight: {face.weight}; font-style: {face.style}; }}"
        for face in theme.settings.fonts.files_of(families))


def font_stack(theme: Theme, first: str) -> str:
    """The CSS font families of text set in ``first``: every face of the theme after it."""
    return ", ".join(css_string(family) for family in theme.settings.fonts.stack(first))


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:``, family names, URLs), also safe
    inside an HTML ``<style>`` element."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
               .replace("<", "\\3C ").replace(">", "\\3E "))
    return f'"{escaped}"'


def _page_box(theme: Theme) -> str:
    """The printed page from theme.toml: size and margins (print.css adds the rest)."""
    ts = theme.settings
    # margin boxes do not inherit from the document, so the page gets its own font and colour
    return (f"@page {{ size: {ts.page.size}; margin: {ts.page.margins};"
            f" font-family: {font_stack(theme, ts.fonts.headings)}, sans-serif;"
            f" color: {ts.colours.muted}; }}")


def _brand(theme: Theme, logo_url: str | None) -> str:
    """The logo of theme.toml, after print.css so that it wins (the footer line is in the
    briefing's language: :func:`page_furniture`)."""
    brand = theme.settings.brand
    rules = []
    if brand.logo and logo_url is not None:
        # the logo heads the masthead of the printed page (the web page keeps its text)
        rules.append(
            f'.masthead::before {{ content: ""; display: block; height: 12mm; margin-bottom: 2mm;'
            f" background: url({css_string(logo_url)}) no-repeat left center;"
            " background-size: contain; }\n"
            'html[dir="rtl"] .masthead::before { background-position: right center; }'
        )
    return "\n".join(rules)


def _updated_at(moment: datetime, language: str) -> str:
    """When a briefing was updated, to the minute and in its zone: '8 Jan 2020, 16:30 GMT'
    (CLDR patterns)."""
    from babel.dates import format_date, format_time

    from briefkit.datelines import zone

    locale = locale_of(language)
    pattern = str(locale.datetime_formats["medium"]).replace("'", "")
    return pattern.format(format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
                          + NBSP + zone(locale, moment),
                          format_date(moment.date(), "medium", locale=locale))


def contents(briefing: Briefing) -> list[tuple[int, str]]:
    """The headed sections a long briefing lists before its text, as (the number in their
    ``section-N`` anchor, heading); none for a short one."""
    headed = [(number, section.heading) for number, section in
              enumerate(briefing.sections, 1) if section.heading]
    return headed if len(headed) >= CONTENTS_FROM else []


def _image_size(item: BriefingFile | Briefing) -> Callable[[str], tuple[int, int] | None]:
    """The size in pixels of each checked image of a briefing, by its ``src``: a page
    keeps the room of an image while it loads."""
    assets = item.assets if isinstance(item, BriefingFile) else {}

    def size(src: str) -> tuple[int, int] | None:
        asset = assets.get(src)
        return (asset.width, asset.height) if asset is not None else None

    return size


def context(item: BriefingFile | Briefing, theme: Theme, settings: Settings,
            image_url: ImageUrl | None = None, **extra: Any) -> dict[str, Any]:
    """What every template sees."""
    briefing = item.briefing if isinstance(item, BriefingFile) else item
    lang = briefing.language
    conventions = conventions_of(settings)
    return {
        "briefing": briefing,
        "lang": lang,
        "dir": briefing.direction,
        "published": long_date(briefing.published, lang),
        "published_time": date_time(briefing.published, lang),
        "updated": long_date(briefing.updated, lang) if briefing.updated else None,
        "updated_time": _updated_at(briefing.updated, lang) if briefing.updated else None,
        "dateline": dateline(briefing, conventions),
        "separator": separator(lang, conventions),
        "between_names": between_names(lang),
        "name_separators": name_separators(lang, len(briefing.authors)),
        "comma": comma(lang),
        "contents": (),  # a whole page lists them (see page)
        # print: a paragraph never ends on a word alone (a screen has text-wrap: pretty)
        "tie_paragraphs": False,
        "headline": lambda text: headline(text or "", lang),
        "standfirst": inline_html(briefing.standfirst, lang, tie=True)
        if briefing.standfirst else None,
        "numeric_columns": lambda rows: numeric_columns(
            [[inline.plain(cell) for cell in row] for row in rows]),
        "theme": theme.settings,
        "settings": settings,
        "masthead": theme.settings.brand.masthead or settings.publisher,
        "labels": labels_for(lang),
        "image_url": image_url or (lambda src: src),
        "image_size": _image_size(item),
        **extra,
    }


def render(template: str, item: BriefingFile | Briefing, theme: Theme, settings: Settings,
           image_url: ImageUrl | None = None, **extra: Any) -> str:
    """Render one of the theme's templates for a briefing."""
    env = environment(theme)
    return env.get_template(template).render(
        context(item, theme, settings, image_url, **extra)
    )


def content(item: BriefingFile | Briefing, theme: Theme, settings: Settings,
            image_url: ImageUrl | None = None, **extra: Any) -> str:
    """The briefing's body (title block, sections, sources), without <html> around it."""
    return render("content.html", item, theme, settings, image_url, **extra)


def page(item: BriefingFile | Briefing, theme: Theme, settings: Settings,
         image_url: ImageUrl | None = None, *, css: str = "", **extra: Any) -> str:
    """The briefing as a whole HTML document (a long one opens on its contents)."""
    briefing = item.briefing if isinstance(item, BriefingFile) else item
    extra.setdefault("contents", contents(briefing))
    return render("briefing.html", item, theme, settings, image_url, css=css, **extra)
