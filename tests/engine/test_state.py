"""The run state in .briefkit/: the lock, the manifest, and state that was tampered with."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from briefkit.engine.state import LOCK, STATE, Record, State
from briefkit.errors import OutputError


def manifest(root: Path) -> Path:
    return root / STATE / "manifests" / "dist.json"


def test_manifest_round_trip(tmp_path: Path) -> None:
    with State(tmp_path, tmp_path / "dist") as state:
        state.add(Record("x.html", "html", "x", 8, "s" * 64, "text/html", "k1",
                         files=("images/x/a-0123456789.png",)))
        state.sources["x.json"] = {"id": "x", "sha256": "s"}
        state.save()
    listed = json.loads(manifest(tmp_path).read_text("utf-8"))
    assert listed["outputs"][0]["path"] == "x.html"
    assert listed["outputs"][0]["key"] == "k1"
    assert listed["sources"]["x.json"]["id"] == "x"
    with State(tmp_path, tmp_path / "dist") as again:
        assert again.records["x.html"].files == ("images/x/a-0123456789.png",)
        assert not again.warnings


def test_interim_saves_write_what_a_whole_save_does(tmp_path: Path) -> None:
    # a save during a run encodes only the records changed since the last; read back, its
    # manifest holds every record as it is now, and the run's last save is a whole one
    def record(n: int, seconds: float = 0.0, *files: str) -> Record:
        return Record(f"b{n}.html", "html", f"b{n}", n, "s" * 64, "text/html", f"k{n}",
                      seconds=seconds, files=files, cache=("c" * 64,) if n % 2 else ())

    with State(tmp_path, tmp_path / "dist") as state:
        for n in range(4):
            state.add(record(n, 0.0, "theme/fonts/a.woff2"))
        state.save(interim=True)
        state.add(record(1, 2.5, "theme/fonts/b.woff2"))  # changed: its names change too
        state.drop(["b2.html"])
        state.add(record(7, 1.0, "images/b7/x-0123456789.png", "theme/fonts/a.woff2"))
        state.save(interim=True)
        interim = manifest(tmp_path).read_bytes()
        records = dict(state.records)
        state.changed = True
        state.save()
        whole = manifest(tmp_path).read_bytes()
    assert json.loads(interim)["outputs"] != json.loads(whole)["outputs"]  # numbered as then
    for saved in (interim, whole):
        manifest(tmp_path).write_bytes(saved)
        with State(tmp_path, tmp_path / "dist") as again:
            assert again.records == records


def test_another_output_folder_has_its_own_manifest(tmp_path: Path) -> None:
    for out in ("dist", "public/site"):
        with State(tmp_path, tmp_path / out) as state:
            state.add(Record(f"{out[0]}.html", "html", "x", 1, "s", "text/html"))
            state.save()
    assert {p.name for p in (tmp_path / STATE / "manifests").iterdir()} == {
        "dist.json", "public%2Fsite.json"}


def test_a_damaged_manifest_is_rebuilt(tmp_path: Path) -> None:
    manifest(tmp_path).parent.mkdir(parents=True)
    manifest(tmp_path).write_text('{"outputs": [{"path": 3', "utf-8")
    with State(tmp_path, tmp_path / "dist") as state:
        assert state.records == {}
        state.save()
    assert json.loads(manifest(tmp_path).read_text("utf-8"))["outputs"] == []


@pytest.mark.parametrize("path", ["../briefkit.toml", "images/x/../../../source/a.json",
                                  "/etc/passwd", "a/./b", 3, None])
def test_a_record_naming_a_path_outside_is_dropped_with_a_warning(tmp_path: Path,
                                                                 path: object) -> None:
    manifest(tmp_path).parent.mkdir(parents=True)
    entries = [{"path": path, "format": "html", "briefing": "a", "bytes": 1, "sha256": "s",
                "media_type": "text/html"},
               {"path": "ok.html", "format": "html", "briefing": "b", "bytes": 1,
                "sha256": "s", "media_type": "text/html", "files": ["../x"]},
               {"path": "good.html", "format": "html", "briefing": "c", "bytes": 1,
                "sha256": "s", "media_type": "text/html"}]
    manifest(tmp_path).write_text(json.dumps({"outputs": entries}), "utf-8")
    with State(tmp_path, tmp_path / "dist") as state:
        assert list(state.records) == ["good.html"]
        assert len(state.warnings) == 2 and "ignored the record" in state.warnings[0]


def test_a_second_run_is_refused_while_the_first_holds_the_project(tmp_path: Path) -> None:
    first = State(tmp_path, tmp_path / "dist")
    first.lock()
    try:
        with pytest.raises(OutputError, match=r"another briefkit run \(process \d+\) is "
                                              r"working in this project"):
            State(tmp_path, tmp_path / "other").lock()
    finally:
        first.unlock()
    with State(tmp_path, tmp_path / "dist"):  # free again
        pass
    assert (tmp_path / STATE / LOCK).exists()


def test_a_lock_replaced_by_a_link_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "briefkit.toml"
    victim.write_text("title = 'keep me'\n", "utf-8")
    (tmp_path / STATE).mkdir()
    (tmp_path / STATE / LOCK).symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        State(tmp_path, tmp_path / "dist").lock()
    assert victim.read_text("utf-8") == "title = 'keep me'\n"


#: What earlier versions kept in the output folder, exactly as they wrote it: the first
#: version six fields per record; later ones three more, and the sources they read.
FIRST_RECORD = {"path": "x.html", "format": "html", "briefing": "x", "bytes": 1,
                "sha256": "a" * 64, "media_type": "text/html"}
OLD_MANIFESTS = [
    {"outputs": [FIRST_RECORD]},
    {"outputs": [{**FIRST_RECORD, "key": "k", "mtime_ns": 1, "seconds": 0.5}],
     "sources": {"x.json": {"id": "x", "size": 1, "mtime_ns": 1, "sha256": "b" * 64,
                            "images": {}}}},
]


@pytest.mark.parametrize("old", OLD_MANIFESTS)
def test_the_manifest_an_earlier_version_kept_in_dist_is_taken_over_once(
        tmp_path: Path, old: dict[str, object]) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "manifest.json").write_text(json.dumps(old, indent=1), "utf-8")
    (dist / ".briefkit.lock").write_text("123\n", "utf-8")
    with State(tmp_path, dist) as state:
        assert state.records["x.html"].sha256 == "a" * 64
        assert state.sources == old.get("sources", {})
        state.save()
    assert sorted(p.name for p in dist.iterdir()) == []
    assert manifest(tmp_path).is_file()


def test_a_damaged_or_foreign_cache_entry_is_made_again(tmp_path: Path) -> None:
    from briefkit.engine.cache import StateCache

    def never() -> bytes:
        raise AssertionError("a whole entry was made again")

    def words(data: bytes) -> bool:  # what the kind of bytes kept here must be
        return data.isascii()

    def get(make: Callable[[], bytes]) -> bytes:
        return StateCache(tmp_path).get("face", make, words)

    assert get(lambda: b"subset bytes") == b"subset bytes"
    (entry,) = tmp_path.iterdir()
    assert get(never) == b"subset bytes"
    entry.write_bytes(entry.read_bytes()[:-3] + b"XYZ")  # damaged on disk
    assert get(lambda: b"made again") == b"made again"
    assert get(never) == b"made again"
    entry.write_bytes(b"made again")  # the bare bytes an earlier version kept
    assert get(lambda: b"sealed now") == b"sealed now"


def test_a_run_writing_the_output_folder_is_marked_until_it_ends(tmp_path: Path) -> None:
    mark = tmp_path / STATE / "manifests" / "dist.writing"
    with State(tmp_path, tmp_path / "dist") as state:
        assert state.cut_short()  # no manifest yet: an earlier run may have left anything
        state.save()
    with State(tmp_path, tmp_path / "dist") as state:
        assert not state.cut_short()  # a manifest and no mark: the last run ended whole
        state.writing()
        state.writing()  # once per run
        assert mark.is_file()
    with State(tmp_path, tmp_path / "dist") as state:  # killed before it was removed
        assert state.cut_short()
        state.written()
        assert not mark.exists()
        assert not state.cut_short()


def test_a_link_in_place_of_the_mark_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    with State(tmp_path, tmp_path / "dist") as state:
        state.save()
        state.writing_mark.symlink_to(target)
        with pytest.raises(OutputError, match="link"):
            state.writing()
    assert not target.exists()
