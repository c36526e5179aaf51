"""FTPS with the server's certificate checked, never accepted silently.

Python's ``ftplib.FTP_TLS`` (and so fsspec's ``FTPFileSystem`` with ``tls``)
uses a context that checks no certificate: anyone between briefkit and the
partner could pose as the server and be handed the password.  Here the
control and data connections are secured with a context that checks the
certificate and the host name against the system's authorities, or against the
target's ``ca_file`` (a private authority, or the server's own certificate).
The rest is fsspec's.
"""

from __future__ import annotations

import ftplib
from typing import Any

from fsspec.implementations.ftp import FTPFileSystem

from briefkit.publish.transports import context_for


class CheckedFTPS(FTPFileSystem):  # type: ignore[misc]
    """fsspec's FTP file system over explicit TLS (AUTH TLS), with the files encrypted too
    (PROT P), connecting only to a server whose certificate is trusted."""

    def __init__(self, host: str, *, ca_file: str | None = None, **options: Any) -> None:
        self.context = context_for(ca_file)
        super().__init__(host, tls=True, **options)

    def _connect(self) -> None:
        self.ftp = ftplib.FTP_TLS(timeout=self.timeout, encoding=self.encoding,
                                  context=self.context)
        self.ftp.connect(self.host, self.port)
        self.ftp.login(*self.cred)  # AUTH TLS first: the password goes encrypted
