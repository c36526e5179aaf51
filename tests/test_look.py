"""`make look` (scripts/look): every format drawn as page images, one contact sheet per
briefing, and the look briefings of tests/fixtures/look/ it draws. The images are read back
with Pillow; what is on them is for people to judge."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FIXTURES, ROOT

LOOK = ROOT / "scripts" / "look"
LOOK_BRIEFINGS = FIXTURES / "look"


def look(*args: str, out: Path, timeout: float = 280) -> subprocess.CompletedProcess[str]:
    """Run scripts/look as `make look` does, its images going to ``out``."""
    return subprocess.run([sys.executable, str(LOOK), *args, "--out", str(out)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def inked(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The share of the pixels in ``box`` that are not (nearly) white."""
    grey = image.crop(box).convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[240:]) / max(1, grey.width * grey.height)


def test_the_look_briefings_are_valid(newsroom: Path) -> None:
    briefings = sorted(LOOK_BRIEFINGS.glob("*.json"))
    assert [p.stem for p in briefings] == ["arabic-power-outage", "special-characters",
                                           "water-shortage-long"]
    for path in briefings:
        shutil.copy(path, newsroom / "source" / path.name)
    shutil.copytree(FIXTURES / "images", newsroom / "source" / "images", dirs_exist_ok=True)
    done = run_briefkit("validate", cwd=newsroom)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5 valid, 0 invalid"


def test_the_long_briefing_is_what_make_long_writes() -> None:
    made = runpy.run_path(str(LOOK_BRIEFINGS / "make_long.py"))["briefing"]()
    written = json.loads((LOOK_BRIEFINGS / "water-shortage-long.json").read_text("utf-8"))
    assert made == written
    blocks = [b["type"] for s in written["sections"] for b in s.get("blocks", [])]
    assert {"paragraph", "list", "quote", "table", "image", "timeline", "factbox"} <= set(blocks)
    assert len(blocks) > 200  # long enough for about 40 PDF pages


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="Debian package poppler-utils needed")
def test_look_draws_a_contact_sheet_of_the_pdf_pages(tmp_path: Path) -> None:
    done = look("--briefing", ENGLISH, "--theme", "default", "--formats", "pdf", out=tmp_path)
    assert done.returncode == 0, done.stderr
    sheet = tmp_path / "default" / f"{ENGLISH}.png"
    assert str(sheet) in done.stdout  # it says where the sheet is
    pages = sorted((tmp_path / "default" / ENGLISH).glob("pdf-*.png"))
    assert len(pages) >= 2
    for page in pages:
        with Image.open(page) as image:
            assert image.format == "PNG"
            # an A4 page at 60 dpi: 496 by 702 pixels
            assert abs(image.width - 496) <= 2 and abs(image.height - 702) <= 2
    cells = json.loads(sheet.with_suffix(".json").read_text("utf-8"))["cells"]
    assert [c["image"] for c in cells] == [f"{ENGLISH}/{p.name}" for p in pages]
    with Image.open(sheet) as image:
        image.load()
        assert image.format == "PNG"
        # each thumbnail shows a page with something on it: text, the chart, rules
        assert all(inked(image, tuple(c["box"])) > 0.02 for c in cells), cells
        # and the sheet is not one picture repeated
        assert len({image.crop(tuple(c["box"])).tobytes() for c in cells}) == len(cells)
    assert (tmp_path / "index.html").read_text("utf-8").count(f"default/{ENGLISH}/pdf-") \
        == len(pages)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(any(shutil.which(t) is None for t in
                        ("pdftoppm", "soffice", "chromium", "newsboat", "tmux")),
                    reason="needs `make system-full`: poppler, LibreOffice, Chromium, newsboat, tmux")
def test_look_draws_every_format_of_a_briefing_in_both_themes(tmp_path: Path) -> None:
    briefing = "arabic-power-outage"
    done = look("--briefing", briefing, out=tmp_path, timeout=1100)
    assert done.returncode == 0, done.stderr
    for theme in ("default", "wire"):
        folder = tmp_path / theme / briefing
        kinds = {
            "PDF pages": "pdf-*.png", "Word pages in LibreOffice": "docx-*.png",
            "web page at 390 px": "web-390.png", "web page at 1280 px": "web-1280.png",
            "e-book cover": "epub-cover.*", "e-book documents at 390 px": "epub-*-390.png",
            "e-book documents at 1280 px": "epub-*-1280.png",
            "RSS in newsboat": "rss-*.png", "Atom in newsboat": "atom-*.png",
            "e-mail at 375 px": "email-375.png", "e-mail at 600 px": "email-600.png",
        }
        for kind, pattern in kinds.items():
            found = sorted(folder.glob(pattern))
            assert found, f"{theme}: no {kind}"
            for path in found:
                with Image.open(path) as image:
                    image.load()
                    if pattern.endswith(("-390.png", "-1280.png", "-375.png", "-600.png")):
                        assert image.width == int(pattern.rsplit("-", 1)[1][:-4])
                        assert image.height > 600  # the whole page, not one window
        front = tmp_path / theme / "index"
        for name in ("front-page-390.png", "front-page-1280.png", "rss-list.png",
                     "atom-list.png", "digest-375.png", "digest-600.png"):
            assert (front / name).is_file(), f"{theme}: no {name}"
        for sheet in (tmp_path / theme / f"{briefing}.png", tmp_path / theme / "index.png"):
            with Image.open(sheet) as image:
                image.load()
            labels = [c["label"] for c in
                      json.loads(sheet.with_suffix(".json").read_text("utf-8"))["cells"]]
            assert labels, sheet
        page = (tmp_path / "index.html").read_text("utf-8")
        assert f"{theme}/{briefing}.png" in page and f"{theme}/index.png" in page
