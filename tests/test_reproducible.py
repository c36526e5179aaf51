"""Two runs, in two folders, at two times, in two time zones, give byte-identical outputs.

Partners compare checksums of what they receive, so every installed format is checked:
with SOURCE_DATE_EPOCH set, and without it (the briefings' own dates then serve).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.commands import run_briefkit
from support.newsrooms import make_newsroom

from briefkit import registry

EPOCH = 1_700_000_000


def export_somewhere(newsroom: Path, folder: Path, env: dict[str, str]) -> Path:
    """The newsroom copied to ``folder`` and exported there; the copy."""
    room = folder / "newsroom"
    shutil.copytree(newsroom, room)
    result = run_briefkit("export", "--all", "--quiet", cwd=room, env=env)
    assert result.returncode == 0, result.stderr
    return room


def checksums(room: Path) -> dict[str, str]:
    dist = room / "dist"
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in dist.rglob("*") if p.is_file() and not p.name.startswith(".")
            and p.name != "manifest.json"}


@pytest.fixture(scope="module", params=["SOURCE_DATE_EPOCH", "briefing dates"])
def two_rooms(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[bool, Path, Path]:
    """Whether SOURCE_DATE_EPOCH was set, and the two newsrooms exported."""
    epoch = {"SOURCE_DATE_EPOCH": str(EPOCH)} if request.param == "SOURCE_DATE_EPOCH" else {}
    # With SOURCE_DATE_EPOCH, cold: each run makes its web fonts and Word subsets itself, and
    # they must agree too.  With the briefings' dates, both start from the same warmed cache:
    # what differs there is the dates, and fonts do not depend on them.
    newsroom = make_newsroom(tmp_path_factory.mktemp("newsroom"), copies=1, cold=bool(epoch))
    first = export_somewhere(newsroom, tmp_path_factory.mktemp("machine-a"),
                             {**epoch, "TZ": "Europe/Paris", "LANG": "fr_FR.UTF-8"})
    time.sleep(1.1)  # a second later: any "now" inside a file would show
    second = export_somewhere(newsroom, tmp_path_factory.mktemp("another-machine-b"),
                              {**epoch, "TZ": "America/Los_Angeles", "LANG": "C.UTF-8"})
    return bool(epoch), first, second


@pytest.fixture(scope="module")
def two_runs(two_rooms: tuple[bool, Path, Path]) -> tuple[dict[str, str], dict[str, str]]:
    _, first, second = two_rooms
    return checksums(first), checksums(second)


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


def _entries(path: Path) -> list[tuple[str, tuple[int, ...], int, int, int]]:
    """A zip's entries as the standard library reads them: name, time, CRC, attributes."""
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.date_time, i.CRC, i.external_attr, i.create_system)
                for i in archive.infolist()]


def _zip_time(moment: datetime) -> tuple[int, ...]:
    """A moment as a zip entry holds it: UTC, to the even second below."""
    utc = moment.astimezone(UTC)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second - utc.second % 2)


def test_zip_entries_carry_fixed_times_and_attributes(two_rooms: tuple[bool, Path, Path]) -> None:
    """Read by zipfile, not by the code that normalises: two runs a second apart can fall
    in the same two-second step of a zip time, so equal bytes alone would not show "now"."""
    with_epoch, first, second = two_rooms
    zips = sorted(p.name for p in (first / "dist").iterdir() if p.suffix in (".docx", ".epub"))
    assert len(zips) == 6, zips  # DOCX and EPUB of both samples and the copy
    for name in zips:
        entries = _entries(first / "dist" / name)
        assert entries == _entries(second / "dist" / name), name
        if with_epoch:
            when = datetime.fromtimestamp(EPOCH, UTC)
        else:
            data = json.loads((first / "source" / f"{Path(name).stem}.json").read_text("utf-8"))
            when = datetime.fromisoformat(data.get("updated") or data["published"])
        assert {e[1] for e in entries} == {_zip_time(when)}, name
        assert len({(e[3], e[4]) for e in entries}) == 1, f"{name}: entries differ in attributes"


def test_images_are_stored_and_the_rest_deflated(two_rooms: tuple[bool, Path, Path]) -> None:
    """Deflating a PNG or a JPEG again buys next to nothing: the Word documents and the
    e-books store their images (the e-book's mimetype too, first, as EPUB requires) and
    deflate the rest, text and embedded fonts."""
    _, first, _ = two_rooms
    pictures = 0
    for path in sorted(p for p in (first / "dist").iterdir() if p.suffix in (".docx", ".epub")):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path.name
            infos = archive.infolist()
            methods = {i.filename: i.compress_type for i in infos}
            images = [n for n in methods if n.endswith((".png", ".jpg", ".jpeg", ".gif"))]
            pictures += len(images)
            assert {methods[n] for n in images} <= {zipfile.ZIP_STORED}, path.name
            rest = [n for n in methods if n not in images and n != "mimetype"]
            assert {methods[n] for n in rest} == {zipfile.ZIP_DEFLATED}, path.name
            if path.suffix == ".epub":
                assert infos[0].filename == "mimetype"
                assert infos[0].compress_type == zipfile.ZIP_STORED and not infos[0].extra
    assert pictures >= 6  # the English sample's picture and every e-book's cover
