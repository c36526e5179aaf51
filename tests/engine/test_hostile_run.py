"""A run over a tampered or careless project: state that names files outside, an output
folder that would swallow the project, images that pretend to be pages, workers killed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from support.commands import run_briefkit
from support.newsrooms import make_newsroom

FAST = ["-f", "html", "-f", "index"]


@pytest.fixture
def room(tmp_path: Path) -> Path:
    (tmp_path / "room").mkdir()
    return make_newsroom(tmp_path / "room", copies=1)


def state(room: Path) -> Path:
    return room / ".briefkit" / "manifests" / "dist.json"


@pytest.mark.parametrize("victim", ["../briefkit.toml", "images/x/../../../source/copy-0.json",
                                    "../source/copy-0.json"])
def test_a_tampered_state_never_deletes_a_file_outside_dist(room: Path, victim: str) -> None:
    assert run_briefkit("export", "--all", *FAST, cwd=room).returncode == 0
    data = json.loads(state(room).read_text("utf-8"))
    data["outputs"].append({"path": victim, "format": "html", "briefing": "gone", "bytes": 1,
                            "sha256": "0" * 64, "media_type": "text/html"})
    data["outputs"][0]["files"] = [victim]
    # a name the manifest holds once, as records number it, and a number of none
    data["names"].append(victim)
    data["outputs"][1]["files"] = [len(data["names"]) - 1]
    data["outputs"][2]["cache"] = [0, len(data["names"]) - 1]
    data["outputs"][3]["files"] = [len(data["names"])]
    state(room).write_text(json.dumps(data), "utf-8")
    before = {p: p.read_bytes() for p in room.rglob("*")
              if p.is_file() and "dist" not in p.parts and ".briefkit" not in p.parts}
    result = run_briefkit("export", "--all", *FAST, cwd=room)
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "ignored the record" in result.stderr
    assert "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in before if p.exists()}
    assert after == before  # the settings and every briefing are still there, unchanged


@pytest.mark.parametrize(("field", "value"), [
    # the next run sums them to judge its work: a string there stopped it with a traceback
    *(("seconds", v) for v in ["slow", [1], True, None, -1, 1e400, 10 ** 400]),
    # publish sends it as a header and names an e-mail's attachment by it
    *(("media_type", v) for v in [["text/html"], 3, "text/html\r\nX-Injected: 1", "html",
                                  "text/html\x00"])])
def test_a_records_field_not_as_written_is_one_warning_and_the_run_goes_on(
        room: Path, field: str, value: object) -> None:
    assert run_briefkit("export", "--all", *FAST, cwd=room).returncode == 0
    data = json.loads(state(room).read_text("utf-8"))
    tampered = next(r for r in data["outputs"] if r["format"] == "html" and not r["extra"])
    tampered[field] = value
    # json writes 1e400 as Infinity, which it reads back
    state(room).write_text(json.dumps(data), "utf-8")
    for briefing in (room / "source").glob("*.json"):
        briefing.write_text(briefing.read_text("utf-8") + " ", "utf-8")
    result = run_briefkit("export", "--all", *FAST, cwd=room)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warned = [line for line in result.stderr.splitlines() if "ignored the record" in line]
    assert warned == [f"warning: {state(room)}: ignored the record of {tampered['path']!r}: "
                      "its fields are not a record's"]
    assert (room / "dist" / tampered["path"]).is_file()


@pytest.mark.parametrize("out", ["/", ".", "source", "source/public", "themes", "..",
                                 ".briefkit"])
def test_an_output_folder_that_holds_the_project_is_refused_before_any_cleaning(
        room: Path, out: str) -> None:
    (room / "themes").mkdir(exist_ok=True)
    (room / "source" / ".x.json.k2j3.part").write_text("a stale-looking file", "utf-8")
    listed = sorted(p for p in room.rglob("*"))
    result = run_briefkit("export", "--all", *FAST, "--out", out, cwd=room)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "cannot be the output folder" in result.stderr
    assert sorted(p for p in room.rglob("*")) == listed  # nothing created, nothing removed


def test_an_image_is_published_under_its_decoded_format_and_none_collide(room: Path) -> None:
    images = room / "source" / "images"
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(document.cookie)</script>")
    Image.new("RGB", (30, 20), (10, 200, 10)).save(images / "chart.html", "PNG", pnginfo=info)
    (images / "a").mkdir()
    Image.new("RGB", (30, 20), (200, 0, 0)).save(images / "a" / "b.png")
    Image.new("RGB", (30, 20), (0, 0, 200)).save(images / "a-b.png")
    data = json.loads((room / "source" / "copy-0.json").read_text("utf-8"))
    data["sections"][0]["blocks"] += [
        {"type": "image", "src": src, "alt": f"Image {src}"}
        for src in ("images/chart.html", "images/a/b.png", "images/a-b.png")]
    (room / "source" / "copy-0.json").write_text(json.dumps(data), "utf-8")
    result = run_briefkit("export", "--all", *FAST, "--json", cwd=room)
    assert result.returncode == 0, result.stderr
    published = sorted(p.name for p in (room / "dist" / "images" / "copy-0").iterdir())
    assert not [n for n in published if not n.endswith(".png")]
    assert len(published) == 4  # the sample's image and the three new ones, none lost
    assert not list((room / "dist").rglob("*chart*.html"))


def children_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(c) for c in children.read_text().split()]
    except OSError:
        return []


def workers_of(pid: int) -> list[int]:
    """A run's pool workers: the processes its fork server started."""
    for child in children_of(pid):
        with contextlib.suppress(OSError):
            if b"multiprocessing.forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                return children_of(child)
    return []


def test_a_worker_killed_mid_run_has_its_work_done_by_a_fresh_one(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=16)
    run = subprocess.Popen([sys.executable, "-m", "briefkit", "export", "--all", "-j", "2",
                            "-f", "pdf", "-f", "html"], cwd=room, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    # at work: the first PDF written, a dozen still to make (a fixed wait lost the race
    # with a fast machine, the run done before the worker was killed)
    while time.monotonic() < deadline and run.poll() is None and not (
            len(workers_of(run.pid)) == 2 and any((room / "dist").glob("*.pdf"))):
        time.sleep(0.02)
    victims = workers_of(run.pid)
    assert victims, "no worker started"
    os.kill(victims[0], signal.SIGKILL)  # as the kernel's OOM killer does
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert "Traceback" not in err
    names = {p.name for p in (room / "dist").iterdir()}
    for briefing in ["night-bus-network", "iran-frappes-bases-americaines-irak",
                     *(f"copy-{n}" for n in range(16))]:
        assert {f"{briefing}.pdf", f"{briefing}.html"} <= names


def test_stale_state_folder_is_not_shared_with_dist(room: Path) -> None:
    shutil.rmtree(room / "dist", ignore_errors=True)
    assert run_briefkit("export", "--all", *FAST, cwd=room).returncode == 0
    assert not [p for p in (room / "dist").rglob("*") if p.name.startswith(".")
                or p.name == "manifest.json"]
