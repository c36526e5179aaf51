"""What a page carries around a briefing's text in the briefing's language: the theme's
footer line, page numbers, the numbers of lists and of the contents in the digits of its
dateline, and the running heads in its script's face.

The web page adds :func:`numbered_lists` to its stylesheet; the PDF lays each briefing out
with :func:`page_furniture` after the theme's print stylesheet, which is compiled once for
every language.
"""

from __future__ import annotations

from briefkit.config import Settings
from briefkit.render.dates import conventions_of, digits
from briefkit.render.html import css_string
from briefkit.render.scripts import page_stack
from briefkit.theme import Theme

#: CSS counter styles of the numbering systems a dateline may use (see datelines._ZEROS)
COUNTER_STYLES = {"arab": "arabic-indic", "arabext": "persian", "deva": "devanagari",
                  "beng": "bengali", "mymr": "myanmar", "thai": "thai", "tibt": "tibetan",
                  "khmr": "khmer", "laoo": "lao"}


def counter_style(settings: Settings, language: str) -> str | None:
    """The CSS counter style of the digits the dateline of ``language`` is written in;
    None for Latin digits."""
    return COUNTER_STYLES.get(digits(language, conventions_of(settings)))


def numbered_lists(settings: Settings, language: str) -> str:
    """CSS numbering the lists of a briefing in ``language`` in its dateline's digits
    (nothing to add for Latin digits)."""
    style = counter_style(settings, language)
    return f"ol {{ list-style-type: {style}; }}" if style is not None else ""


def page_furniture(theme: Theme, settings: Settings, language: str) -> str:
    """What the printed pages of a briefing in ``language`` carry around its text, after
    the theme's stylesheets: the theme's footer line in that language, the page numbers
    (and those of the contents) in its digits, the running heads in its script's face."""
    rules = []
    footer = theme.settings.brand.footer_in(language)
    if footer:
        # the footer sits where a line starts: bottom left, bottom right on the pages
        # of a right-to-left briefing (the page named "right-to-left" in print.css)
        text = css_string(footer)
        rules.append(f"@page {{ @bottom-left {{ content: {text}; }} }}")
        rules.append(f"@page right-to-left {{ @bottom-right {{ content: {text}; }} }}")
    style = counter_style(settings, language)
    if style is not None:
        number = f'counter(page, {style}) " / " counter(pages, {style})'
        rules.append(f"@page {{ @bottom-right {{ content: {number}; }} }}")
        rules.append(f"@page right-to-left {{ @bottom-left {{ content: {number}; }} }}")
        rules.append(f'.contents a::after {{ content: leader(dotted) " "'
                     f" target-counter(attr(href), page, {style}); }}")
        rules.append(numbered_lists(settings, language))
    stack = page_stack(theme, language)
    if stack is not None:
        rules.append(f"@page {{ font-family: {stack}; }}")
    return "\n".join(rules)
