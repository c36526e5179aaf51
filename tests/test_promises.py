"""What README promises, each checked as a user meets it: through the command line,
with outputs read back by independent readers and the run's own ``--json`` report,
never by reading briefkit's state files (where the run keeps its memory may change).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.commands import export_report, run_briefkit
from support.newsrooms import ENGLISH, FIXTURES, FRENCH
from support.readers import docx_text, epub_text, html_text, letters, pdf_text

#: The formats made from one briefing that the incremental promise covers.
DOCUMENTS = {"pdf": pdf_text, "docx": docx_text, "epub": epub_text}


def written(report: dict[str, Any]) -> set[str]:
    return {o["path"] for o in report["written"]}


def skipped(report: dict[str, Any]) -> set[str]:
    return {o["path"] for o in report["skipped"]}


def edit_first_paragraph(path: Path, change: Any) -> str:
    """Rewrite the first paragraph of a briefing file with ``change(text)``; the new text."""
    data = json.loads(path.read_text("utf-8"))
    block = next(b for s in data["sections"] for b in s.get("blocks", [])
                 if b["type"] == "paragraph")
    block["text"] = change(block["text"])
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    return str(block["text"])


# --- incremental --------------------------------------------------------------------


def test_changing_one_briefing_rewrites_only_its_pdf_docx_and_epub(newsroom: Path) -> None:
    formats = [x for name in DOCUMENTS for x in ("-f", name)]
    first = export_report(newsroom, *formats)
    every = {f"{b}.{f}" for b in (FRENCH, ENGLISH) for f in DOCUMENTS}
    assert written(first) >= every

    new = edit_first_paragraph(newsroom / "source" / f"{ENGLISH}.json",
                               lambda text: text + " A sentence added after the first run.")
    second = export_report(newsroom, *formats)
    mine = {f"{ENGLISH}.{f}" for f in DOCUMENTS}
    assert written(second) == mine
    assert skipped(second) >= every - mine
    for fmt, read in DOCUMENTS.items():
        text = letters(read((newsroom / "dist" / f"{ENGLISH}.{fmt}").read_bytes()))
        assert letters(new) in text, f"{fmt}: the rewritten output lacks the new text"

    third = export_report(newsroom, *formats)
    assert written(third) == set() and skipped(third) >= every


def test_an_unchanged_source_file_is_not_even_read(newsroom: Path) -> None:
    """A file whose size and time are those of the last run is taken as unchanged: the
    run does not read it.  Proven with a file whose bytes changed behind the run's back,
    size and time kept: its outputs are skipped; once its time moves, they are redone."""
    export_report(newsroom, "-f", "html")
    path = newsroom / "source" / f"{ENGLISH}.json"
    before = path.stat()
    original = path.read_text("utf-8")
    marker = "Zanzibaria"  # as long as the word it replaces: the file keeps its size
    changed = original.replace("responding", marker, 1)
    assert len(changed.encode()) == before.st_size and changed != original
    path.write_text(changed, "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    quiet = export_report(newsroom, "-f", "html")
    assert written(quiet) == set(), quiet["written"]
    assert f"{ENGLISH}.html" in skipped(quiet), quiet
    page = html_text((newsroom / "dist" / f"{ENGLISH}.html").read_bytes())
    assert marker not in page

    os.utime(path)  # now the file looks changed: it is read, and its page made again
    again = export_report(newsroom, "-f", "html")
    assert f"{ENGLISH}.html" in written(again)
    assert marker in html_text((newsroom / "dist" / f"{ENGLISH}.html").read_bytes())


def test_a_new_briefkit_version_makes_everything_again(newsroom: Path, tmp_path: Path) -> None:
    """Installed metadata saying another version (as after an upgrade) is a new version
    to every process of the run, its workers included."""
    export_report(newsroom, "-f", "html", "-f", "docx")
    real = importlib.metadata.distribution("briefkit")
    upgraded = tmp_path / "upgraded"
    dist_info = upgraded / f"briefkit-{real.version}.post999.dist-info"
    dist_info.mkdir(parents=True)
    for name in ("METADATA", "entry_points.txt"):
        text = real.read_text(name) or ""
        if name == "METADATA":
            text = re.sub(r"^Version: .*$", f"Version: {real.version}.post999", text, count=1,
                          flags=re.MULTILINE)
        (dist_info / name).write_text(text, "utf-8")
    path = os.pathsep.join(p for p in (str(upgraded), os.environ.get("PYTHONPATH")) if p)
    env = {"PYTHONPATH": path}

    version = run_briefkit("--version", cwd=newsroom, env=env)
    assert version.stdout.strip() == f"briefkit {real.version}.post999", version
    same = export_report(newsroom, "-f", "html", "-f", "docx")
    assert written(same) == set()
    upgrade = export_report(newsroom, "-f", "html", "-f", "docx", env=env)
    assert written(upgrade) >= {f"{b}.{f}" for b in (FRENCH, ENGLISH) for f in ("html", "docx")}
    assert skipped(upgrade) == set()


# --- what the format refuses ------------------------------------------------------------


def _briefing(room: Path, name: str, paragraph: str, image: str | None = None) -> Path:
    blocks: list[dict[str, str]] = [{"type": "paragraph", "text": paragraph}]
    if image:
        blocks.append({"type": "image", "src": image, "alt": "A picture."})
    data = {"id": name, "title": "A title", "language": "en",
            "published": "2020-01-08T11:45:00Z", "sections": [{"blocks": blocks}]}
    path = room / "source" / f"{name}.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_an_image_over_20_mb_is_refused(newsroom: Path) -> None:
    from PIL import Image

    side = 2700  # 7.3 million pixels, far below the pixel limit; 21.9 MB stored
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    picture.save(newsroom / "source" / "images" / "huge.png", compress_level=0)
    size = (newsroom / "source" / "images" / "huge.png").stat().st_size
    assert 20 * 1024 * 1024 < size < 25 * 1024 * 1024
    picture.crop((0, 0, 1000, 1000)).save(newsroom / "source" / "images" / "small.png",
                                          compress_level=0)
    _briefing(newsroom, "huge", "Big.", image="images/huge.png")
    _briefing(newsroom, "small", "Small.", image="images/small.png")

    result = run_briefkit("validate", "source/huge.json", "source/small.json", cwd=newsroom)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("source/")]
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith("source/huge.json:"), problems
    assert "/sections/0/blocks/1/src" in problems[0] and "20 MB" in problems[0], problems


@pytest.mark.parametrize("character", ["\ufffe", "\uffff"])
@pytest.mark.parametrize("written_as", ["raw", "escape"])
def test_noncharacters_are_refused(newsroom: Path, character: str, written_as: str) -> None:
    path = _briefing(newsroom, "nonchar", "Before X after.")
    text = path.read_text("utf-8")
    text = text.replace("X", character if written_as == "raw" else f"\\u{ord(character):04x}")
    path.write_text(text, "utf-8")
    result = run_briefkit("validate", "source/nonchar.json", cwd=newsroom)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("source/")]
    assert len(problems) == 1, result.stderr
    assert re.match(r"source/nonchar\.json:\d+:\d+: /sections/0/blocks/0/text: ", problems[0]), \
        problems
    assert f"U+{ord(character):04X}" in problems[0], problems


# --- commands and settings -----------------------------------------------------------


def test_themes_lists_the_packaged_and_the_project_themes(newsroom: Path) -> None:
    (newsroom / "themes" / "newsroom").mkdir(parents=True)
    (newsroom / "themes" / "newsroom" / "theme.toml").write_text(
        'name = "newsroom"\ndescription = "Our own."\n', "utf-8")
    (newsroom / "themes" / "notes").mkdir()  # a folder without theme.toml is no theme
    result = run_briefkit("themes", cwd=newsroom)
    assert result.returncode == 0, result.stderr
    names = result.stdout.split()
    assert {"default", "wire", "newsroom"} <= set(names) and "notes" not in names, names
    assert "newsroom" not in run_briefkit("themes", cwd=FIXTURES).stdout.split()


def test_source_and_output_settings_are_honoured(newsroom: Path) -> None:
    (newsroom / "source").rename(newsroom / "briefings")
    settings = (newsroom / "briefkit.toml").read_text("utf-8")
    (newsroom / "briefkit.toml").write_text(
        'source = "briefings"\noutput = "public"\n' + settings, "utf-8")
    validated = run_briefkit("validate", cwd=newsroom)
    assert validated.returncode == 0 and "2 valid, 0 invalid" in validated.stdout, validated
    report = export_report(newsroom, "-f", "html")
    assert written(report) >= {f"{FRENCH}.html", f"{ENGLISH}.html"}
    assert (newsroom / "public" / f"{ENGLISH}.html").is_file()
    assert not (newsroom / "dist").exists() and not (newsroom / "source").exists()


def _libraries_loaded(room: Path, command: list[str], libraries: set[str]) -> list[str]:
    """Which of ``libraries`` a run of ``briefkit COMMAND`` imported, from its sys.modules."""
    code = (
        "import json, sys\n"
        "from briefkit.cli import main\n"
        "code = main(json.loads(sys.argv[1]))\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[2:]))\n"
        "print('LOADED ' + json.dumps(loaded))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, json.dumps(command), *sorted(libraries)],
                            cwd=room, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("LOADED "))
    return list(json.loads(line.removeprefix("LOADED ")))


def test_validate_never_imports_the_exporters_libraries(newsroom: Path) -> None:
    heavy = {"weasyprint", "docx", "ebooklib", "feedgen", "jinja2"}
    assert _libraries_loaded(newsroom, ["validate"], heavy) == []
    # the same count sees the libraries an export does import
    exported = ["export", "--all", "--quiet", "--jobs", "1", "-f", "html", "-f", "rss"]
    assert _libraries_loaded(newsroom, exported, heavy) == ["feedgen", "jinja2"]
