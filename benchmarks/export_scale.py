"""How `briefkit export --all` scales with the size of a newsroom.

Generates N synthetic briefings (every block type, one image each, four
languages) in a throw-away newsroom folder and measures, with the real command
line in a subprocess:

- cold export time per format, and the cost per briefing;
- a warm run with nothing to do (the target: under 1 s for 1,000 briefings);
- peak memory (largest resident set of the run and its workers);
- parallel speed-up, ``--jobs 1`` against ``--jobs 2``;
- pandoc doing the same DOCX and EPUB work from the briefings' HTML, with the
  same number of processes, for comparison.

    .venv/bin/python benchmarks/export_scale.py --sizes 1,100,1000

Prints a Markdown table (the one in README's "Performance" section).  It uses
every core for minutes: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFKIT = [sys.executable, "-m", "briefkit"]
TEMPLATE = ROOT / "source" / "night-bus-network.json"
FRENCH = ROOT / "source" / "iran-frappes-bases-americaines-irak.json"

WORDS = ("council budget route station tram fare review passengers survey nurses drivers "
         "report vote trial network shift hospital university estate airport").split()


def briefing(n: int) -> dict:
    """Synthetic briefing number ``n``: the English sample's shape, new words and dates."""
    data = json.loads((FRENCH if n % 4 == 3 else TEMPLATE).read_text("utf-8"))
    data = copy.deepcopy(data)
    data["id"] = f"briefing-{n:05d}"
    data["title"] = f"{data['title']} ({n})"
    moment = datetime(2020, 1, 1, 7, tzinfo=timezone.utc) + timedelta(hours=7 * n)
    data["published"] = moment.isoformat()
    data.pop("updated", None)
    data.pop("url", None)
    words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40 + n % 60))
    data["sections"].append({"heading": f"Detail {n}", "blocks": [
        {"type": "paragraph", "text": f"Paragraph {n}: {words}."},
        {"type": "image", "src": f"images/chart-{n % 5}.png", "alt": f"Chart {n % 5}"},
    ]})
    return data


def newsroom(folder: Path, count: int) -> Path:
    """A newsroom folder with ``count`` synthetic briefings and five shared images."""
    from PIL import Image, ImageDraw

    source = folder / "source"
    (source / "images").mkdir(parents=True)
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    for image in (ROOT / "source" / "images").iterdir():
        shutil.copy(image, source / "images" / image.name)
    for k in range(5):
        image = Image.new("RGB", (640, 360), (240, 240, 236))
        draw = ImageDraw.Draw(image)
        for bar in range(8):
            height = 40 + (bar * 37 + k * 53) % 280
            draw.rectangle((30 + bar * 75, 340 - height, 90 + bar * 75, 340), fill=(30, 80, 140))
        image.save(source / "images" / f"chart-{k}.png")
    for n in range(count):
        text = json.dumps(briefing(n), ensure_ascii=False, indent=1)
        (source / f"briefing-{n:05d}.json").write_text(text, "utf-8")
    return folder


def run(folder: Path, *args: str) -> dict:
    """One `briefkit export` run: wall time, peak memory of it and its workers, its report."""
    started = time.perf_counter()
    process = subprocess.Popen([*BRIEFKIT, "export", "--all", "--json", *args], cwd=folder,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    # The child is reaped by communicate(); its rusage (which covers its own waited-for
    # workers) is taken from the process's RUSAGE_CHILDREN high-water mark instead.
    report = json.loads(out) if out.strip() else {"failed": [{"reason": err[-500:]}]}
    if report.get("failed"):
        print(f"  warning: {len(report['failed'])} failed: {report['failed'][:2]}",
              file=sys.stderr)
    return {"seconds": seconds, "report": report}


def peak_memory(folder: Path, *args: str) -> float:
    """Largest resident set (MB) of one run and its worker processes."""
    process = subprocess.Popen([*BRIEFKIT, "export", "--all", "--quiet", *args], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return usage.ru_maxrss / 1024


def pandoc(folder: Path, jobs: int) -> float:
    """Seconds for pandoc to turn every briefing's HTML into DOCX and EPUB."""
    pages = sorted((folder / "dist").glob("briefing-*.html"))
    target = folder / "pandoc"
    target.mkdir(exist_ok=True)

    def convert(page: Path) -> None:
        for extension in ("docx", "epub"):
            subprocess.run(["pandoc", "-f", "html", "-o", str(target / f"{page.stem}.{extension}"),
                            str(page)], check=True, cwd=folder, capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(convert, pages))
    return time.perf_counter() - started


def formats() -> list[str]:
    out = subprocess.run([*BRIEFKIT, "exporters"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in out.stdout.splitlines() if line.strip()]


def measure(count: int, names: list[str], jobs: int, with_pandoc: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"briefkit-bench-{count}-") as tmp:
        folder = newsroom(Path(tmp), count)
        row: dict = {"briefings": count, "per_format": {}}
        singles = [n for n in names if n not in ("rss", "atom", "jsonfeed", "index")]
        collections = [n for n in names if n not in singles]
        for name in singles:  # cold, one format at a time
            result = run(folder, "-f", name, "-j", str(jobs))
            row["per_format"][name] = result["seconds"]
            print(f"  {count:>5} {name:<9} {result['seconds']:8.2f} s", file=sys.stderr)
        if collections:
            flags = [x for n in collections for x in ("-f", n)]
            result = run(folder, *flags, "-j", str(jobs))
            row["per_format"]["feeds+index"] = result["seconds"]
            print(f"  {count:>5} feeds     {result['seconds']:8.2f} s", file=sys.stderr)
        started = time.perf_counter()
        row["warm"] = run(folder)["seconds"]  # nothing changed: nothing to do
        row["warm_total"] = time.perf_counter() - started
        print(f"  {count:>5} warm      {row['warm']:8.2f} s", file=sys.stderr)
        trio = [x for n in ("docx", "epub", "rss", "atom", "jsonfeed") if n in names
                for x in ("-f", n)]
        if trio:
            row["docx_epub_feeds"] = run(folder, *trio, "--force", "-j", str(jobs))["seconds"]
        row["memory"] = peak_memory(folder, "--force", "-j", str(jobs))
        if with_pandoc and "html" in names:
            row["pandoc"] = pandoc(folder, jobs)
            print(f"  {count:>5} pandoc    {row['pandoc']:8.2f} s", file=sys.stderr)
        return row


def speedup(count: int, names: list[str]) -> tuple[float, float]:
    """Seconds for a forced export of every format with one process, then two."""
    with tempfile.TemporaryDirectory(prefix="briefkit-speedup-") as tmp:
        folder = newsroom(Path(tmp), count)
        flags = [x for n in names for x in ("-f", n)]
        run(folder, *flags, "-j", "2")  # warm the font caches
        one = run(folder, *flags, "--force", "-j", "1")["seconds"]
        two = run(folder, *flags, "--force", "-j", "2")["seconds"]
        return one, two


def table(rows: list[dict], names: list[str], jobs: int, speed: tuple[float, float] | None) -> str:
    columns = [n for n in rows[0]["per_format"]]
    head = ["briefings", *(f"{c} (s)" for c in columns), "per briefing, all formats (ms)",
            "warm no-op (s)", "DOCX+EPUB+feeds (s)", "pandoc DOCX+EPUB (s)", "peak memory (MB)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        total = sum(row["per_format"].values())
        cells = [f"{row['briefings']:,}", *(f"{row['per_format'][c]:.2f}" for c in columns),
                 f"{1000 * total / row['briefings']:.0f}", f"{row['warm']:.2f}",
                 f"{row.get('docx_epub_feeds', float('nan')):.2f}",
                 f"{row.get('pandoc', float('nan')):.2f}", f"{row['memory']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    if speed:
        one, two = speed
        text += (f"\n\nParallel speed-up, every format, {speed_count} briefings: "
                 f"`--jobs 1` {one:.1f} s, `--jobs 2` {two:.1f} s: **{one / two:.2f}x**.")
    return text + f"\n\nCold runs use `--jobs {jobs}`; times are wall-clock seconds."


speed_count = 40


def main() -> None:
    global speed_count
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--formats", help="comma-separated (default: every installed one)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--speedup", type=int, default=speed_count,
                        help="briefings for the --jobs 1 / --jobs 2 comparison (0: skip)")
    parser.add_argument("--no-pandoc", action="store_true")
    args = parser.parse_args()
    names = args.formats.split(",") if args.formats else formats()
    speed_count = args.speedup
    rows = []
    for count in (int(n) for n in args.sizes.split(",")):
        print(f"{count} briefings", file=sys.stderr)
        rows.append(measure(count, names, args.jobs, not args.no_pandoc and shutil.which("pandoc")
                            is not None))
    speed = speedup(args.speedup, names) if args.speedup else None
    print(table(rows, names, args.jobs, speed))
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
