"""Guess the language of an article, among those briefkit prints labels in.

Lingua compares the text with letter n-gram models of each candidate language.
The candidates are the languages :mod:`briefkit.render.labels` has words for (a
briefing in another language is still imported with ``--language``).  Text in a
language outside them may be guessed as the closest labelled one: every guess is
printed as a note, for the user to check.  A guess is only made on a few words or
more and when one language is clearly ahead; otherwise the user is asked.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

_WORD = re.compile(r"[^\W\d_]+")
#: Words the text needs before any guess, and the confidence the leader needs.
MIN_WORDS = 5
MIN_CONFIDENCE = 0.9
#: Enough of an article to tell its language; the rest only costs time.
SAMPLE = 4000


@cache
def _detector() -> LanguageDetector:
    """Lingua's detector for the labelled languages, built on first use, once.

    The low-accuracy mode reads trigrams only: an article is long enough for them,
    and its models load in a tenth of the time and memory of the full ones.
    """
    from lingua import Language, LanguageDetectorBuilder

    from briefkit.render.labels import labels_for

    # a language has labels when its labels are not the English ones given as a fallback
    fallback = labels_for("en")
    labelled = [language for language in Language.all()
                if (code := language.iso_code_639_1.name.lower()) == "en"
                or labels_for(code) != fallback]
    return LanguageDetectorBuilder.from_languages(*labelled).with_low_accuracy_mode().build()


def guess_language(text: str) -> str | None:
    """The language tag the text is most likely written in, or None when unsure."""
    sample = text[:SAMPLE]
    if len(_WORD.findall(sample)) < MIN_WORDS:
        return None
    ranked = _detector().compute_language_confidence_values(sample)
    if not ranked or ranked[0].value < MIN_CONFIDENCE:
        return None
    return str(ranked[0].language.iso_code_639_1.name.lower())
