"""Real servers on 127.0.0.1 for the publish tests, and what the tests compare.

OpenSSH's ``sshd`` (Debian's openssh-server) with its own host key, port and
authorized key in a temporary folder; an FTP server (pyftpdlib); an SMTP
server keeping what it receives (aiosmtpd); S3 through moto's server mode; a
WebSub hub recording the pings it gets.  And: a newsroom copied from one
exported once, a synthetic output folder of many files (recorded in the
manifest through the engine's own ``State``), and trees to compare.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.engine.output import PART
from briefkit.engine.state import Record, State


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


# --- files -----------------------------------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative name, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def temporaries(folder: Path) -> list[str]:
    """Temporary files a publish left (``.<name>.<random>.part``)."""
    return [p.name for p in folder.rglob(f".*{PART}")]


def room_from(exported: Path, folder: Path, settings: str = "") -> Path:
    """A copy of an exported newsroom (its dist/ and run state), with ``settings`` added
    to its briefkit.toml."""
    shutil.copytree(exported, folder, symlinks=True)
    with open(folder / "briefkit.toml", "a", encoding="utf-8") as handle:
        handle.write("\n" + settings)
    return folder


def synthetic_dist(room: Path, count: int, size: int,
                   folders: tuple[str, ...] = ("",)) -> dict[str, bytes]:
    """``count`` files of ``size`` random bytes in ``room``/dist (spread over ``folders``),
    recorded in the manifest as a briefing's PDFs would be: a publish learns them from the
    manifest only."""
    dist = room / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    made = {}
    with State(room, dist) as state:
        for n in range(count):
            name = f"{folders[n % len(folders)]}b{n:04d}.pdf"
            data = os.urandom(size)
            (dist / name).parent.mkdir(parents=True, exist_ok=True)
            (dist / name).write_bytes(data)
            state.add(Record(name, "pdf", f"b{n:04d}", size, hashlib.sha256(data).hexdigest(),
                             "application/pdf"))
            made[name] = data
        state.save()
    return made


def synthetic_room(folder: Path, settings: str, count: int, size: int,
                   folders: tuple[str, ...] = ("",)) -> tuple[Path, dict[str, bytes]]:
    """A newsroom folder with ``settings`` as its briefkit.toml and a synthetic output
    folder (:func:`synthetic_dist`); the folder, and the files made by name."""
    folder.mkdir(parents=True)
    (folder / "briefkit.toml").write_text(settings)
    return folder, synthetic_dist(folder, count, size, folders)


# --- OpenSSH ---------------------------------------------------------------------------


@dataclass
class Sshd:
    """OpenSSH's sshd on its own port, with a host key and a client key made here."""

    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    user: str = field(default_factory=lambda: os.environ.get("USER") or "root")

    @property
    def client_key(self) -> Path:
        return self.folder / "client_key"

    @property
    def known_hosts(self) -> Path:
        """A known_hosts file holding the server's true key."""
        return self.folder / "known_hosts"

    def host_line(self, key: Path) -> str:
        kind, blob = key.with_suffix(".pub").read_text().split()[:2]
        return f"[127.0.0.1]:{self.port} {kind} {blob}\n"

    def make(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in ("host_key", "client_key", "other_host_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                            str(self.folder / name)], check=True)
        shutil.copy(self.folder / "client_key.pub", self.folder / "authorized_keys")
        self.port = free_port()
        self.known_hosts.write_text(self.host_line(self.folder / "host_key"))
        (self.folder / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\n"
            f"HostKey {self.folder / 'host_key'}\n"
            f"AuthorizedKeysFile {self.folder / 'authorized_keys'}\n"
            "StrictModes no\nSubsystem sftp internal-sftp\nPidFile none\nUsePAM no\n"
            f"PermitRootLogin yes\nAllowUsers {self.user}\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nMaxStartups 50\nMaxSessions 50\n"
            "LogLevel ERROR\n")

    def start(self) -> None:
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # as Debian's service does
        self.process = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-e", "-f", str(self.folder / "sshd_config")],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "log", "ab"))
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stop the server and every connection it serves (each runs in a child process
        of its own session, which stopping the server alone would leave running)."""
        if self.process is not None and self.process.poll() is None:
            children = descendants(self.process.pid)
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None

    def settings(self, name: str, remote: Path, extra: str = "") -> str:
        """A [publish.<name>] table sending to ``remote`` on this server."""
        return (f'[publish.{name}]\nto = "sftp://{self.user}@127.0.0.1:{self.port}{remote}/"\n'
                f'key_file = "{self.client_key}"\nknown_hosts = "{self.known_hosts}"\n'
                f"timeout = 10\n{extra}\n")


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def sshd_available() -> str | None:
    """Why sshd cannot run here, or None."""
    if not Path("/usr/sbin/sshd").exists():
        return "needs /usr/sbin/sshd (Debian: openssh-server)"
    if shutil.which("ssh-keygen") is None:
        return "needs ssh-keygen (Debian: openssh-client)"
    if os.geteuid() != 0 and not Path("/run/sshd").is_dir():
        return "sshd needs /run/sshd, which only root can make"
    return None


# --- TLS -------------------------------------------------------------------------------


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, as a private authority would issue."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


# --- FTP -------------------------------------------------------------------------------


@dataclass
class Ftp:
    """pyftpdlib serving ``home`` on its own port, in a thread of the test process."""

    home: Path
    user: str = "desk"
    password: str = "c0rrect-h0rse-7"
    perm: str = "elradfmwMT"
    handler: Any = None
    port: int = 0
    server: Any = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer

        self.home.mkdir(parents=True, exist_ok=True)
        authorizer = DummyAuthorizer()
        authorizer.add_user(self.user, self.password, str(self.home), perm=self.perm)
        # a refused login is answered at once (pyftpdlib waits 3 s by default)
        handler = type("Handler", (self.handler or FTPHandler,),
                       {"authorizer": authorizer, "auth_failed_timeout": 0.05})
        self.port = free_port()
        self.server = ThreadedFTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"handle_exit": False}, daemon=True)
        self.thread.start()
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.server is not None:
            self.server.close_all()
            self.server = None

    def settings(self, name: str, remote: str = "", extra: str = "") -> str:
        return (f'[publish.{name}]\nto = "ftp://{self.user}@127.0.0.1:{self.port}/{remote}"\n'
                f'password_env = "DESK_FTP_PASSWORD"\ntimeout = 10\nretries = 1\n{extra}\n')


# --- SMTP ------------------------------------------------------------------------------


class Mailbox:
    """An SMTP server (aiosmtpd) keeping every message it receives; with ``tls`` (an
    SSLContext) it requires STARTTLS, with ``login`` (user, password) a login; it refuses
    the addresses in ``refused`` (550, no such mailbox) and takes the message for the others."""

    def __init__(self, tls: Any = None, login: tuple[str, str] | None = None,
                 refused: frozenset[str] = frozenset()) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refused = refused
        self.port = free_port()
        self.tls, self.login = tls, login
        self.controller: Any = None

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        given = (data.login.decode(), data.password.decode())
        return AuthResult(success=given == self.login, handled=False)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        options: dict[str, Any] = {}
        if self.tls is not None:
            options.update(tls_context=self.tls, require_starttls=True)
        if self.login is not None:
            options.update(authenticator=self.authenticate, auth_required=True)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost", **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# --- S3 --------------------------------------------------------------------------------


S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret",
          "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
          "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}


class S3:
    """moto's S3 in server mode: the S3-compatible server that installs here."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server.start()
        wait_for_port(self.port)

    def stop(self) -> None:
        self.server.stop()

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"])

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        """Every object under ``prefix``, by name after it, with its bytes (read by boto3)."""
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                     Prefix=prefix):
            for entry in page.get("Contents", []):
                body = client.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
                found[entry["Key"][len(prefix):]] = body
        return found


# --- WebSub ----------------------------------------------------------------------------


class Hub:
    """A WebSub hub endpoint recording the form of each POST it receives."""

    def __init__(self, status: int = 202) -> None:
        self.pings: list[dict[str, list[str]]] = []
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length", 0))
                hub.pings.append(parse_qs(self.rfile.read(length).decode("ascii")))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serving(server: Any) -> Iterator[Any]:
    """A fixture's body: start, hand over, stop."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
