"""Every setting and its default, declared once: :class:`Settings` and its tables
(feeds, PDF, datelines by language, the engine's cluster)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    model_validator,
)

from briefkit import datelines
from briefkit.characters import check_characters
from briefkit.config.values import (
    Line,
    Name,
    SettingsTable,
    absolute_url,
    hub_address,
    not_empty,
    period,
)
from briefkit.model import _check_language

PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "pdf/a-3u", "none")


class FeedSettings(SettingsTable):
    max_entries: Annotated[int, Field(ge=1, le=10_000)] = 50
    #: WebSub hubs named in the feeds and told when a publish changed them
    hubs: list[Annotated[Line, AfterValidator(hub_address)]] = Field(default_factory=list)


class FrontPageSettings(SettingsTable):
    #: briefings on each page of the front page, and of a topic's or a language's page
    per_page: Annotated[int, Field(ge=1, le=10_000)] = 50


class PdfSettings(SettingsTable):
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


Pattern = Annotated[Line, AfterValidator(check_characters)]


class DatelineSettings(SettingsTable):
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


class EngineSettings(SettingsTable):
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
    #: a local pool's workers are started anew after this many jobs, all together (about
    #: 450 briefings in every format): each PDF leaves some memory in WeasyPrint's C
    #: libraries, and new workers give it back
    renew_workers_after: Annotated[int, Field(ge=1, le=10_000_000)] = 4000


#: The ninjs versions the ninjs exporter writes, the default first.
NINJS_VERSIONS = ("3.2", "3.1")


def _ninjs_version(value: object) -> object:
    known = " or ".join(f'"{v}"' for v in NINJS_VERSIONS)
    if isinstance(value, (int, float)) and f"{value}" in NINJS_VERSIONS:
        # TOML reads version = 3.1 as a number, and 3.10 would be the same number
        raise ValueError(f'a version is text: write it in quotes, version = "{value}"')
    if value not in NINJS_VERSIONS:
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        raise ValueError(f"{shown[:40]} is not a ninjs version briefkit writes: {known}")
    return value


class NinjsSettings(SettingsTable):
    """The ninjs items for news partners (``[ninjs]``): 3.2, or 3.1 for a partner who pins it."""

    version: Annotated[str, BeforeValidator(_ninjs_version)] = NINJS_VERSIONS[0]


class EmailSettings(SettingsTable):
    """The e-mail edition and the digest (``[email]``): whether a message links its images
    at their published addresses or carries them, and the period a digest gathers."""

    images: Literal["linked", "attached"] = "linked"
    #: the digest's period, back from the newest change of the collection (never the clock)
    digest_since: Annotated[str, AfterValidator(period)] = "24h"


class CacheSettings(SettingsTable):
    """How much the exporters' cache (``.briefkit/cache/``: web fonts, Word font subsets)
    keeps of what no output of the output folder uses any more: such an entry is removed
    once unused for ``unused_days``, and sooner, the longest unused first, while the
    cache is larger than ``max_megabytes``.  What the outputs use is always kept."""

    unused_days: Annotated[float, Field(ge=0, le=3650, allow_inf_nan=False)] = 30
    max_megabytes: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] = 512


class Settings(SettingsTable):
    """Everything a project can set, with its default, but where ``briefkit publish``
    sends (:class:`briefkit.config.publishing.PublishSettings`)."""

    title: Annotated[Name, AfterValidator(not_empty)] = "Briefings"
    base_url: Annotated[Line | None, AfterValidator(absolute_url)] = None
    #: who publishes the briefings (EPUB and Word carry it); empty: the title
    publisher: Name = ""
    language: Annotated[Line, AfterValidator(_check_language)] = "en"
    theme: Annotated[Line, AfterValidator(not_empty)] = "default"
    source: Annotated[Line, AfterValidator(not_empty)] = "source"
    output: Annotated[Line, AfterValidator(not_empty)] = "dist"
    feed: FeedSettings = FeedSettings()
    front_page: FrontPageSettings = FrontPageSettings()
    pdf: PdfSettings = PdfSettings()
    ninjs: NinjsSettings = NinjsSettings()
    email: EmailSettings = EmailSettings()
    engine: EngineSettings = EngineSettings()
    cache: CacheSettings = CacheSettings()
    dateline: dict[Annotated[str, AfterValidator(_check_language)], DatelineSettings] = Field(default_factory=dict)
    # [publish.<name>] and [smtp]: briefkit.config.publishing's PublishSettings, whose
    # models are built only to read a file that has them, and to publish

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

    #: Tables that shape some formats only: each exporter names what it reads of them in
    #: ``reads_settings``, so a digest's period given on the command line remakes no PDF.
    FORMAT_TABLES: ClassVar[tuple[str, ...]] = ("email",)

    def fingerprint(self, only: Sequence[str] | None = None) -> str:
        """The settings that shape outputs, as stable text (for incremental builds): those
        every format reads, or with ``only`` the tables of :attr:`FORMAT_TABLES`, or keys
        of them (``"email.images"``), named there."""
        if only is None:
            return self.model_dump_json(exclude={"root", "engine", "cache", "publish", "smtp",
                                                 *self.FORMAT_TABLES})
        tables = self.model_dump(mode="json", include=set(self.FORMAT_TABLES))
        picked = {}
        for name in only:
            table, _, key = name.partition(".")
            if table in tables:
                picked[name] = tables[table].get(key) if key else tables[table]
        return json.dumps(picked, sort_keys=True)


