"""What went wrong while publishing, as one line a newsroom's operations desk can act on.

Libraries raise their own exceptions (paramiko, ftplib, smtplib, botocore
through s3fs, the operating system's); :func:`describe` turns each into a
:class:`Fault`: a reason, whether trying again may help (a connection reset,
a timeout) and whether the rest of the target's work must stop (a refused
login, an unknown host key, a full remote).  An exception that is none of
these is a bug in briefkit and keeps its traceback.
"""

from __future__ import annotations

import errno
import socket
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefkit.errors import BriefkitError

if TYPE_CHECKING:
    import ftplib
    import smtplib


class PublishError(BriefkitError):
    """A publish that cannot start: no targets, an unknown target, nothing exported."""

    category = "publish"


@dataclass(frozen=True)
class Fault(Exception):
    """One thing that went wrong on a target: why, and what it means for the rest."""

    reason: str
    transient: bool = False  # trying again, after a pause, may work
    stops: bool = True  # the target's other files would fail the same way

    def __str__(self) -> str:
        return self.reason


#: Exceptions of the optional libraries, by class name, so this module imports none of them.
_BY_NAME: dict[str, Fault] = {
    "NoCredentialsError": Fault("no S3 credentials: set AWS_ACCESS_KEY_ID and "
                                "AWS_SECRET_ACCESS_KEY in the environment (or use "
                                "~/.aws/credentials)"),
    "PartialCredentialsError": Fault("incomplete S3 credentials in the environment"),
    "EndpointConnectionError": Fault("cannot reach the storage endpoint", transient=True),
    "ConnectTimeoutError": Fault("no answer from the storage endpoint", transient=True),
    "ReadTimeoutError": Fault("the storage endpoint stopped answering", transient=True),
    "AuthenticationException": Fault("authentication refused: check the user, key_file, "
                                     "the SSH agent or password_env"),
    "BadAuthenticationType": Fault("authentication refused: the server does not accept "
                                   "this kind of login (a key, or a password)"),
    "PasswordRequiredException": Fault("the private key is protected by a passphrase: add it "
                                       "to the SSH agent"),
}

_LOST = Fault("connection lost", transient=True)


def _ssh(error: BaseException) -> Fault | None:
    if "paramiko" not in sys.modules:
        return None
    import paramiko
    if isinstance(error, paramiko.BadHostKeyException):
        return Fault(f"the host key of {error.hostname} has changed since it was written in "
                     "known_hosts: someone may be impersonating the server; if it was "
                     "reinstalled, check its new key with its administrator and replace the "
                     "line in known_hosts")
    unknown = getattr(error, "unknown_host", None)
    if isinstance(unknown, str):
        return Fault(f"the host key of {unknown} is not in known_hosts: check it with the "
                     f"server's administrator and add it (ssh-keyscan, or connect once with "
                     f"ssh), or name the file with known_hosts")
    if isinstance(error, paramiko.ssh_exception.NoValidConnectionsError):
        return Fault("connection refused: is the server running, on this port?",
                     transient=True)
    if isinstance(error, paramiko.AuthenticationException) and (
            "EOF" in str(error) or "timeout" in str(error)):
        return _LOST  # the connection went during the login: not a refusal
    name = type(error).__name__
    if name in _BY_NAME:
        return _BY_NAME[name]
    if isinstance(error, paramiko.SSHException):
        text = str(error)
        if "banner" in text or "dropped" in text or "closed" in text or "EOF" in text:
            return _LOST
        return Fault(f"SSH: {text}")
    return None


def _ftp(error: ftplib.Error) -> Fault:
    text = str(error).strip()
    code = text[:3]
    if code == "530":
        return Fault(f"login refused ({text}): check the user and password_env")
    if code in ("452", "552"):
        return Fault(f"the remote is full ({text})")
    if code in ("421", "425", "426", "450", "451"):
        return Fault(f"the server broke off ({text})", transient=True)
    if code in ("550", "553"):
        return Fault(f"the server refused ({text}): permission denied, or no such folder")
    return Fault(f"the server refused ({text})")


def _smtp(error: smtplib.SMTPException) -> Fault:
    import smtplib

    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Fault(f"the mail server refused the login ({error.smtp_code}): check "
                     "[smtp] user and password_env")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(error.recipients))
        return Fault(f"the mail server refused the recipients {refused}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _LOST
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Fault(f"the mail server does not offer what [smtp] asks ({error}): check "
                     "security")
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        if error.smtp_code == 552:
            return Fault(f"the message is too large, or the mailbox full ({message})",
                         stops=False)
        transient = 400 <= error.smtp_code < 500
        return Fault(f"the mail server said {error.smtp_code} {message}", transient=transient)
    return Fault(f"the mail server: {error}")


def describe(error: BaseException) -> Fault | None:
    """The fault ``error`` stands for, or None when it is a bug (not the remote's doing)."""
    if isinstance(error, Fault):
        return error
    found = _ssh(error)
    if found is not None:
        return found
    if type(error).__name__ in _BY_NAME:
        return _BY_NAME[type(error).__name__]
    # a library's exceptions come only from a library in use: none is imported for them
    ftplib, smtplib, ssl = (sys.modules.get(name) for name in ("ftplib", "smtplib", "ssl"))
    if ftplib is not None and isinstance(error, ftplib.Error):
        return _ftp(error)
    if smtplib is not None and isinstance(error, smtplib.SMTPException):
        return _smtp(error)
    if ssl is not None and isinstance(error, ssl.SSLCertVerificationError):
        return Fault(f"the server's certificate is not trusted ({error.verify_message})")
    if ssl is not None and isinstance(error, ssl.SSLError):
        return Fault(f"TLS failed ({error.reason or error})")
    if isinstance(error, socket.gaierror):
        return Fault(f"cannot find the host ({error.strerror})")
    if isinstance(error, ConnectionRefusedError):
        return Fault("connection refused: is the server running, on this port?",
                     transient=True)
    if isinstance(error, (TimeoutError, socket.timeout)):
        return Fault("no answer within the timeout", transient=True)
    if isinstance(error, (ConnectionError, EOFError)):
        return _LOST
    if isinstance(error, OSError):
        return _os(error)
    return None


def _os(error: OSError) -> Fault:
    reason = error.strerror or str(error) or type(error).__name__
    if error.errno in (errno.ENOSPC, errno.EDQUOT) or "No space" in reason:
        return Fault(f"the remote is full ({reason})")
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM):
        return Fault(f"permission denied on the remote ({reason})")
    if isinstance(error, FileNotFoundError):
        return Fault(f"no such file or folder on the remote ({reason})")
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return Fault(f"cannot reach the host ({reason})", transient=True)
    if error.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED) or (
            error.errno is None and "closed" in reason.lower()):  # paramiko: "Socket is closed"
        return _LOST
    return Fault(reason)


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced: no library message may print a password."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
