"""The few words briefkit itself prints in an output, in the briefing's language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    sources: str
    updated: str
    contents: str
    page: str  # "{page} / {pages}" style is language-neutral; this is the word for a page
    download: str
    home: str = "Home"  # the link back to the front page
    follow: str = "Feeds"  # before the links to the feeds


_LABELS = {
    "en": Labels("Sources", "Updated", "Contents", "Page", "Download", "Home", "Feeds"),
    "fr": Labels("Sources", "Mis à jour", "Sommaire", "Page", "Télécharger", "Accueil",
                 "Flux"),
    "de": Labels("Quellen", "Aktualisiert", "Inhalt", "Seite", "Herunterladen", "Startseite",
                 "Feeds"),
    "es": Labels("Fuentes", "Actualizado", "Índice", "Página", "Descargar", "Inicio",
                 "Canales"),
    "it": Labels("Fonti", "Aggiornato", "Indice", "Pagina", "Scarica", "Home", "Feed"),
    "pt": Labels("Fontes", "Atualizado", "Índice", "Página", "Descarregar", "Início",
                 "Feeds"),
    "nl": Labels("Bronnen", "Bijgewerkt", "Inhoud", "Pagina", "Downloaden", "Home",
                 "Feeds"),
    "ar": Labels("المصادر", "حُدّث", "المحتويات", "صفحة", "تنزيل", "الرئيسية", "الخلاصات"),
    "he": Labels("מקורות", "עודכן", "תוכן העניינים", "עמוד", "הורדה", "דף הבית", "פידים"),
}


def labels_for(language: str) -> Labels:
    """Labels for a BCP 47 tag; English where we have no translation."""
    return _LABELS.get(language.split("-", maxsplit=1)[0].lower(), _LABELS["en"])
