"""An entry of the exporters' cache is made by one process: the others wait for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from briefkit.engine.cache import StateCache

#: A process making entry "a" of the cache at ``folder``, slowly, saying so in ``log``.
MAKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from briefkit.engine.cache import StateCache

    folder, log, seconds = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])

    def make():
        with log.open("a") as out:
            out.write("other starts a\\n")
        time.sleep(seconds)
        with log.open("a") as out:
            out.write("other ends a\\n")
        return b"A, made by the other"

    StateCache(folder).get("a", make, bytes.isascii)
""")


def _other_making_a(folder: Path, log: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Another process, making entry "a" once it has begun."""
    other = subprocess.Popen([sys.executable, "-c", MAKER, str(folder), str(log), str(seconds)])
    deadline = time.monotonic() + 60
    while not (log.exists() and "starts a" in log.read_text()):
        assert other.poll() is None and time.monotonic() < deadline, "the other never began"
        time.sleep(0.02)
    return other


def _made_here(log: Path, name: str, data: bytes):  # type: ignore[no-untyped-def]
    def make() -> bytes:
        with log.open("a") as out:
            out.write(f"this makes {name}\n")
        return data
    return make


def test_what_another_process_makes_is_waited_for_after_the_rest(tmp_path: Path) -> None:
    folder, log = tmp_path / ".briefkit" / "cache", tmp_path / "log"
    other = _other_making_a(folder, log, 1.5)
    try:
        found = StateCache(folder).get_all([
            ("a", _made_here(log, "a", b"A, made here"), bytes.isascii),
            ("b", _made_here(log, "b", b"B"), bytes.isascii),
        ])
    finally:
        assert other.wait(60) == 0
    assert found == [b"A, made by the other", b"B"]  # in the order asked
    # b made while the other made a; a read, never made twice
    assert log.read_text().splitlines() == ["other starts a", "this makes b", "other ends a"]


def test_an_entry_whose_maker_died_is_made_by_the_next(tmp_path: Path) -> None:
    folder, log = tmp_path / ".briefkit" / "cache", tmp_path / "log"
    other = _other_making_a(folder, log, 600)
    os.kill(other.pid, signal.SIGKILL)  # its lock goes with it
    other.wait(60)
    started = time.monotonic()
    assert StateCache(folder).get("a", _made_here(log, "a", b"A"), bytes.isascii) == b"A"
    assert time.monotonic() - started < 30
    assert log.read_text().splitlines() == ["other starts a", "this makes a"]


def test_a_state_folder_where_no_lock_can_be_taken_only_makes_each_its_own(
        tmp_path: Path) -> None:
    folder = tmp_path / ".briefkit" / "cache"
    (tmp_path / ".briefkit" / "making").mkdir(parents=True)  # not a file: no lock is taken
    cache = StateCache(folder)
    assert cache.get_all([("a", lambda: b"A", bytes.isascii), ("b", lambda: b"B", None)]) \
        == [b"A", b"B"]
    assert StateCache(folder).get("a", lambda: b"again", bytes.isascii) == b"A"  # kept


def test_the_seconds_spent_making_entries_are_counted_once(tmp_path: Path) -> None:
    # a Word font part is made from the face's subset, itself an entry: the part's time
    # holds the subset's, and an output's time cannot be less than what it made
    cache = StateCache(tmp_path / ".briefkit" / "cache")

    def subset() -> bytes:
        time.sleep(0.2)
        return b"subset"

    def part() -> bytes:
        time.sleep(0.1)
        return cache.get("subset", subset, bytes.isascii) + b" part"

    started = time.perf_counter()
    assert cache.get("part", part, bytes.isascii) == b"subset part"
    took = time.perf_counter() - started
    assert 0.3 <= cache.making <= took
    cache.get("part", part, bytes.isascii)  # kept: nothing made
    assert cache.making <= took
    again = StateCache(tmp_path / ".briefkit" / "cache")
    assert again.get("part", part, bytes.isascii) == b"subset part"
    assert again.making == 0.0  # read from the folder
