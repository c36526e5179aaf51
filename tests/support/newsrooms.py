"""Where the test briefings are, and newsroom folders made from them.

A newsroom is a folder like the repository's: ``briefkit.toml`` and ``source/``.
The repository's two samples are in ``source/``; the test briefings (every block,
right-to-left, hostile corners) are in ``tests/fixtures/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.load import load

if TYPE_CHECKING:
    from briefkit.briefing_file import BriefingFile

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = ROOT / "source"

FRENCH = "iran-frappes-bases-americaines-irak"
ENGLISH = "night-bus-network"


def fixture(name: str) -> BriefingFile:
    """A test briefing from tests/fixtures/ ('every-block', 'rtl-arabic')."""
    return load(FIXTURES / f"{name}.json", FIXTURES)


def sample(name: str) -> BriefingFile:
    """A sample briefing from source/ ('iran-frappes-bases-americaines-irak', 'night-bus-network')."""
    return load(SAMPLES / f"{name}.json", SAMPLES)


def empty_newsroom(folder: Path) -> Path:
    """``folder`` made a newsroom with the repository's settings and an empty ``source/``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    (folder / "source").mkdir()
    return folder


def make_newsroom(folder: Path, copies: int = 3) -> Path:
    """``folder`` made a newsroom like the repository's (its settings, both samples), with
    ``copies`` more briefings made from the English sample."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    shutil.copytree(SAMPLES, folder / "source")
    template = json.loads((SAMPLES / f"{ENGLISH}.json").read_text("utf-8"))
    for n in range(copies):
        data = {**template, "id": f"copy-{n}", "title": f"Copy {n}", "url": None}
        data = {k: v for k, v in data.items() if v is not None}
        (folder / "source" / f"copy-{n}.json").write_text(json.dumps(data), "utf-8")
    return folder


def full_newsroom(folder: Path) -> Path:
    """A newsroom holding both samples and every test briefing of tests/fixtures/."""
    make_newsroom(folder, copies=0)
    shutil.copytree(FIXTURES / "images", folder / "source" / "images", dirs_exist_ok=True)
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, folder / "source" / path.name)
    return folder


def copy_newsroom(exported: Path, folder: Path) -> Path:
    """A copy of an exported newsroom, its state and dist/ as the export left them (links
    copied as links), for a test to change without touching the module's export."""
    shutil.copytree(exported, folder / "room", symlinks=True)
    return folder / "room"
