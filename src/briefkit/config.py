"""Project settings: ``briefkit.toml``, else ``[tool.briefkit]`` in pyproject.toml.

Every setting and its default is declared once, in :class:`Settings`.  Loading
reports every wrong key at once, with a "did you mean" where one is close.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from briefkit import datelines, links, tomlfiles
from briefkit.errors import ConfigError, Problem
from briefkit.model import ID_MAX, _check_characters, _check_language

PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "pdf/a-3u", "none")


def _one_line(value: str) -> str:
    """Plain text on one line: a setting ends up in XML (feeds, EPUB, Word), which cannot
    carry control characters, and in one-line places (a page's masthead, a feed title)."""
    for index, ch in enumerate(value):
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in "\ufffe\uffff":
            raise ValueError(f"control character U+{ord(ch):04X} at position {index + 1}: "
                             "a setting is one line of plain text")
    return value


def _not_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


#: The longest address a sitemap may list (sitemaps.org), and so the longest base_url:
#: what briefkit appends to it is at most :func:`briefkit.links.longest_path` long
SITEMAP_LOC_MAX = 2048
MAX_BASE_URL = SITEMAP_LOC_MAX - links.longest_path(ID_MAX)


#: What an address cannot hold as it is (RFC 3986): a character outside its set, or a
#: "%" that does not start a percent-encoded byte
_NOT_IN_AN_ADDRESS = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def _absolute_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value, re.IGNORECASE):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    bad = _NOT_IN_AN_ADDRESS.search(value)
    if bad:
        raise ValueError(f"{value!r}: {bad.group()!r} at position {bad.start() + 1} cannot be "
                         "written in an address as it is: percent-encode it (a host: its "
                         "xn-- form)")
    parts = urlsplit(value)
    if "?" in value or "#" in value:
        raise ValueError(f"{value!r} has a query or a fragment: paths are appended to "
                         "base_url, so it ends with its path")
    if "@" in parts.netloc:
        raise ValueError(f"{value!r} carries a user name or password: every address "
                         "briefkit publishes would carry it too")
    try:
        port_ok = parts.port != 0  # urlsplit refuses a port past 65535
    except ValueError:
        port_ok = False
    if not parts.hostname or not port_ok:
        raise ValueError(f"{value!r} is not an absolute http(s) URL: no host, or a port that "
                         "is not from 1 to 65535")
    if len(value) > MAX_BASE_URL:
        raise ValueError(f"is {len(value):,} characters long: at most {MAX_BASE_URL:,}, so "
                         f"that every address briefkit writes under it stays within the "
                         f"{SITEMAP_LOC_MAX:,} characters a sitemap allows")
    if not value.endswith("/"):
        value += "/"
    return value


#: Longest title or publisher: they head feeds, running heads and e-book metadata
MAX_NAME = 200


def _name(value: str) -> str:
    if len(value) > MAX_NAME:
        raise ValueError(f"is {len(value):,} characters long: at most {MAX_NAME}")
    return value


Line = Annotated[str, AfterValidator(_one_line)]
#: Text a reader sees (title, publisher): one line, at most MAX_NAME characters, and only
#: characters every format can carry
Name = Annotated[Line, AfterValidator(_name), AfterValidator(_check_characters)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedSettings(_Table):
    max_entries: Annotated[int, Field(ge=1, le=10_000)] = 50


class PdfSettings(_Table):
    variant: Annotated[str, Field(pattern="^(" + "|".join(PDF_VARIANTS) + ")$")] = "pdf/ua-1"


#: A Dask scheduler's address: a protocol, a host name or address, and a port (Dask's own
#: default, 8786, when left out).
_SCHEDULER = re.compile(r"(tcp|tls|ws|wss|ucx)://([A-Za-z0-9]([A-Za-z0-9.-]{0,252})"
                        r"|\[[0-9A-Fa-f:.]{2,45}\])(:[0-9]{1,5})?")


def scheduler_address(value: str) -> str:
    """``value`` if it is a Dask scheduler address (``tcp://host:8786``), else ValueError
    saying what one looks like: the command line and the settings check it the same way."""
    match = _SCHEDULER.fullmatch(value)
    if match is None or (match[4] is not None and not 0 < int(match[4][1:]) < 65536):
        shown = value if len(value) <= 80 else value[:80] + "…"
        raise ValueError(f"{shown!r} is not a Dask scheduler address such as "
                         "'tcp://scheduler.example.org:8786'")
    return value


def _checked_by(fault: Callable[[str], str | None]) -> AfterValidator:
    """A dateline value, checked by the rules of the code that writes datelines."""
    def check(value: str | None) -> str | None:
        message = None if value is None else fault(value)
        if message:
            raise ValueError(message)
        return value
    return AfterValidator(check)


def _scheduler(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    scheduler_address(value)
    # a file that failed its own check is not in info.data: that problem is reported already
    missing = [name for name in ("tls_ca_file", "tls_client_cert")
               if name in info.data and info.data[name] is None]
    if value.startswith("tls://") and missing:
        raise ValueError(f"a tls:// scheduler needs {' and '.join(missing)} in [engine] "
                         "(the certificate authority that signed the cluster's certificates, "
                         "and this machine's certificate)")
    return value


def _certificate(value: str | None, info: ValidationInfo) -> str | None:
    """A certificate or key file: inside the project folder, or an absolute path; an
    existing file, whose absolute path is kept (the run may start elsewhere)."""
    if value is None:
        return None
    context = info.context if isinstance(info.context, dict) else {}
    root = Path(context.get("root", ".")).resolve()
    given = Path(value)
    path = (given if given.is_absolute() else root / given).resolve()
    if not given.is_absolute() and not path.is_relative_to(root):
        raise ValueError(f"{value!r} is outside the project folder: name a file inside it, "
                         "or give an absolute path")
    if not path.is_file():
        raise ValueError(f"{value!r}: no such file")
    return str(path)


Pattern = Annotated[Line, AfterValidator(_check_characters)]


class DatelineSettings(_Table):
    """How a newsroom writes the dateline in one language (``[dateline.fr]``): each value
    is checked alone here (:mod:`briefkit.datelines`), and every language's convention is
    written once for sample dates when the settings are read (:func:`load_settings`)."""

    date: Annotated[Pattern | None,  # CLDR, e.g. "d MMMM y"
                    _checked_by(lambda v: datelines.pattern_fault(v, "date"))] = None
    time: Annotated[Pattern | None,  # e.g. "HH:mm"
                    _checked_by(lambda v: datelines.pattern_fault(v, "time"))] = None
    at: Annotated[Pattern | None,  # "{date}, {time}"
                  _checked_by(lambda v: datelines.template_fault(v, "at"))] = None
    updated_same_day: Annotated[Pattern | None, _checked_by(
        lambda v: datelines.template_fault(v, "updated_same_day"))] = None
    updated_other_day: Annotated[Pattern | None, _checked_by(
        lambda v: datelines.template_fault(v, "updated_other_day"))] = None
    digits: Literal["default", "native", "latn"] | None = None


class EngineSettings(_Table):
    """A Dask cluster the project may export on.  A project folder is something people
    hand each other, and a Dask scheduler can run code in the process that connects to
    it: the engine uses ``scheduler`` only when asked (``--scheduler from-settings``) or
    over TLS with the certificates named here."""

    # PEM files, as distributed's Security takes them; the key may be in the certificate
    tls_ca_file: Annotated[str | None, AfterValidator(_certificate)] = None
    tls_client_cert: Annotated[str | None, AfterValidator(_certificate)] = None
    tls_client_key: Annotated[str | None, AfterValidator(_certificate)] = None
    # after the files: a tls:// address is checked against them
    scheduler: Annotated[str | None, AfterValidator(_scheduler)] = None


class Settings(_Table):
    """Everything a project can set, with its default."""

    title: Annotated[Name, AfterValidator(_not_empty)] = "Briefings"
    base_url: Annotated[Line | None, AfterValidator(_absolute_url)] = None
    #: who publishes the briefings (EPUB and Word carry it); empty: the title
    publisher: Name = ""
    language: Annotated[Line, AfterValidator(_check_language)] = "en"
    theme: Annotated[Line, AfterValidator(_not_empty)] = "default"
    source: Annotated[Line, AfterValidator(_not_empty)] = "source"
    output: Annotated[Line, AfterValidator(_not_empty)] = "dist"
    feed: FeedSettings = FeedSettings()
    pdf: PdfSettings = PdfSettings()
    engine: EngineSettings = EngineSettings()
    dateline: dict[Annotated[str, AfterValidator(_check_language)], DatelineSettings] = {}

    root: Annotated[Path, Field(exclude=True)] = Path(".")

    @model_validator(mode="after")
    def _publisher_named(self) -> Settings:
        # an EPUB needs a publisher (EPUBCheck refuses an empty dc:publisher)
        if not self.publisher.strip():
            object.__setattr__(self, "publisher", self.title)
        return self

    @property
    def source_dir(self) -> Path:
        return (self.root / self.source).resolve()

    @property
    def output_dir(self) -> Path:
        return (self.root / self.output).resolve()

    def fingerprint(self) -> str:
        """The settings that shape outputs, as stable text (for incremental builds)."""
        return self.model_dump_json(exclude={"root", "engine"})


def _known(model: type[BaseModel], parts: tuple[str | int, ...]) -> list[str]:
    """The keys a table of the settings may hold (``("dateline", "fr")``: a date ...)."""
    by_language = False
    for part in parts:
        if by_language:  # the language of [dateline.<language>]
            by_language = False
            continue
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info else None
        if get_origin(annotation) is dict:
            annotation, by_language = get_args(annotation)[1], True
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [name for name in model.model_fields if name != "root"]


def load_settings(root: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Read the project's settings from ``root``; every problem is reported at once, one
    located line each (``briefkit.toml:line:col: key: message``)."""
    data: dict[str, Any] = {}
    text, shown = "", "briefkit.toml"
    table: tomlfiles.Key = ()
    own, pyproject = root / "briefkit.toml", root / "pyproject.toml"
    try:
        if own.is_file():
            text = own.read_text("utf-8")
            data = tomlfiles.read(text, shown, ConfigError)
        elif pyproject.is_file():
            shown, table = "pyproject.toml", ("tool", "briefkit")
            text = pyproject.read_text("utf-8")
            data = tomlfiles.read(text, shown, ConfigError, table)
    except UnicodeDecodeError as error:
        raise ConfigError(f"{shown}: not UTF-8 (byte {error.start + 1})") from None
    data = {**data, **(overrides or {})}
    lines = tomlfiles.key_lines(text)

    def problem(loc: tuple[str | int, ...], message: str) -> Problem:
        key = ".".join(str(p) for p in loc)
        return Problem(shown, f"{key}: {message}", *tomlfiles.locate((*table, *loc), lines))

    try:
        # the context: files named in the settings are found from the project folder
        settings = Settings.model_validate({**data, "root": root}, context={"root": root})
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = tuple(p for p in e["loc"] if p != "[key]")
            if e["type"] == "extra_forbidden":
                known = _known(Settings, loc[:-1])
                close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
                message = f"unknown setting ({hint})"
            else:
                message = e["msg"].removeprefix("Value error, ")
            problems.append(problem(loc, message))
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ConfigError(f"{len(problems)} problems in {shown}", problems) from None
    if settings.dateline:
        # every language's dateline written once, by the code that writes it in every format
        chosen = {tag: values.model_dump() for tag, values in settings.dateline.items()}
        faults = datelines.check(chosen, settings.language)
        if faults:
            problems = [problem(("dateline", tag, *([key] if key else [])), message)
                        for tag, key, message in faults]
            raise ConfigError(f"{len(problems)} problems in {shown}", problems)
    return settings
