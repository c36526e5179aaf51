"""Exporting on a real Dask cluster: a scheduler and two workers as processes on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_build import make_newsroom

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
    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.tmp = base / "worker-tmp"  # the workers' temporary folder, checked empty after
        self.tmp.mkdir()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        own = self.base / "dask"
        own.mkdir()
        scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-dashboard"], cwd=own, env={**os.environ, "TMPDIR": str(own)},
            # the log stays open as long as the process runs
            stdout=subprocess.DEVNULL, stderr=open(own / "scheduler.log", "wb"))  # noqa: SIM115
        self.processes.append(scheduler)
        for n in range(2):
            worker = subprocess.Popen(
                [str(DASK), "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--name", f"w{n}", "--local-directory", str(own),
                 "--death-timeout", "60"],
                cwd=own, env={**os.environ, "TMPDIR": str(self.tmp)},
                stdout=subprocess.DEVNULL,
                stderr=open(own / f"worker-{n}.log", "wb"))  # noqa: SIM115
            self.processes.append(worker)
            self.workers.append(worker)
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)

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


def export(room: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefkit", "export", "--all", *args],
                          cwd=room, capture_output=True, text=True, timeout=timeout)


def test_a_cluster_export_is_byte_identical_to_a_local_one(tmp_path: Path,
                                                           cluster: Cluster) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    result = export(room, "--scheduler", cluster.address, "--json")
    assert result.returncode == 0, result.stderr
    assert '"executor": "the Dask cluster at tcp://127.0.0.1:' in result.stdout
    on_cluster = files(room / "dist")
    local = export(room, "-j", "1", "--out", str(room / "local"))
    assert local.returncode == 0, local.stderr
    assert on_cluster == files(room / "local")
    assert {p.rsplit(".", 1)[-1] for p in on_cluster} >= {"pdf", "docx", "epub", "html", "png"}
    # the workers kept nothing: no temporary file of ours or WeasyPrint's
    assert list(cluster.tmp.iterdir()) == []


@pytest.mark.slow  # the cluster's byte-identical export runs in `make test`
def test_a_worker_killed_mid_run_leaves_a_clean_finished_run(tmp_path: Path,
                                                           cluster: Cluster) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=3)
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


def test_a_scheduler_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    result = export(room, "--scheduler", f"tcp://127.0.0.1:{free_port()}", timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("briefkit: cannot reach the Dask scheduler at tcp://")
    assert len(result.stderr.splitlines()) == 1
    assert not (room / "dist").exists() or not any((room / "dist").iterdir())
