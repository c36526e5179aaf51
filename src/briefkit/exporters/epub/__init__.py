"""The e-book: EbookLib assembles an EPUB 3 from the briefing's rendered HTML
(``book``), with a cover drawn from the theme (``cover``).
"""

from briefkit.exporters.epub.book import ONE_FILE_WORDS, EpubExporter, word_count

__all__ = ["ONE_FILE_WORDS", "EpubExporter", "word_count"]
