"""SFTP with the server's host key checked against known_hosts, never accepted silently.

fsspec's ``SFTPFileSystem`` makes its own paramiko client with
``AutoAddPolicy`` unless told otherwise, and loads no known_hosts file, so any
key would be trusted on first sight.  Here the client is made with the
known_hosts file loaded (read only: nothing is ever added to it) and a policy
that refuses a key it does not know; paramiko itself refuses a key that
changed.  The rest is fsspec's.
"""

from __future__ import annotations

import os
from typing import Any

import paramiko
from fsspec.implementations.sftp import SFTPFileSystem

#: Where ssh itself looks, when a target names no known_hosts file.
DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"


class UnknownHostKey(paramiko.SSHException):  # type: ignore[misc]
    """The server's host key is in no known_hosts line for its name."""

    def __init__(self, hostname: str) -> None:
        super().__init__(f"{hostname}: host key not in known_hosts")
        self.unknown_host = hostname


class _Refuse(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        raise UnknownHostKey(hostname)


class CheckedSFTP(SFTPFileSystem):  # type: ignore[misc]
    """fsspec's SFTP file system, connecting only to a server whose key is known."""

    def __init__(self, host: str, *, known_hosts: str | None = None,
                 **ssh_kwargs: Any) -> None:
        self.known_hosts = os.path.expanduser(known_hosts or DEFAULT_KNOWN_HOSTS)
        super().__init__(host, **ssh_kwargs)

    def _connect(self) -> None:
        client = paramiko.SSHClient()
        try:
            client.load_system_host_keys(self.known_hosts)  # read, never written back
        except FileNotFoundError:
            pass  # no file: every key is unknown, and refused
        client.set_missing_host_key_policy(_Refuse())
        try:
            client.connect(self.host, **self.ssh_kwargs)
            self.client, self.ftp = client, client.open_sftp()
        except BaseException:
            client.close()
            raise
