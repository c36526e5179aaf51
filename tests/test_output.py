"""The output folder: atomic writes, reproducible archives, the manifest and the lock."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefkit.errors import OutputError
from briefkit.output import LOCK, MANIFEST, Output, normalise_zip, publish, reproducible_time


def _zip(entries: list[tuple[str, bytes, int]], when: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


ENTRIES = [("mimetype", b"application/epub+zip", zipfile.ZIP_STORED),
           ("META-INF/container.xml", b"<container/>" * 20, zipfile.ZIP_DEFLATED),
           ("a.xhtml", b"<html/>" * 50, zipfile.ZIP_DEFLATED)]


def test_zips_made_at_different_times_become_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    moment = datetime(2020, 1, 8, 7, 0, tzinfo=UTC)
    first = normalise_zip(_zip(ENTRIES, (2026, 11, 26, 21, 0, 0)), moment)
    second = normalise_zip(_zip(ENTRIES, (2025, 3, 1, 8, 30, 12)), moment)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert [i.filename for i in archive.infolist()] == [name for name, _, _ in ENTRIES]
    assert archive.infolist()[0].compress_type == zipfile.ZIP_STORED  # EPUB's mimetype
    assert {i.date_time for i in archive.infolist()} == {(2020, 1, 8, 7, 0, 0)}
    assert archive.read("a.xhtml") == b"<html/>" * 50


def test_a_normalised_zip_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    moment = datetime(2020, 1, 8, 7, 0, 7, tzinfo=UTC)  # odd second: ZIP keeps 6
    once = normalise_zip(_zip(ENTRIES, (2026, 11, 26, 21, 0, 0)), moment)
    assert normalise_zip(once, moment) is once  # no second recompression
    other = datetime(2021, 5, 1, tzinfo=UTC)
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(normalise_zip(once, other))).infolist()} \
        == {(2021, 5, 1, 0, 0, 0)}


def test_source_date_epoch_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert reproducible_time(datetime(2020, 1, 1, tzinfo=UTC)) == (2023, 11, 14, 22, 13, 20)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert reproducible_time(None) == (1980, 1, 1, 0, 0, 0)
    assert reproducible_time(datetime(1970, 1, 1, tzinfo=UTC)) == (1980, 1, 1, 0, 0, 0)


def test_publish_writes_whole_files_and_leaves_no_temporary(tmp_path: Path) -> None:
    record = publish(tmp_path, "a/b.txt", b"hello", format="txt", media_type="text/plain",
                     briefing="b", key="k")
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"hello"
    assert record.bytes == 5 and record.key == "k"
    assert record.mtime_ns == (tmp_path / "a" / "b.txt").stat().st_mtime_ns
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]


def test_manifest_round_trip_and_change_detection(tmp_path: Path) -> None:
    with Output(tmp_path) as output:
        output.write("x.html", b"<p>x</p>", format="html", media_type="text/html", briefing="x",
                     key="k1")
        output.sources["x.json"] = {"id": "x", "sha256": "s"}
        output.save()
    listed = json.loads((tmp_path / MANIFEST).read_text("utf-8"))
    assert listed["outputs"][0]["path"] == "x.html"
    assert listed["outputs"][0]["key"] == "k1"
    assert listed["sources"]["x.json"]["id"] == "x"
    with Output(tmp_path) as again:
        record = again.records["x.html"]
        assert again.is_current(record)
        (tmp_path / "x.html").write_bytes(b"<p>edited by hand</p>")
        assert not again.is_current(record)
        (tmp_path / "x.html").unlink()
        assert not again.is_current(record)


def test_a_damaged_manifest_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text('{"outputs": [{"path": 3', "utf-8")
    with Output(tmp_path) as output:
        assert output.records == {}
        output.save()
    assert json.loads((tmp_path / MANIFEST).read_text("utf-8"))["outputs"] == []


def test_removed_outputs_leave_the_manifest_before_the_disk(tmp_path: Path) -> None:
    with Output(tmp_path) as output:
        output.write("images/x/a.png", b"png", format="image", media_type="image/png",
                     briefing="x")
        output.write("y.html", b"y", format="html", media_type="text/html", briefing="y")
        assert output.remove(["images/x/a.png", "not-there.pdf"]) == ["images/x/a.png"]
    listed = json.loads((tmp_path / MANIFEST).read_text("utf-8"))
    assert [o["path"] for o in listed["outputs"]] == ["y.html"]
    assert not (tmp_path / "images").exists()  # empty folders go too
    assert (tmp_path / "y.html").is_file()


def test_a_second_run_is_refused_while_the_first_holds_the_folder(tmp_path: Path) -> None:
    first = Output(tmp_path)
    first.lock()
    try:
        with pytest.raises(OutputError, match=r"another 'briefkit export' \(process \d+\) is "
                                              r"writing here"):
            Output(tmp_path).lock()
    finally:
        first.unlock()
    with Output(tmp_path):  # free again
        pass
    assert (tmp_path / LOCK).exists()


def test_temporary_files_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    (tmp_path / "images" / "x").mkdir(parents=True)
    stale = [tmp_path / ".x.pdf.k2j3.part", tmp_path / "images" / "x" / ".a.png.9f8e.part"]
    for path in stale:
        path.write_bytes(b"half a file")
    keep = tmp_path / "notes.part"  # not one of ours: not hidden
    keep.write_bytes(b"")
    with Output(tmp_path):
        pass
    assert not any(p.exists() for p in stale)
    assert keep.exists()
