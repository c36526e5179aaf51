"""Faults an unattended export meets: killed, interrupted, run twice at once, a read-only or
full output folder.  Whatever happens, dist/ holds only whole files, the manifest tells the
truth about them, and the next run completes the work."""

from __future__ import annotations

import contextlib
import hashlib
import html.parser
import io
import json
import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.commands import run_briefkit, run_process
from support.newsrooms import make_newsroom

from briefkit import registry

# Everything but the PDF, whose slowness adds nothing here: every output goes through the
# same atomic write.
FORMATS = [n for n in registry.names() if n != "pdf"]
FLAGS = [x for name in FORMATS for x in ("-f", name)]


def start(room: Path, *args: str, **options: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "briefkit", "export", "--all", *FLAGS, *args],
                            cwd=room, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **options)  # type: ignore[call-overload]


def wait_for_writes(process: subprocess.Popen[str], count: int, timeout: float = 120) -> None:
    """Read the run's log until it has written ``count`` outputs (or fail after ``timeout``)."""
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stream = process.stdout

    def read() -> None:
        for line in iter(stream.readline, ""):
            lines.put(line)
            if line.startswith("wrote "):
                nonlocal_seen[0] += 1
                if nonlocal_seen[0] >= count:
                    break
        lines.put("")

    nonlocal_seen = [0]
    threading.Thread(target=read, daemon=True).start()
    seen, deadline = 0, time.monotonic() + timeout
    while seen < count:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        assert line, "the run ended before writing enough outputs"
        seen += line.startswith("wrote ")


def processes_in(folder: Path) -> list[int]:
    """Processes working in ``folder`` (a run and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def no_process_left(folder: Path) -> bool:
    deadline = time.monotonic() + 10
    while processes_in(folder) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not processes_in(folder)


class _Page(html.parser.HTMLParser):
    closed = False

    def handle_endtag(self, tag: str) -> None:
        self.closed |= tag == "html"


def whole(path: Path) -> bool:
    """Whether a file is complete, read by a reader that did not write it."""
    data = path.read_bytes()
    suffix = path.suffix
    if data[:4] == b"PK\x03\x04":
        return zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    if suffix == ".json":
        json.loads(data)
        return True
    if suffix == ".xml":
        from lxml import etree

        etree.fromstring(data)
        return True
    if suffix == ".html":
        page = _Page()
        page.feed(data.decode("utf-8"))
        return page.closed
    if suffix == ".png":
        from PIL import Image

        Image.open(io.BytesIO(data)).verify()
        return True
    if suffix == ".pdf":
        return data.rstrip().endswith(b"%%EOF")
    return bool(data)


def outputs(dist: Path) -> dict[str, str]:
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in dist.rglob("*") if p.is_file() and not p.name.startswith(".")}


def state(dist: Path) -> Path:
    return dist.parent / ".briefkit" / "manifests" / "dist.json"


def manifest(dist: Path) -> dict[str, str]:
    listed = json.loads(state(dist).read_text("utf-8"))["outputs"]
    return {o["path"]: o["sha256"] for o in listed}


def assert_consistent(dist: Path, settled: bool) -> None:
    """Every file whole; every file the manifest lists is there.  Once ``settled`` (a run
    finished), no temporary file is left and the manifest lists exactly what is there."""
    files = outputs(dist)
    for name in files:
        assert whole(dist / name), name
    if state(dist).exists():
        listed = manifest(dist)
        # Outputs are reproducible, so even a file replaced after the manifest was last
        # saved holds what the manifest says.
        assert listed == {name: files[name] for name in listed}
        if settled:
            assert listed == files
    if settled:
        assert not [p for p in dist.rglob(".*.part")]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The outputs a run that nobody disturbed writes (their bytes: test_reproducible)."""
    room = make_newsroom(tmp_path_factory.mktemp("reference"), copies=5)
    result = run_briefkit("export", "--all", *FLAGS, cwd=room)
    assert result.returncode == 0, result.stderr
    return set(outputs(room / "dist"))


@pytest.mark.parametrize("moment", [0, 7, pytest.param(1, marks=pytest.mark.slow),
                                    pytest.param(18, marks=pytest.mark.slow)])
def test_a_killed_run_leaves_dist_consistent_and_the_next_run_completes(
        tmp_path: Path, reference: set[str], moment: int) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=5)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    if moment:  # a run over an existing dist/: outputs are being replaced, not created
        assert run_briefkit("export", "--all", *FLAGS, cwd=room).returncode == 0
    process = start(room, "--force", "-j", "2", env=env)
    wait_for_writes(process, moment)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert no_process_left(room), "a worker outlived the run"
    assert_consistent(room / "dist", settled=False)

    result = subprocess.run([sys.executable, "-m", "briefkit", "export", "--all", *FLAGS],
                            cwd=room, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_consistent(room / "dist", settled=True)
    assert set(outputs(room / "dist")) == reference
    # nothing of the killed run is left behind, here or in the project's state
    assert list(temporary.iterdir()) == []
    assert not (room / ".briefkit" / "tmp").exists()


def as_in_a_terminal() -> None:
    """Ctrl-C as a terminal's foreground command takes it: a shell without job control
    (cron, some CI) starts commands with SIGINT ignored, and they rightly keep it so."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["ctrl-c", pytest.param("sigterm", marks=pytest.mark.slow)])
def test_an_interrupted_run_stops_cleanly(tmp_path: Path, reference: set[str],
                                          how: str) -> None:
    room = make_newsroom(tmp_path, copies=5)
    # with the PDFs, seconds of work are left after the third write: without them the
    # run can finish before the signal lands, its log still in the pipe
    process = start(room, "-f", "pdf", "-j", "2", start_new_session=True,
                    preexec_fn=as_in_a_terminal)
    wait_for_writes(process, 3)
    if how == "ctrl-c":  # the terminal sends it to the whole foreground group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert no_process_left(room)
    assert_consistent(room / "dist", settled=True)  # what was written is listed
    result = run_briefkit("export", "--all", *FLAGS, cwd=room)
    assert result.returncode == 0, result.stderr
    assert {n for n in outputs(room / "dist") if not n.endswith(".pdf")} == reference


def test_a_second_run_at_the_same_time_is_refused(tmp_path: Path,
                                                  reference: set[str]) -> None:
    room = make_newsroom(tmp_path, copies=5)
    first = start(room, "-j", "1")
    wait_for_writes(first, 1)
    second = run_process("export", "--all", *FLAGS, cwd=room)  # a lock between processes
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"briefkit: .briefkit: another briefkit run (process {first.pid}) is working in this "
        "project; run again when it has finished")
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert_consistent(room / "dist", settled=True)
    assert set(outputs(room / "dist")) == reference


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[list[str]]:
    """Make ``folder`` read-only for the run, and give the command prefix to start it with:
    a read-only bind mount as root (who ignores modes); as root without mount rights (a
    usual container), the run goes without the capabilities that override file modes, and
    the folder loses its write bits."""
    if os.geteuid() == 0 and shutil.which("mount") and subprocess.run(
            ["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0:
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True,
                           capture_output=True)
            yield []
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    folder.chmod(0o555)
    try:
        yield prefix
    finally:
        folder.chmod(0o755)


def test_a_read_only_dist_gives_one_clear_error_and_keeps_the_outputs(tmp_path: Path) -> None:
    room = make_newsroom(tmp_path, copies=1)
    assert run_briefkit("export", "--all", *FLAGS, cwd=room).returncode == 0
    before = outputs(room / "dist")
    with read_only(room / "dist") as prefix:
        result = subprocess.run([*prefix, sys.executable, "-m", "briefkit", "export", "--all",
                                 *FLAGS, "--force"], cwd=room, capture_output=True, text=True,
                                timeout=300)
    assert result.returncode == 1
    mounted = os.geteuid() == 0 and not prefix
    assert result.stderr.splitlines() == [
        "briefkit: dist: cannot write (Read-only file system); earlier outputs are unchanged"
        if mounted else
        "briefkit: dist: cannot write (Permission denied); earlier outputs are unchanged"]
    assert outputs(room / "dist") == before
    assert_consistent(room / "dist", settled=True)


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[dict[str, object]]:
    """A nearly full disk under ``folder``: a small tmpfs as root; else a file-size limit."""
    folder.mkdir()
    if os.geteuid() == 0 and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True).returncode == 0:
        try:
            yield {}
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    limit = 30_000  # files over 30 kB fail as they would on a full disk

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    yield {"preexec_fn": limited}


def test_a_full_disk_stops_the_run_with_a_clear_error_and_keeps_the_outputs(
        tmp_path: Path) -> None:
    room = make_newsroom(tmp_path, copies=1)
    # room for the web pages, their images and the theme's web fonts (2.7 MB), and for every
    # format of the three briefings once the filler is gone (4.3 MB), little more
    with small_disk(room / "dist", "5m") as options:
        first = subprocess.run([sys.executable, "-m", "briefkit", "export", "--all", "-f",
                                "html"], cwd=room, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        before = outputs(room / "dist")
        filler = room / "dist" / "filler"
        if not options:  # the disk itself: fill it up to a little room
            disk = os.statvfs(room / "dist")
            filler.write_bytes(b"\1" * (disk.f_bavail * disk.f_frsize - 60_000))
        result = subprocess.run([sys.executable, "-m", "briefkit", "export", "--all", *FLAGS,
                                 "--force"], cwd=room, capture_output=True,
                                text=True, **options)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        problem = result.stderr.splitlines()[-1]
        assert problem.startswith("briefkit: dist/") and "cannot write (" in problem
        assert ("No space left on device" in problem or "File too large" in problem), problem
        assert problem.endswith("earlier outputs are unchanged")
        after = outputs(room / "dist")
        for name, digest in before.items():  # what was there is still whole and the same
            assert after.get(name) == digest, name
        assert_consistent(room / "dist", settled=False)  # the manifest may not fit either
        filler.unlink(missing_ok=True)
        again = run_briefkit("export", "--all", *FLAGS, cwd=room)
        assert again.returncode == 0, again.stderr
        assert_consistent(room / "dist", settled=True)
