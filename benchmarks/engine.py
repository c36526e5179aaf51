"""What the export engine costs: starting up, the everyday edit, a run with nothing to do,
a cold run, Word and EPUB against pandoc, a cluster, and a newsroom of 10,000 briefings.

    .venv/bin/python benchmarks/engine.py startup --repeat 7
    .venv/bin/python benchmarks/engine.py one-changed --count 1 --repeat 5
    .venv/bin/python benchmarks/engine.py no-op --count 1000 [--formats html,rss,...]
    .venv/bin/python benchmarks/engine.py edit --count 1000 --repeat 5 [--formats ...] [--before SRC]
    .venv/bin/python benchmarks/engine.py cold --count 200
    .venv/bin/python benchmarks/engine.py cold-rounds --count 200 --repeat 3 [--before SRC]
    .venv/bin/python benchmarks/engine.py word-epub --count 200 --repeat 3
    .venv/bin/python benchmarks/engine.py cluster --count 200
    .venv/bin/python benchmarks/engine.py scale --count 10000 [--no-cluster]

- ``startup``: ``briefkit validate`` and a run with nothing to do over the samples'
  folder, a fresh process each time, CPU and wall (medians of ``--repeat``), beside the
  interpreter alone and the interpreter importing pydantic and checking one model.
- ``one-changed``: one briefing edited in a folder of ``count`` (``--count 1``: the
  briefing alone), every format, a fresh process each time: CPU and wall time of the
  default run, ``--jobs 1`` and ``--jobs 2``, side by side with what a newsroom would
  run instead on the same briefing, the pandoc chain: pandoc making DOCX, EPUB and a
  standalone HTML page from the briefing written as Markdown
  (``export_scale.markdown``), and WeasyPrint making the PDF from pandoc's standalone
  page; medians of ``--repeat`` rounds.  Target: the default run's CPU at most the
  chain's.  Beside them, briefkit making only the chain's four formats (PDF, Word, EPUB,
  web page) and the PDF alone, and WeasyPrint's own command making the chain's PDF: what
  the chain's formats cost briefkit, and what its PDF costs against WeasyPrint's, each in a
  fresh process.  A last row, ``import weasyprint`` alone, is what both pay once.
- ``no-op``: a run with nothing to do over ``count`` briefings (median of 3) and
  the peak memory of a full run.
- ``edit``: the everyday edit in a newsroom's archive: one briefing edited among
  ``count`` already exported, then exported again (its outputs, and the feeds and front
  page, which read every other briefing); medians of ``--repeat``, side by side with an
  earlier briefkit (``--before``), each in its own copy of the folder.
- ``cold``: every format from scratch: the wall time per briefing, the CPU of the run
  (every process) shared out to the formats by their jobs' seconds (``--json``), against
  WeasyPrint alone making the same PDFs (``pdf_render.bare``: the same print HTML and
  fonts, warm, CPU per PDF) divided by the cores, plus the other formats.
- ``cold-rounds``: every format from scratch, ``--repeat`` rounds, interleaved: this
  briefkit, the same with the theme's fonts already made (what a newsroom's first run
  makes once and keeps: web fonts, Word and e-book subsets), and an earlier briefkit
  (``--before``): the medians of wall and CPU.
- ``word-epub``: every briefing's Word document and e-book, forced, against pandoc
  making both from each briefing written as Markdown, as many at a time as cores.
- ``cluster``: the same forced export on a Dask cluster of two local workers
  (``dask scheduler`` and two ``dask worker`` processes, one thread each) and on
  the local pool of two processes, interleaved, ``--repeat`` rounds: wall and CPU (the
  workers' too, from /proc), with the peak memory of each process.
  Target: at most 15% slower.
- ``scale``: a cold run of every format over ``count`` briefings on the local pool,
  a run with nothing to do, and a forced run on a Dask cluster of two local workers,
  with the peak memory of the run's process and of each worker.

Every table says the machine's load average when it was measured: this machine
is shared, so compare the columns of one table, not tables of different days.
Commands run as an installed briefkit does, with its bytecode written
(``PYTHONDONTWRITEBYTECODE`` unset).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_scale import BRIEFKIT, ROOT, markdown, markdown_texts, newsroom

#: What the commands measured run with: bytecode written, as an installed briefkit.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CORES = len(os.sched_getaffinity(0))


class Peaks:
    """The peak resident memory (VmHWM) of processes and every process under them,
    sampled from /proc while they run: the run's own process and each worker."""

    def __init__(self, roots: list[int], dist: Path | None = None) -> None:
        self.roots = set(roots)
        #: with ``dist``, (time, how many briefings' outputs it holds) every 5 s
        self.dist, self.written = dist, list[tuple[float, int]]()
        self.found: dict[int, tuple[str, float]] = {}
        #: each process's parent: the pool's workers are the fork server's children
        self.parents: dict[int, int] = {}
        #: (time, process id, resident MB) of every sample: what was held when
        self.series: list[tuple[float, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        ticks = 0
        while not self._stop.wait(0.25):
            self.sample()
            ticks += 1
            if self.dist is not None and ticks % 20 == 0 and self.dist.is_dir():
                with os.scandir(self.dist) as listing:  # newsroom()'s names
                    count = sum(entry.name.startswith("briefing-") for entry in listing)
                self.written.append((time.time(), count))

    def sample(self) -> None:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
                except (OSError, ValueError):
                    continue
        inside = set(self.roots)
        grew = True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in inside} - inside
            grew = bool(more)
            inside |= more
        now = time.time()
        for pid in inside:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                name = b" ".join(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:5]
                                ).decode(errors="replace")
            except OSError:
                continue
            memory = {line.split(":")[0]: int(line.split()[1]) / 1024
                      for line in status.splitlines() if line.startswith(("VmHWM:", "VmRSS:"))}
            peak = memory.get("VmHWM", 0.0)
            self.parents[pid] = parents.get(pid, 0)
            self.series.append((now, pid, memory.get("VmRSS", 0.0)))
            if peak > self.found.get(pid, ("", 0.0))[1]:
                self.found[pid] = (name, peak)

    def stop(self) -> dict[int, tuple[str, float]]:
        self._stop.set()
        self._thread.join()
        return self.found


def timed(command: list[str], cwd: Path, watch: list[int] | None = None,
          env: dict[str, str] | None = None, dist: Path | None = None) -> dict[str, Any]:
    """Wall and CPU seconds of a command and every process it waited for, its peak memory
    (MB, of it and its reaped children), its output, and the peaks of it and of each
    process under it (and under ``watch``)."""
    started = time.perf_counter()
    # stderr to a file, not a pipe: a large run's warnings (one a briefing) fill a pipe's
    # 64 KiB, and a pipe read only after wait4 would stop the run there
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=errors,
                                   text=True, env=env or ENV)
        peaks = Peaks([process.pid, *(watch or [])], dist)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        found = peaks.stop()
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed: {errors.read()[-600:]!r}")
        out.seek(0)
        text = out.read()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "memory": usage.ru_maxrss / 1024, "out": text, "peaks": found, "pid": process.pid,
            "series": peaks.series, "written": peaks.written, "parents": peaks.parents}


def export(folder: Path, *args: str, watch: list[int] | None = None,
           env: dict[str, str] | None = None, dist: bool = False) -> dict[str, Any]:
    """``briefkit export --all``; with ``dist``, how many briefings' outputs the output
    folder holds is looked at every 5 s (:func:`_briefings_done`)."""
    return timed([*BRIEFKIT, "export", "--all", "--quiet", *args], folder, watch, env,
                 folder / "dist" if dist else None)


def before(source: Path | None) -> dict[str, str] | None:
    """The environment that runs an earlier briefkit, from its source tree's ``src``
    folder (``--before``: ``git archive <commit> src | tar -x -C DIR``), else None."""
    return None if source is None else {**ENV, "PYTHONPATH": str(source.resolve())}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def stamp(what: str) -> None:
    """When and under what load a measure starts or ends (UTC, ``uptime``)."""
    uptime = subprocess.run(["uptime"], check=True, capture_output=True,
                            text=True).stdout.strip()
    print(f"{what}: {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC; {uptime}")


def edit(folder: Path, round: int) -> Path:
    path = folder / "source" / "briefing-00000.json"
    data = json.loads(path.read_text("utf-8"))
    data["title"] = f"{data['title'].split(' — ')[0]} — edit {round}"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return path


def pandoc_chain(folder: Path, source: Path) -> dict[str, Any]:
    """What a newsroom would run instead of briefkit on one briefing, as it would run it:
    pandoc making DOCX, EPUB and a standalone HTML page from the briefing written as
    Markdown, then WeasyPrint making the PDF from pandoc's page (images from source/).
    The whole chain's wall and CPU, and under ``"pdf"`` its last step's alone."""
    out = folder / "chain"
    out.mkdir(exist_ok=True)
    text = out / f"{source.stem}.md"  # the newsroom's own file: written, not timed
    text.write_text(markdown(json.loads(source.read_text("utf-8"))), "utf-8")
    images = folder / "source"
    total = {"wall": 0.0, "cpu": 0.0}
    for target in ("docx", "epub", "html"):
        spent = timed(["pandoc", "-f", "markdown", "-s", "--resource-path", str(images),
                       "-o", str(out / f"{source.stem}.{target}"), str(text)], folder)
        total = {k: total[k] + spent[k] for k in total}
    weasy = Path(sys.executable).parent / "weasyprint"
    spent = timed([str(weasy), "--base-url", f"{images}/", str(out / f"{source.stem}.html"),
                   str(out / f"{source.stem}.pdf")], folder)
    return {**{k: total[k] + spent[k] for k in total}, "pdf": spent}


def _table(rows: dict[str, list[dict[str, Any]]], against: str) -> None:
    base = statistics.median(r["cpu"] for r in rows[against])
    print(f"| run | wall (s) | CPU (s) | CPU / {against} |")
    print("|---|---:|---:|---:|")
    for name, runs in rows.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / base:.2f} |")


def _versions(folder: Path, earlier: Path | None) -> dict[str, tuple[Path, dict[str, str] | None]]:
    """This briefkit and, with ``earlier``, an earlier one, each with its own copy of
    ``folder``: a version whose theme or code differs would otherwise find the other's
    outputs out of date, and remake them, on every run."""
    versions: dict[str, tuple[Path, dict[str, str] | None]] = {"": (folder, None)}
    if earlier:
        copy = folder.with_name(folder.name + "-before")
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("dist", ".briefkit"))
        versions[" (before)"] = (copy, before(earlier))
    return versions


PYDANTIC = "python: pydantic imported, one model checked"
ONE_MODEL = "from pydantic import BaseModel\nclass One(BaseModel):\n    x: int = 0\nOne(x=1)"


def startup(repeat: int, earlier: Path | None) -> None:
    """The command line up: validate, and a run with nothing to do, over the samples
    (and, with ``earlier``, the same commands of an earlier briefkit, interleaved, each in
    its own copy of the folder)."""
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = Path(tmp) / "samples"
        folder.mkdir()
        shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
        shutil.copytree(ROOT / "source", folder / "source")
        versions = _versions(folder, earlier)
        for where, env in versions.values():
            export(where, env=env)  # the state, the cache: what a run with nothing to do finds
        stamp("start")
        rows: dict[str, list[dict[str, Any]]] = {"python -c pass": [], PYDANTIC: []}
        for _ in range(repeat):
            rows["python -c pass"].append(timed([sys.executable, "-c", "pass"], folder))
            # the floor of a command line that checks its input with pydantic, as briefkit's does
            rows[PYDANTIC].append(timed([sys.executable, "-c", ONE_MODEL], folder))
            for suffix, (where, env) in versions.items():
                rows.setdefault(f"briefkit validate{suffix}", []).append(
                    timed([*BRIEFKIT, "validate", "--quiet"], where, env=env))
                rows.setdefault(f"briefkit export --all, nothing to do{suffix}", []).append(
                    export(where, env=env))
        stamp("end")
        print(f"\nThe samples' folder (2 briefings), a fresh process each time; medians of "
              f"{repeat}\n")
        _table(rows, "python -c pass")


def one_changed(count: int, repeat: int) -> None:
    if not shutil.which("pandoc"):
        raise SystemExit("pandoc is not installed (apt-get install pandoc)")
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        export(folder, "--jobs", "2")
        stamp("start")
        rows: dict[str, list[dict[str, Any]]] = {}
        edits = 0
        for _ in range(repeat):
            for name, args in (("default", ()), ("--jobs 1", ("--jobs", "1")),
                               ("--jobs 2", ("--jobs", "2")),
                               ("the chain's formats: -f pdf -f docx -f epub -f html",
                                ("-f", "pdf", "-f", "docx", "-f", "epub", "-f", "html")),
                               ("the PDF alone: -f pdf", ("-f", "pdf"))):
                edits += 1
                edit(folder, edits)
                rows.setdefault(name, []).append(export(folder, *args))
            changed = folder / "source" / "briefing-00000.json"
            chain = pandoc_chain(folder, changed)
            rows.setdefault("pandoc chain", []).append(chain)
            rows.setdefault("the chain's PDF alone: weasyprint on pandoc's page", []).append(
                chain["pdf"])
            # what both pay once: the chain's WeasyPrint as briefkit's PDF exporter
            rows.setdefault("python -c 'import weasyprint'", []).append(
                timed([sys.executable, "-c", "import weasyprint"], folder))
        stamp("end")
        print(f"\nOne briefing changed among {count}, every format, a fresh process; "
              f"medians of {repeat}\n")
        _table(rows, "pandoc chain")


def no_op(count: int, formats: list[str], earlier: Path | None) -> None:
    flags = [x for f in formats for x in ("-f", f)]
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp) / "newsroom", count)
        versions = _versions(folder, earlier)
        full = export(folder, *flags)
        for suffix, (where, env) in versions.items():
            if suffix:
                export(where, *flags, env=env)
            export(where, *flags, env=env)  # the source files' times remembered (2 s after)
        stamp("start")
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(3):
            for suffix, (where, env) in versions.items():
                runs.setdefault(suffix, []).append(export(where, *flags, env=env))
        stamp("end")
        print(f"\n{count} briefings, formats {', '.join(formats) or 'all'}\n")
        print("| run | wall (s) | CPU (s) | peak memory (MB) |")
        print("|---|---:|---:|---:|")
        print(f"| full export | {full['wall']:.1f} | {full['cpu']:.1f} | {full['memory']:.0f} |")
        for suffix, found in runs.items():
            print(f"| nothing to do{suffix} (median of 3) "
                  f"| {statistics.median(r['wall'] for r in found):.2f}"
                  f" | {statistics.median(r['cpu'] for r in found):.2f} "
                  f"| {max(r['memory'] for r in found):.0f} |")


def edited(count: int, repeat: int, formats: list[str], earlier: Path | None) -> None:
    flags = [x for f in formats for x in ("-f", f)]
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp) / "newsroom", count)
        versions = _versions(folder, earlier)
        for where, env in versions.values():
            export(where, *flags, env=env)
        stamp("start")
        runs: dict[str, list[dict[str, Any]]] = {}
        for round in range(repeat):
            for suffix, (where, env) in versions.items():
                edit(where, round + 1)
                runs.setdefault(suffix, []).append(export(where, *flags, env=env))
        stamp("end")
        print(f"\nOne briefing edited among {count}, formats {', '.join(formats) or 'all'}; "
              f"medians of {repeat}\n")
        print("| run | wall (s) | CPU (s) |")
        print("|---|---:|---:|")
        for suffix, found in runs.items():
            print(f"| one edited{suffix} | {statistics.median(r['wall'] for r in found):.2f}"
                  f" | {statistics.median(r['cpu'] for r in found):.2f} |")


def bare_pdf(count: int, runs: int = 3) -> float:
    """WeasyPrint alone, warm, CPU per PDF of briefkit's print HTML (pdf_render.bare)."""
    out = subprocess.run([sys.executable, str(Path(__file__).parent / "pdf_render.py"), "bare",
                          "--count", str(count), "--runs", str(runs)], check=True,
                         capture_output=True, text=True, env=ENV).stdout
    row = next(line for line in out.splitlines() if line.startswith("| WeasyPrint alone"))
    return float(row.split("|")[2])


def _per_format(run: dict[str, Any]) -> dict[str, float]:
    """The run's CPU (every process) shared out to the formats by their jobs' seconds."""
    timings = json.loads(run["out"])["timings"]
    seconds = sum(t["seconds"] for t in timings.values()) or 1.0
    return {name: run["cpu"] * t["seconds"] / seconds for name, t in timings.items()}


def cold(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        stamp("start")
        spent = timed([*BRIEFKIT, "export", "--all", "--json"], folder)
        alone = bare_pdf(20)
        stamp("end")
    per = spent["wall"] / count
    shares = _per_format(spent)
    others = sum(cpu for name, cpu in shares.items() if name != "pdf") / count
    target = 1.3 * alone / CORES + others / CORES
    print(f"\n{count} briefings, every format from scratch, {CORES} processes\n")
    print(f"wall {spent['wall']:.1f} s, CPU {spent['cpu']:.1f} s (every process), "
          f"peak memory {spent['memory']:.0f} MB\n")
    print("| format | CPU per briefing (s) |\n|---|---:|")
    for name, cpu in sorted(shares.items(), key=lambda x: -x[1]):
        print(f"| {name} | {cpu / count:.3f} |")
    print(f"| WeasyPrint alone, the same print HTML, warm | {alone:.3f} |")
    print("\n| wall per briefing (s) | target: 1.3 x WeasyPrint alone / cores + the other "
          "formats / cores (s) | ratio |\n|---:|---:|---:|")
    print(f"| {per:.3f} | {target:.3f} | {per / target:.2f} |")


#: What a theme's faces are made into once (and kept in ``.briefkit/cache/``): the
#: web fonts, the Word and e-book subsets, the glyph coverage tables.
THEME_FONTS = ("woff2-", "docx-font-", "docx-part-", "deflated-", "epub-font-", "coverage-")


def theme_fonts_only(cache: Path) -> int:
    """Leave in an exporters' cache only what is made of the theme's faces (by each entry's
    key, written in the entry after the seal's mark and digest): how many entries stay."""
    from briefkit.engine.seals import MARK

    kept = 0
    for entry in cache.iterdir():
        data = entry.read_bytes()
        start = len(MARK) + 32
        length = int.from_bytes(data[start:start + 4], "big")
        if data[start + 4:start + 4 + length].decode().startswith(THEME_FONTS):
            kept += 1
        else:
            entry.unlink()
    return kept


def cold_rounds(count: int, repeat: int, earlier: Path | None) -> None:
    """Every format of ``count`` briefings from scratch (``dist/`` and ``.briefkit/``
    removed before each run), ``repeat`` rounds, interleaved: this briefkit, the same with
    the theme's fonts already made (a theme whose look changed, not its faces; a new output
    folder), and with ``earlier`` an earlier briefkit."""
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp) / "newsroom", count)
        versions = _versions(folder, earlier)
        export(folder)
        fonts = Path(tmp) / "fonts"
        shutil.copytree(folder / ".briefkit" / "cache", fonts)
        kept = theme_fonts_only(fonts)
        runs = [(f"from scratch{suffix}", where, env, False)
                for suffix, (where, env) in versions.items()]
        runs.insert(1, ("the theme's fonts already made", folder, None, True))
        stamp("start")
        rows: dict[str, list[dict[str, Any]]] = {}
        for round in range(repeat):
            for name, where, env, with_fonts in (runs if round % 2 == 0 else runs[::-1]):
                for made in ("dist", ".briefkit"):
                    shutil.rmtree(where / made, ignore_errors=True)
                if with_fonts:
                    shutil.copytree(fonts, where / ".briefkit" / "cache")
                rows.setdefault(name, []).append(export(where, env=env))
        stamp("end")
    print(f"\n{count} briefings, every format from scratch, {CORES} processes; medians of "
          f"{repeat} (the theme's fonts: {kept} entries of the cache)\n")
    print("| run | wall (s) | wall per briefing (ms) | CPU (s) |\n|---|---:|---:|---:|")
    for name, found in rows.items():
        wall = statistics.median(r["wall"] for r in found)
        cpu = statistics.median(r["cpu"] for r in found)
        print(f"| {name} | {wall:.2f} | {1000 * wall / count:.0f} | {cpu:.2f} |")


def pandoc_both(folder: Path, jobs: int) -> dict[str, float]:
    """pandoc making DOCX and EPUB from every briefing written as Markdown, ``jobs`` at
    a time: wall and CPU (every pandoc process)."""
    target, texts = markdown_texts(folder)
    commands = [["pandoc", "-f", "markdown", "-s", "--resource-path", "source",
                 "-o", str(target / f"{text.stem}.{kind}"), str(text)]
                for text in texts for kind in ("docx", "epub")]
    started = time.perf_counter()
    cpu = 0.0
    running: list[subprocess.Popen[bytes]] = []
    while commands or running:
        while commands and len(running) < jobs:
            running.append(subprocess.Popen(commands.pop(0), cwd=folder,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        pid, status, usage = os.wait4(-1, 0)
        running = [p for p in running if p.pid != pid]
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("pandoc failed")
        cpu += usage.ru_utime + usage.ru_stime
    return {"wall": time.perf_counter() - started, "cpu": cpu}


def word_epub(count: int, repeat: int) -> None:
    if not shutil.which("pandoc"):
        raise SystemExit("pandoc is not installed (apt-get install pandoc)")
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        export(folder, "-f", "docx", "-f", "epub")  # the state and the cache (font subsets)
        stamp("start")
        rows: dict[str, list[dict[str, Any]]] = {"briefkit, Word + EPUB, forced": [],
                                                 "pandoc, DOCX + EPUB": []}
        for _ in range(repeat):
            rows["briefkit, Word + EPUB, forced"].append(
                export(folder, "-f", "docx", "-f", "epub", "--force", "--jobs", str(CORES)))
            rows["pandoc, DOCX + EPUB"].append(pandoc_both(folder, CORES))
        stamp("end")
        print(f"\n{count} briefings, Word documents and e-books, {CORES} at a time; medians "
              f"of {repeat}\n")
        _table(rows, "pandoc, DOCX + EPUB")


@contextmanager
def dask_cluster(tmp: Path, workers: int = 2) -> Iterator[tuple[str, list[int]]]:
    """A scheduler and ``workers`` one-thread workers on 127.0.0.1: the address and the
    workers' process ids."""
    dask = Path(sys.executable).parent / "dask"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    processes = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-dashboard"], cwd=tmp, env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    processes += [subprocess.Popen([str(dask), "worker", address, "--nworkers", "1",
                                    "--nthreads", "1", "--no-dashboard",
                                    "--local-directory", str(tmp)], cwd=tmp, env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for _ in range(workers)]
    try:
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        yield address, [p.pid for p in processes[1:]]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)


def _helpers(run: dict[str, Any]) -> set[int]:
    """The run's own children that make nothing: multiprocessing's fork server (whose
    children are the pool's workers) and its resource tracker."""
    return {pid for pid, (name, _) in run["peaks"].items()
            if run["parents"].get(pid) == run["pid"]
            and ("forkserver" in name or "resource_tracker" in name)}


def _workers(run: dict[str, Any], skip: int) -> list[float]:
    """The peaks of the processes of a run that made its jobs, but the run's own: the
    workers, however many were started in turn."""
    helpers = _helpers(run)
    return sorted((peak for pid, (_, peak) in run["peaks"].items()
                   if pid != skip and pid not in helpers), reverse=True)


def _shown(workers: list[float]) -> str:
    """The largest peaks of the workers, and how many there were when more than 4."""
    shown = ", ".join(f"{peak:.0f}" for peak in workers[:4])
    return shown + (f" (largest of {len(workers)})" if len(workers) > 4 else "")


def _memory_rows(name: str, run: dict[str, Any], workers: list[float]) -> str:
    main = run["peaks"].get(run["pid"], ("", 0.0))[1]
    return f"| {name} | {run['wall']:.1f} | {run['cpu']:.1f} | {main:.0f} | {_shown(workers)} |"


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds (user + system, their reaped children's too) of processes and of every
    process under them, read from /proc: a cluster's scheduler and workers, which the
    run does not wait for."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            found[int(entry)] = (int(fields[1]), sum(map(int, fields[11:15])) / ticks)
    inside, grew = set(roots), True
    while grew:
        more = {pid for pid, (parent, _) in found.items() if parent in inside} - inside
        grew = bool(more)
        inside |= more
    return sum(found[pid][1] for pid in inside if pid in found)


def cluster(count: int, repeat: int = 1) -> None:
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        rows: dict[str, list[dict[str, Any]]] = {"local": [], "dask": []}
        with dask_cluster(Path(tmp)) as (address, workers):
            export(folder, "--jobs", "2")  # the state, so both runs below only make outputs
            stamp("start")
            for _ in range(repeat):  # interleaved, as the load changes
                rows["local"].append(export(folder, "--force", "--jobs", "2"))
                before = tree_cpu(workers)
                remote = export(folder, "--force", "--scheduler", address, watch=workers)
                remote["cluster"] = tree_cpu(workers) - before
                rows["dask"].append(remote)
            stamp("end")
        local, remote = rows["local"][-1], rows["dask"][-1]
        print(f"\n{count} briefings, every format forced; the last of {repeat} rounds\n")
        print("| where | wall (s) | CPU of the run's process tree (s) | run's peak (MB) | "
              "workers' peaks (MB) |\n|---|---:|---:|---:|---|")
        print(_memory_rows("local pool, 2 processes", local, _workers(local, local["pid"])))
        print(_memory_rows("Dask, scheduler + 2 workers on this machine", remote,
                           _workers(remote, remote["pid"])))
        wall = {k: statistics.median(r["wall"] for r in v) for k, v in rows.items()}
        cpu = {k: statistics.median(r["cpu"] + r.get("cluster", 0.0) for r in v)
               for k, v in rows.items()}
        print(f"\nmedians of {repeat}: local pool {wall['local']:.1f} s wall, "
              f"{cpu['local']:.1f} s CPU; Dask {wall['dask']:.1f} s wall, {cpu['dask']:.1f} s "
              f"CPU (the run's {statistics.median(r['cpu'] for r in rows['dask']):.1f} s, the "
              f"workers' {statistics.median(r['cluster'] for r in rows['dask']):.1f} s)")
        print(f"overhead of the cluster: wall {wall['dask'] / wall['local'] - 1:+.0%}, "
              f"CPU {cpu['dask'] / cpu['local'] - 1:+.0%}")


def _briefings_done(run: dict[str, Any]) -> float:
    """When (within 5 s) the output folder first held as many briefings' outputs as at
    the end: the collections (feeds, front page), which hold every briefing, come after."""
    final = run["written"][-1][1] if run["written"] else 0
    return next((moment for moment, count in run["written"] if count >= final), 0.0)


def _held(run: dict[str, Any], until: float) -> dict[int, float]:
    """The largest resident memory (MB) of each process of a run until a moment."""
    held: dict[int, float] = {}
    for moment, pid, resident in run["series"]:
        if moment <= until:
            held[pid] = max(held.get(pid, 0.0), resident)
    return held


def _scale_row(name: str, run: dict[str, Any]) -> str:
    """A row of the scale table: wall, CPU, and the memory of the run's own process and
    of its workers, at most and while they made the briefings' outputs (a cold run)."""
    if not run["written"] or run["written"][0][1] == run["written"][-1][1]:
        return _memory_rows(name, run, _workers(run, run["pid"]))  # forced: nothing new
    held = _held(run, _briefings_done(run))
    workers, helpers = _workers(run, run["pid"]), _helpers(run)
    during = sorted((mb for pid, mb in held.items()
                     if pid != run["pid"] and pid not in helpers), reverse=True)
    main = run["peaks"].get(run["pid"], ("", 0.0))[1]
    return (f"| {name} | {run['wall']:.1f} | {run['cpu']:.1f} | {main:.0f} "
            f"({held.get(run['pid'], 0.0):.0f}) | {_shown(workers)} "
            f"({', '.join(f'{w:.0f}' for w in during[:4])}) |")


def scale(count: int, cluster: bool = True) -> None:
    """A big newsroom: cold on the local pool, nothing to do, forced on a Dask cluster
    (unless ``cluster`` is false: ``--no-cluster``); each row printed as soon as it is
    measured."""
    print(f"\n{count} briefings, every format; memory in MB: at most, and (in brackets) "
          "the most held until the last of the briefings' own outputs was written, before "
          "the collections (feeds, front page), which hold every briefing\n", flush=True)
    print("| run | wall (s) | CPU of the run's process tree (s) | run's process (MB) | "
          "workers (MB) |\n|---|---:|---:|---:|---|", flush=True)
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        stamp("start")
        cold_run = export(folder, "--jobs", str(CORES), dist=True)
        print(_scale_row(f"cold, local pool of {CORES}", cold_run), flush=True)
        for pid in sorted(_helpers(cold_run)):
            name, peak = cold_run["peaks"][pid]
            what = "fork server" if "forkserver" in name else "resource tracker"
            print(f"(multiprocessing's {what}: {peak:.0f} MB at most)", flush=True)
        stamp("cold run done")
        idle = [export(folder) for _ in range(3)]
        quiet = sorted(idle, key=lambda r: r["cpu"])[1]
        print(_memory_rows("nothing to do (median of 3 by CPU)", quiet, []), flush=True)
        stamp("runs with nothing to do done")
        if not cluster:
            print(f"\ncold: {1000 * cold_run['wall'] / count:.0f} ms wall per briefing")
            return
        with dask_cluster(Path(tmp)) as (address, workers):
            # the collections are made in the run's own process: the workers make only
            # the briefings' outputs
            spent = tree_cpu(workers)
            remote = export(folder, "--force", "--scheduler", address, watch=workers)
            spent = tree_cpu(workers) - spent
            print(_scale_row("forced, Dask cluster of 2 local workers (CPU: the run's "
                             f"process tree, and {spent:.1f} s of the workers)",
                             remote), flush=True)
        stamp("end")
    print(f"\ncold: {1000 * cold_run['wall'] / count:.0f} ms wall per briefing")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("what", choices=["startup", "one-changed", "no-op", "edit", "cold",
                                         "cold-rounds", "word-epub", "cluster", "scale"])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="", help="comma-separated (default: all)")
    parser.add_argument("--before", type=Path, metavar="SRC",
                        help="startup, no-op, edit, cold-rounds: also run the briefkit of this "
                             "source tree's src folder, interleaved")
    parser.add_argument("--no-cluster", action="store_true", help="scale: no Dask run")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    {"startup": lambda: startup(args.repeat, args.before),
     "one-changed": lambda: one_changed(args.count, args.repeat),
     "no-op": lambda: no_op(args.count, formats, args.before),
     "edit": lambda: edited(args.count, args.repeat, formats, args.before),
     "cold": lambda: cold(args.count),
     "cold-rounds": lambda: cold_rounds(args.count, args.repeat, args.before),
     "word-epub": lambda: word_epub(args.count, args.repeat),
     "cluster": lambda: cluster(args.count, args.repeat),
     "scale": lambda: scale(args.count, not args.no_cluster)}[args.what]()


if __name__ == "__main__":
    main()
