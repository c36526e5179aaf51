"""How long a PDF takes: both samples and the every-block fixture, in each theme; what
each PDF costs against bare WeasyPrint; what importing WeasyPrint costs.

The first render of a theme in a process pays for importing WeasyPrint,
compiling the theme's stylesheet and loading its fonts (one FontConfiguration
per theme, shared by every briefing of the run); the following ones do not.

    .venv/bin/python benchmarks/pdf_render.py [--runs N] [--theme NAME ...]
    .venv/bin/python benchmarks/pdf_render.py bare [--count 20] [--runs 5]
    .venv/bin/python benchmarks/pdf_render.py import [--runs 7]

- ``bare``: ``count`` synthetic briefings (benchmarks/export_scale.py's), warm, in
  one process: the CPU per PDF of briefkit's exporter, against WeasyPrint alone
  rendering the same print HTML (``render.html.page``, images as plain files) with
  the same stylesheets and fonts (one ``FontConfiguration``, the print stylesheet
  and each language's page furniture compiled once), the same PDF variant, tagged;
  and WeasyPrint alone again with a file identifier, as briefkit's PDFs have, with and
  without ``compress_once`` (the figures of the report for pydyf); rounds alternate
  them; medians.
- ``import``: importing WeasyPrint in a fresh process (CPU, median of ``runs``),
  how much of it is cffi parsing the C declarations of Pango, HarfBuzz and
  fontconfig (``FFI.cdef``) and opening the libraries (``FFI.dlopen``), and the
  heaviest packages it imports (``-X importtime``, self time summed by package):
  the figures for a report upstream.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {
    "iran-frappes-bases-americaines-irak": (ROOT / "source", "fr sample"),
    "night-bus-network": (ROOT / "source", "en sample"),
    "every-block": (ROOT / "tests" / "fixtures", "fixture"),
}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def samples(runs: int, themes: list[str] | None) -> None:
    """First and warm render of each sample, in each theme."""
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

    for theme_name in themes or installed(ROOT):
        context = Context(settings, load_theme(theme_name, ROOT))
        print(f"\ntheme {theme_name}")
        print(f"  {'briefing':<38} {'first':>8} {'warm median':>12} {'warm min':>9} {'pages':>6}")
        for name, item in items.items():
            t0 = time.perf_counter()
            data = exporter.export(item, context).data
            first = time.perf_counter() - t0
            warm = []
            for _ in range(runs):
                t0 = time.perf_counter()
                exporter.export(item, context)
                warm.append(time.perf_counter() - t0)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(f"  {name:<38} {first:>7.2f}s {statistics.median(warm):>11.2f}s"
                  f" {min(warm):>8.2f}s {pages:>6}")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")


def bare(count: int, runs: int) -> None:
    """briefkit's PDF exporter against bare WeasyPrint on the same print HTML, warm."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from export_scale import newsroom
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    from briefkit.config import load_settings
    from briefkit.exporters.base import Context
    from briefkit.exporters.pdf import PDFExporter, compress_once
    from briefkit.load import load
    from briefkit.render import html
    from briefkit.render.furniture import page_furniture
    from briefkit.theme import load_theme

    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = newsroom(Path(tmp), count)
        settings = load_settings(folder)
        theme = load_theme(settings.theme, folder)
        source = settings.source_dir
        items = [load(path, source) for path in sorted(source.glob("briefing-*.json"))]
        context = Context(settings, theme)
        exporter = PDFExporter()
        variant = None if settings.pdf.variant == "none" else settings.pdf.variant

        def font_url(relative: str) -> str:
            path = theme.find(relative)
            assert path is not None
            return path.as_uri()

        fonts = FontConfiguration()
        css = CSS(string=html.stylesheet(theme, print_media=True, font_url=font_url),
                  font_config=fonts)
        furniture = {language: CSS(string=page_furniture(theme, settings, language),
                                   font_config=fonts)
                     for language in {item.briefing.language for item in items}}
        # the exporter's own page, its images as files beside it, as a user's HTML would be
        pages = [(html.page(item, theme, settings, lambda src: src, tie_paragraphs=True),
                  item.path.parent.as_uri() + "/", item.briefing.language) for item in items]

        def weasyprint_alone(identifier: bytes | None = None, finisher: Any = None) -> None:
            # with an identifier: a file identifier, as briefkit's PDFs have (pdf_identifier)
            for page, base, language in pages:
                document = HTML(string=page, base_url=base).render(
                    font_config=fonts, stylesheets=[css, furniture[language]],
                    pdf_variant=variant, pdf_tags=True)
                document.write_pdf(pdf_variant=variant, pdf_tags=True,
                                   pdf_identifier=identifier, finisher=finisher)

        def briefkit() -> None:
            for item in items:
                exporter.export(item, context)

        works = {"briefkit": briefkit, "WeasyPrint alone": weasyprint_alone,
                 "WeasyPrint, a file identifier": lambda: weasyprint_alone(b"0123456789abcdef"),
                 "WeasyPrint, a file identifier, each stream compressed once":
                     lambda: weasyprint_alone(b"0123456789abcdef", compress_once)}
        for work in works.values():  # warm: WeasyPrint, the theme's fonts, first-use costs
            work()
        spent: dict[str, list[float]] = {name: [] for name in works}
        for _ in range(runs):
            for name, work in works.items():
                started = time.process_time()
                work()
                spent[name].append((time.process_time() - started) / len(items))
    alone = statistics.median(spent["WeasyPrint alone"])
    print(f"\n{count} briefings, warm, in one process; medians of {runs} rounds; CPU per PDF")
    print("| renderer | CPU per PDF (s) | ratio |\n|---|---:|---:|")
    for name, values in spent.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.3f} | {median / alone:.2f} |")
    print(f"\nload average after: {_load()}")


_IMPORT = """
import importlib, json, sys, time
import cffi, tinycss2
spent = {"cdef": 0.0, "dlopen": 0.0, "css": 0.0}
def timed(name, original):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started
    return wrapper
cffi.FFI.cdef = timed("cdef", cffi.FFI.cdef)
cffi.FFI.dlopen = timed("dlopen", cffi.FFI.dlopen)
for name in ("parse_stylesheet", "parse_stylesheet_bytes", "parse_blocks_contents",
             "parse_declaration_list", "parse_component_value_list"):
    setattr(tinycss2, name, timed("css", getattr(tinycss2, name)))
groups = json.loads(sys.argv[1])
for label, modules in groups:
    started = time.process_time()
    for module in modules:
        importlib.import_module(module)
    spent[label] = time.process_time() - started
print(json.dumps(spent))
"""
#: What WeasyPrint imports, one group at a time in a fresh process, then WeasyPrint itself.
_GROUPS = [("fontTools (subsetting)", ["fontTools.ttLib", "fontTools.subset"]),
           ("Pillow", ["PIL.Image"]),
           ("pydyf", ["pydyf"]),
           ("tinycss2, cssselect2, tinyhtml5", ["tinycss2", "cssselect2", "tinyhtml5"]),
           ("WeasyPrint's own modules", ["weasyprint"])]


def import_cost(runs: int) -> None:
    """Importing WeasyPrint in fresh processes: in all, by part, cffi's share."""
    print(f"load average before: {_load()}")
    found: dict[str, list[float]] = {}
    for _ in range(runs):
        spent = json.loads(subprocess.run([sys.executable, "-c", _IMPORT, json.dumps(_GROUPS)],
                                          check=True, capture_output=True, text=True).stdout)
        for name, seconds in spent.items():
            found.setdefault(name, []).append(seconds)
    total = sum(statistics.median(found[label]) for label, _ in _GROUPS)
    print(f"\nimport weasyprint, a fresh process, CPU, medians of {runs}")
    print("| part | CPU (s) | share |\n|---|---:|---:|")
    print(f"| all of it | {total:.3f} | 100% |")
    for label, _ in _GROUPS:
        median = statistics.median(found[label])
        print(f"| {label} | {median:.3f} | {median / total:.0%} |")
    for name, label in (("cdef", "of which cffi parsing C declarations (FFI.cdef)"),
                        ("dlopen", "of which opening Pango, HarfBuzz, fontconfig (FFI.dlopen)"),
                        ("css", "of which parsing the user-agent stylesheets (tinycss2)")):
        median = statistics.median(found[name])
        print(f"| {label} | {median:.3f} | {median / total:.0%} |")
    print(f"\nload average after: {_load()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("what", nargs="?", choices=["samples", "bare", "import"],
                        default="samples")
    parser.add_argument("--runs", type=int, default=5, help="warm renders, or rounds")
    parser.add_argument("--count", type=int, default=20, help="briefings for bare")
    parser.add_argument("--theme", action="append", help="theme(s) to time (default: all)")
    args = parser.parse_args()
    actions: dict[str, Any] = {"samples": lambda: samples(args.runs, args.theme),
                               "bare": lambda: bare(args.count, args.runs),
                               "import": lambda: import_cost(args.runs)}
    actions[args.what]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
