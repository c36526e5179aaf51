"""What `briefkit publish` costs: nothing to do, one briefing changed, a first publish.

    .venv/bin/python benchmarks/publish.py no-op --count 1000
    .venv/bin/python benchmarks/publish.py one-changed --count 1000
    .venv/bin/python benchmarks/publish.py first --count 1000 --repeat 3

The output folder is synthesised, not exported (exporting 1,000 briefings in
every format takes most of an hour here, and a publish reads only the manifest
and the files): for each briefing a PDF, a Word document, an EPUB, a web page,
a ninjs item and an image, of random bytes (incompressible, as PDFs and zips
mostly are) at the sizes the samples export to; the theme's 14 web fonts; the
feeds, sitemap, robots.txt and front page.  The manifest is written through
the engine's own ``State``, as an export writes it.

- ``no-op``: a publish over all of it with nothing to do (median of 3), to a
  target on OpenSSH's sshd, then again with sshd stopped: a publish with
  nothing to do reads the receipt, and never reaches the remote.
  Target: under 1 s.
- ``one-changed``: one briefing's files and the collections changed (as an
  export of one edit changes them): the bytes sent, against those files'.
- ``first``: a first publish of the whole tree to the local sshd, side by side
  with ``rsync -a`` over ssh and ``sftp -b`` (``put -R``) of the same tree,
  each into an empty folder: wall and CPU time of the client (the process and
  what it waited for: ssh under rsync and sftp; sshd's side is not counted for
  any), medians of ``--repeat``.

Every table says the machine's load (``uptime``): this machine is shared, so
compare the rows of one table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the tests' own servers (this file's name hides the tests' "publish" folder as a package)
sys.path.insert(0, str(ROOT / "tests" / "publish"))

from servers import Sshd, sshd_available  # noqa: E402

from briefkit.engine.state import Record, State  # noqa: E402

BRIEFKIT = [sys.executable, "-m", "briefkit"]
#: A briefing's outputs, at the sizes the English sample exports to (bytes).
OUTPUTS = [("pdf", ".pdf", "application/pdf", 102_845),
           ("docx", ".docx", "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document", 302_925),
           ("epub", ".epub", "application/epub+zip", 89_460),
           ("html", ".html", "text/html", 18_682),
           ("ninjs", ".ninjs.json", "application/json", 9_981)]
IMAGE = 24_423
FONTS = [(f"theme/fonts/face-{n:02d}.woff2", 180_000) for n in range(14)]
COLLECTIONS = [("rss", "feed.xml", "application/rss+xml", 10_450),
               ("atom", "atom.xml", "application/atom+xml", 11_151),
               ("jsonfeed", "feed.json", "application/feed+json", 9_912),
               ("index", "index.html", "text/html", 17_362),
               ("sitemap", "sitemap.xml", "application/xml", 1_115)]


def uptime() -> str:
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()


class Meter:
    """CPU of the children waited for, measured as a difference around each command."""

    def __init__(self) -> None:
        import resource

        self.resource = resource

    def run(self, command: list[str], cwd: Path, env: dict[str, str] | None = None,
            ) -> tuple[float, float, bytes]:
        before = self.resource.getrusage(self.resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, check=False, cwd=cwd, capture_output=True,
                              env={**os.environ, **(env or {})})
        wall = time.perf_counter() - started
        after = self.resource.getrusage(self.resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-800:]!r}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, done.stdout


def write(dist: Path, name: str, size: int) -> tuple[int, str]:
    data = os.urandom(size)
    path = dist / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return size, hashlib.sha256(data).hexdigest()


def synthesise(room: Path, count: int) -> None:
    """``count`` briefings in every format in room/dist, recorded in the manifest."""
    dist = room / "dist"
    with State(room, dist) as state:
        fonts = []
        for name, wanted in FONTS:
            size, sha = write(dist, name, wanted)
            state.add(Record(name, "html", None, size, sha, "font/woff2", extra=True))
            fonts.append(name)
        pages = []
        for n in range(count):
            briefing = f"briefing-{n:05d}"
            image = f"images/{briefing}/photo-{n:010x}.png"
            size, sha = write(dist, image, IMAGE)
            state.add(Record(image, "html", briefing, size, sha, "image/png", extra=True))
            for fmt, extension, media_type, wanted in OUTPUTS:
                name = briefing + extension
                size, sha = write(dist, name, wanted)
                linked = (image, *fonts) if fmt == "html" else ()
                state.add(Record(name, fmt, briefing, size, sha, media_type, files=linked))
            pages.append(briefing)
        for fmt, name, media_type, wanted in COLLECTIONS:
            size, sha = write(dist, name, wanted)
            state.add(Record(name, fmt, None, size, sha, media_type,
                             files=("robots.txt",) if fmt == "sitemap" else ()))
        size, sha = write(dist, "robots.txt", 74)
        state.add(Record("robots.txt", "sitemap", None, size, sha, "text/plain", extra=True))
        state.save()


def change_one(room: Path, briefing: str) -> int:
    """One briefing edited and exported again: its outputs and the collections change."""
    dist = room / "dist"
    changed = 0
    with State(room, dist) as state:
        for path, record in list(state.records.items()):
            if (record.briefing == briefing and not record.extra) or (record.briefing is None \
                    and not record.extra):
                size, sha = write(dist, path, record.bytes)
                state.add(Record(path, record.format, record.briefing, size, sha,
                                 record.media_type, files=record.files))
                changed += size
        state.save()
    return changed


def room_for(server: Sshd, folder: Path, count: int) -> tuple[Path, Path]:
    room, remote = folder / "room", folder / "remote"
    room.mkdir()
    (room / "briefkit.toml").write_text(server.settings("web", remote))
    synthesise(room, count)
    return room, remote


def no_op(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp, sshd(Path(tmp)) as server:
        room, _ = room_for(server, Path(tmp), count)
        meter = Meter()
        files = len(json.loads((room / ".briefkit/manifests/dist.json").read_text())["outputs"])
        first = meter.run([*BRIEFKIT, "publish", "--quiet"], room)
        runs = [meter.run([*BRIEFKIT, "publish", "--quiet"], room) for _ in range(3)]
        server.stop()
        stopped = [meter.run([*BRIEFKIT, "publish", "--quiet"], room) for _ in range(3)]
        server.start()
        print(f"{count} briefings x every format ({files} files, "
              f"{sum(p.stat().st_size for p in (room / 'dist').rglob('*') if p.is_file()):,} "
              f"bytes); {uptime()}\n")
        print("| run | wall (s) | CPU (s) |")
        print("|---|---:|---:|")
        print(f"| first publish to sshd | {first[0]:.2f} | {first[1]:.2f} |")
        print(f"| nothing to do (median of 3) | {statistics.median(r[0] for r in runs):.2f} | "
              f"{statistics.median(r[1] for r in runs):.2f} |")
        print(f"| nothing to do, sshd stopped (median of 3) | "
              f"{statistics.median(r[0] for r in stopped):.2f} | "
              f"{statistics.median(r[1] for r in stopped):.2f} |")


def one_changed(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp, sshd(Path(tmp)) as server:
        room, remote = room_for(server, Path(tmp), count)
        meter = Meter()
        meter.run([*BRIEFKIT, "publish", "--quiet"], room)
        changed = change_one(room, f"briefing-{count // 2:05d}")
        wall, cpu, out = meter.run([*BRIEFKIT, "publish", "--json"], room)
        target = json.loads(out)["targets"][0]
        sent = sum(item["bytes"] for item in target["sent"])
        total = sum(p.stat().st_size for p in remote.rglob("*") if p.is_file())
        print(f"One briefing changed among {count}; {uptime()}\n")
        print("| | files | bytes |")
        print("|---|---:|---:|")
        print(f"| changed by the export (its 5 outputs, 5 collections) | 10 | {changed:,} |")
        print(f"| sent by the publish | {len(target['sent'])} | {sent:,} |")
        print(f"| on the remote | {target['up_to_date'] + len(target['sent'])} | {total:,} |")
        print(f"\nThe publish took {wall:.2f} s wall, {cpu:.2f} s CPU; sent: "
              f"{', '.join(sorted(i['path'] for i in target['sent']))}")


def first(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp, sshd(Path(tmp)) as server:
        base = Path(tmp)
        room, _ = room_for(server, base, count)
        ssh = (f"ssh -i {server.client_key} -p {server.port} -o BatchMode=yes "
               f"-o UserKnownHostsFile={server.known_hosts}")
        meter = Meter()
        rows: dict[str, list[tuple[float, float]]] = {}
        size = sum(p.stat().st_size for p in (room / "dist").rglob("*") if p.is_file())
        for round in range(repeat):
            remote = base / f"briefkit-{round}"
            (room / "briefkit.toml").write_text(server.settings("web", remote))
            shutil.rmtree(room / ".briefkit" / "receipts", ignore_errors=True)
            rows.setdefault("briefkit publish (4 connections)", []).append(
                meter.run([*BRIEFKIT, "publish", "--quiet"], room)[:2])
            remote = base / f"rsync-{round}"
            remote.mkdir()
            rows.setdefault("rsync -a over ssh", []).append(meter.run(
                ["rsync", "-a", "-e", ssh, "dist/", f"{server.user}@127.0.0.1:{remote}/"],
                room)[:2])
            remote = base / f"sftp-{round}"
            remote.mkdir()
            batch = base / "batch"
            batch.write_text(f"put -R dist/. {remote}\n")
            rows.setdefault("sftp -b (put -R)", []).append(meter.run(
                ["sftp", "-b", str(batch), "-i", str(server.client_key), "-P", str(server.port),
                 "-o", f"UserKnownHostsFile={server.known_hosts}",
                 f"{server.user}@127.0.0.1"], room)[:2])
        print(f"A first publish of {count} briefings x every format "
              f"({size / 1e6:.0f} MB) to OpenSSH's sshd on this machine, medians of {repeat}; "
              f"{uptime()}\n")
        print("| client | wall (s) | CPU (s) | MB/s |")
        print("|---|---:|---:|---:|")
        for name, runs in rows.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"| {name} | {wall:.1f} | {cpu:.1f} | {size / 1e6 / wall:.0f} |")


class sshd:
    def __init__(self, folder: Path) -> None:
        why = sshd_available()
        if why:
            raise SystemExit(why)
        self.server = Sshd(folder / "sshd")

    def __enter__(self) -> Sshd:
        self.server.make()
        self.server.start()
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["no-op", "one-changed", "first"])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.what == "no-op":
        no_op(args.count)
    elif args.what == "one-changed":
        one_changed(args.count)
    else:
        first(args.count, args.repeat)


if __name__ == "__main__":
    main()
