"""The canonical briefing, format version 1: frozen, typed, no I/O.

Field names are fixed: other tools write these files.  Every rule of the
format lives here, once; :mod:`briefkit.load` turns what pydantic finds into
one located line per problem.

Which text takes inline markup (``*em*``, ``**strong**``, ``[label](url)``):
the standfirst, paragraphs, quotes, list and factbox items, table cells,
timeline events and image captions.  Titles, headings, names, attributions,
credits and tags are plain text.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from briefkit import inline
from briefkit.characters import check_characters, invalid

FORMAT_VERSION = 1
# Ends where the text ends in both ECMAScript and Python: '(?![\s\S])', not '$', which
# in Python (and so in Python's JSON Schema validators) also matches before a final newline.
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*(?![\s\S])"
ID_MAX = 80

_ID_RE = re.compile(ID_PATTERN)
#: Ids whose outputs would take the place of a collection output (index.html is the front page).
RESERVED_IDS = frozenset({"index"})
# Every pattern below is matched whole (fullmatch): '$' would let a trailing newline pass.
# RFC 3339 date-time; the offset is not optional.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?"
)
# BCP 47 language tag, well-formed (RFC 5646 "langtag"; private use and grandfathered left out).
_BCP47 = re.compile(
    r"[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}"  # language, extlang
    r"(-[A-Za-z]{4})?"  # script
    r"(-([A-Za-z]{2}|\d{3}))?"  # region
    r"(-([A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*"  # variants
    r"(-[0-9A-WY-Za-wy-z](-[A-Za-z\d]{2,8})+)*"  # extensions
    r"(-[Xx](-[A-Za-z\d]{1,8})+)?"  # private use
)
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})


def _check_non_empty(value: str) -> str:
    if not value.strip():
        raise invalid("must not be empty")
    return value


def _check_link(url: str, what: str = "link") -> None:
    scheme = inline.link_scheme(url)
    if scheme not in inline.LINK_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "a relative URL"
        raise invalid(f"{what} {url!r} uses {shown}: only http, https and mailto links are allowed")


def _check_markup(value: str) -> str:
    for url in inline.links(value):
        _check_link(url)
    return value


def _check_url(value: str) -> str:
    _check_link(value, "URL")
    if inline.link_scheme(value) != "mailto" and not re.match(r"https?://[^/\s]+", value,
                                                                re.IGNORECASE):
        raise invalid(f"URL {value!r} has no host")
    return value


def id_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a briefing id, or None when it is one: the one rule
    for ids, which the model checks and whatever takes an id from elsewhere asks."""
    if len(value) > ID_MAX:
        return f"id is {len(value)} characters long: at most {ID_MAX}"
    if not _ID_RE.fullmatch(value):
        return (f"id {value!r} is not a slug: lower-case letters, digits and single hyphens "
                "only (it names the output files)")
    if value in RESERVED_IDS:
        return f"id {value!r} is reserved: {value}.html is the front page of dist/"
    return None


def _check_id(value: str) -> str:
    problem = id_problem(value)
    if problem is not None:
        raise invalid(problem)
    return value


def _check_language(value: str) -> str:
    if not _BCP47.fullmatch(value):
        raise invalid(f"{value!r} is not a BCP 47 language tag (e.g. 'fr', 'en-GB', 'ar')")
    return value


#: Years a date may have.  Every output writes four-digit years, several in UTC: a year
#: 1 or 9999 with an offset falls outside what a date can hold once converted.
MIN_YEAR, MAX_YEAR = 1900, 9000


def _parse_datetime(value: Any) -> Any:
    if not isinstance(value, str):
        raise invalid("expected an RFC 3339 date-time string, e.g. '2020-01-08T11:30:00+01:00'")
    match = _RFC3339.fullmatch(value)
    if not match:
        raise invalid(f"{value!r} is not an RFC 3339 date-time, e.g. '2020-01-08T11:30:00+01:00'")
    if not match.group("offset"):
        raise invalid(f"{value!r} has no UTC offset: write it as e.g. '{value}+01:00' or '{value}Z'")
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError as error:
        raise invalid(f"{value!r} is not a real date-time ({error})") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise invalid(f"{value!r}: the year must be from {MIN_YEAR} to {MAX_YEAR}")
    # Fractions of a second are dropped: no output shows them, and isoformat() writes
    # six digits, which HTML and EPUB "datetime" attributes refuse (three at most).
    return moment.replace(microsecond=0)


def _check_row(row: list[str]) -> list[str]:
    if not row:
        raise invalid("a table row needs at least one cell")
    return row


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise invalid(f"{value!r} is not an e-mail address")
    return value


def _check_image_src(value: str) -> str:
    # a Windows drive ("C:\\...") reads as a URL scheme: tell it apart first
    if (value.startswith(("/", "\\")) and not value.startswith("//")) \
            or re.match(r"[A-Za-z]:[\\/]", value):
        raise invalid(f"image {value!r} is an absolute path: give a path relative to the briefing")
    if inline.link_scheme(value) is not None or value.startswith("//"):
        raise invalid(
            f"image {value!r} is a URL: images are files beside the briefing, in source/"
        )
    if "\\" in value:
        raise invalid(f"image {value!r}: use '/' between folders")
    return value


Text = Annotated[str, AfterValidator(check_characters), AfterValidator(_check_non_empty)]
Markup = Annotated[
    str,
    AfterValidator(check_characters),
    AfterValidator(_check_non_empty),
    AfterValidator(_check_markup),
]
Cell = Annotated[str, AfterValidator(check_characters), AfterValidator(_check_markup)]
Url = Annotated[
    str,
    AfterValidator(check_characters),
    AfterValidator(_check_url),
    Field(json_schema_extra={"format": "uri"}),
]
Timestamp = Annotated[
    datetime,
    BeforeValidator(_parse_datetime),
    Field(json_schema_extra={"type": "string", "format": "date-time"}),
]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Author(_Node):
    name: Text
    role: Text | None = None
    email: Annotated[str, AfterValidator(check_characters),
                     AfterValidator(_check_email)] | None = None
    url: Url | None = None


class Paragraph(_Node):
    type: Literal["paragraph"]
    text: Markup


class Quote(_Node):
    type: Literal["quote"]
    text: Markup
    attribution: Text | None = None


class ListBlock(_Node):
    type: Literal["list"]
    items: Annotated[list[Markup], Field(min_length=1)]
    ordered: bool = False


class Image(_Node):
    type: Literal["image"]
    src: Annotated[str, AfterValidator(check_characters), AfterValidator(_check_non_empty),
                   AfterValidator(_check_image_src)]
    alt: Text
    caption: Markup | None = None
    credit: Text | None = None


class Table(_Node):
    type: Literal["table"]
    caption: Markup | None = None
    header: Annotated[list[Markup], Field(min_length=1)]
    rows: Annotated[list[Annotated[list[Cell], AfterValidator(_check_row)]], Field(min_length=1)]

    @field_validator("rows")
    @classmethod
    def _rows_fit_header(cls, rows: list[list[str]], info: ValidationInfo) -> list[list[str]]:
        header = info.data.get("header")
        if header is not None:
            for index, row in enumerate(rows):
                if len(row) != len(header):
                    raise invalid(
                        f"row {index + 1} has {len(row)} cells, the header has {len(header)}"
                    )
        return rows


class Event(_Node):
    when: Text
    text: Markup


class Timeline(_Node):
    type: Literal["timeline"]
    events: Annotated[list[Event], Field(min_length=1)]


class Factbox(_Node):
    type: Literal["factbox"]
    title: Text | None = None
    items: Annotated[list[Markup], Field(min_length=1)]


Block = Annotated[
    Paragraph | Quote | ListBlock | Image | Table | Timeline | Factbox,
    Field(discriminator="type"),
]
BLOCK_TYPES = ("paragraph", "quote", "list", "image", "table", "timeline", "factbox")


class Section(_Node):
    """A question-led part of the briefing; without a heading it is an intro."""

    heading: Text | None = None
    blocks: list[Block] = []

    @model_validator(mode="after")
    def _not_empty(self) -> Section:
        if self.heading is None and not self.blocks:
            raise invalid("a section needs a heading or at least one block")
        return self


class Source(_Node):
    title: Text
    url: Url | None = None
    publisher: Text | None = None


#: Most blocks, list and factbox items, table cells and timeline events in one briefing.
#: Laying out a page takes time and memory that grow with them (a PDF of 100,000 list
#: items takes over ten minutes and several gigabytes); a briefing is read in minutes.
MAX_PARTS = 5_000


class Briefing(_Node):
    """One briefing: "what we know about ..."."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://briefkit.org/schema/briefing-{FORMAT_VERSION}.json",
        },
    )

    schema_: str | None = Field(default=None, alias="$schema")
    id: Annotated[str, AfterValidator(_check_id),
                  Field(json_schema_extra={"pattern": ID_PATTERN, "maxLength": ID_MAX,
                                            "not": {"enum": sorted(RESERVED_IDS)}})]
    title: Text
    subtitle: Text | None = None
    standfirst: Markup | None = None
    language: Annotated[str, AfterValidator(_check_language)]
    published: Timestamp
    updated: Timestamp | None = None
    authors: list[Author] = []
    tags: list[Text] = []
    summary: Text | None = None
    url: Url | None = None
    rights: Text | None = None
    sections: Annotated[list[Section], Field(min_length=1)]
    sources: list[Source] = []

    @model_validator(mode="after")
    def _not_too_large(self) -> Briefing:
        parts = self.parts()
        if parts > MAX_PARTS:
            raise invalid(
                f"the briefing holds {parts:,} blocks, list and factbox items, table cells and "
                f"timeline events: at most {MAX_PARTS:,} (split it into several briefings)"
            )
        return self

    def parts(self) -> int:
        """Blocks, list and factbox items, table cells and timeline events: what the
        layout of a page grows with."""
        count = 0
        for section in self.sections:
            for block in section.blocks:
                count += 1
                if isinstance(block, (ListBlock, Factbox)):
                    count += len(block.items)
                elif isinstance(block, Table):
                    count += len(block.header) * (1 + len(block.rows))
                elif isinstance(block, Timeline):
                    count += len(block.events)
        return count

    @field_validator("updated")
    @classmethod
    def _updated_after_published(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        published = info.data.get("published")
        if value is not None and published is not None and value < published:
            raise invalid(f"updated ({value.isoformat()}) is before published ({published.isoformat()})")
        return value

    @property
    def primary_language(self) -> str:
        """The language subtag, lower-cased: 'fr' for 'fr-CA'."""
        return self.language.split("-")[0].lower()

    @property
    def direction(self) -> str:
        """'rtl' for right-to-left languages, else 'ltr'."""
        return "rtl" if self.primary_language in RTL_LANGUAGES else "ltr"

    @property
    def modified(self) -> datetime:
        """The last time the briefing changed: updated, else published."""
        return self.updated or self.published

    def images(self) -> list[Image]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Image)]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the format, generated from the model."""
    schema = Briefing.model_json_schema(by_alias=True)
    schema["title"] = f"briefkit briefing, format version {FORMAT_VERSION}"
    return schema
