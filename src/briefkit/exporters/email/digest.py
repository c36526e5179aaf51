"""The digest (``dist/digest.eml``): the briefings of a period in one message, newest first.

The period (``[email] digest_since``, or ``briefkit export --since``) is counted
back from the newest change of the collection (the latest ``updated``, else
``published``), never from the clock: the same briefings always make the same
digest, byte for byte, and a publish that finds it unchanged mails nothing.  A
briefing is in it when it was published or updated in the period; each entry
gives its dateline, its title linked to its web page, and its standfirst (else
its summary).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings, period_length
from briefkit.exporters.base import CollectionExporter, Context, Exported
from briefkit.exporters.email import message, page, style, text
from briefkit.exporters.email.edition import host_of, web_page
from briefkit.links import OutputInfo
from briefkit.model import RTL_LANGUAGES, Briefing
from briefkit.render import html
from briefkit.render.dates import conventions_of, dateline, long_date
from briefkit.render.feed_entries import EMPTY_FEED_TIME, summary
from briefkit.render.labels import labels_for
from briefkit.render.typography import typeset

#: The front page, where a digest too long for one message sends readers for the rest.
FRONT_PAGE = "index.html"


@dataclass(frozen=True)
class Entry:
    """One briefing in the digest, every text in its language's typography."""

    lang: str
    dir: str
    href: str | None
    title: str
    standfirst: Markup | None
    standfirst_text: str | None
    dateline: str


def in_period(items: Sequence[BriefingFile], settings: Settings) -> list[BriefingFile]:
    """The briefings published or updated in the digest's period, newest change first
    (the same time: by id)."""
    if not items:
        return []
    end = max(i.briefing.modified for i in items)
    span = period_length(settings.email.digest_since)
    chosen = [i for i in items if end - i.briefing.modified <= span]
    return sorted(chosen, key=lambda i: (-i.briefing.modified.timestamp(), i.id))


def entry(briefing: Briefing, settings: Settings, made: Mapping[str, OutputInfo]) -> Entry:
    """What the digest says of one briefing."""
    lang = briefing.language
    if briefing.standfirst:
        shown: Markup | None = html.inline_html(briefing.standfirst, lang, tie=True)
        plain: str | None = text.inline_text(briefing.standfirst, lang, tie=True)
    else:
        plain = summary(briefing)
        shown = escape(plain) if plain else None
    return Entry(lang=lang, dir=briefing.direction, href=web_page(briefing, settings, made),
                 title=html.headline(briefing.title, lang), standfirst=shown,
                 standfirst_text=plain, dateline=dateline(briefing, conventions_of(settings)))


def digest_text(title: str, day: str, entries: Sequence[Entry], more: str | None,
                online: str) -> str:
    """The plain-text part: the collection's title and day, then each entry, then the
    front page when the entries did not all fit."""
    out = text.Writer()
    out.heading(title, "=")
    out.paragraph(day)
    for shown in entries:
        out.blank(2)
        out.paragraph(shown.title)
        out.paragraph(shown.dateline)
        if shown.standfirst_text:
            out.blank()
            out.paragraph(shown.standfirst_text)
        if shown.href:
            out.fixed(text.written_address(shown.href))
    if more:
        out.blank(2)
        out.fixed(f"{online} {text.written_address(more)}")
    return out.text()


class DigestExporter(CollectionExporter):
    name = "digest"
    label = "Digest"
    output = "digest.eml"
    extension = ".eml"
    media_type = "message/rfc822"
    description = "the briefings of a period in one e-mail ([email] digest_since, --since)"
    made_with = page.MADE_WITH
    reads_settings = ("email.digest_since",)

    def export_collection(self, items: Sequence[BriefingFile],
                          context: Context) -> Exported:
        settings, theme = context.settings, context.theme
        language = settings.language
        direction = "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
        chosen = in_period(items, settings)
        end = chosen[0].briefing.modified if chosen else EMPTY_FEED_TIME
        day = long_date(end, language) if chosen else ""
        subject = typeset(f"{settings.title} · {day}" if day else settings.title, language)
        masthead = theme.settings.brand.masthead or settings.publisher
        labels = labels_for(language)
        entries = [entry(i.briefing, settings, context.outputs.get(i.id, {})) for i in chosen]
        more = links.url(settings.base_url, FRONT_PAGE) if settings.base_url else None
        css = style.stylesheet(theme, direction)
        template = html.environment(theme).get_template("email-digest.html")

        def render(shown: Sequence[Entry], more_url: str | None) -> str:
            preheader = " · ".join(e.title for e in shown)[:200] or None
            return page.inline_css(template.render(
                lang=language, dir=direction, subject=subject, css=css, settings=settings,
                masthead=masthead if masthead != settings.title else "",
                preheader=preheader, preheader_filler=page.PREHEADER_FILLER,
                home_url=more, period=day, entries=shown, more_url=more_url,
                online=labels.online, footer=theme.settings.brand.footer_in(language)))

        kept, cut = len(entries), None
        body = render(entries, None)
        # past the size a web mail client clips at, the oldest entries give way to a link
        while message.html_size(body) > page.BUDGET and kept > 1 and more:
            kept, cut = kept - max(1, kept // 8), more
            body = render(entries[:kept], cut)
        plain = digest_text(settings.title, day, entries[:kept], cut, labels.online)
        data = message.message(subject=subject, date=end, language=language,
                               host=host_of(settings), text=plain, page=body)
        return Exported(data)
