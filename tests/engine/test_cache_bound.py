"""The exporters' cache stays within its bound: after themes and languages change, it
comes back to what a fresh export of the newsroom as it now is would keep; and
``briefkit clean --cache`` empties it, safely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from support.commands import run_briefkit, run_process
from support.newsrooms import ENGLISH
from test_build import make_newsroom

# Web fonts (the web page, the front page) come from the theme's faces; the Word
# document's font subsets from the characters of each briefing's language.  Two small
# themes of one face each keep every export to a second.
FORMATS = ["-f", "html", "-f", "docx", "-f", "index"]
THEME = """name = "{name}"
description = "One face: {face}."

[fonts]
body = "Noto Sans Hebrew"
headings = "Noto Sans Hebrew"
fallback = []

[[fonts.files]]
family = "Noto Sans Hebrew"
path = "fonts/{face}.ttf"
"""
FACES = {"desk": "NotoSansHebrew-Regular", "wire-desk": "NotoSansHebrew-Bold"}
HEBREW = "kavei-layla"


def newsroom(folder: Path, *, theme: str = "desk", hebrew: bool = True,
             cache: str = "") -> Path:
    """Both samples (English, French) and, if asked, a briefing in Hebrew, in ``theme``."""
    folder.mkdir()
    room = make_newsroom(folder, copies=0, cold=True)  # the cache is what is looked at
    for name, face in FACES.items():
        (room / "themes" / name).mkdir(parents=True)
        (room / "themes" / name / "theme.toml").write_text(
            THEME.format(name=name, face=face), "utf-8")
    if hebrew:
        briefing = json.loads((room / "source" / f"{ENGLISH}.json").read_text("utf-8"))
        briefing.update(id=HEBREW, language="he", title="קווי הלילה החדשים: מה ידוע",
                        subtitle="שישה קווים, מחיר אחיד וניסיון של חצי שנה")
        briefing.pop("url", None)
        (room / "source" / f"{HEBREW}.json").write_text(
            json.dumps(briefing, ensure_ascii=False), "utf-8")
    settings(room, theme, cache)
    return room


def settings(room: Path, theme: str, cache: str = "") -> None:
    text = (room / "briefkit.toml").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("theme =")]
    lines.insert(0, f'theme = "{theme}"')
    (room / "briefkit.toml").write_text("\n".join(lines) + "\n" + cache, "utf-8")


def export(room: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = run_briefkit("export", "--all", *FORMATS, *options, cwd=room)
    assert result.returncode == 0, result.stderr
    return result


def entries(room: Path) -> set[str]:
    """The files of the cache folder, by name."""
    folder = room / ".briefkit" / "cache"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def fresh(folder: Path, **how: object) -> set[str]:
    """What the cache holds after a first export of a newsroom made ``how``: its bound."""
    room = newsroom(folder, **how)  # type: ignore[arg-type]
    export(room)
    return entries(room)


def test_the_cache_returns_to_its_bound_after_themes_and_languages_change(
        tmp_path: Path) -> None:
    room = newsroom(tmp_path / "room")
    export(room)
    first = entries(room)
    # the newsroom stops publishing in Hebrew and moves to another theme
    (room / "source" / f"{HEBREW}.json").unlink()
    settings(room, "wire-desk")
    export(room)
    bound = fresh(tmp_path / "fresh", theme="wire-desk", hebrew=False)
    assert bound and bound <= entries(room)
    assert first - bound and entries(room) - bound  # kept a while: themes come back
    # thirty-one days on, unused all that time: a run with nothing to do trims them
    month_ago = time.time() - 31 * 86_400
    for path in (room / ".briefkit" / "cache").iterdir():
        os.utime(path, (month_ago, month_ago))
    result = export(room)
    assert "0 outputs written" in result.stdout
    assert entries(room) == bound


def test_past_its_size_limit_the_cache_keeps_only_what_the_outputs_use(
        tmp_path: Path) -> None:
    room = newsroom(tmp_path / "room", cache="[cache]\nmax_megabytes = 0\n")
    export(room)
    grown = entries(room)
    (room / "source" / f"{HEBREW}.json").unlink()
    export(room)  # the Hebrew subset is no output's any more: over the limit, removed
    bound = fresh(tmp_path / "fresh", hebrew=False)
    assert entries(room) == bound and bound < grown


def test_clean_empties_the_cache_and_leaves_what_is_not_its_own(tmp_path: Path) -> None:
    room = newsroom(tmp_path / "room", hebrew=False)
    export(room)
    cache = room / ".briefkit" / "cache"
    count = len(entries(room))
    assert count
    (cache / "notes.txt").write_text("mine", "utf-8")
    outside = tmp_path / "outside.woff2"
    outside.write_bytes(b"not the cache's")
    (cache / ("0" * 64)).symlink_to(outside)
    misused = run_briefkit("clean", cwd=room)
    assert misused.returncode == 2 and "--cache" in misused.stderr
    assert len(entries(room)) == count + 2
    result = run_briefkit("clean", "--cache", cwd=room)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"removed {count} entries (")
    assert entries(room) == {"notes.txt", "0" * 64}  # not an entry, a link: left alone
    assert outside.read_bytes() == b"not the cache's"
    # the next run makes what it needs again
    export(room, "--force")
    assert len(entries(room)) == count + 2


def test_clean_waits_for_no_run_and_follows_no_link(tmp_path: Path) -> None:
    room = newsroom(tmp_path / "room", hebrew=False)
    export(room)
    before = entries(room)
    # another process holds the project's lock, as a run at work does
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; "
         "fd = os.open(sys.argv[1], os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); "
         "os.ftruncate(fd, 0); os.write(fd, b'%d\\n' % os.getpid()); print(flush=True); "
         "time.sleep(60)", str(room / ".briefkit" / "lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "\n"
        result = run_process("clean", "--cache", cwd=room)  # a lock between processes
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"briefkit: .briefkit: another briefkit run (process {holder.pid}) is working in this "
        "project; run again when it has finished"]
    assert entries(room) == before
    # the cache folder replaced by a link: refused, what it leads to untouched
    elsewhere = tmp_path / "elsewhere"
    (room / ".briefkit" / "cache").rename(elsewhere)
    (room / ".briefkit" / "cache").symlink_to(elsewhere)
    result = run_briefkit("clean", "--cache", cwd=room)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "briefkit: .briefkit/cache: is a symbolic link; briefkit keeps its run state in plain "
        "folders and files and never follows a link there: remove it and run again"]
    assert {p.name for p in elsewhere.iterdir()} == before


def test_a_process_keeps_in_memory_only_the_entries_it_used_last(tmp_path: Path) -> None:
    """A worker of a big run asks for an entry of its own for many briefings (an e-book's
    cover): it keeps the newest in memory, up to its bound, and reads the others back."""
    from briefkit.engine.cache import StateCache
    from briefkit.exporters.base import Kept

    cache = StateCache(tmp_path / ".briefkit" / "cache")
    cache._kept = Kept(limit=3 * 1000)
    made: list[str] = []

    def entry(name: str, check: bool = True) -> bytes:
        def make() -> bytes:
            made.append(name)
            return name.encode().ljust(1000, b".")
        return cache.get(name, make, (lambda data: data.startswith(name.encode()))
                         if check else None)

    for n in range(10):
        entry(f"cover {n}")
    entry("cover 7")  # used again: the newest
    entry("cover 10")
    assert (len(cache._kept), cache._kept.bytes) == (3, 3000)
    assert [k in cache._kept for k in ("cover 7", "cover 9", "cover 10")] == [True] * 3
    assert made == [f"cover {n}" for n in range(11)]  # each made once
    assert entry("cover 0") == b"cover 0".ljust(1000, b".")  # read back from the folder
    assert made[-1] == "cover 10"
    entry("table", check=False)  # kept in memory only: made again once let go
    for n in range(3):
        entry(f"cover {n}")
    assert entry("table", check=False) and made[-2:] == ["table", "table"]
