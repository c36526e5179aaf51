"""A theme that points outside its folder: relative paths climbing out, symlinks,
absolute files.  Nothing outside the theme and source folders is read into any
output; the PDF fails with a clear line and the other formats still export.

(References to the network and to ``file:`` URLs are covered beside the PDF
exporter's own tests.)
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import ENGLISH, FRENCH, run_briefkit

from briefkit.errors import UnsafeReferenceError
from briefkit.themes import load_theme

SECRET = "SECRET-OUTSIDE-THE-THEME"


def evil_theme(project: Path, css: str) -> Path:
    """Project theme 'evil' with ``css`` as its additions, and secrets just outside it."""
    folder = project / "themes" / "evil"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('name = "evil"\n', "utf-8")
    (folder / "theme.css").write_text(css, "utf-8")
    (project / "secret.css").write_text(f'body::before {{ content: "{SECRET}"; }}\n', "utf-8")
    (project / "secret.txt").write_text(SECRET, "utf-8")
    return folder


def test_theme_files_are_confined_to_the_theme(tmp_path: Path) -> None:
    folder = evil_theme(tmp_path, "")
    os.symlink(tmp_path / "secret.txt", folder / "linked.css")
    theme = load_theme("evil", tmp_path)
    for reference in ("../../secret.txt", "linked.css", "/etc/passwd"):
        with pytest.raises(UnsafeReferenceError) as caught:
            theme.find(reference)
        assert caught.value.lines() == [
            f"theme 'evil': {reference!r} points outside the theme folder"]


@pytest.mark.parametrize(("css", "refused"), [
    # a theme's CSS follows the default's rules, and CSS ignores an @import after rules:
    # nothing is fetched, nothing fails
    ('@import url("../../secret.css");', None),
    ('body { background: url("../../secret.txt"); }', "secret.txt"),
    ('body { background: url("linked.png"); }', "linked.png"),  # a symlink leading out
    ('body { background: url("/etc/passwd"); }', "/etc/passwd"),
], ids=["import", "background", "symlink", "absolute"])
def test_pdf_never_reads_outside_the_theme(css: str, refused: str | None,
                                           newsroom: Path) -> None:
    folder = evil_theme(newsroom, css)
    os.symlink(newsroom / "secret.txt", folder / "linked.png")
    result = run_briefkit("export", f"source/{ENGLISH}.json", "--theme", "evil",
                          "-f", "pdf", "-f", "html", cwd=newsroom)
    assert "Traceback" not in result.stderr
    dist = newsroom / "dist"
    for path in dist.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert (dist / f"{ENGLISH}.html").is_file()  # the other format exports either way
    if refused is None:
        assert result.returncode == 0, result.stderr
        assert "secret" not in subprocess.run(
            ["pdftotext", str(dist / f"{ENGLISH}.pdf"), "-"], capture_output=True,
            text=True, check=True).stdout.lower()
        return
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"source/{ENGLISH}.json: pdf: "), lines
    assert refused in lines[0] and "refused reference" in lines[0]
    assert not (dist / f"{ENGLISH}.pdf").exists()


def test_the_other_briefings_export_when_the_theme_is_bad(newsroom: Path) -> None:
    evil_theme(newsroom, 'body { background: url("../../secret.txt"); }')
    result = run_briefkit("export", "--all", "--theme", "evil", "-f", "pdf", "-f", "docx",
                          cwd=newsroom)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = {line.split(":")[0] for line in result.stderr.splitlines()}
    assert failed == {f"source/{ENGLISH}.json", f"source/{FRENCH}.json"}
    assert sorted(p.name for p in (newsroom / "dist").glob("*.docx")) == sorted(
        [f"{ENGLISH}.docx", f"{FRENCH}.docx"])
    manifest = json.loads((newsroom / "dist" / "manifest.json").read_text("utf-8"))
    assert SECRET not in json.dumps(manifest)
