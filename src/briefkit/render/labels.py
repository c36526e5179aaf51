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


_LABELS = {
    "en": Labels("Sources", "Updated", "Contents", "Page", "Download"),
    "fr": Labels("Sources", "Mis à jour", "Sommaire", "Page", "Télécharger"),
    "de": Labels("Quellen", "Aktualisiert", "Inhalt", "Seite", "Herunterladen"),
    "es": Labels("Fuentes", "Actualizado", "Índice", "Página", "Descargar"),
    "it": Labels("Fonti", "Aggiornato", "Indice", "Pagina", "Scarica"),
    "pt": Labels("Fontes", "Atualizado", "Índice", "Página", "Descarregar"),
    "nl": Labels("Bronnen", "Bijgewerkt", "Inhoud", "Pagina", "Downloaden"),
    "ar": Labels("المصادر", "حُدّث", "المحتويات", "صفحة", "تنزيل"),
    "he": Labels("מקורות", "עודכן", "תוכן העניינים", "עמוד", "הורדה"),
}


def labels_for(language: str) -> Labels:
    """Labels for a BCP 47 tag; English where we have no translation."""
    return _LABELS.get(language.split("-")[0].lower(), _LABELS["en"])
