"""Language-aware typography, one pass shared by every format.

Straight quotes become the language's own (“ ” ‘ ’ in English, « » in French,
„ “ in German, as CLDR lists them) and apostrophes become ’.  French puts a
narrow no-break space (U+202F) before ``? ! ;`` and inside ``« »``, a no-break
space (U+00A0) before ``:``, so "exactement ?" never breaks before its
question mark.  The pass never touches a URL: links are separate inline nodes,
and an address written in the text is left as it is.

:func:`tie_last_words` keeps a headline, standfirst or heading from ending on
a single word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from briefkit.inline import Inline, Text

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
#: An address written in the text: left exactly as written (and never hyphenated).
ADDRESS = _URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.|mailto:)[^\s<>\"«»“”„]*[^\s<>\"«»“”„.,;:!?)\]']"
    r"|[^\s@<>\"'()]+@[^\s@<>\"'()]+\.\w+"
)
#: Between parts of one text split by inline markup (see :func:`typeset_parts`); the
#: model rules it out of every text, so it cannot occur in a briefing.
JOIN = "\x00"

#: Primary and secondary quotation marks (CLDR "delimiters"): open, close, open, close.
QUOTES = {
    "en": "“”‘’", "fr": "«»“”", "de": "„“‚‘", "es": "«»“”", "it": "«»“”", "pt": "«»“”",
    "pt_BR": "“”‘’", "nl": "‘’“”", "ru": "«»„“", "pl": "„”«»", "ar": "”“’‘", "he": "””’’",
    "de_CH": "«»‹›", "fr_CH": "«»‹›",
}
_ENGLISH_QUOTES = QUOTES["en"]
# a quote after one of these (or at the start) opens
_OPENS_AFTER = set(" \t\n\u00a0\u202f([{\u2014\u2013-/«“„‘‚")
_FR_CLOSE_GUILLEMET = re.compile(_SPACES + r"*»")
# a time written the French way, "1 h 20", never parts at a line end
_FR_HOURS = re.compile(r"(?<=\d) h(?!\w)")
_FR_MINUTES = re.compile(r"(?<=\d\u00a0h) (?=\d)")


def _french(text: str) -> str:
    def tight(match: re.Match[str]) -> str:
        start = match.start()
        # no space at the very start, after an opening bracket or after another mark
        if start == 0 or text[start - 1] in "([{«\u2018\u201c\n":
            return match.group(1)
        return NNBSP + match.group(1)

    text = _FR_BEFORE_TIGHT.sub(tight, text)
    text = _FR_BEFORE_COLON.sub(NBSP + ":", text)
    text = _FR_OPEN_GUILLEMET.sub("«" + NNBSP, text)
    text = _FR_CLOSE_GUILLEMET.sub(NNBSP + "»", text)
    text = _FR_MINUTES.sub(NBSP, _FR_HOURS.sub(NBSP + "h", text))
    return text


def quotes_for(language: str) -> str:
    """The quotation marks of a BCP 47 tag: open, close, then the secondary pair."""
    parts = language.replace("-", "_").split("_")
    region = f"{parts[0].lower()}_{parts[1].upper()}" if len(parts) > 1 else ""
    return QUOTES.get(region) or QUOTES.get(parts[0].lower(), _ENGLISH_QUOTES)


def _neighbour(text: str, index: int, step: int) -> str:
    index += step
    while 0 <= index < len(text) and text[index] == JOIN:
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _curl(text: str, marks: str, addresses: Sequence[tuple[int, int]]) -> str:
    """Straight quotes to the language's marks, outside ``addresses`` (spans of the text);
    a lone closing single quote is an apostrophe.  Keeps the text's length."""
    protected = {i for start, end in addresses for i in range(start, end)}
    out = []
    open_single = 0
    for index, char in enumerate(text):
        if char not in "\"'" or index in protected:
            out.append(char)
            continue
        before, after = _neighbour(text, index, -1), _neighbour(text, index, 1)
        opens = (before == "" or before in _OPENS_AFTER) and after != "" and not after.isspace()
        if char == '"':
            out.append(marks[0] if opens else marks[1])
        elif before.isalnum() and after.isalnum():
            out.append("\u2019")  # l'Iran, don't
        elif opens:
            open_single += 1
            out.append(marks[2])
        elif open_single:
            open_single -= 1
            out.append(marks[3])
        else:
            out.append("\u2019")  # the Smiths' house
    return "".join(out)


def _typeset(text: str, language: str) -> str:
    addresses = [match.span() for match in _URL.finditer(text)]
    if "'" in text or '"' in text:
        text = _curl(text, quotes_for(language), addresses)
    if language.split("-", maxsplit=1)[0].lower() != "fr":
        return text
    pieces = []
    start = 0
    for begin, end in addresses:
        pieces.append(_french(text[start:begin]))
        pieces.append(text[begin:end])
        start = end
    pieces.append(_french(text[start:]))
    return "".join(pieces)


@lru_cache(maxsize=8192)
def typeset(text: str, language: str) -> str:
    """Apply the typographic rules of ``language`` (a BCP 47 tag) to plain text."""
    return _typeset(text, language)


def typeset_parts(parts: Sequence[str], language: str) -> list[str]:
    """:func:`typeset` the runs of one text split by inline markup (emphasis, links), as
    one text: a quote opened before ``*word*`` is closed after it."""
    if len(parts) < 2:
        return [typeset(p, language) for p in parts]
    return typeset(JOIN.join(parts), language).split(JOIN)


def tie_last_words(text: str) -> str:
    """Join the last two words with a no-break space, so the text never ends on a line
    holding one word.  Works on plain text and on a briefing's inline markup."""
    stripped = text.rstrip()
    index = max(stripped.rfind(" "), stripped.rfind("\t"), stripped.rfind("\n"))
    if index <= 0 or not stripped[:index].strip():
        return text
    start = index
    while start > 0 and stripped[start - 1] in " \t\n":
        start -= 1
    return stripped[:start] + NBSP + stripped[index + 1:] + text[len(stripped):]


# a figure as tables print them: "1,234", "−3.5 %", "€12m", "٤٥", "12 500"
_NUMBER = re.compile(
    r"^[+\-\u2212\u2013]?\s?[$€£¥]?\s?\d[\d\s.,'\u00a0\u202f\u066b\u066c]*"
    r"(?:\s?(?:%|٪|‰|[kKmM]|bn|[$€£¥]))?$"
)


def is_number(text: str) -> bool:
    """Whether a table cell holds a figure (a numeric column is set right-aligned)."""
    return bool(_NUMBER.match(text.strip()))


_YEAR = re.compile(r"^(1[5-9]|2[0-9])[0-9]{2}$")


def numeric_columns(rows: Sequence[Sequence[str]]) -> frozenset[int]:
    """The columns whose every filled cell is a figure (a column of years names rows,
    as a label does: it keeps the text's alignment)."""
    width = max((len(row) for row in rows), default=0)
    found = set()
    for column in range(width):
        cells = [row[column].strip() for row in rows if column < len(row) and row[column].strip()]
        if cells and all(is_number(cell) for cell in cells) \
                and not all(_YEAR.match(cell) for cell in cells):
            found.add(column)
    return frozenset(found)


def typeset_inline(nodes: tuple[Inline, ...], language: str, *, tie: bool = False) -> list[str]:
    """The texts of inline nodes, in reading order, typeset as one text: a quotation mark
    opened before an emphasis is closed after it.  With ``tie``, the last two words never
    part.  Each format puts the texts back into its own markup, one per text node."""
    texts: list[str] = []

    def collect(children: tuple[Inline, ...]) -> None:
        for node in children:
            if isinstance(node, Text):
                texts.append(node.text)
            else:
                collect(node.children)

    collect(nodes)
    done = typeset_parts(texts, language)
    if tie and done:
        done = tie_last_words(JOIN.join(done)).split(JOIN)
    return done
