"""Fixtures of the publish tests: real servers on 127.0.0.1, one per module, and a
newsroom exported once (conftest's ``exported_all``) copied for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from publish.servers import S3, Ftp, Hub, Mailbox, Sshd, serving, sshd_available


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    why = sshd_available()
    if why:
        pytest.skip(why)
    server = Sshd(tmp_path_factory.mktemp("sshd"))
    server.make()
    yield from serving(server)


@pytest.fixture(scope="module")
def ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ftp]:
    yield from serving(Ftp(tmp_path_factory.mktemp("ftp-home")))


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from serving(Mailbox())


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    yield from serving(S3())


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    yield server
    server.stop()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A folder the target's server writes in (made by the publish)."""
    return tmp_path / "remote" / "briefings"
