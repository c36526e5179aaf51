"""Language-aware typography, one pass shared by every format.

French puts a narrow no-break space (U+202F) before ``? ! ;``, a no-break
space (U+00A0) before ``:`` and inside ``« »``, so "exactement ?" never
breaks before its question mark.  Every language gets typographic apostrophes.
The pass only touches text, never URLs (links are separate inline nodes).
"""

from __future__ import annotations

import re
from functools import lru_cache

NBSP = "\u00a0"
NNBSP = "\u202f"

# a straight apostrophe between letters is an elision or a possessive
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# French: existing spaces before high punctuation become no-break; missing ones are added.
# A run of spaces is only matched from its first space ((?<!...)): tried from every
# space, a long run not followed by punctuation took quadratic time.
_SPACES = r"(?<![ \t\u00a0\u202f])[ \t\u00a0\u202f]"
_FR_BEFORE_TIGHT = re.compile(_SPACES + r"*([?!;]+)")
_FR_BEFORE_COLON = re.compile(r"(?<=\w)[ \t\u00a0\u202f]*:(?=\s|$)|" + _SPACES + r"+:(?=\s|$)")
_FR_OPEN_GUILLEMET = re.compile(r"«[ \t\u00a0\u202f]*")
_FR_CLOSE_GUILLEMET = re.compile(_SPACES + r"*»")


def _french(text: str) -> str:
    def tight(match: re.Match[str]) -> str:
        start = match.start()
        # no space at the very start, after an opening bracket or after another mark
        if start == 0 or text[start - 1] in "([{«\u2018\u201c\n":
            return match.group(1)
        return NNBSP + match.group(1)

    text = _FR_BEFORE_TIGHT.sub(tight, text)
    text = _FR_BEFORE_COLON.sub(NBSP + ":", text)
    text = _FR_OPEN_GUILLEMET.sub("«" + NBSP, text)
    text = _FR_CLOSE_GUILLEMET.sub(NBSP + "»", text)
    return text


@lru_cache(maxsize=8192)
def typeset(text: str, language: str) -> str:
    """Apply the typographic rules of ``language`` (a BCP 47 tag) to plain text."""
    text = _APOSTROPHE.sub("\u2019", text)
    if language.split("-")[0].lower() == "fr":
        text = _french(text)
    return text
