"""Project settings: ``briefkit.toml``, else ``[tool.briefkit]`` in pyproject.toml.

Every setting and its default is declared once, in :class:`Settings`.  Loading
reports every wrong key at once, with a "did you mean" where one is close.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from briefkit.errors import ConfigError, Problem
from briefkit.model import _check_language

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


def _absolute_url(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    if value is not None and not value.endswith("/"):
        value += "/"
    return value


Line = Annotated[str, AfterValidator(_one_line)]


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


def _cldr_pattern(value: str | None) -> str | None:
    if value is not None:
        from babel.dates import parse_pattern  # only when a newsroom sets one

        try:
            parse_pattern(value)
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"{value!r} is not a CLDR date or time pattern ({error})") from None
    return value


def _dateline_format(value: str | None) -> str | None:
    if value is not None:
        import string

        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
        except ValueError as error:
            raise ValueError(f"{value!r}: {error}") from None
        unknown = names - {"date", "time", "at", "label"}
        if unknown:
            raise ValueError(f"{value!r} names {', '.join(sorted(unknown))}: only {{date}}, "
                             "{time}, {at} and {label} can be used")
    return value


class DatelineSettings(_Table):
    """How a newsroom writes the dateline in one language (``[dateline.fr]``)."""

    date: Annotated[str | None, AfterValidator(_cldr_pattern)] = None  # CLDR, e.g. "d MMMM y"
    time: Annotated[str | None, AfterValidator(_cldr_pattern)] = None  # e.g. "HH:mm"
    at: Annotated[str | None, AfterValidator(_dateline_format)] = None  # "{date}, {time}"
    updated_same_day: Annotated[str | None, AfterValidator(_dateline_format)] = None
    updated_other_day: Annotated[str | None, AfterValidator(_dateline_format)] = None
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

    title: Annotated[Line, AfterValidator(_not_empty)] = "Briefings"
    base_url: Annotated[Line | None, AfterValidator(_absolute_url)] = None
    #: who publishes the briefings (EPUB and Word carry it); empty: the title
    publisher: Line = ""
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
    for part in parts:
        annotation = model.model_fields[str(part)].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [name for name in model.model_fields if name != "root"]


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_settings(root: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Read the project's settings from ``root``; every problem is reported at once."""
    data: dict[str, Any] = {}
    text, shown = "", "briefkit.toml"
    own, pyproject = root / "briefkit.toml", root / "pyproject.toml"
    try:
        if own.is_file():
            text = own.read_text("utf-8")
            data = tomllib.loads(text)
        elif pyproject.is_file():
            shown, text = "pyproject.toml", pyproject.read_text("utf-8")
            data = tomllib.loads(text).get("tool", {}).get("briefkit", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{shown}: {error}") from None
    data = {**data, **(overrides or {})}
    try:
        # the context: files named in the settings are found from the project folder
        return Settings.model_validate({**data, "root": root}, context={"root": root})
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = tuple(e["loc"])
            key = ".".join(str(p) for p in loc)
            if e["type"] == "extra_forbidden":
                known = _known(Settings, loc[:-1])
                close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
                message = f"unknown setting ({hint})"
            else:
                message = e["msg"].removeprefix("Value error, ")
            problems.append(Problem(shown, f"{key}: {message}", _line_of(text, str(loc[-1]))))
        raise ConfigError(f"{len(problems)} problems in {shown}", problems) from None
