"""The receipts in .briefkit/receipts/: read back like any run state, never trusted blindly."""

from __future__ import annotations

import json
import os
from pathlib import Path

from publish.servers import synthetic_dist, tree
from support.commands import run_briefkit


def mirrored(room: Path, extra: str = "") -> Path:
    mirror = room.parent / "mirror"
    (room / "briefkit.toml").write_text(f'[publish.mirror]\nto = "{mirror}"\n{extra}\n')
    return mirror


def test_a_damaged_receipt_sends_everything_again_with_a_warning(tmp_path: Path) -> None:
    room = tmp_path / "room"
    room.mkdir()
    mirror = mirrored(room)
    made = synthetic_dist(room, 3, 100)
    assert run_briefkit("publish", cwd=room).returncode == 0
    receipt = room / ".briefkit" / "receipts" / "mirror.json"
    receipt.write_bytes(receipt.read_bytes()[:40])  # cut short
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: mirror: .briefkit/receipts/mirror.json: damaged receipt (Unterminated string "
        "starting at: line 1 column 37 (char 36)): everything is sent again"]
    assert "mirror: sent 3 files" in result.stdout
    assert tree(mirror) == made
    assert json.loads(receipt.read_text())["files"].keys() == made.keys()


def test_a_receipt_that_is_a_link_is_refused(tmp_path: Path) -> None:
    room = tmp_path / "room"
    room.mkdir()
    mirrored(room)
    synthetic_dist(room, 2, 100)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("precious")
    (room / ".briefkit" / "receipts").mkdir(parents=True)
    os.symlink(elsewhere, room / ".briefkit" / "receipts" / "mirror.json")
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "briefkit: .briefkit/receipts/mirror.json: is a symbolic link; briefkit keeps its "
        "receipts in plain files: remove it and publish again"]
    assert elsewhere.read_text() == "precious"


def test_a_receipt_naming_files_outside_the_target_never_removes_them(tmp_path: Path) -> None:
    room = tmp_path / "room"
    room.mkdir()
    mirror = mirrored(room, "prune = true")
    made = synthetic_dist(room, 2, 100)
    assert run_briefkit("publish", cwd=room).returncode == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    receipt = room / ".briefkit" / "receipts" / "mirror.json"
    data = json.loads(receipt.read_text())
    entry = next(iter(data["files"].values()))
    data["files"]["../outside.txt"] = entry
    data["files"]["/etc/hostname"] = entry
    receipt.write_text(json.dumps(data))
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: mirror: .briefkit/receipts/mirror.json: ignored 2 damaged entries: those "
        "files are sent again"]
    assert outside.read_text() == "not ours" and Path("/etc/hostname").exists()
    assert tree(mirror) == made


def test_a_changed_address_sends_everything_to_the_new_one(tmp_path: Path) -> None:
    room = tmp_path / "room"
    room.mkdir()
    mirrored(room)
    made = synthetic_dist(room, 2, 100)
    assert run_briefkit("publish", cwd=room).returncode == 0
    moved = tmp_path / "moved"
    (room / "briefkit.toml").write_text(f'[publish.mirror]\nto = "{moved}"\n')
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0
    assert "the target's address changed" in result.stderr
    assert tree(moved) == made
