"""The article as a feed reader shows it: HTML that reads right without a stylesheet.

A feed carries the web page's article, but a reader (newsboat, a mail client, a
reader's own page) applies none of the theme's CSS.  What the stylesheet did, the
markup does here: the timeline is a list of dates, not a second numbered list
before the real one; an image's caption and credit, and a table's caption and its
header, are on lines of their own; a quote's attribution keeps its dash.
"""

from __future__ import annotations

#: What the stylesheet puts before a quote's attribution, written into the text.
ATTRIBUTION_DASH = "— "
#: Between a timeline's date and its event.
TIMELINE_SEPARATOR = " — "


def readable(content: str) -> str:
    """``content`` (the article's HTML, as :func:`briefkit.render.html.content` writes
    it) with what only the stylesheet said written into the markup."""
    import lxml.html  # type: ignore[import-untyped]

    article = lxml.html.fragment_fromstring(content)
    for timeline in article.xpath(".//ol[contains(concat(' ', @class, ' '), ' timeline ')]"):
        timeline.tag = "ul"  # dates in order, not numbers
        for when in timeline.xpath("./li/span[@class='when']"):
            when.tag = "strong"
            what = when.getnext()
            separator = TIMELINE_SEPARATOR if what is not None else ""
            when.tail = separator + (when.tail or "").lstrip()
    for caption in article.xpath(".//figure/figcaption[not(@class='attribution')]"):
        image = caption.getprevious()
        if image is not None and image.tag == "img":
            image.tail = None
            caption.addprevious(lxml.html.Element("br"))
        credit = caption.find("span[@class='credit']")
        if credit is not None and credit.getprevious() is not None:
            credit.getprevious().tail = None
            credit.addprevious(lxml.html.Element("br"))
    for caption in article.xpath(".//figure/table/caption"):
        # a reader runs a <caption> into the header row: a paragraph above the table
        table = caption.getparent()
        paragraph = lxml.html.Element("p", {"class": "caption"})
        paragraph.text, paragraph[:] = caption.text, list(caption)
        table.remove(caption)
        table.addprevious(paragraph)
    for attribution in article.xpath(".//figcaption[@class='attribution']"):
        attribution.text = ATTRIBUTION_DASH + (attribution.text or "")
    out: str = lxml.html.tostring(article, encoding="unicode", method="html")
    return out
