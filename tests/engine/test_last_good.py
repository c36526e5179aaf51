"""A broken edit never unpublishes a briefing: the feeds, the sitemap and the front page
keep listing its last good version, byte for byte, until it is fixed; a briefing removed
from source/ still leaves them.  Read back with feedparser, json and lxml."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FRENCH, copy_newsroom
from test_build import FORMATS, make_newsroom

from briefkit.engine import seals

FAST = [arg for name in FORMATS for arg in ("-f", name)]
SITE = "https://briefings.example.org/"
COLLECTIONS = ("feed.xml", "atom.xml", "feed.json", "sitemap.xml", "index.html")
#: The English briefings' topic and language: their feeds and pages list stand-ins too.
LISTINGS = ("tags/transport/", "en/")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom (both samples, two copies of the English one) exported once: web pages,
    feeds, sitemap, front page."""
    room = make_newsroom(tmp_path_factory.mktemp("exported"), copies=2)
    result = export(room)
    assert result.returncode == 0, result.stderr
    return room


@pytest.fixture
def room(exported: Path, tmp_path: Path) -> Path:
    """A copy of the exported newsroom, its state and dist/ as the export left them."""
    return copy_newsroom(exported, tmp_path)


def piece(data: bytes, start: bytes, end: bytes, marker: bytes) -> bytes | None:
    """The one part of ``data`` from ``start`` to ``end`` that holds ``marker``, as bytes."""
    found = [start + part.split(end)[0] + end for part in data.split(start)[1:]
             if marker in part.split(end)[0]]
    assert len(found) <= 1, found
    return found[0] if found else None


def entries(room: Path, briefing: str) -> dict[str, bytes | None]:
    """What each collection holds of one briefing: its feed entries, its sitemap line and
    its front-page entry, and the same in the feeds and pages of the English briefings'
    topic and language, byte for byte (None where it is not listed)."""
    dist = room / "dist"
    page = f"{SITE}{briefing}.html".encode()

    def part(name: str, start: bytes, end: bytes, marker: bytes = page) -> bytes | None:
        return piece((dist / name).read_bytes(), start, end, marker)

    found = {"sitemap.xml": part("sitemap.xml", b"<url>", b"</url>")}
    for folder in ("", *LISTINGS):
        found |= {
            f"{folder}feed.xml": part(f"{folder}feed.xml", b"<item>", b"</item>"),
            f"{folder}atom.xml": part(f"{folder}atom.xml", b"<entry", b"</entry>"),
            f"{folder}feed.json": part(f"{folder}feed.json", b'{\n      "id": ', b"\n    }"),
            f"{folder}index.html": part(f"{folder}index.html", b"<li id=", b"\n</li>",
                                        f'"{briefing}"'.encode()),
        }
    return found


def titles(room: Path) -> dict[str, dict[str, str]]:
    """Each collection's titles by page address, as independent readers see them (spaces
    as plain spaces: the typography ties words with no-break spaces)."""
    dist = room / "dist"
    found: dict[str, dict[str, str]] = {}
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((dist / name).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        found[name] = {e.link: e.title for e in parsed.entries}
    feed = json.loads((dist / "feed.json").read_bytes())
    found["feed.json"] = {i["url"]: i["title"] for i in feed["items"]}
    news = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
            "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    sitemap = etree.fromstring((dist / "sitemap.xml").read_bytes())
    found["sitemap.xml"] = {u.findtext("s:loc", namespaces=news): u.findtext(
        "n:news/n:title", namespaces=news) for u in sitemap.findall("s:url", news)}
    page = etree.HTML((dist / "index.html").read_bytes())
    found["index.html"] = {SITE + a.get("href"): "".join(a.itertext())
                           for a in page.iterfind(".//ol[@class='briefings']/li//h2/a")}
    return {name: {link: " ".join(title.split()) for link, title in listed.items()}
            for name, listed in found.items()}


def export(room: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run_briefkit("export", "--all", *FAST, *options, cwd=room)


def kept_line(briefing: str) -> str:
    return f"kept the last good version in the feeds: source/{briefing}.json is broken"


def retitle(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_broken_briefing_keeps_its_entries_until_it_is_fixed(room: Path) -> None:
    before, other = entries(room, ENGLISH), entries(room, "copy-1")
    assert all(before.values()) and all(other.values())
    english = room / "source" / f"{ENGLISH}.json"
    good = english.read_text("utf-8")
    # one bad save (a field misspelt), while another briefing is edited: every
    # collection is made again, on two processes
    retitle(english, '"title"', '"titel"')
    retitle(room / "source" / "copy-1.json", "Copy 1", "Copy one")
    result = export(room, "--jobs", "2")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert f"source/{ENGLISH}.json:1:1: /title: field required" in lines
    assert lines.count(kept_line(ENGLISH)) == 1
    assert entries(room, ENGLISH) == before  # byte for byte, in every collection
    assert all(new != old for new, old in zip(entries(room, "copy-1").values(),
                                              other.values(), strict=True))
    shown = titles(room)
    for name in COLLECTIONS:
        assert shown[name][f"{SITE}{ENGLISH}.html"] == "The new night bus network: what we know"
        assert shown[name][f"{SITE}copy-1.html"] == "Copy one", name
    # still broken at the next run: still listed, said so again
    again = export(room)
    assert again.returncode == 1 and kept_line(ENGLISH) in again.stderr.splitlines()
    assert entries(room, ENGLISH) == before
    # fixed, with an edit: the collections follow as they would any edit
    english.write_text(good.replace("what we know", "what we know now", 1), "utf-8")
    fixed = export(room)
    assert fixed.returncode == 0, fixed.stderr
    assert "kept the last good version" not in fixed.stderr
    after = entries(room, ENGLISH)
    assert [name for name in before if after[name] == before[name]] == []
    for name in COLLECTIONS:
        assert titles(room)[name][f"{SITE}{ENGLISH}.html"] == (
            "The new night bus network: what we know now"), name


def test_a_damaged_image_keeps_the_last_good_entry_and_its_image(room: Path) -> None:
    before = entries(room, ENGLISH)
    published = {p.relative_to(room / "dist"): p.read_bytes()
                 for p in (room / "dist" / "images").rglob("*") if p.is_file()}
    assert published
    picture = room / "source" / "images" / "night-bus-journeys.png"
    picture.write_bytes(picture.read_bytes()[:200])  # a truncated upload
    retitle(room / "source" / f"{FRENCH}.json", "ce que l’on sait", "ce que l’on sait ce soir")
    result = export(room)
    assert result.returncode == 1, result.stderr
    assert kept_line(ENGLISH) in result.stderr.splitlines()
    assert entries(room, ENGLISH) == before
    assert entries(room, FRENCH)["feed.xml"] != before["feed.xml"]
    for path, data in published.items():  # the images the entries show, as they were
        assert (room / "dist" / path).read_bytes() == data


def test_a_broken_briefing_removed_from_source_leaves_the_collections(room: Path) -> None:
    broken = room / "source" / "copy-0.json"
    last_good = room / ".briefkit" / "last-good" / "dist" / hashlib.sha256(
        broken.read_bytes()).hexdigest()
    assert last_good.is_file()
    broken.write_text('{"id": "copy-0", "title": }', "utf-8")
    result = export(room)
    assert result.returncode == 1 and kept_line("copy-0") in result.stderr.splitlines()
    assert all(entries(room, "copy-0").values())
    broken.unlink()  # deliberately removed
    result = export(room)
    assert result.returncode == 0, result.stderr
    assert "kept the last good version" not in result.stderr
    assert set(entries(room, "copy-0").values()) == {None}
    assert not (room / "dist" / "copy-0.html").exists()
    for name in COLLECTIONS:
        assert f"{SITE}copy-0.html" not in titles(room)[name]
    assert not last_good.exists()  # nothing kept for it any more


def test_a_last_good_version_replaced_in_the_state_folder_is_never_published(
        room: Path) -> None:
    english = room / "source" / f"{ENGLISH}.json"
    digest = hashlib.sha256(english.read_bytes()).hexdigest()
    kept = room / ".briefkit" / "last-good" / "dist" / digest
    assert kept.is_file()
    forged = english.read_text("utf-8").replace("what we know", "FORGED", 1).encode()
    retitle(english, '"title"', '"titel"')
    retitle(room / "source" / "copy-0.json", "Copy 0", "Copy zero")
    # plain, and sealed as a kept file is (under its name: the bytes are not of that digest)
    for planted in (forged, seals.seal(f"last good {digest}", forged)):
        kept.write_bytes(planted)
        result = export(room)
        assert result.returncode == 1, result.stderr
        assert (f"warning: source/{ENGLISH}.json: left out of the feeds until it is fixed: its "
                "last good version in the state folder is damaged") in result.stderr.splitlines()
        assert kept_line(ENGLISH) not in result.stderr
        assert b"FORGED" not in b"".join(p.read_bytes() for p in (room / "dist").rglob("*")
                                        if p.is_file())
        assert not kept.exists()  # removed: kept again once the briefing is valid
        retitle(room / "source" / "copy-0.json", "Copy ", "Copy  ")  # the feeds remade
