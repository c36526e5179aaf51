"""Images in the HTML body of a wire item: read, not refused.

An HTML file imported by hand refuses ``<img>`` (its image is added as an image block).
A wire item's body shows the pictures sent with it, so there each ``<img>`` is read as a
:class:`~briefkit.importers.article.Figure`: its attributes, and the caption
(``<figcaption>``) and credit (an element of the ``<figure>`` whose class names one, as
TT's ``<div class="byline">``) of the ``<figure>`` around it.  The ninjs reader then finds
its file beside the item or leaves it out with a warning (:mod:`briefkit.importers.pictures`).

Every word is kept: text of a ``<figure>`` that is neither caption nor credit is read as
paragraphs, and a figure without an image gives its caption and credit as paragraphs.  An
image inside a paragraph, a list or a quote comes right after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefkit.importers.article import Article, Figure
from briefkit.importers.html import Locate, _bounded_references, _Reader, plain_text
from briefkit.inline import Text, markup, serialise

#: Classes of an element inside a <figure> that make its text the credit.
CREDIT_CLASSES = frozenset({"byline", "credit", "credits", "copyright", "photographer",
                            "author", "source", "attribution"})


@dataclass
class _OpenFigure:
    """A <figure> being read: its images (attributes, line), caption and credit."""

    images: list[tuple[dict[str, str], int]] = field(default_factory=list)
    caption: str | None = None
    credit: str | None = None
    depth: int = 1  # <figure> inside it: one figure still
    credit_tag: str = ""  # the element whose text is the credit, while it is read


class _FigureReader(_Reader):
    """The HTML reader, with ``<img>``, ``<picture>`` and ``<figure>`` read as figures."""

    def __init__(self, file: str, locate: Locate) -> None:
        super().__init__(file, locate)
        self.figure: _OpenFigure | None = None
        self.waiting: list[Figure] = []  # images met inside a paragraph, list or quote

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.in_head:
            super().handle_starttag(tag, attrs)
            return
        attributes = {name: self._restored(value or "") for name, value in attrs}
        figure = self.figure
        if tag == "img":
            self.image(attributes)
        elif tag in ("picture", "source"):
            pass  # <picture> holds its <img>; a <source> is another size of the same image
        elif tag == "figure" and figure is not None:
            figure.depth += 1
        elif tag == "figure":
            super().handle_starttag(tag, attrs)
            self.figure = _OpenFigure()
        elif tag == "figcaption" and figure is not None:
            super().handle_starttag(tag, attrs)
            self.begin("figcaption")
        elif figure is not None and self.kind in ("", "p") and not figure.credit_tag \
                and CREDIT_CLASSES & set(attributes.get("class", "").lower().split()):
            super().handle_starttag(tag, attrs)
            figure.credit_tag = tag
            self.begin("credit")
        else:
            super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        figure = self.figure
        if figure is not None and not self.in_head:
            if tag == "figure":
                figure.depth -= 1
                if not figure.depth:
                    self.end_figure()
                return
            if (tag == "figcaption" and self.kind == "figcaption") or \
                    (tag == figure.credit_tag and self.kind == "credit"):
                self.end()
                return
        super().handle_endtag(tag)

    def image(self, attributes: dict[str, str]) -> None:
        if self.figure is not None:
            self.figure.images.append((attributes, self.line()))
            return
        figure = Figure(attributes, None, None, self.line())
        if self.current is None and self.items is None and self.quote is None:
            self.article.pieces.append(figure)
        else:
            self.waiting.append(figure)

    def end(self) -> None:
        figure, current, kind = self.figure, self.current, self.kind
        if figure is None or current is None or kind not in ("figcaption", "credit"):
            super().end()
            if self.items is None and self.quote is None:
                self.flush()
            return
        self.current, self.kind = None, ""
        if kind == "credit":
            figure.credit = plain_text(current.nodes()) or figure.credit
            figure.credit_tag = ""
        else:
            figure.caption = markup(current.nodes())[0] or figure.caption

    def end_quote(self) -> None:
        super().end_quote()
        self.flush()

    def end_list(self) -> None:
        super().end_list()
        self.flush()

    def flush(self) -> None:
        """The images met inside the block just ended, after it."""
        self.article.pieces.extend(self.waiting)
        self.waiting.clear()

    def end_figure(self) -> None:
        self.end()
        figure, self.figure = self.figure, None
        if figure is None:
            return
        if not figure.images:
            # no image in it (a pull quote, a chart as text): its words are the article's
            for text in (figure.caption, figure.credit and serialise([Text(figure.credit)])):
                if text:
                    self.article.pieces.append({"type": "paragraph", "text": text})
            return
        for attributes, line in figure.images:
            self.article.pieces.append(Figure(attributes, figure.caption, figure.credit, line))

    def close(self) -> None:
        super().close()
        if self.figure is not None:
            self.figure.depth = 1
            self.end_figure()
        self.flush()


def read_html_figures(text: str, file: str, locate: Locate, line: int | None = None) -> Article:
    """Read an HTML body as :func:`~briefkit.importers.html.read_html` does, each image it
    shows read as a :class:`~briefkit.importers.article.Figure` instead of refused."""
    reader = _FigureReader(file, locate)
    reader.source_line = line
    reader.feed(_bounded_references(text))
    reader.close()
    return reader.article
