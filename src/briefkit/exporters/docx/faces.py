"""Which of the theme's faces sets each stretch of a text in Word.

Word and LibreOffice pick a face by the run's fonts, not by the faces a
document embeds: a run whose style faces lack its letters is named the theme
face that has them (see :class:`TextFaces`).  No python-docx here: the
exporter's module imports this one, and ``briefkit validate`` imports the
exporter.
"""

from __future__ import annotations

import re
import unicodedata

from briefkit.theme import Theme

#: a text's words and the spaces between them
_WORDS = re.compile(r"\s+|\S+")
#: marks a space in :meth:`TextFaces.pieces` while its face is undecided
_SPACE = " "
#: joins the character after it to the one before (emoji sequences)
_JOINER = "\u200d"


def _attached(ch: str) -> bool:
    """Whether ``ch`` goes with the character before it, in the same face: combining
    marks, joiners, variation selectors, emoji skin tones and tag characters (a
    sequence split between faces falls apart)."""
    code = ord(ch)
    return (unicodedata.category(ch) in ("Mn", "Me", "Cf") or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F)


def _right_to_left(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def family_characters(theme: Theme, family: str) -> frozenset[int]:
    """The characters the faces of ``family`` hold between them."""
    return theme.family_draws(family)


class TextFaces:
    """Which of the theme's families sets each stretch of a text in Word.

    Word and LibreOffice set a run in the fonts its style names, and a character
    that face lacks in one of the machine's (DejaVu, or an empty box for emoji), even
    when the document embeds a face that has it.  A word whose letters the body and
    headings faces both have keeps its style's fonts; another is set whole in the
    theme's first family holding all its letters (Greek in Inter where Charis SIL
    lacks capitals, Hebrew in Noto Sans Hebrew, emoji in Noto Emoji), else letter by
    letter, marks and joiners with their letter.
    """

    def __init__(self, theme: Theme) -> None:
        fonts = theme.settings.fonts
        self.families = fonts.families
        # asked of the theme, not of docx/fonts.py, which imports python-docx: a run with
        # nothing to do loads this module and never needs it
        self.characters = {family: theme.family_draws(family)
                           for family in self.families}
        # what a run may hold in either style face: no font named on it
        self.common = self.characters[fonts.body] & self.characters[fonts.headings]

    def pieces(self, text: str) -> list[tuple[str | None, str]]:
        """``text`` cut where the face changes: (family, or None for the style's, text).

        A space goes with the stretch before it when that face has it and the next
        word is in the same face, or the stretch is right-to-left: LibreOffice sets a
        space after Hebrew as Hebrew, in a face of its own if the run's lacks Hebrew."""
        if text and self.common.issuperset(map(ord, text)):
            return [(None, text)]  # what the word by word way comes to, for most texts
        return self.word_by_word(text)

    def word_by_word(self, text: str) -> list[tuple[str | None, str]]:
        """:meth:`pieces`, deciding each word's family, then each space's."""
        found: list[tuple[str | None, str]] = []
        for token in _WORDS.findall(text):
            found.extend([(_SPACE, token)] if token.isspace() else self._word(token))
        following: list[str | None] = []  # the family of the next word, from each piece
        upcoming: str | None = None
        for family, _ in reversed(found):
            following.append(upcoming)
            if family != _SPACE:
                upcoming = family
        merged: list[tuple[str | None, str]] = []
        for (own, piece), after in zip(found, reversed(following), strict=True):
            family = own
            if own == _SPACE:
                before = merged[-1] if merged else (None, "")
                family = before[0] if before[0] is not None and (
                    before[0] == after or _right_to_left(before[1][-1])) and {
                    ord(ch) for ch in piece} <= self.characters[before[0]] else None
            if merged and merged[-1][0] == family:
                merged[-1] = (family, merged[-1][1] + piece)
            else:
                merged.append((family, piece))
        return merged

    def _word(self, word: str) -> list[tuple[str | None, str]]:
        whole = self._family(word)
        if whole is not None:
            return [(whole or None, word)]
        # stretches the style faces have, and stretches they lack (each in one family
        # if it can be), a mark or a joined character staying with what it follows
        stretches: list[tuple[bool, str]] = []
        for ch in word:
            if stretches and (_attached(ch) or stretches[-1][1].endswith(_JOINER)):
                stretches[-1] = (stretches[-1][0], stretches[-1][1] + ch)
                continue
            common = ord(ch) in self.common
            if stretches and stretches[-1][0] == common:
                stretches[-1] = (common, stretches[-1][1] + ch)
            else:
                stretches.append((common, ch))
        found: list[tuple[str | None, str]] = []
        for common, stretch in stretches:
            family = None if common else self._family(stretch)
            if common or family is not None:
                found.append((family or None, stretch))
                continue
            for ch in stretch:  # no family has it all: letter by letter
                if found and (_attached(ch) or found[-1][1].endswith(_JOINER)):
                    found[-1] = (found[-1][0], found[-1][1] + ch)
                else:
                    found.append((self._family(ch) or None, ch))
        return found

    def _family(self, text: str) -> str | None:
        """The first family holding every letter of ``text`` ("" when the style faces
        both do), or None."""
        letters = {ord(ch) for ch in text if not _attached(ch)}
        if letters <= self.common:
            return ""
        return next((f for f in self.families if letters <= self.characters[f]), None)
