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
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
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


def _hub(value: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL of a WebSub hub")
    return value


class FeedSettings(_Table):
    max_entries: Annotated[int, Field(ge=1, le=10_000)] = 50
    #: WebSub hubs named in the feeds and told when a publish changed them
    hubs: list[Annotated[Line, AfterValidator(_hub)]] = []


class PdfSettings(_Table):
    variant: Annotated[str, Field(pattern="^(" + "|".join(PDF_VARIANTS) + ")$")] = "pdf/ua-1"


def _scheduler(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://[^\s/]+", value):
        raise ValueError(f"{value!r} is not a Dask scheduler address such as "
                         "'tcp://scheduler.example.org:8786'")
    return value


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
    """Where exports run: this machine (default) or a Dask cluster."""

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
    named = False
    for part in parts:
        if named:  # the name of a [publish.<name>] table: its keys are the value's
            named = False
            continue
        annotation = model.model_fields[str(part)].annotation
        if get_origin(annotation) is dict:
            annotation, named = get_args(annotation)[1], True
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [f.alias or name for name, f in model.model_fields.items() if name != "root"]


_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _locate(text: str, loc: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    """Line and column of a setting: the key inside its own table (``[publish.afp]`` then
    ``to =``), else that table's header, else the key's first line anywhere."""
    parts = [str(p) for p in loc if isinstance(p, str) and p != "[key]"]
    for split in range(len(parts), 0, -1):
        table = r"[ \t]*\.[ \t]*".join(  # a name may be quoted: [publish."afp"]
            f"(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')" for p in parts[:split])
        header = re.search(rf"^[ \t]*\[[ \t]*{table}[ \t]*\][ \t]*(#.*)?$", text,
                           re.MULTILINE)
        if header is None:
            continue
        found: re.Match[str] | None = None
        if split < len(parts):
            end = _HEADER.search(text, header.end())
            key = re.compile(rf"^([ \t]*){re.escape(parts[split])}[ \t]*=", re.MULTILINE)
            found = key.search(text, header.end(), end.start() if end else len(text))
        if found is None:
            return text.count("\n", 0, header.start()) + 1, 1
        return text.count("\n", 0, found.start()) + 1, len(found.group(1)) + 1
    line = _line_of(text, parts[-1]) if parts else None
    return line, 1 if line else None


def _read(root: Path) -> tuple[str, str, dict[str, Any]]:
    """The settings file's name as shown, its text, and its settings table."""
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
    return shown, text, data


def setting_problem(shown: str, text: str, loc: tuple[str | int, ...], message: str) -> Problem:
    """A problem with the setting at ``loc`` (``("publish", "afp", "to")``), located."""
    prefix: tuple[str, ...] = ("tool", "briefkit") if shown == "pyproject.toml" else ()
    line, column = _locate(text, prefix + loc)
    key = ".".join(str(p) for p in loc if p != "[key]")
    return Problem(shown, f"{key}: {message}" if key else message, line, column)


def locate_setting(root: Path, loc: tuple[str | int, ...], message: str) -> Problem:
    """A problem found after loading (a format no exporter makes), at its key's line."""
    shown, text, _ = _read(root)
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
    """Read the project's settings from ``root``; every problem is reported at once."""
    shown, text, data = _read(root)
    data = {**data, **(overrides or {})}
    try:
        settings = Settings.model_validate({**data, "root": root})
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
            problems.append(setting_problem(shown, text, loc, message))
        raise ConfigError(f"{len(problems)} problems in {shown}", problems) from None
    problems = _publish_problems(settings, shown, text)
    if problems:
        raise ConfigError(f"{len(problems)} problems in {shown}", problems)
    return settings
