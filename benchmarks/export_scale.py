"""How `briefkit export --all` scales with the size of a newsroom.

Generates N synthetic briefings (the samples' shapes: every block type, images,
English and French) in a throw-away newsroom folder and measures, with the real
command line in a subprocess:

- cold export time of each format on its own, and the cost per briefing;
- a warm run with nothing to do (target: under 1 s for 1,000 briefings);
- DOCX + EPUB + feeds from scratch, against pandoc making DOCX and EPUB from
  each briefing written as Markdown (:func:`markdown`, what a newsroom without
  briefkit would keep), with as many processes (target: faster);
- peak memory: the largest resident set of a run and its worker processes;
- parallel speed-up of a forced export of every format, ``--jobs 1`` against
  ``--jobs 2`` (target: at least 1.8x on two cores).

    .venv/bin/python benchmarks/export_scale.py --sizes 1,100,1000

Prints the Markdown table of benchmarks/README.md; every measurement also
goes to ``--results`` (JSON) as soon as it is made.  It keeps
every core busy for many minutes: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from briefkit.inline import Emphasis, Inline, Strong, Text, parse

ROOT = Path(__file__).resolve().parent.parent
BRIEFKIT = [sys.executable, "-m", "briefkit"]
SAMPLES = sorted((ROOT / "source").glob("*.json"))
COLLECTIONS = ("rss", "atom", "jsonfeed", "index")
WORDS = ["council", "budget", "route", "station", "tram", "fare", "review", "passengers", "survey", "nurses", "drivers", "report", "vote", "trial", "network", "shift", "hospital", "university", "estate", "airport"]


def briefing(n: int) -> dict[str, Any]:
    """Synthetic briefing number ``n``: a sample's shape, its own id, words, date and chart."""
    data = copy.deepcopy(json.loads(SAMPLES[n % len(SAMPLES)].read_text("utf-8")))
    data["id"] = f"briefing-{n:05d}"
    data["title"] = f"{data['title']} ({n})"
    moment = datetime(2020, 1, 1, 7, tzinfo=UTC) + timedelta(hours=7 * n)
    data["published"] = moment.isoformat()
    for key in ("updated", "url"):
        data.pop(key, None)
    words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40 + n % 60))
    data["sections"].append({"heading": f"Detail {n}", "blocks": [
        {"type": "paragraph", "text": f"Paragraph {n}: {words}."},
        {"type": "image", "src": f"images/chart-{n % 5}.png", "alt": f"Chart {n % 5}"},
    ]})
    return data


#: ASCII punctuation pandoc's Markdown may read as markup: written escaped, so that it reads
#: each as itself (quotes stay bare, for pandoc's curly quotes).
_PANDOC_MARKUP = re.compile(r"""([!#-&(-/:-@\[-`{-~])""")


#: Line breaks and runs of spaces, as HTML reads them (never the no-break spaces).
_SPACES = re.compile(r"[ \t\r\n]+")


def _escaped(text: str) -> str:
    return _PANDOC_MARKUP.sub(r"\\\1", _SPACES.sub(" ", text))


def _inline(text: str) -> str:
    """Briefing markup (``*em*``, ``**strong**``, links) as pandoc Markdown."""

    def written(nodes: tuple[Inline, ...]) -> str:
        parts = []
        for node in nodes:
            if isinstance(node, Text):
                parts.append(_escaped(node.text))
            elif isinstance(node, Emphasis):
                parts.append(f"*{written(node.children)}*")
            elif isinstance(node, Strong):
                parts.append(f"**{written(node.children)}**")
            else:
                parts.append(f"[{written(node.children)}](<{node.url}>)")
        return "".join(parts)

    return written(parse(text))


def _block(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "paragraph":
        return _inline(block["text"])
    if kind == "quote":
        by = f"\n>\n> --- {_escaped(block['attribution'])}" if block.get("attribution") else ""
        return f"> {_inline(block['text'])}{by}"
    if kind == "list":
        mark = "1." if block.get("ordered") else "-"
        return "\n".join(f"{mark} {_inline(item)}" for item in block["items"])
    if kind == "image":
        words = _inline(block["caption"]) if block.get("caption") else _escaped(block["alt"])
        credit = f" ({_escaped(block['credit'])})" if block.get("credit") else ""
        return f"![{words}{credit}](<{block['src']}>)"
    if kind == "table":
        rows = [block["header"], *block["rows"]]
        lines = ["| " + " | ".join(_inline(cell) for cell in row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * len(block["header"]))
        caption = f"\n\n: {_inline(block['caption'])}" if block.get("caption") else ""
        return "\n".join(lines) + caption
    if kind == "timeline":
        return "\n".join(f"- **{_escaped(event['when'])}**: {_inline(event['text'])}"
                         for event in block["events"])
    if kind == "factbox":
        title = f"**{_escaped(block['title'])}**\n\n" if block.get("title") else ""
        items = "\n".join(f"- {_inline(item)}" for item in block["items"])
        return f"::: factbox\n{title}{items}\n:::"
    raise ValueError(f"unknown block type {kind!r}")


def markdown(data: dict[str, Any]) -> str:
    """A briefing (its JSON) written as pandoc Markdown: what a newsroom without briefkit
    would keep, and what the pandoc chain the benchmarks compare with starts from."""
    meta = {"title": data["title"], "subtitle": data.get("subtitle"),
            "author": [author["name"] for author in data.get("authors", [])],
            "date": data["published"], "lang": data["language"]}
    lines = ["---"]
    for key, given in meta.items():
        value = given
        if isinstance(given, list):
            value = [_escaped(v) for v in given]
        elif isinstance(given, str) and key in ("title", "subtitle"):
            value = _escaped(given)
        if value:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    parts = ["\n".join([*lines, "---"])]
    if data.get("standfirst"):
        parts.append(_inline(data["standfirst"]))
    for section in data["sections"]:
        if section.get("heading"):
            parts.append(f"## {_escaped(section['heading'])}")
        parts += [_block(block) for block in section.get("blocks", [])]
    if data.get("sources"):
        parts.append("## Sources")
        parts.append("\n".join(
            "- " + (f"[{_escaped(s['title'])}](<{s['url']}>)" if s.get("url")
                    else _escaped(s["title"]))
            + (f", {_escaped(s['publisher'])}" if s.get("publisher") else "")
            for s in data["sources"]))
    return "\n\n".join(parts) + "\n"


def newsroom(folder: Path, count: int) -> Path:
    """A newsroom folder with ``count`` synthetic briefings and the images they show."""
    from PIL import Image, ImageDraw

    source = folder / "source"
    shutil.copytree(ROOT / "source" / "images", source / "images")
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
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


def run(folder: Path, *args: str) -> dict[str, Any]:
    """One `briefkit export --all` run: wall time, peak memory (MB) of it and its workers,
    and its JSON report."""
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen([*BRIEFKIT, "export", "--all", "--json", *args], cwd=folder,
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
        assert process.stdout is not None
        out = process.stdout.read()
        # wait4: the rusage of the run, whose high-water mark covers its reaped workers.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        problems = errors.read()
    report = json.loads(out) if out.strip() else {"failed": [{"reason": problems[-400:]}]}
    if report.get("failed"):
        print(f"  warning: {len(report['failed'])} failed, e.g. {report['failed'][0]}",
              file=sys.stderr)
    return {"seconds": seconds, "memory": usage.ru_maxrss / 1024, "report": report,
            "cpu": usage.ru_utime + usage.ru_stime, "load": os.getloadavg()[0]}


def markdown_texts(folder: Path) -> tuple[Path, list[Path]]:
    """Every briefing of the newsroom written as Markdown, as a user of pandoc would start
    (in ``pandoc/``): that folder, and the files."""
    target = folder / "pandoc"
    target.mkdir(exist_ok=True)
    texts = []
    for path in sorted((folder / "source").glob("briefing-*.json")):
        text = target / f"{path.stem}.md"
        text.write_text(markdown(json.loads(path.read_text("utf-8"))), "utf-8")
        texts.append(text)
    return target, texts


def pandoc(folder: Path, jobs: int) -> float:
    """Seconds for pandoc to make DOCX and EPUB from every briefing written as Markdown."""
    target, texts = markdown_texts(folder)

    def convert(text: Path) -> None:
        for extension in ("docx", "epub"):
            subprocess.run(["pandoc", "-f", "markdown", "-s", "--resource-path", "source",
                            "-o", str(target / f"{text.stem}.{extension}"), str(text)],
                           check=True, cwd=folder, capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(convert, texts))
    return time.perf_counter() - started


def installed() -> list[str]:
    out = subprocess.run([*BRIEFKIT, "exporters"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in out.stdout.splitlines() if line.strip()]


def measure(count: int, names: list[str], jobs: int, with_pandoc: bool) -> dict[str, Any]:
    """Every measurement for a newsroom of ``count`` briefings."""
    log = sys.stderr
    with tempfile.TemporaryDirectory(prefix=f"briefkit-bench-{count}-") as tmp:
        folder = newsroom(Path(tmp), count)
        row: dict[str, Any] = {"briefings": count, "jobs": jobs, "cold": {}, "memory": 0.0}
        singles = [n for n in names if n not in COLLECTIONS]
        collections = [n for n in names if n in COLLECTIONS]
        for name in singles:  # from scratch, one format at a time
            result = run(folder, "-f", name, "-j", str(jobs))
            row["cold"][name] = result["seconds"]
            row.setdefault("cpu", {})[name] = result["cpu"]
            row.setdefault("load", []).append(result["load"])
            row["memory"] = max(row["memory"], result["memory"])
            print(f"  {count:>5} {name:<10} {result['seconds']:8.2f} s "
                  f"{result['memory']:6.0f} MB  CPU {result['cpu']:7.1f} s  "
                  f"load {result['load']:.1f}", file=log)
        if collections:
            result = run(folder, *(x for n in collections for x in ("-f", n)), "-j", str(jobs))
            row["cold"]["feeds+index"] = result["seconds"]
            row["memory"] = max(row["memory"], result["memory"])
            print(f"  {count:>5} feeds+index {result['seconds']:7.2f} s", file=log)
        warm = [run(folder)["seconds"] for _ in range(3)]  # nothing changed: nothing to do
        row["warm"] = min(warm)
        print(f"  {count:>5} warm       {warm}", file=log)
        trio = [x for n in ("docx", "epub", "rss", "atom", "jsonfeed") if n in names
                for x in ("-f", n)]
        result = run(folder, *trio, "--force", "-j", str(jobs))
        row["docx_epub_feeds"] = result["seconds"]
        print(f"  {count:>5} docx+epub+feeds {result['seconds']:.2f} s", file=log)
        if with_pandoc:
            row["pandoc"] = pandoc(folder, jobs)
            print(f"  {count:>5} pandoc     {row['pandoc']:8.2f} s", file=log)
        return row


def speedup(count: int, names: list[str]) -> dict[str, Any]:
    """A forced export of every format, with one process then two."""
    with tempfile.TemporaryDirectory(prefix="briefkit-speedup-") as tmp:
        folder = newsroom(Path(tmp), count)
        flags = [x for n in names for x in ("-f", n)]
        run(folder, *flags, "-j", "2")  # first run: WeasyPrint's caches, the manifest
        first = run(folder, *flags, "--force", "-j", "1")
        second = run(folder, *flags, "--force", "-j", "2")
        one, two = first["seconds"], second["seconds"]
        print(f"  speed-up on {count}: {one:.1f} s / {two:.1f} s = {one / two:.2f}x "
              f"(CPU {first['cpu']:.1f} s / {second['cpu']:.1f} s, load {second['load']:.1f})",
              file=sys.stderr)
        return {"briefings": count, "one": one, "two": two, "cpu_one": first["cpu"],
                "cpu_two": second["cpu"], "load": second["load"]}


def table(rows: list[dict[str, Any]], speed: dict[str, Any] | None) -> str:
    """The Markdown table for benchmarks/README.md."""
    order = ["pdf", "docx", "epub", "html"]  # the longest first
    formats = sorted(rows[0]["cold"], key=lambda c: order.index(c) if c in order else 9)
    head = ["briefings", *(f"{c.upper() if c in order else c} cold (s)" for c in formats),
            "ms per briefing, every format", "warm run, nothing to do (s)",
            "DOCX + EPUB + feeds (s)", "pandoc, DOCX + EPUB only (s)", "peak memory (MB)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for row in rows:
        total = sum(row["cold"].values())
        cells = [f"{row['briefings']:,}", *(f"{row['cold'][c]:.1f}" for c in formats),
                 f"{1000 * total / row['briefings']:,.0f}", f"{row['warm']:.2f}",
                 f"{row['docx_epub_feeds']:.1f}",
                 f"{row['pandoc']:.1f}" if "pandoc" in row else "-", f"{row['memory']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    if speed:
        text += (f"\n\nParallel speed-up, every format forced, {speed['briefings']} briefings: "
                 f"`--jobs 1` {speed['one']:.1f} s, `--jobs 2` {speed['two']:.1f} s, "
                 f"**{speed['one'] / speed['two']:.2f}x**.")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1,100,1000", help="newsroom sizes (briefings)")
    parser.add_argument("--formats", help="comma-separated (default: every installed one)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--speedup", type=int, default=40,
                        help="briefings for the --jobs 1 / --jobs 2 comparison (0: skip)")
    parser.add_argument("--no-pandoc", action="store_true")
    parser.add_argument("--results", type=Path, default=Path("benchmark-results.json"))
    args = parser.parse_args()
    names = args.formats.split(",") if args.formats else installed()
    with_pandoc = not args.no_pandoc and shutil.which("pandoc") is not None
    results: dict[str, Any] = {"rows": [], "speedup": None, "formats": names,
                               "cpus": len(os.sched_getaffinity(0))}
    if args.speedup:
        results["speedup"] = speedup(args.speedup, names)
        args.results.write_text(json.dumps(results, indent=1))
    for count in (int(n) for n in args.sizes.split(",")):
        print(f"{count} briefings", file=sys.stderr)
        results["rows"].append(measure(count, names, args.jobs, with_pandoc))
        args.results.write_text(json.dumps(results, indent=1))
    print(table(results["rows"], results["speedup"]))


if __name__ == "__main__":
    main()
