"""Where the test briefings are, and newsroom folders made from them.

A newsroom is a folder like the repository's: ``briefkit.toml`` and ``source/``.
The repository's two samples are in ``source/``; the test briefings (every block,
right-to-left, hostile corners) are in ``tests/fixtures/``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
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


#: Where an exporters' cache warmed by one export of every test briefing in every format
#: is, made when first asked for (set by conftest.py for the test run): a new newsroom
#: starts with a copy in its state folder, so its runs do not make the theme's web fonts
#: and Word font subsets again.  Its entries are sealed with their keys and checked on
#: use, so a copy changes no output.
WARM_CACHE: Callable[[], Path] | None = None


def warm(folder: Path) -> Path:
    """``folder``'s state folder given a copy of the warmed cache (when there is one)."""
    if WARM_CACHE is not None:
        shutil.copytree(WARM_CACHE(), folder / ".briefkit" / "cache", dirs_exist_ok=True)
    return folder


def empty_newsroom(folder: Path, cold: bool = False) -> Path:
    """``folder`` made a newsroom with the repository's settings and an empty ``source/``;
    its exporters' cache warmed (:data:`WARM_CACHE`) unless ``cold``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    (folder / "source").mkdir()
    return folder if cold else warm(folder)


def make_newsroom(folder: Path, copies: int = 3, cold: bool = False) -> Path:
    """``folder`` made a newsroom like the repository's (its settings, both samples), with
    ``copies`` more briefings made from the English sample; its exporters' cache warmed
    (:data:`WARM_CACHE`) unless ``cold``: a test about the cache, or about what a run
    makes from nothing, asks for it ``cold``."""
    folder.mkdir(parents=True, exist_ok=True)
    if not cold:
        warm(folder)
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    shutil.copytree(SAMPLES, folder / "source")
    template = json.loads((SAMPLES / f"{ENGLISH}.json").read_text("utf-8"))
    for n in range(copies):
        data = {**template, "id": f"copy-{n}", "title": f"Copy {n}", "url": None}
        data = {k: v for k, v in data.items() if v is not None}
        (folder / "source" / f"copy-{n}.json").write_text(json.dumps(data), "utf-8")
    return folder


def full_newsroom(folder: Path, cold: bool = False) -> Path:
    """A newsroom holding both samples and every test briefing of tests/fixtures/ (its
    exporters' cache warmed unless ``cold``)."""
    make_newsroom(folder, copies=0, cold=cold)
    shutil.copytree(FIXTURES / "images", folder / "source" / "images", dirs_exist_ok=True)
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, folder / "source" / path.name)
    return folder


def copy_newsroom(exported: Path, folder: Path) -> Path:
    """A copy of an exported newsroom, its state and dist/ as the export left them (links
    copied as links), for a test to change without touching the module's export."""
    shutil.copytree(exported, folder / "room", symlinks=True)
    return folder / "room"
