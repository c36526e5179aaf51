"""Edit-to-refresh latency of ``briefkit serve``: from saving a briefing to the served
web page and PDF carrying the change, for the French and English samples.

A real server runs in its own process on a free port of 127.0.0.1, in a copy of
the samples' folder.  Each edit puts a new word in a briefing's title and saves
the file; the clock starts when the file is closed and stops when a GET of the
web page, and of the PDF (read back with pypdf), shows the word.  The times of
the reload channel's events are taken too, as a page in a browser sees them:
``reload`` (the web page is made), the ``outputs`` event naming the PDF, and the
last ``outputs`` event (every format, the feeds and the front page made).  Edits
wait for the previous one's export to finish, so none is merged with another.

    .venv/bin/python benchmarks/preview_latency.py [--edits 20]

Each figure is given as the median, the 95th percentile and the worst of the edits;
the targets are 0.2 s to the refreshed web page and 0.5 s to the refreshed PDF at the
95th percentile, over both samples' edits.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {"French": "iran-frappes-bases-americaines-irak", "English": "night-bus-network"}
POLL = 0.01  # seconds between two GETs of the same file


def _percentile(values: list[float], percent: float) -> float:
    """The ``percent``-th percentile of ``values`` (linear between the nearest two)."""
    ordered = sorted(values)
    at = (len(ordered) - 1) * percent / 100
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Server:
    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefkit", "serve", "--port", "0"], cwd=folder,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            raise SystemExit(f"briefkit serve did not start: {line!r}")
        self.url = found.group(0)
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.events: list[tuple[float, str, dict[str, object]]] = []
        threading.Thread(target=self._listen, daemon=True).start()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                status = self.http.get("/_preview/_status").json()
                if status["edit"] >= 1 and not status["busy"]:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit("the first export did not finish in 300 s")

    def _listen(self) -> None:
        kind = ""
        try:
            with httpx.stream("GET", self.url + "_preview/events",
                              timeout=httpx.Timeout(10, read=None)) as response:
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        self.events.append((time.perf_counter(), kind, json.loads(line[6:])))
        except httpx.HTTPError:
            pass

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _edit(server: Server, path: Path, word: str) -> dict[str, float]:
    """Save a new title holding ``word``; seconds until each place shows it."""
    data = json.loads(path.read_text("utf-8"))
    data["title"] = re.sub(r"^(Rev\d+ )?", f"{word} ", data["title"])
    text = json.dumps(data, indent=2, ensure_ascii=False)
    stem = path.stem
    # the PDF as it is: only a PDF with other bytes is read back (pypdf takes a while)
    last_pdf = hashlib.sha256(server.http.get(f"/{stem}.pdf").content).hexdigest()
    seen = len(server.events)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    saved = time.perf_counter()
    found: dict[str, float] = {}
    deadline = saved + 60
    while len(found) < 2 and time.perf_counter() < deadline:
        # each time is taken when the bytes arrive, before they are read back
        if "html" not in found:
            page = server.http.get(f"/{stem}.html").text
            if word in page:
                found["html"] = time.perf_counter() - saved
        if "pdf" not in found:
            pdf = server.http.get(f"/{stem}.pdf").content
            arrived = time.perf_counter() - saved
            digest = hashlib.sha256(pdf).hexdigest()
            if digest != last_pdf:
                last_pdf = digest
                text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
                if word in text:
                    found["pdf"] = arrived
        time.sleep(POLL)
    while time.perf_counter() < deadline and not any(
            kind == "outputs" and not data["busy"] for _, kind, data in server.events[seen:]):
        time.sleep(POLL)
    for moment, kind, data in server.events[seen:]:
        written = data["written"]
        assert isinstance(written, list)
        if kind == "reload":
            found.setdefault("reload", moment - saved)
        elif f"{stem}.pdf" in written:
            found.setdefault("pdf event", moment - saved)
        if kind == "outputs" and not data["busy"]:
            found.setdefault("done", moment - saved)
    time.sleep(0.3)  # the next edit is a new one, not part of this one's burst
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20, help="edits per sample")
    args = parser.parse_args()
    print(f"load average before: {_load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as folder:
        newsroom = Path(folder)
        shutil.copy(ROOT / "briefkit.toml", newsroom / "briefkit.toml")
        shutil.copytree(ROOT / "source", newsroom / "source")
        started = time.perf_counter()
        server = Server(newsroom)
        print(f"server up, first export done: {time.perf_counter() - started:.1f} s")
        rows = []
        try:
            for language, name in SAMPLES.items():
                path = newsroom / "source" / f"{name}.json"
                times = [_edit(server, path, f"Rev{n}") for n in range(1, args.edits + 1)]
                rows.append((language, times))
        finally:
            server.stop()
    columns = [("html", "web page"), ("pdf", "PDF"), ("reload", "reload event"),
               ("pdf event", "PDF event"), ("done", "every format")]
    print(f"\n{args.edits} edits per sample, seconds from save to served change")
    print(f"| sample | {' | '.join(f'{t} median | {t} 95th pct. | {t} worst' for _, t in columns)} |")
    print("|---|" + "---:|" * (3 * len(columns)))
    everything: dict[str, list[float]] = {}
    for language, times in rows:
        cells = []
        for key, _ in columns:
            values = [t[key] for t in times if key in t]
            everything.setdefault(key, []).extend(values)
            missed = len(times) - len(values)
            worst = "never" if missed else f"{max(values):.2f}"
            cells += [f"{statistics.median(values):.2f}" if values else "-",
                      f"{_percentile(values, 95):.2f}" if values else "-", worst]
        print(f"| {language} | {' | '.join(cells)} |")
    both = {key: _percentile(values, 95) for key, values in everything.items() if values}
    print(f"\nboth samples, 95th percentile: web page {both.get('html', float('nan')):.2f} s "
          f"(target 0.2), PDF {both.get('pdf', float('nan')):.2f} s (target 0.5)")
    print(f"\nload average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
