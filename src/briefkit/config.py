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


def _hub(value: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL of a WebSub hub")
    return value


class FeedSettings(_Table):
    max_entries: Annotated[int, Field(ge=1, le=10_000)] = 50
    #: WebSub hubs named in the feeds and told when a publish changed them
    hubs: list[Annotated[Line, AfterValidator(_hub)]] = []


class FrontPageSettings(_Table):
    #: briefings on each page of the front page, and of a topic's or a language's page
    per_page: Annotated[int, Field(ge=1, le=10_000)] = 50


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


#: Kinds of publish address: a folder reached through fsspec, or e-mail.
PUBLISH_SCHEMES = ("sftp", "ftp", "ftps", "s3", "file", "mailto")
#: Keys that would hold a secret: refused, secrets come from the environment.
SECRET_KEYS = ("password", "passwd", "passphrase", "secret", "secret_key", "token",
               "aws_secret_access_key")
_EMAIL = r"[^@\s,<>()\[\]:;\"]+@[A-Za-z0-9.-]+"
_NO_PASSWORD = ("a password is never written in briefkit.toml (the project travels, with "
                "its history): keep it in an environment variable and name that with "
                'password_env = "NAME"')


def _publish_address(value: str) -> str:
    """A target's address: sftp://, ftp://, ftps://, s3://, file:// or a folder, or mailto:.
    Never echoed back when it holds a password."""
    if value.startswith("mailto:"):
        if not all(re.fullmatch(_EMAIL, a.strip()) for a in value[7:].split(",")):
            raise ValueError(f"{value!r} is not mailto: followed by e-mail addresses "
                             "separated by commas")
        return value
    parts = urlsplit(value)
    if parts.password is not None:
        raise ValueError(_NO_PASSWORD)
    scheme = parts.scheme if "://" in value else ""
    if scheme and scheme not in PUBLISH_SCHEMES:
        raise ValueError(f"{scheme}:// is not a kind of target briefkit publishes to: "
                         "sftp://, ftp://, ftps://, s3://, file:// (or a folder) or mailto:")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: an address has no query (?) or fragment (#)")
    try:
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        raise ValueError(f"{value!r}: the port is not a number from 1 to 65535") from None
    if scheme in ("sftp", "ftp", "ftps", "s3") and not parts.hostname:
        raise ValueError(f"{value!r} names no {'bucket' if scheme == 's3' else 'host'}")
    if scheme == "s3" and parts.username is not None:
        raise ValueError(f"{value!r}: S3 credentials come from the environment, not the address")
    if scheme == "file" and parts.netloc not in ("", "localhost"):
        raise ValueError(f"{value!r}: a file:// address names a folder of this machine")
    return value


def _environment_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(f"{value!r} is not the name of an environment variable, e.g. "
                         "'AFP_FTP_PASSWORD' (the name, never the password itself)")
    return value


def _format_name(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
        raise ValueError(f"{value!r} is not a format name such as 'pdf'")
    return value


EnvironmentName = Annotated[str, AfterValidator(_environment_name)]


class PublishTarget(_Table):
    """One place that receives what was exported (``[publish.<name>]``): the web host, a
    partner's SFTP or FTP drop, object storage, a mounted folder, or an e-mail address."""

    to: Annotated[Line, AfterValidator(_publish_address)]
    #: what it takes (default: everything; an e-mail target: the PDF)
    formats: list[Annotated[str, AfterValidator(_format_name)]] | None = None
    languages: list[Annotated[str, AfterValidator(_check_language)]] = []
    tags: list[Line] = []
    ids: list[Line] = []  # briefing id patterns: "iran-*"
    prune: bool = False  # remove what briefkit published there and no longer exports
    parallel: Annotated[int, Field(ge=1, le=32)] = 4  # uploads at a time
    timeout: Annotated[float, Field(gt=0, le=600)] = 30.0  # seconds, per network operation
    retries: Annotated[int, Field(ge=0, le=10)] = 3  # of a transient fault, with backoff
    user: Line | None = None  # when the address names none
    password_env: EnvironmentName | None = None  # sftp, ftp, ftps
    key_file: Line | None = None  # sftp: a private key (default: the agent, ~/.ssh keys)
    known_hosts: Line | None = None  # sftp (default: ~/.ssh/known_hosts)
    endpoint_url: Annotated[Line | None, AfterValidator(_absolute_url)] = None  # s3
    region: Line | None = None  # s3

    @property
    def kind(self) -> str:
        """sftp, ftp, ftps, s3, file (a local or mounted folder) or mailto."""
        if self.to.startswith("mailto:"):
            return "mailto"
        return urlsplit(self.to).scheme if "://" in self.to else "file"


#: Keys that mean something for some kinds of target only.
PUBLISH_ONLY_FOR = {"password_env": ("sftp", "ftp", "ftps"), "key_file": ("sftp",),
                    "known_hosts": ("sftp",), "endpoint_url": ("s3",), "region": ("s3",),
                    "user": ("sftp", "ftp", "ftps")}


class SmtpSettings(_Table):
    """The mail server that e-mail targets send through (``[smtp]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: Line | None = None
    port: Annotated[int | None, Field(ge=1, le=65535)] = None  # 587, 465 with tls, 25 with none
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: Line | None = None
    password_env: EnvironmentName | None = None
    sender: Annotated[Line | None, Field(alias="from", pattern=f"^{_EMAIL}$")] = None
    ca_file: Line | None = None  # a private certificate authority (default: the system's)
    timeout: Annotated[float, Field(gt=0, le=600)] = 30.0


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
    front_page: FrontPageSettings = FrontPageSettings()
    pdf: PdfSettings = PdfSettings()
    engine: EngineSettings = EngineSettings()
    dateline: dict[Annotated[str, AfterValidator(_check_language)], DatelineSettings] = {}
    publish: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")],
                  PublishTarget] = {}
    smtp: SmtpSettings = SmtpSettings()

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
        return self.model_dump_json(exclude={"root", "engine", "publish", "smtp"})


def _known(model: type[BaseModel], parts: tuple[str | int, ...]) -> list[str]:
    """The keys a table of the settings may hold (``("dateline", "fr")``: a date ...;
    ``("publish", "afp")``: a target's keys)."""
    named = False
    for part in parts:
        if named:  # the name of a [dateline.<language>] or [publish.<name>] table
            named = False
            continue
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info else None
        if get_origin(annotation) is dict:
            annotation, named = get_args(annotation)[1], True
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [f.alias or name for name, f in model.model_fields.items() if name != "root"]


def _read(root: Path) -> tuple[str, str, tomlfiles.Key, dict[str, Any]]:
    """The settings file's name as shown, its text, the table holding the settings in
    it, and that table's values."""
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
    return shown, text, table, data


def setting_problem(shown: str, text: str, loc: tuple[str | int, ...], message: str,
                    lines: dict[tomlfiles.Key, tuple[int, int]] | None = None) -> Problem:
    """A problem with the setting at ``loc`` (``("publish", "afp", "to")``), located at
    its key, else at its nearest written table."""
    table: tomlfiles.Key = ("tool", "briefkit") if shown == "pyproject.toml" else ()
    loc = tuple(p for p in loc if p != "[key]")
    key = ".".join(str(p) for p in loc)
    where = tomlfiles.locate((*table, *loc), lines or tomlfiles.key_lines(text))
    return Problem(shown, f"{key}: {message}" if key else message, *where)


def locate_setting(root: Path, loc: tuple[str | int, ...], message: str) -> Problem:
    """A problem found after loading (a format no exporter makes), at its key's line."""
    shown, text, _, _ = _read(root)
    return setting_problem(shown, text, loc, message)


def _publish_problems(settings: Settings, shown: str, text: str) -> list[Problem]:
    """What no single table can tell: keys that mean nothing for a kind of target, and
    e-mail targets without a mail server to send through."""
    problems = []
    smtp = settings.smtp
    # a password or a briefing sent in clear text over the network: only on this machine
    if smtp.security == "none" and smtp.host not in (None, "127.0.0.1", "localhost", "::1"):
        problems.append(setting_problem(
            shown, text, ("smtp", "security"), f'"none" sends in clear text: only for a '
            f"server on this machine (127.0.0.1 or localhost), not {smtp.host!r}"))
    for name, target in settings.publish.items():
        for key, kinds in PUBLISH_ONLY_FOR.items():
            if key in target.model_fields_set and target.kind not in kinds:
                shown_kinds = ", ".join(f"{k}://" for k in kinds)
                problems.append(setting_problem(shown, text, ("publish", name, key),
                                                f"only for {shown_kinds} targets"))
        if target.kind == "mailto":
            missing = [k for k in ("host", "from")
                       if getattr(settings.smtp, "sender" if k == "from" else k) is None]
            if missing:
                problems.append(setting_problem(
                    shown, text, ("publish", name, "to"),
                    f"an e-mail target sends through the mail server of [smtp]: set "
                    f"{' and '.join(missing)} there"))
    return problems


def load_settings(root: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Read the project's settings from ``root``; every problem is reported at once, one
    located line each (``briefkit.toml:line:col: key: message``)."""
    shown, text, _, data = _read(root)
    data = {**data, **(overrides or {})}
    lines = tomlfiles.key_lines(text)

    def problem(loc: tuple[str | int, ...], message: str) -> Problem:
        return setting_problem(shown, text, loc, message, lines)

    try:
        # the context: files named in the settings are found from the project folder
        settings = Settings.model_validate({**data, "root": root}, context={"root": root})
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = tuple(e["loc"])
            if e["type"] == "extra_forbidden" and str(loc[-1]).lower() in SECRET_KEYS:
                message = _NO_PASSWORD
            elif e["type"] == "extra_forbidden":
                known = _known(Settings, loc[:-1])
                close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
                message = f"unknown setting ({hint})"
            elif loc[-1:] == ("[key]",) and loc[:1] == ("publish",):
                message = ("a target's name is lower-case letters, digits, '-' and '_' "
                           "(at most 40), as it names its receipt in .briefkit/receipts/")
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
    problems = _publish_problems(settings, shown, text)
    if problems:
        raise ConfigError(f"{len(problems)} problems in {shown}", problems)
    return settings
