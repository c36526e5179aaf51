"""The Word document: python-docx builds it, and this package says what python-docx
has no API for.

``document`` (the exporter: header and footer, the briefing's parts in order),
``start`` (the document each export starts from: the template emptied, the page set
up, the styles made, once per process), ``blocks`` (each block type as paragraphs,
lists and tables), ``styles`` (the theme as Word styles), ``fonts`` (the theme's faces
subset and embedded, as ECMA-376 says), ``faces`` (which face sets each stretch of
text), ``numbering`` (lists that restart) and ``ooxml`` (WordprocessingML elements in
the schema's order).
"""

from briefkit.exporters.docx.document import DocxExporter
from briefkit.exporters.docx.start import word_language

__all__ = ["DocxExporter", "word_language"]
