"""Exporting on a real Dask cluster: a scheduler and two workers as processes on 127.0.0.1;
and what a run does with an address that is not one, or that a project folder names."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.commands import export
from support.newsrooms import ENGLISH, ROOT, make_newsroom

pytest.importorskip("distributed", reason="briefkit[distributed] is not installed")
DASK = Path(sys.executable).parent / "dask"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Cluster:
    def __init__(self, base: Path, workers: int = 2, worker_env: dict[str, str] | None = None,
                 tls: dict[str, Path] | None = None) -> None:
        self.base = base
        self.port = free_port()
        self.address = f"{'tls' if tls else 'tcp'}://127.0.0.1:{self.port}"
        self.tmp = base / "worker-tmp"  # the workers' temporary folder, checked empty after
        self.tmp.mkdir()
        self.count, self.worker_env, self.tls = workers, worker_env or {}, tls
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        own = self.base / "dask"
        own.mkdir()
        tls = [] if self.tls is None else [
            "--tls-ca-file", str(self.tls["ca"]), "--tls-cert", str(self.tls["cert"]),
            "--tls-key", str(self.tls["key"])]
        scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-dashboard", *tls], cwd=own, env={**os.environ, "TMPDIR": str(own)},
            # the log stays open as long as the process runs
            stdout=subprocess.DEVNULL, stderr=open(own / "scheduler.log", "wb"))
        self.processes.append(scheduler)
        for n in range(self.count):
            worker = subprocess.Popen(
                [str(DASK), "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--name", f"w{n}", "--local-directory", str(own),
                 "--death-timeout", "60", *tls],
                cwd=own, env={**os.environ, "TMPDIR": str(self.tmp), **self.worker_env},
                stdout=subprocess.DEVNULL,
                stderr=open(own / f"worker-{n}.log", "wb"))
            self.processes.append(worker)
            self.workers.append(worker)
        from distributed import Client
        from distributed.security import Security

        security = None if self.tls is None else Security(
            tls_ca_file=str(self.tls["ca"]), tls_client_cert=str(self.tls["cert"]),
            tls_client_key=str(self.tls["key"]), require_encryption=True)
        with Client(self.address, timeout="60s", security=security) as client:
            client.wait_for_workers(self.count, timeout=120)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_a_cluster_export_is_byte_identical_to_a_local_one(tmp_path: Path,
                                                           cluster: Cluster) -> None:
    (tmp_path / "room").mkdir()
    # warm: the run sends the workers the cache's entries (that the fonts made by separate
    # processes agree is test_reproducible's; the slow test below starts cold, its workers
    # making them)
    room = make_newsroom(tmp_path / "room", copies=0)
    result = export(room, "--scheduler", cluster.address, "--json")
    assert result.returncode == 0, result.stderr
    assert '"executor": "the Dask cluster at tcp://127.0.0.1:' in result.stdout
    on_cluster = files(room / "dist")
    local = export(room, "-j", "1", "--out", str(room / "local"))
    assert local.returncode == 0, local.stderr
    assert on_cluster == files(room / "local")
    assert {p.rsplit(".", 1)[-1] for p in on_cluster} >= {"pdf", "docx", "epub", "html", "png"}
    # again, warm: the workers are sent the cache's entries (shared ones with the theme,
    # each output's own with its job) and make the same bytes
    again = export(room, "--scheduler", cluster.address, "--force")
    assert again.returncode == 0, again.stderr
    assert files(room / "dist") == on_cluster
    # the workers kept nothing: no temporary file of ours or WeasyPrint's
    assert list(cluster.tmp.iterdir()) == []


def test_a_cluster_is_sent_once_what_many_outputs_use_and_with_each_job_its_own(
        tmp_path: Path) -> None:
    from briefkit.engine.placement import own_entries
    from briefkit.engine.state import Record
    from briefkit.engine.work import CACHED, cached, theme_files
    from briefkit.theme import load_theme

    def record(path: str, *cache: str, briefing: str | None = "a") -> Record:
        return Record(path, path.rsplit(".", 1)[-1], briefing, 1, "0" * 64, "text/plain",
                      cache=cache)

    own = own_entries({r.path: r for r in (
        record("a.epub", "cover-a", "face"), record("b.epub", "cover-b", "face", briefing="b"),
        record("a.html", "web-font"), record("b.html", "web-font", briefing="b"),
        record("c.pdf"), record("index.html", "table", briefing=None))})
    # the table a collection's record alone names goes to every worker, as the face
    assert own == {"a.epub": {"cover-a"}, "b.epub": {"cover-b"}}
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("cover-a", "cover-b", "face", "web-font", "table", "unnamed"):
        (cache / name).write_bytes(name.encode())
    sent = theme_files(load_theme("default", ROOT), cache, own["a.epub"] | own["b.epub"])
    assert {name for index, name in sent if index == CACHED} == {
        "face", "web-font", "table", "unnamed"}
    assert cached(cache, own["a.epub"]) == {"cover-a": b"cover-a"}


@pytest.mark.slow  # the cluster's byte-identical export runs in `make test`
def test_a_worker_killed_mid_run_leaves_a_clean_finished_run(tmp_path: Path,
                                                           cluster: Cluster) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=3, cold=True)  # the workers make the fonts
    run = subprocess.Popen([sys.executable, "-m", "briefkit", "export", "--all", "--scheduler",
                            cluster.address], cwd=room, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    dist = room / "dist"
    while time.monotonic() < deadline and not (dist.is_dir() and any(dist.glob("*.pdf"))):
        time.sleep(0.05)
    cluster.workers[0].send_signal(signal.SIGKILL)  # as the OOM killer does
    _, err = run.communicate(timeout=600)
    assert "Traceback" not in err, err
    # its jobs ran on the other worker, or are reported failed one line each
    assert run.returncode in (0, 1), err
    for line in err.splitlines():
        assert line.startswith("source/") and "stopped unexpectedly" in line, line
    assert not [p for p in dist.rglob(".*.part")]
    again = export(room, "-j", "1")
    assert again.returncode == 0, again.stderr
    local = export(room, "-j", "1", "--force", "--out", str(room / "local"))
    assert local.returncode == 0, local.stderr
    assert files(dist) == files(room / "local")


def test_distributed_says_nothing_while_a_cluster_works_for_the_run(
        caplog: pytest.LogCaptureFixture) -> None:
    # a worker lost while the client gathers what it made: distributed's client would say
    # "Couldn't gather 1 keys, rescheduling" on its own logger, whose level is its own
    import logging

    import distributed  # noqa: F401 (its configuration sets its loggers' levels)

    from briefkit.engine.cluster import _quiet

    caplog.set_level(logging.DEBUG, logger="")  # the root's: what reaches any handler
    with _quiet():
        for name in ("distributed", "distributed.client", "distributed.worker"):
            logging.getLogger(name).warning("said by %s", name)
    assert [r.getMessage() for r in caplog.records] == []
    logging.getLogger("distributed.client").warning("said after")
    assert [r.getMessage() for r in caplog.records] == ["said after"]


def test_a_scheduler_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    result = export(room, "--scheduler", f"tcp://127.0.0.1:{free_port()}", timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("briefkit: cannot reach the Dask scheduler at tcp://")
    assert len(result.stderr.splitlines()) == 1
    assert not (room / "dist").exists() or not any((room / "dist").iterdir())


class Peer:
    """A peer on 127.0.0.1 that is no Dask scheduler, served by a thread of the test:
    "silent" accepts and never answers, "http" answers what it is sent as a web server
    does, "garbage" sends 0xff bytes.  It counts the connections it accepts."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.listener.getsockname()[1]}"
        self.accepted = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed at the end of the test
            self.accepted += 1
            self.held.append(connection)
            with contextlib.suppress(OSError):
                if self.kind == "http":
                    connection.recv(65536)
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                       b"Content-Length: 13\r\n\r\n<p>hello</p>\n")
                elif self.kind == "garbage":
                    connection.sendall(b"\xff" * 4096)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def garbage() -> Iterator[Peer]:
    peer = Peer("garbage")
    yield peer
    peer.close()


def nothing_written(room: Path) -> bool:
    return not (room / "dist").exists() or not any((room / "dist").iterdir())


@pytest.mark.parametrize(("kind", "said"), [
    ("silent", "did not answer within"),
    ("http", "does not answer as a Dask scheduler"),
    ("garbage", "does not answer as a Dask scheduler"),
])
def test_a_peer_that_is_no_scheduler_is_one_line_within_seconds(tmp_path: Path, kind: str,
                                                                 said: str) -> None:
    room = make_newsroom(tmp_path, copies=0)
    peer = Peer(kind)
    try:
        started = time.monotonic()
        result = export(room, "--scheduler", peer.address, timeout=45)
        took = time.monotonic() - started
    finally:
        peer.close()
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"briefkit: {peer.address} {said}") or \
        result.stderr.startswith(f"briefkit: the Dask scheduler at {peer.address} {said}"), \
        result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no traceback, no noise
    assert peer.accepted >= 1 and took < 30
    assert nothing_written(room)


def test_a_scheduler_address_that_is_not_one_is_refused_at_the_command_line(
        tmp_path: Path) -> None:
    room = make_newsroom(tmp_path, copies=0)
    result = export(room, "--scheduler", "scheduler.example.org 8786", timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("briefkit export: --scheduler: 'scheduler.example.org 8786' is not "
                             "a Dask scheduler address such as "
                             "'tcp://scheduler.example.org:8786' (or 'from-settings')\n")
    result = subprocess.run([sys.executable, "-m", "briefkit", "export", "--all"], cwd=room,
                            env={**os.environ, "BRIEFKIT_SCHEDULER": "tcp://\x1b[2J"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("briefkit export: BRIEFKIT_SCHEDULER: 'tcp://\\x1b[2J' is "
                                     "not a Dask scheduler address"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert nothing_written(room)


def test_the_environment_names_the_scheduler(tmp_path: Path, garbage: Peer) -> None:
    room = make_newsroom(tmp_path, copies=0)
    result = subprocess.run([sys.executable, "-m", "briefkit", "export", "--all"], cwd=room,
                            env={**os.environ, "BRIEFKIT_SCHEDULER": garbage.address},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith(f"briefkit: {garbage.address} does not answer as a Dask "
                                    "scheduler"), result.stderr
    assert garbage.accepted >= 1


def test_a_scheduler_named_in_the_settings_is_shown_and_used_only_when_asked(
        tmp_path: Path, garbage: Peer) -> None:
    room = make_newsroom(tmp_path, copies=0)
    with open(room / "briefkit.toml", "a", encoding="utf-8") as settings:
        settings.write(f'\n[engine]\nscheduler = "{garbage.address}"\n')
    result = export(room, "-f", "sitemap", timeout=120)
    assert result.returncode == 0, result.stderr
    assert garbage.accepted == 0  # nothing was sent there, nothing read from it
    assert result.stderr == (
        f"warning: briefkit.toml names the Dask scheduler {garbage.address}: exported on this "
        "machine (a scheduler can run code here: use it with --scheduler from-settings)\n")
    assert (room / "dist" / "sitemap.xml").is_file()  # exported here
    asked = export(room, "-f", "sitemap", "--force", "--scheduler", "from-settings", timeout=60)
    assert asked.returncode == 1
    assert asked.stderr.startswith(f"briefkit: {garbage.address} does not answer as a Dask "
                                   "scheduler"), asked.stderr
    assert len(asked.stderr.splitlines()) == 1 and garbage.accepted >= 1


def test_a_tls_scheduler_without_its_certificates_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    address = f"tls://127.0.0.1:{free_port()}"
    result = export(room, "-f", "html", "--scheduler", address, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"briefkit: {address}: a tls:// scheduler needs certificates: "
                             "name them in briefkit.toml ([engine] tls_ca_file, tls_client_cert, "
                             "tls_client_key) or in Dask's configuration\n")
    # named in the settings: refused as they load, and so are certificates outside the project
    settings = room / "briefkit.toml"
    plain = settings.read_text("utf-8")
    settings.write_text(plain + f'\n[engine]\nscheduler = "tls://127.0.0.1:{free_port()}"\n',
                        "utf-8")
    result = export(room, "-f", "html", timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("briefkit.toml:"), result.stderr
    assert "engine.scheduler: a tls:// scheduler needs tls_ca_file and tls_client_cert" in \
        result.stderr
    assert len(result.stderr.splitlines()) == 1
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", "utf-8")
    (room / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\n", "utf-8")
    settings.write_text(plain + f'\n[engine]\nscheduler = "tls://127.0.0.1:{free_port()}"\n'
                        'tls_ca_file = "../ca.pem"\ntls_client_cert = "cert.pem"\n', "utf-8")
    result = export(room, "-f", "html", timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("briefkit.toml:"), result.stderr
    assert "engine.tls_ca_file: '../ca.pem' is outside the project folder" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert nothing_written(room)


def certificates(folder: Path) -> dict[str, Path]:
    """A certificate authority and one certificate it signed, for every end of a cluster."""
    folder.mkdir()
    openssl = ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    subprocess.run([*openssl, "-x509", "-keyout", "ca.key", "-out", "ca.pem",
                    "-subj", "/CN=briefkit test authority"], cwd=folder, check=True,
                   capture_output=True)
    subprocess.run([*openssl, "-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=127.0.0.1"],
                   cwd=folder, check=True, capture_output=True)
    (folder / "names.ext").write_text("subjectAltName=IP:127.0.0.1\n", "utf-8")
    subprocess.run(["openssl", "x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey",
                    "ca.key", "-CAcreateserial", "-out", "cert.pem", "-days", "2",
                    "-extfile", "names.ext"], cwd=folder, check=True, capture_output=True)
    return {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}


@pytest.mark.slow  # a scheduler and a worker speaking TLS start slowly
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl for certificates")
def test_a_tls_scheduler_with_its_certificates_in_the_settings_is_used_when_asked(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    tls = certificates(room / "tls")
    running = Cluster(tmp_path, workers=1, tls=tls)
    try:
        running.start()
        with open(room / "briefkit.toml", "a", encoding="utf-8") as settings:
            settings.write(f'\n[engine]\nscheduler = "{running.address}"\n'
                           'tls_ca_file = "tls/ca.pem"\ntls_client_cert = "tls/cert.pem"\n'
                           'tls_client_key = "tls/key.pem"\n')
        unasked = export(room, "-f", "sitemap", timeout=120)
        result = export(room, "-f", "html", "--json", "--scheduler", "from-settings")
    finally:
        running.stop()
    # certificates shipped with a project do not make its scheduler trusted
    assert unasked.returncode == 0 and unasked.stderr.startswith("warning: "), unasked.stderr
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["executor"] == f"the Dask cluster at {running.address}"
    assert (room / "dist" / f"{ENGLISH}.html").is_file()


def test_workers_whose_libraries_differ_are_refused_before_any_job(tmp_path: Path) -> None:
    # the worker's Python finds another version of pydyf, which writes the PDFs, installed
    # first on its path
    patched = tmp_path / "older-pydyf"
    (patched / "pydyf-0.0.1.dist-info").mkdir(parents=True)
    (patched / "pydyf-0.0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pydyf\nVersion: 0.0.1\n\nAn older pydyf.\n", "utf-8")
    path = os.pathsep.join(p for p in (str(patched), os.environ.get("PYTHONPATH")) if p)
    running = Cluster(tmp_path, workers=1, worker_env={"PYTHONPATH": path})
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    try:
        running.start()
        result = export(room, "--scheduler", running.address, timeout=120)
    finally:
        running.stop()
    assert result.returncode == 1
    ours = importlib.metadata.version("pydyf")
    assert result.stderr.startswith("briefkit: the Dask worker tcp://127.0.0.1:"), result.stderr
    assert f"has pydyf 0.0.1, this machine {ours}: its outputs would differ" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert nothing_written(room)
