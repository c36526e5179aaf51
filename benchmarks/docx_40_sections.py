"""How long the Word export of a long briefing takes.

Builds, in memory, a briefing of 40 sections, each with a paragraph carrying
inline markup and a link, a list, a quote, a table, a timeline and a factbox,
and the English sample's chart every fifth section; then times the DOCX export
(python-docx building and saving the document, nothing written to disk).

    .venv/bin/python benchmarks/docx_40_sections.py [--sections 40] [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from briefkit.config import load_settings
from briefkit.exporters.base import Context
from briefkit.exporters.docx import DocxExporter
from briefkit.load import load
from briefkit.model import Briefing
from briefkit.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source" / "night-bus-network.json"


def section(n: int, image: str | None) -> dict[str, Any]:
    """Section ``n``: several block types, with inline markup."""
    blocks: list[dict[str, Any]] = [
        {"type": "paragraph", "text": (
            f"Section {n} opens with **strong words**, *an emphasis* and "
            f"[a link to the report](https://example.org/report/{n}). " * 3).strip()},
        {"type": "list", "ordered": n % 2 == 0,
         "items": [f"Point {i} of section {n}, with *emphasis*" for i in range(1, 5)]},
        {"type": "quote", "text": f"A quotation from a witness in section {n}, long enough "
                                  "to run onto a second line.", "attribution": "A. Witness"},
        {"type": "table", "caption": f"Figures for section {n}",
         "header": ["Route", "From", "To", "Every"],
         "rows": [[f"N{i}", "City Centre", "Airport", f"{10 * i} min"] for i in range(1, 7)]},
        {"type": "timeline", "events": [
            {"when": f"{d} March 2020", "text": f"Event {d} of section {n}"} for d in (1, 8, 15)]},
        {"type": "factbox", "title": "In numbers",
         "items": [f"{n * 3} drivers", "£1.4m budget", "Review in July"]},
    ]
    if image:
        blocks.insert(1, {"type": "image", "src": image, "alt": "A bar chart.",
                          "caption": "Journeys per week.", "credit": "Riverton Council"})
    return {"heading": f"Question number {n}: what happens next?", "blocks": blocks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    item = load(SAMPLE, SAMPLE.parent)
    image = next(iter(item.assets))
    data = item.briefing.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["sections"] = [section(n, image if n % 5 == 0 else None)
                        for n in range(1, args.sections + 1)]
    long = replace(item, briefing=Briefing.model_validate_json(
        Briefing.model_validate(data, strict=False).model_dump_json(by_alias=True)))
    context = Context(load_settings(ROOT), load_theme("default", ROOT))
    exporter = DocxExporter()

    started = time.perf_counter()
    size = len(exporter.export(long, context))  # the first run pays for imports
    first = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        exporter.export(long, context)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    blocks = sum(len(s.blocks) for s in long.briefing.sections)
    # CPU time too: on a busy machine the wall clock says more about the neighbours
    print(f"DOCX, {args.sections} sections, {blocks} blocks, {size / 1024:.0f} KiB: "
          f"first {first * 1000:.0f} ms (imports included), then median "
          f"{statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms, "
          f"median CPU {statistics.median(cpu) * 1000:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
