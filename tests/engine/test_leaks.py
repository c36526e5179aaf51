"""Nothing is left behind: no temporary file of ours or WeasyPrint's, no state in dist/,
no heavy library imported by a run that has nothing to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.newsrooms import make_newsroom

HEAVY = ["weasyprint", "jinja2", "babel", "docx", "ebooklib", "feedgen", "lxml", "fontTools"]
#: What only a run that makes something needs: images decoded, worker processes, a cluster.
MAKING = ["PIL", "multiprocessing", "asyncio"]


def run(room: Path, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefkit", *args], cwd=room,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(tmp)})


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_leaves_no_temporary_file(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=1)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result = run(room, "export", "--all", "--jobs", jobs, "--json", tmp=temporary)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["executor"] == (
        "this process" if jobs == "1" else "2 processes")
    assert any(p.suffix == ".pdf" for p in (room / "dist").iterdir())  # WeasyPrint ran
    assert list(temporary.iterdir()) == []
    assert not (room / ".briefkit" / "tmp").exists()
    assert not [p for p in (room / "dist").rglob("*") if p.name.startswith(".")]


def test_validate_and_a_run_with_nothing_to_do_import_no_heavy_library(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=1)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    assert run(room, "export", "--all", tmp=temporary).returncode == 0
    probe = ("import sys, json\n"
             "from briefkit.cli import main\n"
             "code = main(sys.argv[2:])\n"
             "print(json.dumps([m for m in json.loads(sys.argv[1]) if m in sys.modules]))\n"
             "sys.exit(code)\n")
    for args, libraries in ((["validate"], HEAVY),
                            (["export", "--all", "--quiet"], HEAVY + MAKING)):
        result = subprocess.run([sys.executable, "-c", probe, json.dumps(libraries), *args],
                                cwd=room, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.splitlines()[-1]) == [], args


def test_only_a_run_cut_short_leaves_temporary_files_to_look_for(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=1)
    assert run(room, "export", "--all", "-f", "html", tmp=tmp_path).returncode == 0
    mark = room / ".briefkit" / "manifests" / "dist.writing"
    assert not mark.exists()  # it ended whole
    # a run killed while it wrote: its mark, and a half-written file in a folder of dist/
    half = next((room / "dist" / "images").iterdir()) / ".chart.png.k2j3.part"
    half.write_bytes(b"half a file")
    mark.touch()
    assert run(room, "export", "--all", "-f", "html", tmp=tmp_path).returncode == 0
    assert not half.exists()
    assert not mark.exists()
