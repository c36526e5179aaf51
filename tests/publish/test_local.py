"""Publishing to a local or mounted folder, and the habits of the export command:
--dry-run, --json, --quiet, one line per file in logs."""

from __future__ import annotations

import json
import os
from pathlib import Path

from publish.servers import room_from, synthetic_dist, tree
from support.commands import run_briefkit, run_on_terminal
from support.newsrooms import ENGLISH, FRENCH


def room_with(tmp_path: Path, extra: str = "") -> tuple[Path, Path]:
    room, mirror = tmp_path / "room", tmp_path / "mounted" / "briefings"
    room.mkdir()
    (room / "briefkit.toml").write_text(f'[publish.mirror]\nto = "file://{mirror}/"\n{extra}\n')
    return room, mirror


def test_a_dry_run_says_what_would_travel_and_changes_nothing(tmp_path: Path) -> None:
    room, mirror = room_with(tmp_path)
    synthetic_dist(room, 2, 1234)
    result = run_briefkit("publish", "--dry-run", cwd=room)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "mirror: would send b0000.pdf (1,234 bytes)",
        "mirror: would send b0001.pdf (1,234 bytes)",
        "mirror: would send 2 files (2,468 bytes), 0 up to date in " + result.stdout.split(
            " in ")[-1].strip()]
    assert not mirror.exists() and not (room / ".briefkit" / "receipts").exists()


def test_removals_are_said_with_their_sizes(tmp_path: Path) -> None:
    room, mirror = room_with(tmp_path)
    synthetic_dist(room, 3, 500)
    assert run_briefkit("publish", cwd=room).returncode == 0
    manifest = room / ".briefkit" / "manifests" / "dist.json"
    data = json.loads(manifest.read_text())
    data["outputs"] = [o for o in data["outputs"] if o["path"] != "b0002.pdf"]
    manifest.write_text(json.dumps(data))  # as an export does when a briefing is removed
    (room / "dist" / "b0002.pdf").unlink()
    dry = run_briefkit("publish", "--prune", "--dry-run", cwd=room)
    assert "mirror: would remove b0002.pdf (500 bytes)" in dry.stdout
    assert (mirror / "b0002.pdf").exists()
    done = run_briefkit("publish", "--prune", "--json", cwd=room)
    report = json.loads(done.stdout)
    assert report["targets"][0]["removed"] == [{"path": "b0002.pdf", "bytes": 500}]
    assert tree(mirror) == tree(room / "dist")


def test_one_line_per_file_in_logs_and_a_json_report(tmp_path: Path) -> None:
    room, mirror = room_with(tmp_path)
    made = synthetic_dist(room, 3, 100)
    logged = run_briefkit("publish", cwd=room)
    # in the order they land: four at a time by default
    assert sorted(logged.stdout.splitlines()[:3]) == [f"mirror: sent {name} (100 bytes)"
                                                      for name in sorted(made)]
    (mirror / "b0001.pdf").unlink()
    report = json.loads(run_briefkit("publish", "--verify", "--json", cwd=room).stdout)
    assert report["ok"] is True
    target = report["targets"][0]
    assert target["name"] == "mirror" and target["kind"] == "file"
    assert target["verify"]["missing"] == ["b0001.pdf"]
    assert [item["path"] for item in target["sent"]] == ["b0001.pdf"]
    assert target["up_to_date"] == 2
    quiet = run_briefkit("publish", "--quiet", cwd=room)
    assert quiet.returncode == 0 and quiet.stdout == quiet.stderr == ""


def test_a_file_changed_since_the_export_is_refused(tmp_path: Path) -> None:
    room, mirror = room_with(tmp_path)
    made = synthetic_dist(room, 3, 100)
    (room / "dist" / "b0001.pdf").write_bytes(b"x" * 100)  # same size, other bytes
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "mirror: b0001.pdf: dist/b0001.pdf changed since it was exported: run briefkit export "
        "first"]
    assert tree(mirror) == {name: made[name] for name in ("b0000.pdf", "b0002.pdf")}


def test_a_bar_per_target_on_a_terminal(tmp_path: Path) -> None:
    room, mirror = room_with(tmp_path)
    made = synthetic_dist(room, 3, 200_000)
    status, shown = run_on_terminal("publish", cwd=room)
    assert status == 0
    assert "━" in shown and "mirror" in shown and "600.0/600.0 kB" in shown
    assert "mirror: sent b0000.pdf" not in shown  # a bar instead of log lines
    assert "mirror: sent 3 files (600,000 bytes), 0 up to date" in shown
    assert tree(mirror) == made


def test_a_page_whose_image_did_not_land_waits_and_so_do_the_feeds(exported_all: Path,
                                                                   tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    room = room_from(exported_all, tmp_path / "room", f'[publish.mirror]\nto = "{mirror}"\n')
    image = next((room / "dist" / "images" / ENGLISH).iterdir())
    image.write_bytes(bytes(image.stat().st_size))  # edited by hand since the export
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 1
    shown = image.relative_to(room / "dist").as_posix()
    assert result.stderr.splitlines() == [
        f"mirror: {shown}: dist/{shown} changed since it was exported: run briefkit export "
        "first"]
    landed = set(tree(mirror))
    assert f"{ENGLISH}.pdf" in landed  # what does not show the image still goes
    assert f"{ENGLISH}.html" not in landed and f"{ENGLISH}.ninjs.json" not in landed
    assert not {"feed.xml", "atom.xml", "feed.json", "index.html"} & landed
    assert f"{FRENCH}.html" in landed  # other briefings' pages are whole
    assert "held back" in result.stdout


def test_a_publish_is_refused_while_an_export_runs(tmp_path: Path) -> None:
    from briefkit.engine.state import State

    room, mirror = room_with(tmp_path)
    synthetic_dist(room, 2, 100)
    with State(room, room / "dist"):  # an export holding the project
        result = run_briefkit("publish", cwd=room)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"briefkit: .briefkit: another briefkit run (process {os.getpid()}) is working in this "
        "project; run again when it has finished"]
    assert not mirror.exists()
