"""Which characters a briefing's text (and a setting's) may hold: none that no output can
carry, no bidirectional control left open, no word too long to lay out.  Each refusal
says the character, its position and what to do."""

from __future__ import annotations

import re
import unicodedata

from pydantic_core import PydanticCustomError

# What no output can carry: XML 1.0 forbids C0 controls (but tab, newline, carriage
# return), U+FFFE/U+FFFF and lone surrogates.  HTML also forbids DEL and the C1
# controls, which in practice are Windows-1252 punctuation read with the wrong
# encoding (U+0092 for an apostrophe): refused too, so the writer sees the damage.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# Bidirectional controls: an embedding (LRE, RLE), override (LRO, RLO) or isolate
# (LRI, RLI, FSI) left open runs on into whatever follows the value in the output
# (the byline after an author's name, the next cell, the file name in a feed
# reader), reversing it: "Trojan Source" spoofing.  They are allowed only when each
# value closes what it opens (PDF closes an embedding or override, PDI an isolate),
# properly nested, so every value is self-contained in every format without each
# exporter having to isolate it.
_BIDI_OPEN = {
    "\u202a": ("left-to-right embedding", "\u202c"),
    "\u202b": ("right-to-left embedding", "\u202c"),
    "\u202d": ("left-to-right override", "\u202c"),
    "\u202e": ("right-to-left override", "\u202c"),
    "\u2066": ("left-to-right isolate", "\u2069"),
    "\u2067": ("right-to-left isolate", "\u2069"),
    "\u2068": ("first strong isolate", "\u2069"),
}


_BIDI_CLOSE = {"\u202c": "pop directional formatting", "\u2069": "pop directional isolate"}


_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


#: Longest run of characters without a place to break the line.  A PDF line cannot
#: break inside a word, and laying out one takes time that grows with the square of its
#: length: 2,000 characters take a second, 100,000 over ten minutes.  No word or URL a
#: reader can take in is that long.  Only real break opportunities end a word: spaces,
#: line breaks and the zero-width space, never the no-break spaces (U+00A0, U+2007,
#: U+202F) or joiners (U+2060, U+FEFF) that exist to keep a line whole.  Scripts written
#: without spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Burmese) break between
#: their characters and are not counted.
MAX_WORD = 2000


_BREAKS = "\t\n\r\f\v \u1680\u2000-\u2006\u2008-\u200b\u2028\u2029\u205f\u3000"


_LONG_WORD = re.compile(
    "[^" + _BREAKS + "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]{" + str(MAX_WORD + 1) + ",}"
)


def check_characters(value: str) -> str:
    """Rule out characters no output can carry, bidirectional controls left open and
    words too long to lay out."""
    bad = _ILLEGAL.search(value)
    if bad:
        ch, index = bad.group(), bad.start()
        code = ord(ch)
        name = unicodedata.name(ch, "lone surrogate" if 0xD800 <= code <= 0xDFFF
                                else "control character")
        hint = ""
        if 0x80 <= code <= 0x9F:
            hint = " (text copied from Windows-1252 with the wrong encoding?)"
        raise invalid(
            f"character U+{code:04X} ({name.lower()}) at position {index + 1} "
            f"cannot be carried by PDF, Word, EPUB or feeds: remove it{hint}"
        )
    if _BIDI.search(value):
        check_bidi(value)
    long_word = _LONG_WORD.search(value)
    if long_word:
        raise invalid(
            f"a word of {len(long_word.group()):,} characters at position {long_word.start() + 1}: "
            f"at most {MAX_WORD:,} without a space (a page cannot lay out longer ones)"
        )
    return value


def check_bidi(value: str) -> None:
    opened: list[tuple[str, int]] = []
    for match in _BIDI.finditer(value):
        ch, index = match.group(), match.start()
        if ch in _BIDI_OPEN:
            opened.append((ch, index))
            continue
        if not opened or _BIDI_OPEN[opened[-1][0]][1] != ch:
            raise invalid(
                f"{_BIDI_CLOSE[ch]} (U+{ord(ch):04X}) at position {index + 1} closes nothing "
                "opened before it in this text: remove it"
            )
        opened.pop()
    if opened:
        ch, index = opened[-1]
        what, closer = _BIDI_OPEN[ch]
        raise invalid(
            f"{what} (U+{ord(ch):04X}) at position {index + 1} is not closed by "
            f"U+{ord(closer):04X} ({_BIDI_CLOSE[closer]}) in the same text: left open it "
            "would reverse the text that follows it in every format"
        )


def invalid(message: str) -> PydanticCustomError:
    """A refusal of a value, as pydantic reports it (the message is the whole text)."""
    return PydanticCustomError("briefkit", message)
