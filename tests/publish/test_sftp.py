"""Publishing over SFTP to OpenSSH's sshd, started by the test on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from publish.servers import Sshd, room_from, synthetic_room, temporaries, tree
from support.commands import run_briefkit


def test_the_web_target_gets_dist_byte_for_byte(sshd: Sshd, exported_all: Path,
                                                 tmp_path: Path, remote: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", sshd.settings("web", remote))
    first = run_briefkit("publish", cwd=room)
    assert first.returncode == 0, first.stderr
    assert tree(remote) == tree(room / "dist")
    assert "web: sent" in first.stdout and first.stderr == ""
    # nothing changed: nothing travels, and the receipt alone says so
    again = run_briefkit("publish", "web", cwd=room)
    assert again.returncode == 0, again.stderr
    assert "web: nothing to send" in again.stdout
    assert tree(remote) == tree(room / "dist")


@pytest.mark.slow
def test_a_briefing_removed_is_pruned_and_nothing_else(sshd: Sshd, exported_all: Path,
                                                      tmp_path: Path, remote: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", sshd.settings("web", remote))
    assert run_briefkit("publish", cwd=room).returncode == 0
    (room / "source" / "every-block.json").unlink()
    assert run_briefkit("export", "--all", "--quiet", cwd=room).returncode == 0
    kept = run_briefkit("publish", cwd=room)
    assert kept.returncode == 0, kept.stderr
    assert "no longer exported kept (--prune removes them)" in kept.stdout
    assert any(name.startswith("every-block.") for name in tree(remote))
    pruned = run_briefkit("publish", "--prune", cwd=room)
    assert pruned.returncode == 0, pruned.stderr
    assert tree(remote) == tree(room / "dist")
    assert not any("every-block" in name for name in tree(remote))
    assert not (remote / "images" / "every-block").exists()  # its folder went with its images
    assert "web: removed every-block.pdf (no longer exported)" in pruned.stdout


def test_many_files_into_new_folders_at_once(sshd: Sshd, tmp_path: Path,
                                             remote: Path) -> None:
    # every worker makes the same deep folders at once (as with theme/fonts/ for the fonts)
    room, made = synthetic_room(tmp_path / "room", sshd.settings("web", remote, "parallel = 8"),
                                96, 1000, tuple(f"theme/a/b/c/d/{n}/" for n in range(8)))
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    assert tree(remote) == made


def _publish_in_background(room: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "briefkit", "publish"], cwd=room,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _landed(remote: Path) -> int:
    return sum(1 for p in remote.glob("*.pdf")) if remote.is_dir() else 0


def _wait_for_files(remote: Path, process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while _landed(remote) < count:
        assert process.poll() is None, "the publish ended before it could be stopped"
        assert time.monotonic() < deadline, "no file landed"
        time.sleep(0.01)


@pytest.mark.slow
def test_a_publish_killed_midway_is_finished_by_the_next(sshd: Sshd, tmp_path: Path,
                                                         remote: Path) -> None:
    settings = sshd.settings("web", remote, "parallel = 2")
    room, made = synthetic_room(tmp_path / "room", settings, 400, 96 * 1024)
    process = _publish_in_background(room)
    _wait_for_files(remote, process, 5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _landed(remote) < len(made), "the publish finished before it was killed"
    # the journal tells the next publish what was on its way
    assert (room / ".briefkit" / "receipts" / "web.journal").stat().st_size > 0
    finish = run_briefkit("publish", cwd=room)
    assert finish.returncode == 0 and finish.stderr == "", finish.stderr
    assert tree(remote) == made
    assert temporaries(remote) == []
    assert not (room / ".briefkit" / "receipts" / "web.journal").exists()


@pytest.mark.slow
def test_a_connection_lost_midway_is_one_line_and_the_receipt_holds_what_landed(
        tmp_path: Path, remote: Path) -> None:
    server = Sshd(tmp_path / "sshd")
    server.make()
    server.start()
    settings = server.settings("web", remote, "parallel = 2\nretries = 1")
    room, made = synthetic_room(tmp_path / "room", settings, 400, 96 * 1024)
    process = _publish_in_background(room)
    try:
        _wait_for_files(remote, process, 5)
    finally:
        server.stop()  # the server and every connection it serves, mid-file
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 1
    lines = errors.splitlines()
    assert len(lines) == 1 and lines[0].startswith("web: "), errors
    assert "connection" in lines[0]
    receipt = json.loads((room / ".briefkit" / "receipts" / "web.json").read_text())
    on_remote = tree(remote)
    assert receipt["files"], "nothing landed before the server stopped"
    for path in receipt["files"]:
        assert on_remote[path] == made[path]  # the receipt holds only what landed
    server.start()
    try:
        finish = run_briefkit("publish", cwd=room)
    finally:
        server.stop()
    assert finish.returncode == 0, finish.stderr
    assert tree(remote) == made and temporaries(remote) == []


def _one_line_refusal(room: Path, remote: Path) -> str:
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert not remote.exists()  # nothing was sent to a server that could be another
    return lines[0]


def test_an_unknown_host_key_is_refused_with_one_line(sshd: Sshd, tmp_path: Path,
                                                      remote: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    settings = sshd.settings("web", remote).replace(str(sshd.known_hosts), str(empty))
    room, _ = synthetic_room(tmp_path / "room", settings, 3, 100)
    line = _one_line_refusal(room, remote)
    assert line.startswith(f"web: sftp://{sshd.user}@127.0.0.1:{sshd.port}")
    assert f"the host key of [127.0.0.1]:{sshd.port} is not in known_hosts" in line
    assert empty.read_text() == ""  # never added behind the user's back


def test_a_changed_host_key_is_refused_with_one_line(sshd: Sshd, tmp_path: Path,
                                                     remote: Path) -> None:
    other = tmp_path / "known_hosts"
    other.write_text(sshd.host_line(sshd.folder / "other_host_key"))
    settings = sshd.settings("web", remote).replace(str(sshd.known_hosts), str(other))
    room, _ = synthetic_room(tmp_path / "room", settings, 3, 100)
    line = _one_line_refusal(room, remote)
    assert "has changed since it was written in known_hosts" in line


def test_a_key_the_server_does_not_know_is_one_line(sshd: Sshd, tmp_path: Path,
                                                    remote: Path) -> None:
    settings = sshd.settings("web", remote).replace(str(sshd.client_key),
                                                    str(sshd.folder / "other_host_key"))
    room, _ = synthetic_room(tmp_path / "room", settings, 3, 100)
    assert "authentication refused" in _one_line_refusal(room, remote)


def test_a_stopped_server_is_one_line_and_the_other_targets_are_published(
        tmp_path: Path, remote: Path) -> None:
    stopped = Sshd(tmp_path / "sshd")
    stopped.make()  # made, never started: nothing listens on its port
    mirror = tmp_path / "mirror"
    settings = (stopped.settings("web", remote, "retries = 1")
                + f'[publish.mirror]\nto = "{mirror}"\n')
    room, made = synthetic_room(tmp_path / "room", settings, 3, 100)
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"web: sftp://{stopped.user}@127.0.0.1:{stopped.port}{remote}/: connection refused: "
        "is the server running, on this port?"]
    assert tree(mirror) == made
