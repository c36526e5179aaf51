"""Where ``briefkit publish`` sends: ``[publish.<name>]`` targets and the ``[smtp]`` mail
server, and what no single table can tell (keys that mean nothing for a kind of target,
e-mail without a mail server).  No password is ever a setting: the project travels."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, ConfigDict, Field

from briefkit.config.settings import Settings
from briefkit.config.values import Line, SettingsTable, absolute_url
from briefkit.errors import Problem
from briefkit.model import _check_language

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


class PublishTarget(SettingsTable):
    """One place that receives what was exported (``[publish.<name>]``): the web host, a
    partner's SFTP or FTP drop, object storage, a mounted folder, or an e-mail address."""

    to: Annotated[Line, AfterValidator(_publish_address)]
    #: what it takes (default: everything; an e-mail target: the PDF)
    formats: list[Annotated[str, AfterValidator(_format_name)]] | None = None
    languages: list[Annotated[str, AfterValidator(_check_language)]] = Field(default_factory=list)
    tags: list[Line] = Field(default_factory=list)
    ids: list[Line] = Field(default_factory=list)  # briefing id patterns: "iran-*"
    prune: bool = False  # remove what briefkit published there and no longer exports
    parallel: Annotated[int, Field(ge=1, le=32)] = 4  # uploads at a time
    timeout: Annotated[float, Field(gt=0, le=600)] = 30.0  # seconds, per network operation
    retries: Annotated[int, Field(ge=0, le=10)] = 3  # of a transient fault, with backoff
    user: Line | None = None  # when the address names none
    password_env: EnvironmentName | None = None  # sftp, ftp, ftps
    key_file: Line | None = None  # sftp: a private key (default: the agent, ~/.ssh keys)
    known_hosts: Line | None = None  # sftp (default: ~/.ssh/known_hosts)
    ca_file: Line | None = None  # ftps: a private certificate authority (default: the system's)
    endpoint_url: Annotated[Line | None, AfterValidator(absolute_url)] = None  # s3
    region: Line | None = None  # s3

    @property
    def kind(self) -> str:
        """sftp, ftp, ftps, s3, file (a local or mounted folder) or mailto."""
        if self.to.startswith("mailto:"):
            return "mailto"
        return urlsplit(self.to).scheme if "://" in self.to else "file"


#: Keys that mean something for some kinds of target only.
PUBLISH_ONLY_FOR = {"password_env": ("sftp", "ftp", "ftps"), "key_file": ("sftp",),
                    "known_hosts": ("sftp",), "ca_file": ("ftps",), "endpoint_url": ("s3",),
                    "region": ("s3",),
                    "user": ("sftp", "ftp", "ftps")}


class SmtpSettings(SettingsTable):
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


class PublishSettings(Settings):
    """Every setting, with the publish targets and the mail server: what a settings file
    that has ``[publish.<name>]`` or ``[smtp]`` is read as, and what ``briefkit publish``
    reads (:func:`publish_settings`)."""

    publish: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")],
                  PublishTarget] = Field(default_factory=dict)
    smtp: SmtpSettings = SmtpSettings()


def publish_settings(settings: Settings) -> PublishSettings:
    """``settings`` with their publish targets and mail server: those read, or none for
    settings read from a file that names neither."""
    if isinstance(settings, PublishSettings):
        return settings
    return PublishSettings.model_construct(
        settings.model_fields_set,
        **{name: getattr(settings, name) for name in type(settings).model_fields})


def publish_problems(publish: Mapping[str, PublishTarget], smtp: SmtpSettings,
                     problem: Callable[[tuple[str | int, ...], str], Problem]) -> list[Problem]:
    """What no single table can tell: keys that mean nothing for a kind of target, and
    e-mail targets without a mail server to send through."""
    problems = []
    # a password or a briefing sent in clear text over the network: only on this machine
    if smtp.security == "none" and smtp.host not in (None, "127.0.0.1", "localhost", "::1"):
        problems.append(problem(("smtp", "security"), f'"none" sends in clear text: only '
                                f"for a server on this machine (127.0.0.1 or localhost), not "
                                f"{smtp.host!r}"))
    for name, target in publish.items():
        for key, kinds in PUBLISH_ONLY_FOR.items():
            if key in target.model_fields_set and target.kind not in kinds:
                shown_kinds = ", ".join(f"{k}://" for k in kinds)
                problems.append(problem(("publish", name, key), f"only for {shown_kinds} targets"))
        if target.kind == "mailto":
            missing = [k for k in ("host", "from")
                       if getattr(smtp, "sender" if k == "from" else k) is None]
            if missing:
                problems.append(problem(
                    ("publish", name, "to"), "an e-mail target sends through the mail server "
                    f"of [smtp]: set {' and '.join(missing)} there"))
    return problems
