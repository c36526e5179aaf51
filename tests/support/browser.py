"""Pages measured in headless Chromium, as a reader's browser or mail client lays them out.

A headless window is never narrower than 500 px, so each page is shown in a frame of
the width asked for, inside one harness page: one Chromium start measures every page
at every width.
"""

from __future__ import annotations

import html
import json
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import lxml.html


def page_widths(pages: Sequence[tuple[Path, int]]) -> list[tuple[int, int]]:
    """(the page's scroll width, its viewport's width) of each (page, width), as Chromium
    shows the page in a frame ``width`` pixels wide.  The pages must share a folder."""
    folder = pages[0][0].parent
    frames = "".join(
        f'<iframe src="{html.escape(page.name)}" style="display:block;width:{width}px;'
        f'height:900px;border:0"></iframe>' for page, width in pages)
    harness = folder / "harness-widths.html"
    harness.write_text(
        f'<!DOCTYPE html><body style="margin:0">{frames}<script>'
        # the window's load waits for every frame's: none is measured before it is laid out
        "window.addEventListener('load', function () {"
        " document.title = JSON.stringify(Array.from(document.querySelectorAll('iframe'),"
        " function (frame) { var d = frame.contentDocument.documentElement;"
        " return [d.scrollWidth, d.clientWidth]; })); });"
        "</script>", "utf-8")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--allow-file-access-from-files", f"--user-data-dir={profile}",
             "--window-size=1400,900", "--virtual-time-budget=10000", "--dump-dom",
             harness.as_uri()],
            check=True, capture_output=True, text=True, timeout=180,
        )
    title = lxml.html.document_fromstring(done.stdout).findtext(".//title") or "null"
    found = json.loads(title)
    assert isinstance(found, list) and len(found) == len(pages), title
    return [(int(scroll), int(inner)) for scroll, inner in found]
