"""Two runs, in two folders, at two times, in two time zones, give byte-identical outputs.

Partners compare checksums of what they receive, so every installed format is checked:
with SOURCE_DATE_EPOCH set, and without it (the briefings' own dates then serve).
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest
from conftest import run_briefkit
from test_build import make_newsroom

from briefkit import registry


def export_somewhere(newsroom: Path, folder: Path, env: dict[str, str]) -> dict[str, str]:
    room = folder / "newsroom"
    shutil.copytree(newsroom, room)
    result = run_briefkit("export", "--all", "--quiet", cwd=room, env=env)
    assert result.returncode == 0, result.stderr
    dist = room / "dist"
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in dist.rglob("*") if p.is_file() and not p.name.startswith(".")
            and p.name != "manifest.json"}


@pytest.fixture(scope="module", params=["SOURCE_DATE_EPOCH", "briefing dates"])
def two_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[dict[str, str], dict[str, str]]:
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"} if request.param == "SOURCE_DATE_EPOCH" else {}
    newsroom = make_newsroom(tmp_path_factory.mktemp("newsroom"), copies=1)
    first = export_somewhere(newsroom, tmp_path_factory.mktemp("machine-a"),
                             {**epoch, "TZ": "Europe/Paris", "LANG": "fr_FR.UTF-8"})
    time.sleep(1.1)  # a second later: any "now" inside a file would show
    second = export_somewhere(newsroom, tmp_path_factory.mktemp("another-machine-b"),
                              {**epoch, "TZ": "America/Los_Angeles", "LANG": "C.UTF-8"})
    return first, second


@pytest.mark.parametrize("name", registry.names())
def test_every_format_is_byte_identical_across_runs(
        name: str, two_runs: tuple[dict[str, str], dict[str, str]]) -> None:
    first, second = two_runs
    exporter = registry.get(name)
    if exporter.collection:
        files = [exporter.filename()]
    else:
        collections = {registry.get(n).filename() for n in registry.names()
                       if registry.get(n).collection}  # the front page ends in .html too
        files = [f for f in first if f.endswith(exporter.extension) and "/" not in f
                 and f not in collections]
        assert len(files) == 3, first  # both samples and the copy
    for file in files:
        assert file in first and file in second
        assert first[file] == second[file], f"{file} differs between two runs"


def test_published_images_are_identical_too(
        two_runs: tuple[dict[str, str], dict[str, str]]) -> None:
    first, second = two_runs
    images = {f for f in first if f.startswith("images/")}
    assert images and {f: first[f] for f in images} == {f: second[f] for f in images}
    assert set(first) == set(second)
