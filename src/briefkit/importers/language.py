"""Guess the language of an article from its most common small words.

Enough to tell apart the languages our newsrooms publish in (French, English,
German, Spanish, Italian, Arabic).  A guess is only made when one language is
clearly ahead; otherwise the user is asked for ``--language``.
"""

from __future__ import annotations

import re
from collections import Counter

# Words frequent in one language and rare in the others: articles, pronouns,
# prepositions, auxiliaries.  Words shared by two of them ("la", "de", "il",
# "que", "del", "con") are left out, so they cannot tip the balance.
STOP_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        [
            "le", "les", "des", "du", "et", "est", "une", "au", "aux", "ce", "cette", "ces", "elle",
            "ils", "elles", "sont", "avec", "pour", "pas", "sur", "qui", "dans", "ont", "été",
            "leur", "leurs", "mais", "ou", "où", "nous", "vous", "être", "fait", "plus", "selon",
            "après", "qu", "l", "d", "n", "c", "j", "était"
        ]
    ),
    "en": frozenset(
        [
            "the", "and", "of", "to", "is", "that", "for", "it", "was", "with", "as", "on", "are",
            "be", "this", "by", "from", "have", "has", "not", "which", "were", "their", "they",
            "been", "will", "would", "its", "at", "or", "but", "said", "after"
        ]
    ),
    "de": frozenset(
        [
            "der", "die", "das", "und", "ist", "nicht", "mit", "den", "dem", "ein", "eine", "zu",
            "von", "auf", "für", "sich", "auch", "im", "wird", "sind", "wurde", "nach", "bei",
            "einer", "eines", "aus", "noch", "wie", "oder"
        ]
    ),
    "es": frozenset(
        [
            "el", "los", "las", "y", "por", "para", "se", "al", "como", "pero", "sus", "más", "fue",
            "han", "este", "esta", "sobre", "también", "desde", "muy"
        ]
    ),
    "it": frozenset(
        [
            "di", "e", "che", "non", "per", "è", "della", "sono", "gli", "nel", "alla", "anche",
            "dei", "delle", "questo", "questa", "hanno", "stato", "più", "sul", "dalla", "degli"
        ]
    ),
}
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LETTER = re.compile(r"[^\W\d_]")
#: Hits the leader needs, and how far ahead of the next it must be.
MIN_HITS = 5
MIN_LEAD = 1.5


def guess_language(text: str) -> str | None:
    """The language tag the text is most likely written in, or None when unsure."""
    letters = len(_LETTER.findall(text))
    if letters and len(_ARABIC.findall(text)) / letters > 0.5:
        return "ar"
    words = [w.lower() for w in _WORD.findall(text)]
    hits = Counter({lang: sum(1 for w in words if w in stop) for lang, stop in STOP_WORDS.items()})
    ranked = hits.most_common(2)
    best, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if count >= MIN_HITS and count >= MIN_LEAD * runner_up:
        return best
    return None
