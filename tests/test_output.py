"""The output folder: atomic writes, nothing outside it, reproducible archives."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefkit.engine.output import OutputFolder, safe_name, safe_names
from briefkit.errors import OutputError
from briefkit.reproducible import Deflated, deflated, normalise_zip, reproducible_time


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


#: What compression cannot shrink: an image and a web font, as their formats begin.
PICTURES = [("images/a.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, zipfile.ZIP_DEFLATED),
            ("images/b.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, zipfile.ZIP_STORED),
            ("fonts/c.woff2", b"wOF2" + bytes(range(256)) * 8, zipfile.ZIP_DEFLATED)]


def _raw(archive: bytes, name: str) -> bytes:
    """An entry's bytes as they are in the archive (compressed, if they are)."""
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    start = info.header_offset + 30
    start += int.from_bytes(archive[info.header_offset + 26:info.header_offset + 28], "little")
    start += int.from_bytes(archive[info.header_offset + 28:info.header_offset + 30], "little")
    return archive[start:start + info.compress_size]


def test_images_and_fonts_are_stored_and_the_rest_copied_as_deflated(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    moment = datetime(2020, 1, 8, 7, 0, tzinfo=UTC)
    given = _zip(ENTRIES + PICTURES, (2026, 11, 26, 21, 0, 0))
    once = normalise_zip(given, moment)
    assert once == normalise_zip(_zip(ENTRIES + PICTURES, (2025, 3, 1, 8, 30, 12)), moment)
    archive = zipfile.ZipFile(io.BytesIO(once))
    assert archive.testzip() is None
    assert {i.filename: i.compress_type for i in archive.infolist()} == {
        "mimetype": zipfile.ZIP_STORED, "META-INF/container.xml": zipfile.ZIP_DEFLATED,
        "a.xhtml": zipfile.ZIP_DEFLATED, "images/a.png": zipfile.ZIP_STORED,
        "images/b.jpg": zipfile.ZIP_STORED, "fonts/c.woff2": zipfile.ZIP_STORED}
    assert [archive.read(name) for name, _, _ in ENTRIES + PICTURES] == [
        data for _, data, _ in ENTRIES + PICTURES]
    assert not archive.infolist()[0].extra  # EPUB's mimetype: first, stored, no extra field
    # the text's compressed bytes are copied, not inflated and deflated again
    assert _raw(once, "a.xhtml") == _raw(given, "a.xhtml")
    assert normalise_zip(once, moment) is once


FACE = bytes(range(256)) * 40 + b"glyphs" * 500  # what a subset face is to zlib


def test_a_kept_entry_takes_its_stand_ins_place_as_the_library_would_have_written_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    moment = datetime(2020, 1, 8, 7, 0, tzinfo=UTC)
    whole = normalise_zip(_zip([*ENTRIES, ("fonts/face.ttf", FACE, zipfile.ZIP_DEFLATED)],
                               (2026, 11, 26, 21, 0, 0)), moment)
    entry = deflated(FACE)
    stand_in = _zip([*ENTRIES, ("fonts/face.ttf", entry.stand_in, zipfile.ZIP_DEFLATED)],
                    (2025, 3, 1, 8, 30, 12))
    replaced = normalise_zip(stand_in, moment, {"fonts/face.ttf": entry})
    assert replaced == whole  # the same bytes as the library deflating the face itself
    archive = zipfile.ZipFile(io.BytesIO(replaced))
    assert archive.testzip() is None and archive.read("fonts/face.ttf") == FACE
    with pytest.raises(ValueError, match="stand-in"):  # a mix-up is a bug, never an archive
        normalise_zip(stand_in, moment, {"a.xhtml": entry})
    with pytest.raises(ValueError, match="no entry"):
        normalise_zip(stand_in, moment, {"fonts/other.ttf": entry})


def test_a_kept_entry_is_handed_back_only_when_it_inflates_to_its_content() -> None:
    kept: dict[str, bytes] = {}
    made = []

    def keep(key: str, make: Callable[[], bytes], check: Callable[[bytes], bool]) -> bytes:
        if key in kept and check(kept[key]):
            return kept[key]
        made.append(key)
        kept[key] = make()
        return kept[key]

    first = deflated(FACE, keep)
    assert deflated(FACE, keep) == first and len(made) == 1  # deflated once
    (key,) = kept
    for damaged in (kept[key][:-9], kept[key][:8] + Deflated.of(b"another face").raw,
                    b"", bytes(8) + first.raw):
        kept[key] = damaged
        assert deflated(FACE, keep) == first  # made again
    assert len(made) == 5


def test_source_date_epoch_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert reproducible_time(datetime(2020, 1, 1, tzinfo=UTC)) == (2023, 11, 14, 22, 13, 20)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert reproducible_time(None) == (1980, 1, 1, 0, 0, 0)
    assert reproducible_time(datetime(1970, 1, 1, tzinfo=UTC)) == (1980, 1, 1, 0, 0, 0)


def test_writes_whole_files_and_leaves_no_temporary(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    written = folder.write("a/b.txt", b"hello")
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"hello"
    assert written.bytes == 5
    assert written.mtime_ns == (tmp_path / "a" / "b.txt").stat().st_mtime_ns
    assert folder.is_current("a/b.txt", 5, written.mtime_ns)
    (tmp_path / "a" / "b.txt").write_bytes(b"edited by hand")
    assert not folder.is_current("a/b.txt", 5, written.mtime_ns)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]


@pytest.mark.parametrize("name", ["../briefkit.toml", "/etc/passwd", "a/../../x", "a//b",
                                  "./a", "a/./b", "a\\b", "x\0y", "", "..", "a/.."])
def test_a_name_leading_outside_is_never_written_nor_removed(tmp_path: Path, name: str) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    victim = tmp_path / "briefkit.toml"
    victim.write_text("keep me", "utf-8")
    assert safe_name(name) is None
    with pytest.raises(OutputError):
        OutputFolder(dist).write(name, b"x")
    OutputFolder(dist).remove([name, "../briefkit.toml"])
    assert victim.read_text("utf-8") == "keep me"


def test_a_list_of_names_is_safe_only_when_every_one_is() -> None:
    fonts = ["theme/fonts/a.woff2", "theme/fonts/b.woff2"]
    assert safe_names(fonts) and safe_names(fonts)  # the second time from memory
    assert safe_names([]) and safe_names(())
    assert not safe_names([*fonts, "../briefkit.toml"])
    assert not safe_names([*fonts, 7]) and not safe_names([*fonts, ["a"]])
    assert not safe_names([*fonts, None])


def test_a_folder_inside_replaced_by_a_link_leading_out_is_not_followed(tmp_path: Path) -> None:
    dist, outside = tmp_path / "dist", tmp_path / "outside"
    dist.mkdir()
    outside.mkdir()
    (outside / "a.png").write_bytes(b"not ours")
    (dist / "images").symlink_to(outside)
    with pytest.raises(OutputError, match="leads outside"):
        OutputFolder(dist).write("images/a.png", b"x")
    OutputFolder(dist).remove(["images/a.png"])
    assert (outside / "a.png").read_bytes() == b"not ours"


def test_removing_takes_empty_folders_with_it(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    folder.write("images/x/a.png", b"png")
    folder.write("y.html", b"y")
    folder.remove(["images/x/a.png", "not-there.pdf"])
    assert not (tmp_path / "images").exists()  # empty folders go too
    assert (tmp_path / "y.html").is_file()


def test_temporary_files_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    (tmp_path / "images" / "x").mkdir(parents=True)
    stale = [tmp_path / ".x.pdf.k2j3.part", tmp_path / "images" / "x" / ".a.png.9f8e.part"]
    for path in stale:
        path.write_bytes(b"half a file")
    keep = tmp_path / "notes.part"  # not one of ours: not hidden
    keep.write_bytes(b"")
    OutputFolder(tmp_path).prepare()
    assert not any(p.exists() for p in stale)
    assert keep.exists()
