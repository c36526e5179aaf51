"""The HTML part of a message: the theme's e-mail templates, their CSS inlined.

Mail clients drop ``<style>`` elements, web fonts and scripts: the theme's
templates (``email.html``, ``email-digest.html``) write a single column of
tables, and css-inline moves every rule of :mod:`.style` into ``style``
attributes, keeping only the ``@media`` rules (dark mode, phones) for the
clients that read them.

A large web mail client clips a message whose HTML passes about 102 KB and
hides the rest behind a link.  A briefing too long for that stops after its
opening (the standfirst, the sections without a heading that open it and its
first section with one) and links to the whole briefing on the web; the
plain-text part always holds all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.exporters.email.message import html_size
from briefkit.exporters.email.text import Download
from briefkit.model import Section
from briefkit.render import html
from briefkit.theme import Theme

#: The size past which a large web mail client clips a message's HTML (102 KB).
CLIPPED_AT = 102 * 1000
#: What the HTML part may weigh as sent (transfer-encoded): room is left for the headers
#: and the plain-text part's boundary lines some clients count in.
BUDGET = CLIPPED_AT - 2 * 1000
#: After the preheader, invisible characters that keep a client's inbox preview from
#: running on into the message's first lines.
PREHEADER_FILLER = "\u034f\u00a0\u200c" * 40

#: The libraries whose versions shape the HTML part: its templates, escaping, dates, CSS.
MADE_WITH = (*html.MADE_WITH, "css-inline")


@dataclass(frozen=True)
class Picture:
    """An image as the message shows it: where it is read from, and its size in the column."""

    src: str
    width: int
    height: int


def inline_css(page: str) -> str:
    """``page`` with its stylesheet moved into ``style`` attributes; only the ``@media``
    rules stay, in a ``<style>`` element.  Nothing is fetched: a message links no
    stylesheet."""
    import css_inline

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False,
                                    minify_css=True, resolve_css_variables=True)
    inlined: str = inliner.inline(page)
    return inlined


def opening(sections: Sequence[Section]) -> list[Section]:
    """The sections a clipped message keeps: those without a heading that open the
    briefing, and the first one with a heading."""
    kept = []
    for section in sections:
        kept.append(section)
        if section.heading:
            break
    return kept


def shortened(sections: Sequence[Section], blocks: int) -> list[Section]:
    """``sections`` holding only their first ``blocks`` blocks in all (a heading without
    blocks left is kept when it is the first one)."""
    kept: list[Section] = []
    left = blocks
    for section in sections:
        taken = list(section.blocks[:max(0, left)])
        left -= len(taken)
        if taken or (section.heading and not kept):
            kept.append(section.model_copy(update={"blocks": taken}))
    return kept


def briefing_page(item: BriefingFile, theme: Theme, settings: Settings, *, css: str,
                  picture: Callable[[str], Picture], page_url: str | None,
                  downloads: Sequence[Download], preheader: str | None,
                  subject: str) -> str:
    """The HTML part of a briefing's message, within :data:`BUDGET` when a web page
    holds the whole briefing."""
    briefing = item.briefing

    def render(sections: Sequence[Section], whole_url: str | None) -> str:
        page = html.render(
            "email.html", item, theme, settings, css=css, picture=picture,
            page_url=page_url, downloads=downloads, preheader=preheader,
            preheader_filler=PREHEADER_FILLER if preheader else "", subject=subject,
            sections=sections, whole_url=whole_url, footer=theme.settings.brand.footer_in(briefing.language))
        return inline_css(page)

    whole = render(briefing.sections, None)
    if page_url is None or html_size(whole) <= BUDGET:
        # without a web page to send readers to, the message keeps all of it: the client
        # shows the rest behind its own link
        return whole
    kept = opening(briefing.sections)
    blocks = sum(len(s.blocks) for s in kept)
    while True:  # the opening alone may be too long: fewer of its blocks, down to none
        short = render(shortened(kept, blocks), page_url)
        if html_size(short) <= BUDGET or blocks == 0:
            return short
        blocks -= max(1, blocks // 4)
