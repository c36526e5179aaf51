"""The export run: incremental, parallel, robust, and what it tells the user."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from functools import partial
from pathlib import Path

import pytest
from support.commands import run_briefkit, run_on_terminal
from support.exports import export_folder
from support.newsrooms import ENGLISH, FRENCH, ROOT, SAMPLES, make_newsroom

from briefkit import engine, links, registry

# Fast formats for these tests: the web page and every collection (feeds, front page).
COLLECTIONS = [n for n in registry.names() if registry.get(n).collection]
FORMATS = ["html", *COLLECTIONS]


#: The engine's export of a newsroom folder, in this process, in those fast formats.
export = partial(export_folder, formats=FORMATS)


def manifest(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / ".briefkit" / "manifests" / "dist.json").read_text("utf-8"))
    # a record's files and cache entries: numbers of the names the manifest holds once
    return {o["path"]: {**o, **{k: [data["names"][n] for n in o[k]] for k in ("files", "cache")}}
            for o in data["outputs"]}


def written(report: engine.Report) -> set[str]:
    """The outputs a run wrote (not the extra files they link: images, fonts, logo)."""
    return {r.path for r in report.written if not r.extra}


def image(briefing_id: str, folder: Path = SAMPLES) -> str:
    """Where the English sample's image is published for a briefing."""
    data = (folder / "images" / "night-bus-journeys.png").read_bytes()
    return links.image(briefing_id, "images/night-bus-journeys.png", "image/png",
                       hashlib.sha256(data).hexdigest())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_newsroom(tmp_path)


def test_first_run_writes_everything_and_records_it(room: Path) -> None:
    report = export(room, jobs=2)
    assert report.ok, report.failed
    ids = [ENGLISH, FRENCH, "copy-0", "copy-1", "copy-2"]
    expected = {f"{i}.html" for i in ids} | {registry.get(n).filename() for n in COLLECTIONS}
    assert written(report) == expected
    images = {image(i) for i in ids if i != FRENCH}
    listed = manifest(room)
    assert {p for p, e in listed.items() if not e["extra"]} == expected
    assert images <= {p for p, e in listed.items() if e["extra"]}
    on_disk = {p.relative_to(room / "dist").as_posix() for p in (room / "dist").rglob("*")
               if p.is_file()}
    assert on_disk == set(listed)  # nothing in dist/ but what is published
    for path, entry in listed.items():  # the manifest tells the truth about every file
        assert entry["sha256"] == sha(room / "dist" / path), path
        assert entry["bytes"] == (room / "dist" / path).stat().st_size
        assert entry["key"] or entry["extra"]
    assert image(ENGLISH) in listed[f"{ENGLISH}.html"]["files"]
    assert listed[image(ENGLISH)]["media_type"] == "image/png"
    assert sha(room / "dist" / image(ENGLISH)) == sha(SAMPLES / "images" / "night-bus-journeys.png")


def test_second_run_rebuilds_nothing(room: Path) -> None:
    export(room, jobs=2)
    before = {p: p.stat().st_mtime_ns for p in (room / "dist").rglob("*")
              if p.is_file()}
    report = export(room, jobs=2)
    assert report.ok and report.written == [] and report.removed == []
    assert len(report.skipped) == len([e for e in manifest(room).values() if not e["extra"]])
    after = {p: p.stat().st_mtime_ns for p in (room / "dist").rglob("*")
             if p.is_file()}
    assert after == before  # no file was written again


def test_touching_a_file_without_changing_it_rebuilds_nothing(room: Path) -> None:
    export(room)
    later = time.time() + 5
    os.utime(room / "source" / "copy-1.json", (later, later))
    assert written(export(room)) == set()


def test_a_time_found_again_is_remembered(room: Path) -> None:
    export(room)  # the files are new: their times are not trusted yet (0), so hashed again
    earlier = time.time() - 60
    files = [*(room / "source").glob("*.json"), *(room / "source" / "images").iterdir()]
    for path in files:
        os.utime(path, (earlier, earlier))
    assert written(export(room)) == set()  # same bytes: nothing made, the times kept
    data = json.loads((room / ".briefkit" / "manifests" / "dist.json").read_text("utf-8"))
    stamps = {e["mtime_ns"] for e in data["sources"].values()}
    stamps |= {i["mtime_ns"] for e in data["sources"].values() for i in e["images"].values()}
    assert 0 not in stamps and stamps <= {p.stat().st_mtime_ns for p in files}


def test_an_edit_of_the_same_size_right_after_a_run_is_seen(room: Path) -> None:
    path = room / "source" / "copy-1.json"
    export(room)
    text = path.read_text("utf-8")
    path.write_text(text.replace("Copy 1", "Copy 7"), "utf-8")  # same size, same second
    assert written(export(room)) >= {"copy-1.html"}


def test_editing_one_briefing_rebuilds_its_outputs_and_the_collections(room: Path) -> None:
    export(room, jobs=2)
    path = room / "source" / "copy-1.json"
    data = json.loads(path.read_text("utf-8"))
    data["title"] = "Copy 1, corrected"
    path.write_text(json.dumps(data), "utf-8")
    report = export(room, jobs=2)
    assert report.ok, report.failed
    assert written(report) == {"copy-1.html", *(registry.get(n).filename() for n in COLLECTIONS)}
    assert "Copy 1, corrected" in (room / "dist" / "copy-1.html").read_text("utf-8")


def test_a_changed_image_rebuilds_the_briefings_that_show_it(room: Path) -> None:
    export(room)
    from PIL import Image

    Image.new("RGB", (40, 30), (200, 10, 10)).save(room / "source" / "images" /
                                                   "night-bus-journeys.png")
    old = image("copy-1")
    report = export(room)
    assert report.ok, report.failed
    changed = {ENGLISH, "copy-0", "copy-1", "copy-2"}
    expected = {f"{i}.html" for i in changed}
    expected |= {registry.get(n).filename() for n in COLLECTIONS}
    assert written(report) == expected
    new = image("copy-1", room / "source")
    assert new != old and (room / "dist" / new).is_file()
    assert old in report.removed and not (room / "dist" / old).exists()


def test_settings_and_theme_changes_rebuild_every_output(room: Path) -> None:
    export(room)
    toml = room / "briefkit.toml"
    toml.write_text(toml.read_text("utf-8").replace('title = "Briefings"',
                                                     'title = "Night desk"'), "utf-8")
    report = export(room)
    assert {r.format for r in report.written} >= {"html", *COLLECTIONS}
    assert not [r for r in report.written if r.path.startswith("images/")]  # images stay
    assert len([r for r in report.written if r.format == "html"]) == 5

    theme = room / "themes" / "desk"
    shutil.copytree(ROOT / "src" / "briefkit" / "theme" / "packaged" / "default", theme)
    toml.write_text(toml.read_text("utf-8").replace('theme = "default"', 'theme = "desk"'),
                    "utf-8")
    assert len([r for r in export(room).written if r.format == "html"]) == 5
    assert written(export(room)) == set()
    with open(theme / "style.css", "a", encoding="utf-8") as css:
        css.write("\n/* a newsroom's own touch */\n")
    assert len([r for r in export(room).written if r.format == "html"]) == 5


def test_force_rebuilds_all(room: Path) -> None:
    first = export(room)
    again = export(room, force=True)
    assert written(again) == written(first)
    assert {r.path: r.sha256 for r in again.written} == {r.path: r.sha256 for r in first.written}


def test_a_removed_briefing_has_its_outputs_removed(room: Path) -> None:
    export(room)
    (room / "source" / "copy-2.json").unlink()
    report = export(room)
    assert set(report.removed) == {"copy-2.html", image("copy-2")}
    assert not (room / "dist" / "copy-2.html").exists()
    assert not (room / "dist" / "images" / "copy-2").exists()
    assert "copy-2.html" not in manifest(room)
    assert set(written(report)) == {registry.get(n).filename() for n in COLLECTIONS}
    for name in COLLECTIONS:  # the feeds and the front page no longer list it
        assert "copy-2" not in (room / "dist" / registry.get(name).filename()).read_text("utf-8")


def test_a_library_upgrade_remakes_the_formats_it_shapes_and_only_those(
        room: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def upgrade(name: str) -> None:
        """An upgraded library's metadata, found first on the path, as pip leaves it."""
        info = tmp_path / "upgraded" / f"{name}-99.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 99.0\n\nUpgraded.\n", "utf-8")

    export(room)
    monkeypatch.syspath_prepend(str(tmp_path / "upgraded"))
    upgrade("feedgen")
    report = export(room)
    assert report.ok, report.failed
    assert written(report) == {"feed.xml", "atom.xml"}  # feedgen makes these two alone
    assert {"feed.json", "index.html", "sitemap.xml", "copy-0.html"} <= {
        r.path for r in report.skipped}
    assert written(export(room)) == set()
    upgrade("lxml")  # the sitemap is written with lxml too; no web page is
    assert written(export(room)) == {"feed.xml", "atom.xml", "sitemap.xml"}


def test_the_pdf_key_names_weasyprint_and_what_it_writes_with() -> None:
    from briefkit.engine import keys

    pdf, page = registry.get("pdf"), registry.get("html")
    installed = keys.versions(keys.libraries([pdf, page]))
    for name in ("weasyprint", "pydyf", "fonttools", "pillow"):
        other = {**installed, name: "0.0.1"}
        assert keys.format_base("base", pdf, other) != keys.format_base("base", pdf, installed)
    other = {**installed, "pydyf": "0.0.1"}
    assert keys.format_base("base", page, other) == keys.format_base("base", page, installed)


def test_a_failing_briefing_does_not_stop_the_others_and_keeps_its_last_good_output(
        room: Path) -> None:
    export(room)
    good = sha(room / "dist" / "copy-0.html")
    (room / "source" / "copy-0.json").write_text('{"id": "copy-0", "title": }', "utf-8")
    (room / "source" / "copy-1.json").write_text(
        (room / "source" / "copy-1.json").read_text("utf-8").replace("Copy 1", "Copy one"),
        "utf-8")
    report = export(room)
    assert not report.ok
    assert [f.file for f in report.failed] == ["source/copy-0.json"]
    assert "malformed JSON" in report.failed[0].reason
    assert "copy-1.html" in written(report)
    assert sha(room / "dist" / "copy-0.html") == good  # untouched
    assert manifest(room)["copy-0.html"]["sha256"] == good
    assert not report.removed
    # Still broken next time: reported again, still not removed.
    again = export(room)
    assert [f.file for f in again.failed] == ["source/copy-0.json"] and not again.removed


def test_a_duplicate_id_is_reported_and_the_first_file_keeps_it(room: Path) -> None:
    shutil.copy(room / "source" / "copy-0.json", room / "source" / "copy-9.json")
    report = export(room)
    assert [str(f) for f in report.failed] == [
        "source/copy-9.json:1:8: /id: id 'copy-0' is already used by source/copy-0.json"]
    assert "copy-0.html" in written(report)


def test_one_process_and_two_give_the_same_outputs(room: Path, tmp_path_factory:
                                                   pytest.TempPathFactory) -> None:
    one = export(room, jobs=1, out=room / "one")
    two = export(room, jobs=2, out=room / "two")
    assert one.jobs == 1 and two.jobs == 2
    assert {r.path: r.sha256 for r in one.written} == {r.path: r.sha256 for r in two.written}


def test_export_of_named_files_leaves_the_others_alone(room: Path) -> None:
    export(room)
    (room / "source" / "copy-2.json").unlink()
    report = export(room, paths=[room / "source" / "copy-1.json"], formats=["html"], force=True)
    assert written(report) == {"copy-1.html"}
    assert (room / "dist" / image("copy-1")).is_file()
    assert report.removed == [] and (room / "dist" / "copy-2.html").exists()


def test_cli_json_report(room: Path) -> None:
    flags = [x for name in FORMATS for x in ("-f", name)]
    first = run_briefkit("export", "--all", *flags, "--json", "-j", "2", cwd=room)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["ok"] and report["jobs"] == 2 and report["failed"] == []
    assert {w["path"] for w in report["written"]} == set(manifest(room))
    assert report["executor"] == "2 processes"
    assert report["timings"]["html"]["outputs"] == 5
    second = json.loads(run_briefkit("export", "--all", *flags, "--json", cwd=room).stdout)
    assert second["written"] == [] and len(second["skipped"]) == len(
        [e for e in manifest(room).values() if not e["extra"]])
    assert second["executor"] == "this process"  # nothing to do: no worker started
    (room / "source" / "copy-0.json").write_text("[]", "utf-8")
    third = run_briefkit("export", "--all", *flags, "--json", cwd=room)
    assert third.returncode == 1
    failed = json.loads(third.stdout)["failed"]
    assert failed == [{"file": "source/copy-0.json", "format": None,
                       "reason": "source/copy-0.json:1:1: /: a briefing is a JSON object, "
                                 "got a list"}]


def test_cli_logs_one_line_per_output_when_not_on_a_terminal(room: Path) -> None:
    result = run_briefkit("export", "--all", "-f", "html", cwd=room)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    wrote = [line for line in lines if line.startswith("wrote dist/")]
    assert len(wrote) == 5  # five pages (their images are said in the summary)
    assert "\x1b" not in result.stdout + result.stderr  # no terminal codes in a log
    assert lines[-1].startswith("5 outputs written (and ")
    assert " files they link), 0 up to date, 0 removed, 0 failed" in lines[-1]
    quiet = run_briefkit("export", "--all", "-f", "html", "--quiet", "--force", cwd=room)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_cli_shows_progress_bars_on_a_terminal(room: Path) -> None:
    status, text = run_on_terminal("export", "--all", "-f", "html",
                                   *[x for n in COLLECTIONS for x in ("-f", n)], cwd=room)
    assert status == 0
    assert "━" in text  # a bar
    assert "html" in text and "all" in text
    assert "5/5" in text
    assert "wrote dist/" not in text  # bars instead of log lines


def test_cli_rejects_a_bad_jobs_number(room: Path) -> None:
    result = run_briefkit("export", "--all", "-j", "0", cwd=room)
    assert result.returncode == 2 and "--jobs" in result.stderr
