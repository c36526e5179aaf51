"""The e-mail's stylesheet, from the theme: written once per message, then inlined.

Mail clients keep little of a ``<style>`` element (some keep none), so every rule
here becomes ``style`` attributes (css-inline, in :mod:`.page`); only the
``@media`` rules stay in a ``<style>`` element, for the clients that read it:
dark colours, and a narrower padding on a phone.  Values are written as they
are, since few clients know CSS variables: the theme's colours, checked when
theme.toml was read, and its faces followed by faces every reader's machine
has, since a message carries no web fonts (a theme's ``email.css`` may use the
variables of style.css: css-inline writes their values).  Mail clients know no
logical properties (``inline-start``): left and right come from the direction.
The column and the tables that lay blocks out have a fixed layout, so a word
longer than a phone's screen breaks instead of widening the message; a table
of figures keeps its columns as wide as their words.
"""

from __future__ import annotations

from briefkit.render.html import css_string
from briefkit.theme import Theme

#: What a serif or a sans-serif stack ends with: faces every reader's machine has.
SYSTEM_FACES = {
    "serif": 'Georgia, "Times New Roman", serif',
    "sans-serif": '"Helvetica Neue", Helvetica, Arial, sans-serif',
}
#: Dark mode, for clients that honour ``prefers-color-scheme``.
DARK_BACKGROUND, DARK_PANEL, DARK_TEXT, DARK_MUTED, DARK_RULE = (
    "#121212", "#1e1e1e", "#e8e6e3", "#a8a8a8", "#3a3a3a")
#: The column's width, and the room inside it (the images' largest width).
COLUMN, GUTTER = 600, 24
CONTENT = COLUMN - 2 * GUTTER


def family_name(family: str) -> str:
    """A family as CSS names it: quoted when it is more than one word."""
    return css_string(family) if " " in family else family


def faces(theme: Theme) -> tuple[str, str]:
    """The body's and the headings' font stacks: the theme's face, where the reader's
    machine has it, then faces every machine has (a message carries no web font).

    A theme that sets its body in its headings' face (the wire theme: Inter throughout)
    is a sans-serif theme; the others set their body in a serif, as the web page does.
    """
    fonts = theme.settings.fonts
    body = "sans-serif" if fonts.body == fonts.headings else "serif"
    return (f"{family_name(fonts.body)}, {SYSTEM_FACES[body]}",
            f"{family_name(fonts.headings)}, {SYSTEM_FACES['sans-serif']}")


def lighter(colour: str, share: float = 0.45) -> str:
    """``colour`` (``#rrggbb``) mixed with white: an accent that reads on a dark background."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in channels)


def stylesheet(theme: Theme, direction: str) -> str:
    """The rules of one message in ``direction`` ('ltr' or 'rtl'), the theme's
    ``email.css`` after them when it has one."""
    colours = theme.settings.colours
    text, accent, muted, rule, shade = (colours.text, colours.accent, colours.muted,
                                        colours.rule, colours.shade)
    body, headings = faces(theme)
    start, end = ("right", "left") if direction == "rtl" else ("left", "right")
    # Arabic and Hebrew have no capitals and no italics, and spaced letters part Arabic's
    caps = ("letter-spacing: 0; text-transform: none;" if direction == "rtl"
            else "letter-spacing: 0.08em; text-transform: uppercase;")
    italic = "font-style: normal;" if direction == "rtl" else "font-style: italic;"
    rules = f"""
html {{ color-scheme: light dark; supported-color-schemes: light dark; }}
body {{ margin: 0; padding: 0; width: 100%; background-color: #ffffff; color: {text};
  -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
.preheader {{ display: none; font-size: 1px; line-height: 1px; max-height: 0; max-width: 0;
  opacity: 0; overflow: hidden; mso-hide: all; color: #ffffff; }}
.outer {{ background-color: #ffffff; }}
.outer-cell {{ padding: 0; }}
.column {{ width: 100%; max-width: {COLUMN}px; background-color: #ffffff;
  table-layout: fixed; overflow-wrap: break-word; }}
.quote, .figure, .timeline, .factbox {{ table-layout: fixed; }}
a {{ color: {accent}; text-decoration: underline; overflow-wrap: anywhere; }}
.top-link {{ padding: 12px {GUTTER}px 0; font-family: {headings}; font-size: 13px;
  line-height: 1.4; text-align: {end}; }}
.top-link a {{ color: {muted}; }}
.masthead {{ padding: 14px {GUTTER}px 0; font-family: {headings}; font-size: 12px;
  font-weight: 700; line-height: 1.4; color: {accent}; {caps} }}
.masthead-rule {{ border-top: 4px solid {text}; border-bottom: 1px solid {text};
  padding: 6px 0 5px; }}
.header {{ padding: 16px {GUTTER}px 4px; }}
h1 {{ margin: 0 0 10px; font-family: {headings}; font-size: 28px; line-height: 1.15;
  font-weight: 700; color: {text}; }}
.subtitle {{ margin: 0 0 14px; font-family: {headings}; font-size: 18px; line-height: 1.3;
  color: {muted}; }}
.standfirst {{ margin: 0 0 14px; font-family: {body}; font-size: 19px; line-height: 1.45;
  color: {text}; }}
.standfirst strong {{ color: {accent}; }}
.byline {{ margin: 0; padding: 7px 0; border-top: 1px solid {rule};
  border-bottom: 1px solid {rule}; font-family: {headings}; font-size: 13px; line-height: 1.45;
  color: {muted}; }}
.authors {{ color: {text}; }}
.authors .name {{ font-weight: 700; }}
.authors a {{ color: {text}; text-decoration: none; }}
.role {{ color: {muted}; font-weight: 400; }}
.content {{ padding: 4px {GUTTER}px 8px; font-family: {body}; font-size: 17px;
  line-height: 1.55; color: {text}; }}
h2 {{ margin: 26px 0 10px; padding-top: 8px; border-top: 3px solid {accent};
  font-family: {headings}; font-size: 21px; line-height: 1.25; font-weight: 700;
  color: {text}; }}
p {{ margin: 0 0 14px; }}
ul, ol {{ margin: 0 0 16px; padding-{start}: 24px; padding-{end}: 0; }}
li {{ margin: 0 0 6px; }}
.quote {{ margin: 22px 0; }}
.quote-cell {{ border-{start}: 3px solid {accent}; padding-{start}: 16px; }}
.quote-text {{ margin: 0; font-size: 20px; line-height: 1.4; {italic} }}
.attribution {{ margin: 8px 0 0; font-family: {headings}; font-size: 12px; color: {muted};
  {caps} }}
.figure {{ margin: 22px 0; }}
.figure-cell {{ padding: 0; }}
.image {{ display: block; width: 100%; max-width: {CONTENT}px; height: auto; border: 0; }}
.caption {{ margin: 8px 0 0; font-family: {headings}; font-size: 13px; line-height: 1.4;
  color: {muted}; }}
.credit {{ display: block; margin-top: 2px; font-size: 11px; {caps} }}
.data {{ width: 100%; margin: 22px 0; border-collapse: collapse; font-family: {headings};
  font-size: 14px; line-height: 1.35; }}
.data-caption {{ margin: 0 0 8px; font-size: 15px; font-weight: 700; text-align: {start};
  caption-side: top; }}
th {{ padding: 5px 8px 6px; border-bottom: 2px solid {text}; font-size: 12px;
  font-weight: 700; color: {muted}; text-align: {start}; vertical-align: bottom; {caps} }}
.cell {{ padding: 6px 8px; border-bottom: 1px solid {rule}; vertical-align: top;
  text-align: {start}; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.timeline {{ margin: 20px 0; border-{start}: 2px solid {rule}; }}
.event {{ padding: 0 0 12px; padding-{start}: 16px; }}
.when {{ margin: 0 0 2px; font-family: {headings}; font-size: 12px; font-weight: 700;
  line-height: 1.3; color: {accent}; {caps} }}
.what {{ margin: 0; }}
.factbox {{ margin: 24px 0; background-color: {shade}; border-top: 3px solid {text}; }}
.factbox-cell {{ padding: 14px 18px 4px; font-size: 15px; line-height: 1.45; }}
.factbox-title {{ margin: 0 0 8px; font-family: {headings}; font-size: 12px;
  font-weight: 700; color: {accent}; {caps} }}
.more {{ margin: 24px 0 8px; padding: 14px 0; border-top: 1px solid {rule};
  border-bottom: 1px solid {rule}; font-family: {headings}; font-size: 16px;
  font-weight: 700; }}
.sources {{ padding: 8px {GUTTER}px 4px; font-family: {body}; font-size: 15px;
  line-height: 1.45; color: {text}; }}
.sources-title {{ margin: 0 0 8px; padding-top: 10px; border-top: 1px solid {text};
  font-family: {headings}; font-size: 13px; font-weight: 700; {caps} }}
.publisher {{ color: {muted}; }}
.links {{ padding: 12px {GUTTER}px; font-family: {headings}; font-size: 14px;
  line-height: 1.6; color: {muted}; }}
.links p {{ margin: 0 0 6px; }}
.label {{ color: {muted}; }}
.download {{ font-weight: 700; }}
.size {{ color: {muted}; font-weight: 400; }}
.footer {{ padding: 12px {GUTTER}px 28px; font-family: {headings}; font-size: 12px;
  line-height: 1.5; color: {muted}; }}
.footer p {{ margin: 0 0 4px; }}
.entry {{ padding: 16px 0; border-bottom: 1px solid {rule}; }}
.entry h2 {{ margin: 4px 0 6px; padding-top: 0; border-top: 0; font-size: 20px; }}
.entry h2 a {{ color: {text}; text-decoration: none; }}
.entry .dateline {{ margin: 0; font-family: {headings}; font-size: 13px; color: {muted}; }}
.entry .standfirst {{ margin: 0 0 6px; font-size: 17px; }}
@media screen and (max-width: {COLUMN - 1}px) {{
  .header, .content, .sources, .links, .footer, .masthead, .top-link {{
    padding-left: 16px !important; padding-right: 16px !important; }}
  h1 {{ font-size: 25px !important; }}
  .standfirst {{ font-size: 17px !important; }}
}}
@media (prefers-color-scheme: dark) {{
  body, .outer, .column {{ background-color: {DARK_BACKGROUND} !important; }}
  body, h1, h2, p, li, td, th, .content, .standfirst, .authors, .authors a, .entry h2 a {{
    color: {DARK_TEXT} !important; }}
  .subtitle, .byline, .role, .caption, .attribution, .publisher, .links, .label, .size,
  .footer, .top-link a, .entry .dateline {{ color: {DARK_MUTED} !important; }}
  a, .masthead, .when, .factbox-title, .standfirst strong {{ color: {lighter(accent)} !important; }}
  .factbox {{ background-color: {DARK_PANEL} !important; }}
  .masthead-rule, th, .sources-title {{ border-color: {DARK_TEXT} !important; }}
  .byline, .cell, .more, .entry {{ border-color: {DARK_RULE} !important; }}
}}
"""
    own = theme.read_text("email.css") if theme.find("email.css") else ""
    # a theme's email.css may use the variables style.css does: css-inline writes their
    # values into the style attributes (outside @media rules, which keep what they say)
    variables = ":root { " + " ".join(
        f"--{name}: {value};" for name, value in
        (*colours.model_dump().items(), ("font-body", body), ("font-headings", headings))) + " }"
    # no "</" can close the <style> element the at-rules are kept in
    return (variables + rules + own).replace("</", "<\\/")
