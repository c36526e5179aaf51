"""The state folder and what a run may delete, on a tampered or careless project: links in
``.briefkit/``, foreign temporary folders, planted cache entries, a partner's output
folder, a source setting with a typo, an emptied source folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from support.commands import run_briefkit
from support.newsrooms import ROOT, copy_newsroom, make_newsroom

from briefkit.theme import load_theme

FAST = ["-f", "html", "-f", "index"]
#: the cache these tests tamper with is the project's own


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom exported once (web pages, front page): its web fonts in the cache."""
    # cold: its cache holds only what this export made, the entries the tests tamper with
    room = make_newsroom(tmp_path_factory.mktemp("exported"), copies=1, cold=True)
    result = run_briefkit("export", "--all", *FAST, cwd=room)
    assert result.returncode == 0, result.stderr
    return room


@pytest.fixture
def room(exported: Path, tmp_path: Path) -> Path:
    """A copy of the exported newsroom, its state and dist/ as the export left them."""
    return copy_newsroom(exported, tmp_path)


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under ``folder``: bytes, or where a link leads."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[name] = path.read_bytes()
        else:
            found[name + "/"] = "folder"
    return found


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- links in the state folder -------------------------------------------------------


@pytest.mark.parametrize(("part", "target"), [
    (".briefkit/tmp", "../source"),  # relative: the case that lost source/images
    (".briefkit/tmp", "OUTSIDE"),
    (".briefkit/cache", "OUTSIDE"),
    (".briefkit/making", "OUTSIDE"),
    (".briefkit/manifests", "OUTSIDE"),
    (".briefkit/themes", "OUTSIDE"),
    (".briefkit/last-good", "OUTSIDE"),
    (".briefkit", "OUTSIDE"),
])
def test_a_link_in_the_state_folder_is_refused_and_nothing_is_touched(
        tmp_path: Path, part: str, target: str) -> None:
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=1, cold=True)  # no state folder yet
    outside = tmp_path / "outside"
    (outside / "archive" / "2019").mkdir(parents=True)
    (outside / "archive" / "2019" / "budget.json").write_text("{}", "utf-8")
    (outside / "notes").mkdir()
    (room / ".briefkit").mkdir()
    if part == ".briefkit":
        (room / ".briefkit").rmdir()
    (room / part).symlink_to(outside if target == "OUTSIDE" else target)
    before = {"source": tree(room / "source"), "outside": tree(outside)}
    assert "images/" in before["source"]
    result = run_briefkit("export", "--all", *FAST, cwd=room)
    line = one_line(result)
    assert line.startswith(f"briefkit: {part}: is a symbolic link"), line
    assert {"source": tree(room / "source"), "outside": tree(outside)} == before
    assert not (room / "dist").exists()  # refused before anything was written


def test_a_temporary_folder_briefkit_did_not_make_is_left_alone(room: Path,
                                                                tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "photos").mkdir(parents=True)
    (outside / "photos" / "a.jpg").write_bytes(b"a picture")
    # a process killed outright leaves its marked folder, unlocked: the next run removes it,
    # and not what a link inside leads to
    code = ("import os, sys; from pathlib import Path; from briefkit.engine.scratch import "
            "Scratch; f = Scratch(Path(sys.argv[1])).open(); (f / 'x.ttf').write_bytes(b'x'); "
            "(f / 'photos').symlink_to(sys.argv[2]); print(f.name); os._exit(0)")
    dead = subprocess.run([sys.executable, "-c", code, str(room / ".briefkit"), str(outside)],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert (room / ".briefkit" / "tmp" / dead / "x.ttf").is_file()
    # folders someone else put there: an old-style one, one with a file named as a marker
    stray = room / ".briefkit" / "tmp"
    for name in ("4242-k2j3abcd", "keep"):
        (stray / name).mkdir()
        (stray / name / "draft.txt").write_text("mine", "utf-8")
    (stray / "4242-k2j3abcd" / ".alive").write_bytes(b"")
    (stray / "keep" / ".briefkit-scratch").symlink_to(outside / "photos" / "a.jpg")
    result = run_briefkit("export", "--all", *FAST, cwd=room)
    assert result.returncode == 0, result.stderr
    assert not (stray / dead).exists()
    assert (outside / "photos" / "a.jpg").read_bytes() == b"a picture"
    for name in ("4242-k2j3abcd", "keep"):
        assert (stray / name / "draft.txt").read_text("utf-8") == "mine"
    assert sorted(p.name for p in stray.iterdir()) == ["4242-k2j3abcd", "keep"]


# --- the cache ---------------------------------------------------------------------------


def published_faces(room: Path) -> dict[str, str]:
    """Each published web font's PostScript name, read back by fontTools."""
    faces = {}
    for path in sorted((room / "dist" / "theme" / "fonts").glob("*.woff2")):
        with TTFont(path) as font:
            assert font.flavor == "woff2"
            faces[path.name] = font["name"].getDebugName(6)
    return faces


def theme_faces() -> dict[str, str]:
    """What each web font must be: the PostScript name of the theme file it is made from,
    for the families the samples are set in (the body's and the headings': no page of the
    room needs a fallback family's)."""
    theme = load_theme("default", ROOT)
    faces = {}
    for face in theme.settings.fonts.files:
        if face.family not in ("Charis SIL", "Inter"):
            continue
        path = theme.find(face.path)
        assert path is not None
        with TTFont(path, lazy=True) as font:
            faces[f"{path.stem}.woff2"] = font["name"].getDebugName(6)
    return faces


def test_a_cache_entry_copied_over_another_is_made_again(room: Path) -> None:
    cache = sorted((room / ".briefkit" / "cache").iterdir(), key=lambda p: p.stat().st_size)
    assert len(cache) >= 2
    shutil.copyfile(cache[0], cache[1])  # one face's entry now holds another face's bytes
    result = run_briefkit("export", "--all", *FAST, "--force", cwd=room)
    assert result.returncode == 0, result.stderr
    assert published_faces(room) == theme_faces()


def test_a_page_sealed_as_a_cache_entry_is_never_published_as_a_web_font(room: Path) -> None:
    from briefkit.engine import seals
    from briefkit.render.webfonts import BROTLI_QUALITY
    from briefkit.theme import digest_of

    theme = load_theme("default", ROOT)
    page = b"<!doctype html><script>alert(document.cookie)</script>"
    path = theme.find("fonts/CharisSIL-Regular.ttf")  # a face every page of the room uses
    assert path is not None
    key = f"woff2-q{BROTLI_QUALITY}-{digest_of(path)}"
    # sealed with briefkit's own sealing, as anyone able to write the state folder can
    entry = seals.seal(key, page)
    (room / ".briefkit" / "cache" / seals.entry_name(key)).write_bytes(entry)
    result = run_briefkit("export", "--all", *FAST, "--force", cwd=room)
    assert result.returncode == 0, result.stderr
    assert published_faces(room) == theme_faces()
    assert not [p for p in (room / "dist").rglob("*") if p.is_file()
                and b"alert(document.cookie)" in p.read_bytes()]


def test_a_word_font_subset_kept_in_the_cache_must_be_a_truetype_font(tmp_path: Path) -> None:
    from briefkit.engine.cache import StateCache
    from briefkit.exporters.docx import fonts
    theme = load_theme("default", ROOT)
    cache = tmp_path / ".briefkit" / "cache"
    made = fonts.faces(theme, ["Noto Sans Symbols"], "→", StateCache(cache).get)
    assert len(made) == 1 and made[0].slot == "Regular"
    (entry,) = cache.iterdir()
    kept = entry.read_bytes()
    # the same entry with a web page in place of the font, sealed again as briefkit seals
    from briefkit.engine import seals

    page = b"<html>not a font</html>"
    key = next(k for k in _keys(theme) if seals.entry_name(k) == entry.name)
    entry.write_bytes(seals.seal(key, page))
    assert entry.read_bytes() != kept
    (again,) = fonts.faces(theme, ["Noto Sans Symbols"], "→", StateCache(cache).get)
    assert again.data == made[0].data
    with TTFont(__import__("io").BytesIO(again.data)) as font:
        assert "glyf" in font


def _keys(theme: object) -> list[str]:
    """The cache keys the Word subsets of Noto Sans Symbols may have (one per text)."""
    from briefkit.exporters.docx import fonts
    from briefkit.theme import characters_of

    path = theme.find("fonts/NotoSansSymbols-Regular.ttf")  # type: ignore[attr-defined]
    wanted = {ord(ch) for ch in fonts.EDITING}
    page = ord("→") // fonts.PAGE
    wanted.update(range(page * fonts.PAGE, (page + 1) * fonts.PAGE))
    characters = "".join(map(chr, sorted(wanted & characters_of(path))))
    return [fonts._key(path, characters)]


# --- what is not ours in an output folder ---------------------------------------------


@pytest.mark.parametrize("manifest", [
    {"name": "Desk app", "start_url": "/", "display": "standalone",
     "icons": [{"src": "icon.png", "sizes": "192x192"}]},
    {"outputs": [{"path": "app.js", "bytes": 12}], "sources": {}},  # a build tool's
    "LINK",
])
def test_a_partners_manifest_in_the_output_folder_is_left_alone(
        room: Path, tmp_path: Path, manifest: object) -> None:
    partner = tmp_path / "partner"
    partner.mkdir()
    if manifest == "LINK":
        (tmp_path / "app-manifest.json").write_text('{"name": "Desk app"}', "utf-8")
        (partner / "manifest.json").symlink_to(tmp_path / "app-manifest.json")
    else:
        (partner / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    (partner / ".briefkit.lock").write_text("deploy in progress: do not touch\n", "utf-8")
    (partner / ".env.part").write_text("SECRET=1\n", "utf-8")
    before = tree(partner)
    result = run_briefkit("export", "--all", *FAST, "--out", str(partner), cwd=room)
    assert result.returncode == 0, result.stderr
    after = tree(partner)
    assert {k: after.get(k) for k in before} == before
    assert (partner / "index.html").is_file()
    if manifest == "LINK":
        assert (tmp_path / "app-manifest.json").read_text("utf-8") == '{"name": "Desk app"}'


# --- the source folder ---------------------------------------------------------------


@pytest.mark.parametrize("source", ["sources", "briefkit.toml"])
def test_a_source_setting_naming_no_folder_stops_the_run(room: Path, source: str) -> None:
    settings = room / "briefkit.toml"
    settings.write_text(f'source = "{source}"\n' + settings.read_text("utf-8"), "utf-8")
    before = {"dist": tree(room / "dist"), "state": tree(room / ".briefkit" / "manifests")}
    line = one_line(run_briefkit("export", "--all", *FAST, cwd=room))
    assert line.startswith(f"briefkit: {source}: "), line
    assert "nothing was exported or removed" in line
    assert {"dist": tree(room / "dist"), "state": tree(room / ".briefkit" / "manifests")} == before


def test_removing_every_published_briefing_takes_prune(room: Path) -> None:
    # one briefing gone: its outputs go, as ever, without asking
    (room / "source" / "copy-0.json").unlink()
    result = run_briefkit("export", "--all", *FAST, "--json", cwd=room)
    assert result.returncode == 0, result.stderr
    assert "copy-0.html" in json.loads(result.stdout)["removed"]
    assert not (room / "dist" / "copy-0.html").exists()
    # every one gone (an emptied source/): refused, everything kept, until asked
    for path in (room / "source").glob("*.json"):
        path.unlink()
    before = tree(room / "dist")
    line = one_line(run_briefkit("export", "--all", *FAST, cwd=room))
    assert "holds none of the 2 briefings published in dist" in line, line
    assert "--prune" in line
    assert tree(room / "dist") == before
    result = run_briefkit("export", "--all", *FAST, "--prune", "--json", cwd=room)
    assert result.returncode == 0, result.stderr
    removed = json.loads(result.stdout)["removed"]
    assert {p for p in removed if "/" not in p} == {
        "iran-frappes-bases-americaines-irak.html", "night-bus-network.html"}
    assert not (room / "dist" / "night-bus-network.html").exists()
