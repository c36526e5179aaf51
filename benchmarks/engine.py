"""What the export engine costs: the everyday edit, a run with nothing to do, a cluster.

    .venv/bin/python benchmarks/engine.py one-changed --count 200 --repeat 3
    .venv/bin/python benchmarks/engine.py no-op --count 1000 [--formats html,rss,...]
    .venv/bin/python benchmarks/engine.py cold --count 200
    .venv/bin/python benchmarks/engine.py cluster --count 200

- ``one-changed``: one briefing edited in a folder of ``count``, every format, a
  fresh process each time: CPU and wall time of the default run, ``--jobs 1`` and
  ``--jobs 2``, side by side with what a newsroom would run instead on the same
  briefing, the pandoc chain: pandoc making DOCX, EPUB and a standalone HTML
  page from the briefing written as Markdown (``export_scale.markdown``), and
  WeasyPrint making the PDF from pandoc's standalone page; medians of
  ``--repeat`` rounds.  Target: the default run's CPU at most the chain's.
- ``no-op``: a run with nothing to do over ``count`` briefings (median of 3) and
  the peak memory of a full run.
- ``cold``: every format from scratch, the wall time per briefing, against the
  CPU of WeasyPrint alone rendering the same pages (per page, divided by the
  cores).  Target: at most 1.2 times.
- ``cluster``: the same forced export on a Dask cluster of two local workers
  (``dask scheduler`` and two ``dask worker`` processes, one thread each) and on
  the local pool of two processes.  Target: at most 15% slower.

Every table says the machine's load average when it was measured: this machine
is shared, so compare the columns of one table, not tables of different days.
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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_scale import BRIEFKIT, markdown, newsroom


def timed(command: list[str], cwd: Path) -> dict[str, float]:
    """Wall and CPU seconds of a command and every process it waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read()[-600:]!r}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "memory": usage.ru_maxrss / 1024}


def export(folder: Path, *args: str) -> dict[str, float]:
    return timed([*BRIEFKIT, "export", "--all", "--quiet", *args], folder)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def edit(folder: Path, round: int) -> Path:
    path = folder / "source" / "briefing-00007.json"
    data = json.loads(path.read_text("utf-8"))
    data["title"] = f"{data['title'].split(' — ')[0]} — edit {round}"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return path


def pandoc_chain(folder: Path, source: Path) -> dict[str, float]:
    """What a newsroom would run instead of briefkit on one briefing, as it would run it:
    pandoc making DOCX, EPUB and a standalone HTML page from the briefing written as
    Markdown, then WeasyPrint making the PDF from pandoc's page (images from source/)."""
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
    return {k: total[k] + spent[k] for k in total}


def one_changed(count: int, repeat: int) -> None:
    if not shutil.which("pandoc"):
        raise SystemExit("pandoc is not installed (apt-get install pandoc)")
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        export(folder, "--jobs", "2")
        rows: dict[str, list[dict[str, float]]] = {}
        edits = 0
        for _ in range(repeat):
            for name, args in (("default", ()), ("--jobs 1", ("--jobs", "1")),
                               ("--jobs 2", ("--jobs", "2"))):
                edits += 1
                edit(folder, edits)
                rows.setdefault(name, []).append(export(folder, *args))
            changed = folder / "source" / "briefing-00007.json"
            rows.setdefault("pandoc + WeasyPrint", []).append(pandoc_chain(folder, changed))
        chain = statistics.median(r["cpu"] for r in rows["pandoc + WeasyPrint"])
        print(f"One briefing changed among {count}, every format, a fresh process; "
              f"medians of {repeat}; {load()}\n")
        print("| run | wall (s) | CPU (s) | CPU / pandoc chain |")
        print("|---|---:|---:|---:|")
        for name, runs in rows.items():
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / chain:.2f} |")


def no_op(count: int, formats: list[str]) -> None:
    flags = [x for f in formats for x in ("-f", f)]
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        full = export(folder, *flags)
        runs = [export(folder, *flags) for _ in range(3)]
        print(f"{count} briefings, formats {', '.join(formats) or 'all'}; {load()}\n")
        print("| run | wall (s) | CPU (s) | peak memory (MB) |")
        print("|---|---:|---:|---:|")
        print(f"| full export | {full['wall']:.1f} | {full['cpu']:.1f} | {full['memory']:.0f} |")
        print(f"| nothing to do (median of 3) | {statistics.median(r['wall'] for r in runs):.2f}"
              f" | {statistics.median(r['cpu'] for r in runs):.2f} "
              f"| {max(r['memory'] for r in runs):.0f} |")


BARE = """
import sys, time
from pathlib import Path
from weasyprint import HTML
pages = [Path(p) for p in sys.argv[1:]]
HTML(filename=str(pages[0])).write_pdf()  # fonts and first-use costs out of the measure
started = time.process_time()
for page in pages:
    HTML(filename=str(page)).write_pdf()
print((time.process_time() - started) / len(pages))
"""


def cold(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        spent = export(folder)
        pages = sorted(str(p) for p in (folder / "dist").glob("briefing-*.html"))[:20]
        bare = float(subprocess.run([sys.executable, "-c", BARE, *pages], check=True,
                                    capture_output=True, text=True).stdout)
        cores = os.cpu_count() or 1
        per = spent["wall"] / count
        print(f"{count} briefings, every format from scratch; {load()}\n")
        print("| wall per briefing (s) | WeasyPrint alone, CPU per page / cores (s) | ratio |")
        print("|---:|---:|---:|")
        print(f"| {per:.3f} | {bare / cores:.3f} | {per / (bare / cores):.2f} |")


def cluster(count: int) -> None:
    dask = Path(sys.executable).parent / "dask"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        processes = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                       str(port), "--no-dashboard"], cwd=tmp,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        processes += [subprocess.Popen([str(dask), "worker", address, "--nworkers", "1",
                                        "--nthreads", "1", "--no-dashboard",
                                        "--local-directory", tmp], cwd=tmp,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for _ in range(2)]
        try:
            from distributed import Client

            with Client(address, timeout="60s") as client:
                client.wait_for_workers(2, timeout=120)
            export(folder, "--jobs", "2")  # the state, so both runs below only make outputs
            local = export(folder, "--force", "--jobs", "2")
            remote = export(folder, "--force", "--scheduler", address)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
        print(f"{count} briefings, every format forced; {load()}\n")
        print("| where | wall (s) |\n|---|---:|")
        print(f"| local pool, 2 processes | {local['wall']:.1f} |")
        print(f"| Dask, scheduler + 2 workers on this machine | {remote['wall']:.1f} |")
        print(f"\noverhead of the cluster: {remote['wall'] / local['wall'] - 1:+.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["one-changed", "no-op", "cold", "cluster"])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="", help="comma-separated (default: all)")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    {"one-changed": lambda: one_changed(args.count, args.repeat),
     "no-op": lambda: no_op(args.count, formats),
     "cold": lambda: cold(args.count),
     "cluster": lambda: cluster(args.count)}[args.what]()


if __name__ == "__main__":
    main()
