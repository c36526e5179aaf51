"""What WeasyPrint spends on a PNG picture in each PDF that shows it: the picture encoded
as PNG again, from its decoded pixels, every time a PDF is written, even when the decoded
picture is kept between renders.

    .venv/bin/python benchmarks/weasyprint_images.py --count 20 --repeat 5

One process writes ``--count`` PDFs of a short page showing one picture, with one
``FontConfiguration`` and one image cache (``HTML.render(cache=...)``) shared by every
render, as a program making many PDFs does.  Each round writes them three ways,
interleaved:

- ``no picture``: the same page without its picture;
- ``as installed``: the page with its picture;
- ``data kept``: the same, with the PNG data ``RasterImage.get_x_object`` makes kept from
  one PDF to the next (the change proposed upstream), here by wrapping
  ``RasterImage._get_png_data`` in a dictionary keyed by the digest of the picture's file;

for each picture: the samples' chart (1200 x 675, RGB) and the synthetic newsroom's (640 x
360).  CPU per PDF (medians of ``--repeat`` rounds), the share of it inside
``_get_png_data``, and whether the ``data kept`` PDFs are byte for byte those of ``as
installed``.  Nothing installed is modified.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Briefing</title>
<style>@page {{ size: A4; margin: 20mm }} body {{ font: 11pt/1.4 serif }}
img {{ width: 100% }}</style></head><body><h1>What we know about the night buses</h1>
{paragraphs}{picture}<p>Reporting by the newsroom.</p></body></html>"""
TEXT = "<p>" + "The new network runs six routes through the night, every half hour. " * 6 + "</p>"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def _pictures(folder: Path) -> dict[str, Path]:
    """The samples' chart, and a chart as the synthetic newsroom draws it."""
    from PIL import Image, ImageDraw

    chart = Image.new("RGB", (640, 360), (240, 240, 236))
    draw = ImageDraw.Draw(chart)
    for bar in range(8):
        height = 40 + bar * 37 % 280
        draw.rectangle((30 + bar * 75, 340 - height, 90 + bar * 75, 340), fill=(30, 80, 140))
    chart.save(folder / "chart-640.png")
    return {"samples' chart, 1200 x 675": ROOT / "source" / "images" / "night-bus-journeys.png",
            "newsroom's chart, 640 x 360": folder / "chart-640.png"}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="PDFs a round, each way")
    parser.add_argument("--repeat", type=int, default=5, help="rounds")
    args = parser.parse_args()

    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.images import RasterImage  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    installed = RasterImage._get_png_data
    inside = {"seconds": 0.0}

    def timed(function: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
        def wrapper(picture: Any) -> bytes:
            started = time.process_time()
            try:
                return function(picture)
            finally:
                inside["seconds"] += time.process_time() - started
        return wrapper

    kept: dict[tuple[str, tuple[int, int], str], bytes] = {}

    def keeping(picture: Any) -> bytes:
        # keyed by the file's bytes while the picture is not decoded yet (as WeasyPrint
        # opens it here), else by its pixels: WeasyPrint itself would key it by the
        # picture's place in its image cache, at no cost
        source = getattr(picture, "fp", None)
        found = source.getvalue() if isinstance(source, io.BytesIO) else picture.tobytes()
        key = (picture.mode, picture.size, hashlib.sha256(found).hexdigest())
        if key not in kept:
            kept[key] = installed(picture)
        return kept[key]

    print(f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}; "
          f"load average before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        folder = Path(tmp)
        fonts = FontConfiguration()
        for label, path in _pictures(folder).items():
            pages = {
                "no picture": PAGE.format(paragraphs=TEXT * 3, picture=""),
                "as installed": PAGE.format(paragraphs=TEXT * 3,
                                            picture=f'<img src="{path.as_uri()}" alt="">'),
            }
            pages["data kept"] = pages["as installed"]
            cache: dict[str, Any] = {}
            spent: dict[str, list[float]] = {name: [] for name in pages}
            shares: dict[str, list[float]] = {name: [] for name in pages}
            written: dict[str, set[str]] = {name: set() for name in pages}

            def write(name: str, page: str, cache: dict[str, Any] = cache,
                      written: dict[str, set[str]] = written) -> None:
                data = weasyprint.HTML(string=page).write_pdf(
                    font_config=fonts, cache=cache, pdf_identifier=b"same", uncompressed_pdf=False)
                written[name].add(hashlib.sha256(data).hexdigest())

            for name, page in pages.items():  # warm: fonts, stylesheets, the decoded picture
                RasterImage._get_png_data = staticmethod(keeping if name == "data kept" else installed)
                write(name, page)
            for round in range(args.repeat):
                order = list(pages) if round % 2 == 0 else list(pages)[::-1]
                for name in order:
                    function = keeping if name == "data kept" else installed
                    RasterImage._get_png_data = staticmethod(timed(function))
                    inside["seconds"] = 0.0
                    started = time.process_time()
                    for _ in range(args.count):
                        write(name, pages[name])
                    total = time.process_time() - started
                    spent[name].append(total / args.count)
                    shares[name].append(inside["seconds"] / args.count)
            RasterImage._get_png_data = staticmethod(installed)
            base = statistics.median(spent["no picture"])
            print(f"\n{label}: {args.count} PDFs a round, medians of {args.repeat} rounds\n")
            print("| PDFs | CPU per PDF (ms) | over no picture (ms) | in `_get_png_data` (ms) |")
            print("|---|---:|---:|---:|")
            for name in pages:
                per = statistics.median(spent[name])
                print(f"| {name} | {1000 * per:.1f} | {1000 * (per - base):.1f} "
                      f"| {1000 * statistics.median(shares[name]):.1f} |")
            same = written["as installed"] == written["data kept"] and len(written["data kept"]) == 1
            print(f"\n`data kept` PDFs byte for byte those `as installed`: {'yes' if same else 'NO'}")
    print(f"\nload average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
