"""Which face of a theme sets each script it carries, and how text in that script is set.

Text falls back through every face of the theme (:meth:`~briefkit.theme.settings.Fonts.stack`):
Arabic is set in Amiri because Charis SIL and Inter lack its letters.  But the full stops,
colons and digits inside an Arabic sentence are in Charis SIL and Inter too, so they would
come from a Latin face, at its size and on its baseline, in the middle of Amiri.  For each
script a theme does not set with its body face, the face that draws it comes first in the
stacks of text in that script's languages: the punctuation and figures of an Arabic
sentence are Amiri's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefkit.theme import Theme


@dataclass(frozen=True)
class Script:
    """A script the packaged themes carry a face for, and the languages written in it."""

    name: str
    letter: str  # a letter every face of the script draws
    languages: tuple[str, ...]

    def selector(self) -> str:
        """The CSS selector of text in one of the script's languages."""
        return ", ".join(f":lang({language})" for language in self.languages)


SCRIPTS = (
    Script("Arabic", "\u0628", ("ar", "fa", "ur", "ps", "ckb", "sd", "ug")),
    Script("Hebrew", "\u05d0", ("he", "yi")),
)


def script_face(theme: Theme, script: Script) -> str | None:
    """The first family of the theme's stack that draws the script's letters; None when the
    body face draws them itself (nothing to change) or no face does."""
    fonts = theme.settings.fonts
    for family in fonts.stack(fonts.body):
        if ord(script.letter) in theme.family_draws(family):
            return None if family == fonts.body else family
    return None


def _stack(theme: Theme, family: str, first: str) -> str:
    from briefkit.render.html import css_string

    fonts = theme.settings.fonts
    return ", ".join(css_string(f) for f in dict.fromkeys((family, *fonts.stack(first))))


def page_stack(theme: Theme, language: str) -> str | None:
    """The families of the running heads and page numbers of a briefing in ``language``,
    when its script has a face of its own (the headings' stack otherwise)."""
    primary = language.split("-", maxsplit=1)[0].lower()
    for script in SCRIPTS:
        if primary in script.languages:
            family = script_face(theme, script)
            if family is not None:
                return _stack(theme, family, theme.settings.fonts.headings) + ", sans-serif"
    return None


def script_stacks(theme: Theme) -> str:
    """CSS that sets the text of each script in its own face first (its punctuation and
    figures too), the theme's other faces after it; empty when the body face draws every
    script the theme carries."""
    fonts = theme.settings.fonts
    rules = []
    for script in SCRIPTS:
        family = script_face(theme, script)
        if family is None:
            continue
        rules.append(
            f"{script.selector()} {{ --font-body: {_stack(theme, family, fonts.body)}, serif;"
            f" --font-headings: {_stack(theme, family, fonts.headings)}, sans-serif; }}\n"
            # an element that changes the language sets its text in the script's stack
            f"{', '.join(f'[lang]:lang({lang})' for lang in script.languages)}"
            " { font-family: var(--font-body); }"
        )
    if rules:
        # text in another language inside (a Latin masthead on an Arabic page) is set as
        # the theme sets it
        others = ", ".join(f":lang({lang})" for script in SCRIPTS for lang in script.languages)
        rules.append(
            f"[lang]:not({others}) {{ --font-body: {_stack(theme, fonts.body, fonts.body)},"
            f" serif; --font-headings: {_stack(theme, fonts.headings, fonts.headings)},"
            " sans-serif; }")
    return "\n".join(rules)
