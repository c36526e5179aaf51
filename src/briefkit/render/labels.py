"""The few words briefkit itself prints in an output, in the briefing's language."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from briefkit.render.dates import locale_of


@dataclass(frozen=True)
class Labels:
    sources: str
    updated: str
    contents: str
    page: str  # "{page} / {pages}" style is language-neutral; this is the word for a page
    download: str
    home: str = "Home"  # the link back to the front page
    follow: str = "Feeds"  # before the links to the feeds
    online: str = "Read on the web"  # an e-mail's link to the web page
    whole: str = "Read the whole briefing on the web"  # where a long e-mail stops


_LABELS = {
    "en": Labels("Sources", "Updated", "Contents", "Page", "Download", "Home", "Feeds"),
    "fr": Labels("Sources", "Mis à jour", "Sommaire", "Page", "Télécharger", "Accueil",
                 "Flux",
                 "Lire sur le web", "Lire tout le briefing sur le web"),
    "de": Labels("Quellen", "Aktualisiert", "Inhalt", "Seite", "Herunterladen", "Startseite",
                 "Feeds", "Im Web lesen", "Das ganze Briefing im Web lesen"),
    "es": Labels("Fuentes", "Actualizado", "Índice", "Página", "Descargar", "Inicio",
                 "Canales", "Leer en la web", "Leer el informe completo en la web"),
    "it": Labels("Fonti", "Aggiornato", "Indice", "Pagina", "Scarica", "Home", "Feed",
                 "Leggi sul web", "Leggi il briefing completo sul web"),
    "pt": Labels("Fontes", "Atualizado", "Índice", "Página", "Descarregar", "Início",
                 "Feeds", "Ler na web", "Ler o briefing completo na web"),
    "nl": Labels("Bronnen", "Bijgewerkt", "Inhoud", "Pagina", "Downloaden", "Home",
                 "Feeds", "Lees op het web", "Lees de hele briefing op het web"),
    "ar": Labels("المصادر", "حُدّث", "المحتويات", "صفحة", "تنزيل", "الرئيسية", "الخلاصات",
                 "اقرأ على الموقع", "اقرأ الإحاطة كاملة على الموقع"),
    "he": Labels("מקורות", "עודכן", "תוכן העניינים", "עמוד", "הורדה", "דף הבית", "פידים",
                 "לקריאה באתר", "לקריאת התדריך המלא באתר"),
}


def labels_for(language: str) -> Labels:
    """Labels for a BCP 47 tag; English where we have no translation."""
    return _LABELS.get(language.split("-", maxsplit=1)[0].lower(), _LABELS["en"])


#: Languages written in the Arabic script, whose comma is "،".
_ARABIC_COMMA = frozenset({"ar", "fa", "ur", "ps", "sd", "ug", "ckb", "ku"})


def comma(language: str) -> str:
    """The comma between a title and its publisher in ``language``: "، " in the languages
    written in the Arabic script, ", " elsewhere."""
    return "\u060c " if language.split("-", maxsplit=1)[0].lower() in _ARABIC_COMMA else ", "


def _between(pattern: object) -> str:
    """The words of a CLDR list pattern between its two places ('{0} and {1}': ' and ')."""
    between = str(pattern).removeprefix("{0}").removesuffix("{1}")
    # CLDR adds direction marks in some locales: nothing invisible goes into a byline
    return "".join(ch for ch in between if unicodedata.category(ch) != "Cf") or ", "


def between_names(language: str) -> str:
    """What stands between two names in the middle of a list in ``language`` (CLDR): ", "
    in English, " و" in Arabic, "、" in Japanese (a theme's own templates may use it)."""
    return _between(locale_of(language).list_patterns["standard"]["middle"])


def name_separators(language: str, count: int) -> list[str]:
    """What follows each name but the last of a list of ``count`` names in ``language``,
    as CLDR lists them: 'A and B', 'A, B, and C'; 'A, B et C'; 'A وB وC'."""
    if count < 2:
        return []
    patterns = locale_of(language).list_patterns["standard"]
    if count == 2:
        return [_between(patterns["2"])]
    return [_between(patterns["start"]), *[_between(patterns["middle"])] * (count - 3),
            _between(patterns["end"])]


def join_names(names: list[str], language: str) -> str:
    """``names`` as ``language`` lists them in running text (CLDR): 'A and B',
    'A, B et C', 'A وB'."""
    if not names:
        return ""
    separators = [*name_separators(language, len(names)), ""]
    return "".join(name + between for name, between in zip(names, separators, strict=True))
