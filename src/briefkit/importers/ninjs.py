"""ninjs (IPTC's News in JSON) text items in, an article out.

Wire services send ninjs in three shapes, all read here:

- 3.x: camelCase plurals: ``headlines``, ``descriptions``, ``bodies``, ``by``,
  ``people``, ``subjects``, ``firstCreated``, ``versionCreated``, ``copyrightNotice``;
- 2.x: the same in lower case (``firstcreated``, ``copyrightnotice``);
- 1.x: singular fields: ``headline``, ``body_html`` (or ``body_xhtml``, ``body_text``),
  ``description_text``, ``byline``, ``person``, ``subject``, ``versioncreated``.

The main headline is the title, a sub-headline the subtitle; a description is the
summary (or the standfirst, when its role says so); the HTML body is read by the
HTML reader, under the same rules as an HTML file (a plain-text body is read as
paragraphs), except that the images it shows are taken from the files beside the
item (:mod:`briefkit.importers.pictures`); an item without a body (NTB's short items)
takes its text from its description of role ``text`` (else ``summary``); people
whose relation is authorship, else the byline, are the authors; the first creation
is the publication date and the version's the update; subjects are tags; the
copyright notice is the rights.  What is inferred (the title among several
headlines, the byline's names, the date) is noted; what is left out is warned of.

Only text is read: a text item, or a composite one (Business Wire's release with its
logo and video) that holds text.  A picture, video, audio, graphic, event or planning
item, or JSON that is not ninjs, is refused with one line.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from briefkit import inline
from briefkit.errors import BriefingError
from briefkit.importers.article import Article, Heading
from briefkit.importers.figures import read_html_figures
from briefkit.importers.html import opening, read_html
from briefkit.importers.ninjs_fields import (
    AUTHORSHIP,
    GENERIC_AUTHORSHIP,
    MAIN_HEADLINES,
    SPACE,
    STANDFIRSTS,
    SUB_HEADLINES,
    SUMMARIES,
    TEXTS,
    objects_of,
    parse_item,
    plain_text,
    role_of,
    same,
)
from briefkit.importers.pictures import Pictures
from briefkit.inline import Text, serialise
from briefkit.locate import pointer, scan

_BYLINE_PREFIX = re.compile(r"^\s*(?:by|par|von|por|di|door)\s+", re.IGNORECASE)
#: Between two names of a byline: a comma, a semicolon, "&" or "and" in the languages with
#: labels.  The spaces around it are stripped from the names after: a pattern starting with
#: spaces would be tried at every space of a long run of them, in time in its square.
_BYLINE_SPLIT = re.compile(r";|,|&|\b(?:and|et|und|y|e|en)\b", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n\s*\n")
#: A dateline standing alone as the body's first paragraph: "PARIS, Jan. 8 (AFP) —".
_DATELINE = re.compile(r"[—–-]{1,2}\s*$")
MAX_DATELINE = 80
#: The end of a sentence: what a label never holds.
_SENTENCE = re.compile(r"[.!?:;…]")
#: The longest byline read (whitespace collapsed): a line, not an article.  Each person of
#: the item costs a search through it, and a longer one is not a list of names.
MAX_BYLINE = 1000


class _Item:
    """A ninjs object with its keys lower-cased (2.x and 3.x differ only in case)."""

    def __init__(self, data: dict[str, Any], text: str, file: str,
                 folder: Path | None = None) -> None:
        self.data = data
        self.keys = {str(key).lower(): key for key in data}
        self.text = text
        self.file = file
        self.article = Article()
        self.pictures = Pictures(self.get("associations"), objects_of, folder, self.article, file)
        #: descriptions holding the article's text: (role, value, content type, index)
        self.texts: list[tuple[str, str, str, int]] = []
        self.summary: tuple[str, str, str, int] | None = None  # the one read as the summary

    def get(self, *names: str) -> Any:
        for name in names:
            if name in self.keys:
                return self.data[self.keys[name]]
        return None

    def string(self, *names: str) -> str | None:
        value = self.get(*names)
        return value.strip() or None if isinstance(value, str) else None

    def note(self, message: str) -> None:
        self.article.notes.append(f"{self.file}: {message}")

    def offset(self, *path: str | int) -> int:
        """Where the value at ``path`` (keys as lower-cased) starts in the file."""
        real = [self.keys.get(str(path[0]), path[0]), *path[1:]]
        return scan(self.text).values.get(pointer(real), 0)

    # --- each part of the item

    def headlines(self) -> None:
        entries = [e for e in objects_of(self.get("headlines")) if plain_text(e.get("value"))]
        single = self.string("headline")
        if single and not entries:
            entries = [{"value": single}]
        if not entries:
            name = self.string("title")
            if name:
                # 3.x's title names the item for machines: the best there is without a headline
                self.article.title = plain_text(name)
                self.note(f"title taken from the item's name, it has no headline: {name!r} "
                          "(pass --title to set it)")
            return
        main = next((e for e in entries if role_of(e) in MAIN_HEADLINES), None)
        if main is None:
            main = next((e for e in entries if not role_of(e)), entries[0])
            if len(entries) > 1:
                self.note(f"title taken from the first headline, none has the role 'main': "
                          f"{plain_text(main['value'])!r} (pass --title to set it)")
        self.article.title = plain_text(main["value"], str(main.get("contenttype", "")))
        sub = next((e for e in entries if role_of(e) in SUB_HEADLINES), None)
        if sub is not None:
            self.article.subtitle = plain_text(sub["value"], str(sub.get("contenttype", "")))
        for entry in entries:
            if entry is not main and entry is not sub:
                role = f"role {role_of(entry)!r}" if role_of(entry) else "no role"
                self.note(f"headline {plain_text(entry['value'])!r} ({role}) not imported")

    def descriptions(self) -> None:
        entries = objects_of(self.get("descriptions"))
        for field, kind in (("description_text", "text/plain"), ("description_html", "text/html")):
            if self.string(field) and not entries:
                entries = [{"value": self.string(field), "contenttype": kind}]
        unnamed = False
        for index, entry in enumerate(entries):
            role, kind = role_of(entry), str(entry.get("contenttype", ""))
            value = entry.get("value")
            if role in TEXTS and isinstance(value, str) and value.strip():
                self.texts.append((role, value, kind, index))
            elif role in STANDFIRSTS and self.article.standfirst is None:
                self.article.standfirst = self._markup(entry.get("value"), kind)
            elif (role in SUMMARIES or not role) and self.article.summary is None:
                self.article.summary = plain_text(value, kind) or None
                unnamed = unnamed or not role
                if self.article.summary:
                    self.summary = (role or "summary", str(value), kind, index)
        if unnamed and self.article.summary:
            self.note("a description without a role read as the summary")

    def _markup(self, value: Any, content_type: str) -> str | None:
        """A description as inline markup: its HTML formatting kept, else its words."""
        if not isinstance(value, str):
            return None
        if "html" in content_type.lower():
            pieces = read_html(value, self.file).pieces
            texts = [p["text"] for p in pieces
                     if isinstance(p, dict) and p.get("type") == "paragraph"]
            return " ".join(texts) or None
        return serialise([Text(SPACE.sub(" ", value).strip())]) or None

    def body(self) -> None:
        bodies = objects_of(self.get("bodies"))
        path: tuple[str | int, ...] = ()
        chosen: tuple[str, bool] | None = None
        for index, entry in enumerate(bodies):
            kind, role = str(entry.get("contenttype", "")).lower(), role_of(entry)
            value = entry.get("value")
            if not isinstance(value, str) or not value.strip():
                continue
            is_html = "html" in kind or role in ("xhtml", "html")
            if chosen is None or (is_html and not chosen[1]):
                chosen, path = (value, is_html), ("bodies", index, "value")
        for field, is_html in (("body_html", True), ("body_xhtml", True), ("body_text", False)):
            value = self.string(field)
            if value and (chosen is None or (is_html and not chosen[1])):
                chosen, path = (value, is_html), (field,)
        if chosen is None:
            chosen, path = self._text_from_descriptions()
        elif self.texts:
            for role, _, _, _ in self.texts:
                self.note(f"description (role {role!r}) not imported: the body holds the text")
        if chosen is None:
            return
        self._read_body(*chosen, path)

    def _text_from_descriptions(self) -> tuple[tuple[str, bool] | None, tuple[str | int, ...]]:
        """The text of an item without a body: its description of role text (else the
        summary, then no longer a summary), as the body."""
        found = self.texts[0] if self.texts else self.summary
        if found is None:
            return None, ()
        role, value, kind, index = found
        if found is self.summary:
            self.article.summary = None
        # 1.x's description_text is a field of its own, 2.x and 3.x's an entry of a list
        path: tuple[str | int, ...] = ("descriptions", index, "value") \
            if isinstance(self.get("descriptions"), list) else ()
        self.note(f"text taken from the description (role {role!r}): the item has no body")
        return (value, "html" in kind.lower()), path

    def _read_body(self, value: str, is_html: bool, path: tuple[str | int, ...]) -> None:
        if not is_html:
            value = "".join(f"<p>{html.escape(paragraph)}</p>"
                            for paragraph in _BLANK_LINE.split(value) if paragraph.strip())
        start = self.offset(*path) if path else 0
        line = self.text.count("\n", 0, start) + 1

        def locate(tag: str, position: tuple[int, int]) -> tuple[int, int]:
            # a JSON string holds no raw line break: the body is on one line of the file
            found = opening(tag).search(self.text, start)
            at = found.start() if found else start
            return self.text.count("\n", 0, at) + 1, at - self.text.rfind("\n", 0, at)

        read = read_html_figures(value, self.file, locate, line)
        self.article.notes.extend(read.notes)
        pieces = self._repeats(self.pictures.resolve(read.pieces))
        if read.title and same(read.title) != same(self.article.title):
            # the body's own <h1> is text of the article: kept, as a heading
            pieces.insert(0, Heading(read.title))
        self.article.pieces = self._dateline(pieces)
        if read.language and not self.article.language:
            self.article.language = read.language

    def _repeats(self, pieces: list[Any]) -> list[Any]:
        """The body without its opening paragraphs that repeat the standfirst given as a
        description, or the byline, and its label (TT's "Försvar" and "TT": a short line
        ending with the agency's name): a page's header sent as part of the body."""
        byline = same(self.string("by", "byline"))
        agency = same(self.string("copyrightholder"))
        kept = list(pieces)
        for piece in pieces[:3]:
            if not (isinstance(piece, dict) and piece.get("type") == "paragraph"):
                break
            text = same(inline.plain(piece["text"]))
            if self.article.standfirst and text == same(inline.plain(self.article.standfirst)):
                kept.remove(piece)
            elif byline and text.startswith(byline) and len(text) <= len(byline) + MAX_DATELINE:
                kept.remove(piece)
                self.note(f"paragraph {inline.plain(piece['text'])!r} left out: it repeats the "
                          "byline")
            elif agency and text.endswith(agency) and len(text) <= MAX_DATELINE \
                    and not _SENTENCE.search(text):
                kept.remove(piece)
                self.note(f"paragraph {inline.plain(piece['text'])!r} left out: it is the "
                          f"item's label, ending with the agency's name ({agency})")
        return kept

    def _dateline(self, pieces: list[Any]) -> list[Any]:
        """A dateline set as a paragraph of its own joins the paragraph it introduces."""
        if len(pieces) < 2 or not all(isinstance(p, dict) and p.get("type") == "paragraph"
                                      for p in pieces[:2]):
            return pieces
        first = pieces[0]["text"]
        if len(first) > MAX_DATELINE or not _DATELINE.search(first):
            return pieces
        self.note(f"dateline {first!r} joined to the first paragraph")
        return [{"type": "paragraph", "text": f"{first} {pieces[1]['text']}"}, *pieces[2:]]

    def authors(self) -> None:
        people = objects_of(self.get("people")) or objects_of(self.get("person"))
        named = same(self.string("by", "byline"))
        named = named if len(named) <= MAX_BYLINE else ""
        for person in people:
            name = plain_text(person.get("name"))
            relation = role_of(person, "rel")
            # a person is an author by relation, or by being named in the byline (the
            # relation is then their role: "service International", "Paris bureau")
            if not name or (relation not in AUTHORSHIP and (not named or name not in named)):
                continue
            role = relation if relation in AUTHORSHIP else plain_text(person.get("rel"))
            if not role or role in GENERIC_AUTHORSHIP:
                self.article.authors.append(name)
            else:
                self.article.authors.append({"name": name, "role": role})
        byline = self.string("by", "byline")
        if self.article.authors or not byline:
            return
        if len(same(byline)) > MAX_BYLINE:
            self.note(f"the byline is not read as names: {len(same(byline)):,} characters, a "
                      f"byline has at most {MAX_BYLINE:,} (pass --author to set the authors)")
            return
        names = [same(n) for n in _BYLINE_SPLIT.split(_BYLINE_PREFIX.sub("", byline))
                 if n.strip()]
        self.article.authors.extend(names)
        self.note(f"authors read from the byline {byline!r}: {', '.join(names)} "
                  "(pass --author to set them)")

    def dates(self) -> None:
        first = self.string("firstcreated")
        version = self.string("versioncreated")
        if first:
            self.article.published = first
            if version and version != first:
                self.article.updated = version
        elif version:
            self.article.published = version
            self.note(f"publication date taken from the version's: {version} (the item has no "
                      "firstCreated; pass --published to set it)")

    def subjects(self) -> None:
        tags: dict[str, None] = {}  # in order, each once (a list would be searched each time)
        unnamed = 0
        for subject in objects_of(self.get("subjects")) or objects_of(self.get("subject")):
            name = plain_text(subject.get("name"))
            if not name:
                unnamed += 1
            else:
                tags.setdefault(name)
        self.article.tags = list(tags)
        if unnamed:
            self.note(f"{unnamed} subject{'s' if unnamed > 1 else ''} with a code but no name "
                      "left out of the tags")


def read_ninjs(text: str, file: str, folder: Path | None = None) -> Article:
    """Read a ninjs text item (1.x, 2.x or 3.x); the images its body shows are taken from
    the files in ``folder`` (the item's own), when given."""
    item = _Item(parse_item(text, file), text, file, folder)
    kind = item.get("type")
    if kind is not None and kind not in ("text", "composite"):
        shown = kind if isinstance(kind, str) else json.dumps(kind)
        raise BriefingError.single(
            file, f"a ninjs {shown} item, not a text item: only text items (articles) can be "
            "imported")
    article = item.article
    item.headlines()
    item.descriptions()
    item.body()
    if kind == "composite":
        if not article.pieces:
            raise BriefingError.single(
                file, "a ninjs composite item without text: only text items (articles), and "
                "composite items that hold text, can be imported")
        item.note("a composite item: its text is imported")
    item.pictures.unshown()
    item.authors()
    item.dates()
    item.subjects()
    language = item.string("language")
    if language:
        article.language = language
    article.rights = item.string("copyrightnotice")
    # what the agency tells the desk, never published: said, so no one misses it
    embargo = item.string("embargoeduntil", "embargoed")
    if embargo:
        item.note(f"embargoed until {embargo}: the briefing is not held back, publish it after")
    ednote = item.string("ednote")
    if ednote:
        item.note(f"editor's note, not imported: {ednote!r}")
    return article
