"""How long a PDF takes: both samples and the every-block fixture, in each theme.

The first render of a theme in a process pays for importing WeasyPrint,
compiling the theme's stylesheet and loading its fonts (one FontConfiguration
per theme, shared by every briefing of the run); the following ones do not.

    .venv/bin/python benchmarks/pdf_render.py [--runs N] [--theme NAME ...]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {
    "iran-frappes-bases-americaines-irak": (ROOT / "source", "fr sample"),
    "night-bus-network": (ROOT / "source", "en sample"),
    "every-block": (ROOT / "tests" / "fixtures", "fixture"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm renders per document")
    parser.add_argument("--theme", action="append", help="theme(s) to time (default: all)")
    args = parser.parse_args()

    started = time.perf_counter()
    from pypdf import PdfReader

    from briefkit.config import load_settings
    from briefkit.exporters.base import Context
    from briefkit.exporters.pdf import PDFExporter
    from briefkit.load import load
    from briefkit.theme import installed, load_theme

    settings = load_settings(ROOT)
    items = {name: load(folder / f"{name}.json", folder) for name, (folder, _) in DOCUMENTS.items()}
    print(f"briefkit imported, briefings loaded: {time.perf_counter() - started:.2f} s")
    exporter = PDFExporter()

    for theme_name in args.theme or installed(ROOT):
        context = Context(settings, load_theme(theme_name, ROOT))
        print(f"\ntheme {theme_name}")
        print(f"  {'briefing':<38} {'first':>8} {'warm median':>12} {'warm min':>9} {'pages':>6}")
        for name, item in items.items():
            t0 = time.perf_counter()
            data = exporter.export(item, context)
            first = time.perf_counter() - t0
            warm = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                exporter.export(item, context)
                warm.append(time.perf_counter() - t0)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(f"  {name:<38} {first:>7.2f}s {statistics.median(warm):>11.2f}s"
                  f" {min(warm):>8.2f}s {pages:>6}")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
