"""Hostile and broken briefing files: each is refused with one clear line naming the
file and the place in it, nothing outside source/ is read, and a run goes on with
the other briefings.

Every case is a file written at test time (a 50 MB file is sparse, in tmp_path).
The end-to-end tests put all of them beside the two samples in one newsroom and
run the real command line.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FIXTURES, FRENCH

from briefkit.characters import MAX_WORD
from briefkit.errors import BriefingError
from briefkit.files import read_regular
from briefkit.load import MAX_BRIEFING_BYTES, load, load_all

VALID: dict[str, Any] = {
    "id": "hostile",
    "title": "A briefing",
    "language": "en",
    "published": "2020-01-08T11:45:00+01:00",
    "sections": [{"heading": "What?", "blocks": [{"type": "paragraph", "text": "Text."}]}],
}


def briefing(**fields: Any) -> dict[str, Any]:
    return {**VALID, **fields}


def paragraph(text: str) -> dict[str, Any]:
    return briefing(sections=[{"blocks": [{"type": "paragraph", "text": text}]}])


def image(src: str) -> dict[str, Any]:
    return briefing(sections=[{"blocks": [{"type": "image", "src": src, "alt": "A chart"}]}])


# --- images that are not what they say --------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, pixels: bytes = b"\0" * 64) -> bytes:
    """A PNG whose header claims ``width`` x ``height``: a decompression bomb's calling card."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(pixels)) + _chunk(b"IEND", b""))


def picture(kind: str) -> bytes:
    from PIL import Image as Picture

    stream = io.BytesIO()
    Picture.new("RGB", (120, 80), "teal").save(stream, kind)
    return stream.getvalue()


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


# --- the cases ----------------------------------------------------------------------------


@dataclass
class Case:
    """A hostile briefing file and the line ``load`` must answer with (after 'file:')."""

    name: str
    content: bytes | dict[str, Any] | str
    expected: str  # the message after "<file>:", exactly
    images: dict[str, bytes | Callable[[Path], None]] | None = None  # files beside it

    def write(self, source: Path) -> Path:
        path = source / f"{self.name}.json"
        if isinstance(self.content, dict):
            path.write_text(json.dumps(self.content, ensure_ascii=False), "utf-8")
        elif isinstance(self.content, str):
            path.write_text(self.content, "utf-8")
        else:
            path.write_bytes(self.content)
        for relative, made in (self.images or {}).items():
            target = source / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if callable(made):
                made(target)
            else:
                target.write_bytes(made)
        return path


def _link_outside(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        os.symlink(target, path)
    return make


IMAGE_AT = "1:152: /sections/0/blocks/0/src"
TEXT_AT = "1:157: /sections/0/blocks/0/text"
LINK_REFUSED = "only http, https and mailto links are allowed"

CASES = [
    # -- the file itself
    Case("malformed", '{"id": "malformed", "title": "x",}',
         "1:34: /: malformed JSON: trailing comma before '}'"),
    Case("not-utf8", b'{"id": "not-utf8", "title": "caf\xe9"}',
         "1:33: not UTF-8: byte 0xE9 cannot be decoded (save the file as UTF-8)"),
    Case("utf16", json.dumps(VALID).encode("utf-16"), "1:1: the file is UTF-16: save it as UTF-8"),
    Case("utf16-no-bom", json.dumps(VALID).encode("utf-16-le"),
         "1:1: the file is UTF-16: save it as UTF-8"),
    Case("utf16-be-no-bom", json.dumps(VALID).encode("utf-16-be"),
         "1:1: the file is UTF-16: save it as UTF-8"),
    Case("utf32", json.dumps(VALID).encode("utf-32"), "1:1: the file is UTF-32: save it as UTF-8"),
    Case("utf32-no-bom", json.dumps(VALID).encode("utf-32-be"),
         "1:1: the file is UTF-32: save it as UTF-8"),
    Case("empty", b"", "1:1: /: the file is empty: a briefing is a JSON object"),
    Case("not-an-object", "[1, 2]", "1:1: /: a briefing is a JSON object, got a list"),
    Case("nested-too-deeply", "[" * 100_000, "1:1: malformed JSON: nested too deeply"),
    Case("huge-number", '{"id": ' + "9" * 5000 + "}",
         "1:8: malformed JSON: a number too long to read"),
    Case("nan", '{"id": NaN}', "1:8: /id: expected text, got a number"),
    # -- fields
    Case("missing-fields", {"id": "missing-fields"}, "1:1: /title: field required"),
    Case("wrong-type", briefing(title=42), "1:28: /title: expected text, got a number"),
    Case("wrong-type-list", briefing(sections={"heading": "x"}),
         "1:114: /sections: expected a list, got an object"),
    Case("unknown-field", briefing(titel="x"),
         "1:190: /titel: unknown field 'titel' (did you mean 'title'?)"),
    Case("unknown-block", briefing(sections=[{"blocks": [{"type": "video", "src": "x.mp4"}]}]),
         "1:136: /sections/0/blocks/0/type: unknown block type 'video' (one of: paragraph, "
         "quote, list, image, table, timeline, factbox)"),
    Case("no-offset", briefing(published="2020-01-08T11:45:00"),
         "1:73: /published: '2020-01-08T11:45:00' has no UTC offset: write it as e.g. "
         "'2020-01-08T11:45:00+01:00' or '2020-01-08T11:45:00Z'"),
    Case("duplicate-key", '{"id": "a", "title": "x", "title": "y"}',
         "1:27: /title: field 'title' appears twice"),
    Case("surrogate-key", '{"\\ud800": 1}',
         "1:2: field name holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair)"),
    Case("newline-in-key", '{"a\\nb\\u001b[2J": 1}',
         "1:2: /a\\nb\\x1b[2J: unknown field 'a\\nb\\x1b[2J' (known: $schema, id, title, "
         "subtitle, standfirst, language, published, updated, authors, tags, summary, url, "
         "rights, sections, sources)"),
    # -- leaving the folder
    Case("id-leaves", briefing(id="../../x"),
         "1:8: /id: id '../../x' is not a slug: lower-case letters, digits and single hyphens "
         "only (it names the output files)"),
    Case("image-dotdot", image("../../etc/passwd"),
         f"{IMAGE_AT}: image '../../etc/passwd' is outside the source folder"),
    Case("image-absolute", image("/etc/passwd"),
         f"{IMAGE_AT}: image '/etc/passwd' is an absolute path: give a path relative to the "
         "briefing"),
    Case("image-windows", image("C:\\Windows\\win.ini"),
         f"{IMAGE_AT}: image 'C:\\\\Windows\\\\win.ini' is an absolute path: give a path "
         "relative to the briefing"),
    Case("image-symlink", image("pictures/passwd.png"),
         f"{IMAGE_AT}: image 'pictures/passwd.png' is outside the source folder",
         {"pictures/passwd.png": _link_outside("/etc/passwd")}),
    # -- images that are not images
    Case("image-text", image("pictures/notes.png"),
         f"{IMAGE_AT}: image 'pictures/notes.png' is not an image",
         {"pictures/notes.png": b"these are my notes, not a picture"}),
    Case("image-svg", image("pictures/drawing.png"),
         f"{IMAGE_AT}: image 'pictures/drawing.png' is not an image",
         {"pictures/drawing.png": b'<svg xmlns="http://www.w3.org/2000/svg">'
                                  b'<image href="file:///etc/passwd"/></svg>'}),
    Case("image-bmp", image("pictures/old.bmp"),
         f"{IMAGE_AT}: image 'pictures/old.bmp' is a BMP image: use PNG, JPEG or GIF",
         {"pictures/old.bmp": picture("BMP")}),
    Case("image-truncated-png", image("pictures/cut.png"),
         f"{IMAGE_AT}: image 'pictures/cut.png' is damaged or truncated (Truncated File Read)",
         {"pictures/cut.png": half((FIXTURES / "images" / "chart.png").read_bytes())}),
    Case("image-truncated-jpeg", image("pictures/cut.jpg"),
         f"{IMAGE_AT}: image 'pictures/cut.jpg' is damaged or truncated",
         {"pictures/cut.jpg": half(picture("JPEG"))}),
    Case("image-truncated-gif", image("pictures/cut.gif"),
         f"{IMAGE_AT}: image 'pictures/cut.gif' is damaged or truncated",
         {"pictures/cut.gif": half(picture("GIF"))}),
    Case("image-garbled", image("pictures/garbled.png"),
         f"{IMAGE_AT}: image 'pictures/garbled.png' is damaged or truncated",
         {"pictures/garbled.png": png_claiming(100, 100, pixels=b"")[:41]
          + _chunk(b"IDAT", b"not zlib at all") + _chunk(b"IEND", b"")}),
    Case("image-bomb", image("pictures/bomb.png"),
         f"{IMAGE_AT}: image 'pictures/bomb.png' is too large once decompressed "
         "(limit 40 million pixels)",
         {"pictures/bomb.png": png_claiming(100_000, 100_000)}),
    Case("image-too-many-pixels", image("pictures/huge.png"),
         f"{IMAGE_AT}: image 'pictures/huge.png' is 7000x7000 pixels: at most 40 million",
         {"pictures/huge.png": png_claiming(7000, 7000)}),
    # -- references that would fetch or run something
    *[Case(f"image-{scheme}", image(src),
           f"{IMAGE_AT}: image '{src}' is a URL: images are files beside the briefing, in source/")
      for scheme, src in [("file", "file:///etc/passwd"), ("http", "http://example.org/a.png"),
                          ("https", "https://example.org/a.png"), ("ftp", "ftp://example.org/a.png"),
                          ("data", "data:image/png;base64,iVBORw0KGgo="),
                          ("network-path", "//example.org/a.png")]],
    *[Case(f"link-{name}", paragraph(f"[click]({url})"),
           f"{TEXT_AT}: link {url!r} uses '{scheme}:': {LINK_REFUSED}")
      for name, url, scheme in [("javascript", "javascript:alert(1)", "javascript"),
                                ("javascript-mixed-case", "JaVaScRiPt:alert(1)", "javascript"),
                                ("data", "data:text/html,<script>alert(1)</script>", "data"),
                                ("vbscript", "vbscript:msgbox(1)", "vbscript"),
                                ("file", "file:///etc/passwd", "file")]],
    Case("link-relative", paragraph("[up](../../secret)"),
         f"{TEXT_AT}: link '../../secret' uses a relative URL: {LINK_REFUSED}"),
    Case("link-in-author-url", briefing(authors=[{"name": "A", "url": "javascript:alert(1)"}]),
         "1:223: /authors/0/url: URL 'javascript:alert(1)' uses 'javascript:': " + LINK_REFUSED),
    # -- characters
    Case("control-character", briefing(title="Bell \u0007"),
         "1:28: /title: character U+0007 (control character) at position 6 cannot be carried "
         "by PDF, Word, EPUB or feeds: remove it"),
    Case("c1-control", paragraph("It\u0092s broken"),
         f"{TEXT_AT}: character U+0092 (control character) at position 3 cannot be carried by "
         "PDF, Word, EPUB or feeds: remove it (text copied from Windows-1252 with the wrong "
         "encoding?)"),
    Case("lone-surrogate", '{"id": "a", "title": "\\udc00"}',
         "1:22: /title: character U+DC00 (lone surrogate) at position 1 cannot be carried "
         "by PDF, Word, EPUB or feeds: remove it"),
    Case("email-control", briefing(authors=[{"name": "A", "email": "a\u0000@example.org"}]),
         "1:225: /authors/0/email: character U+0000 (control character) at position 2 cannot "
         "be carried by PDF, Word, EPUB or feeds: remove it"),
    Case("rtl-override-open", briefing(authors=[{"name": "Evil \u202eMohammed"}]),
         "1:211: /authors/0/name: right-to-left override (U+202E) at position 6 is not closed "
         "by U+202C (pop directional formatting) in the same text: left open it would reverse "
         "the text that follows it in every format"),
    Case("rtl-isolate-open", briefing(title="\u2067\u05e9\u05dc\u05d5\u05dd"),
         "1:28: /title: right-to-left isolate (U+2067) at position 1 is not closed by U+2069 "
         "(pop directional isolate) in the same text: left open it would reverse the text "
         "that follows it in every format"),
    Case("rtl-pop-unopened", paragraph("a\u202cb"),
         f"{TEXT_AT}: pop directional formatting (U+202C) at position 2 closes nothing opened "
         "before it in this text: remove it"),
    Case("rtl-crossed", paragraph("\u202ea\u2066b\u202c\u2069"),
         f"{TEXT_AT}: pop directional formatting (U+202C) at position 5 closes nothing opened "
         "before it in this text: remove it"),
    Case("long-word", paragraph("start " + "x" * 100_000 + " end"),
         f"{TEXT_AT}: a word of 100,000 characters at position 7: at most {MAX_WORD:,} without "
         "a space (a page cannot lay out longer ones)"),
    # -- a trailing newline is not part of a slug, a tag or an address
    Case("id-newline", briefing(id="id-newline\n"),
         "1:8: /id: id 'id-newline\\n' is not a slug"),
    Case("language-newline", briefing(language="en\n"),
         "1:54: /language: 'en\\n' is not a BCP 47 language tag"),
    Case("email-newline", briefing(authors=[{"name": "A", "email": "a@example.org\n"}]),
         "1:225: /authors/0/email: 'a@example.org\\n' is not an e-mail address"),
    # -- no-break spaces hold a word together: no line can break there
    *(Case(f"no-break-{ord(space):04x}", paragraph("x" + (space + "xx") * 1000),
           f"{TEXT_AT}: a word of 3,001 characters at position 1: at most {MAX_WORD:,}")
      for space in "\u00a0\u202f\u2007\u2060"),
    # -- dates every output can carry, and a size a page can be laid out at
    Case("year-1", briefing(published="0001-01-01T00:30:00+01:00"),
         "1:73: /published: '0001-01-01T00:30:00+01:00': the year must be from 1900 to 9000"),
    Case("year-9999", briefing(published="9999-12-31T23:00:00-05:00"),
         "1:73: /published: '9999-12-31T23:00:00-05:00': the year must be from 1900 to 9000"),
    Case("hundred-thousand-items", briefing(sections=[{"blocks": [
        {"type": "list", "items": ["x"] * 100_000}]}]),
         "1:1: /: the briefing holds 100,001 blocks, list and factbox items, table cells and "
         "timeline events: at most 5,000 (split it into several briefings)"),
    Case("long-url", briefing(sources=[{"title": "S", "url": "https://example.org/?q="
                                        + "a" * 100_000}]),
         "1:224: /sources/0/url: a word of 100,023 characters at position 1: at most "
         f"{MAX_WORD:,} without a space (a page cannot lay out longer ones)"),
]


def problem_lines(path: Path, root: Path) -> list[str]:
    with pytest.raises(BriefingError) as caught:
        load(path, root)
    return caught.value.lines()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_refused_with_one_clear_line(case: Case, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    path = case.write(source)
    lines = problem_lines(path, source)
    # every line names the file, holds no raw control character and stays short
    for line in lines:
        assert line.startswith(f"{path}:"), line
        assert line.isprintable(), line
        assert len(line) < len(str(path)) + 400, line
    # several problems in one file are several lines, sorted by position
    assert any(line[len(str(path)) + 1:].startswith(case.expected) for line in lines), lines


def test_missing_fields_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"id": "b"}')
    assert problem_lines(path, tmp_path) == [
        f"{path}:1:1: /{name}: field required"
        for name in ("title", "language", "published", "sections")
    ]


# --- files too big, links, duplicates ---------------------------------------------------


def _bytes_read() -> int:
    """Bytes this process has read from files so far, as the kernel counts them."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc")
def test_fifty_megabytes_are_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as stream:  # sparse: 50 MB on paper, nothing on disk
        stream.truncate(50 * 1024 * 1024)
    load(FIXTURES / "every-block.json", FIXTURES)  # everything load imports is imported now
    before = _bytes_read()
    lines = problem_lines(path, tmp_path)
    read = _bytes_read() - before
    limit = MAX_BRIEFING_BYTES // 1024 // 1024
    assert lines == [f"{path}: is larger than {limit} MB (50 MB)"]
    assert read < 64 * 1024, f"{read:,} bytes read to refuse a 50 MB file"


def test_symlinked_briefing_pointing_outside_is_not_read(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    outside = tmp_path / "private.json"
    outside.write_text(json.dumps(briefing(id="private", title="SECRET")))
    link = source / "innocent.json"
    link.symlink_to(outside)
    results = list(load_all([link], source))
    assert [str(r) for r in results] == [
        f"{link}: is a link to a file outside the source folder"
    ]


def test_a_loop_of_links_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    loop = source / "loop.json"
    loop.symlink_to(loop.name)
    assert [str(r) for r in load_all([loop], source)] == [
        f"{loop}: cannot be read (a loop of links)"]


# --- devices, FIFOs and files that change: never a hang, never unchecked bytes ----------


@pytest.mark.timeout(10)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_before_it_is_read(device: str, tmp_path: Path) -> None:
    link = tmp_path / "b.json"
    link.symlink_to(device)
    with pytest.raises(BriefingError) as caught:
        read_regular(link, MAX_BRIEFING_BYTES, "source/b.json")
    assert caught.value.lines() == ["source/b.json: is not a regular file"]


@pytest.mark.timeout(10)
def test_a_fifo_briefing_or_image_is_refused_without_waiting(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    os.mkfifo(source / "pipe.json")
    os.mkfifo(source / "chart.png")  # nobody ever writes to either
    assert problem_lines(source / "pipe.json", source) == [
        f"{source / 'pipe.json'}: is not a regular file"]
    path = source / "b.json"
    text = json.dumps(image("chart.png"))
    path.write_text(text)
    column = text.index('"chart.png') + 1
    assert problem_lines(path, source) == [
        f"{path}:1:{column}: /sections/0/blocks/0/src: image 'chart.png' is not a regular file"]


def test_reading_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 3 * 1024 * 1024)
    with pytest.raises(BriefingError) as caught:
        read_regular(path, 2 * 1024 * 1024, "big.bin")
    assert caught.value.lines() == ["big.bin: is larger than 2 MB (3 MB)"]
    assert read_regular(path, 3 * 1024 * 1024, "big.bin") == b"x" * 3 * 1024 * 1024


@pytest.mark.parametrize("change", ["rewrite", "fifo", "device"])
def test_an_image_changed_after_its_check_is_never_published(change: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "chart.png").write_bytes(picture("PNG"))
    path = source / "b.json"
    path.write_text(json.dumps(image("chart.png")))
    asset = load(path, source).assets["chart.png"]
    assert asset.read() == picture("PNG")
    (source / "chart.png").unlink()
    if change == "rewrite":
        (source / "chart.png").write_bytes(b"<script>alert(1)</script>")
    elif change == "fifo":
        os.mkfifo(source / "chart.png")
    else:
        (source / "chart.png").symlink_to("/dev/zero")
    with pytest.raises(BriefingError) as caught:
        asset.read()
    assert caught.value.lines() == [f"{path}: image 'chart.png' changed since it was checked"]


def test_image_symlink_inside_source_is_followed(tmp_path: Path) -> None:
    """The fence is the resolved path, not the link: a link within source/ is fine."""
    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    shutil.copy(FIXTURES / "images" / "chart.png", source / "images" / "chart.png")
    (source / "images" / "alias.png").symlink_to(source / "images" / "chart.png")
    path = source / "b.json"
    path.write_text(json.dumps(image("images/alias.png")))
    assert load(path, source).assets["images/alias.png"].width > 0


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(briefing(id="same")))
    second.write_text(json.dumps(briefing(id="same")))
    results = list(load_all([first, second], tmp_path))
    assert results[0].id == "same"  # type: ignore[union-attr]
    assert str(results[1]) == f"{second}:1:8: /id: id 'same' is already used by {first}"


def test_balanced_bidi_controls_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(briefing(
        title="Named \u202eevil\u202c and \u2067\u05e9\u05dc\u05d5\u05dd\u2069 and \u202b\u2066x\u2069\u202c"
    ), ensure_ascii=False))
    assert "\u202e" in load(path, tmp_path).briefing.title


def test_word_at_the_limit_and_unspaced_scripts_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(briefing(sections=[{"blocks": [
        {"type": "paragraph", "text": "x" * MAX_WORD},
        {"type": "paragraph", "text": "漢字" * 5000},  # no spaces, and no need for them
        {"type": "paragraph", "text": "ภาษาไทย" * 1000},
    ]}]), ensure_ascii=False))
    assert len(load(path, tmp_path).briefing.sections[0].blocks) == 3


# --- the run goes on: the real command line on a newsroom full of bad files --------------


def _files_outside_dist(newsroom: Path) -> dict[Path, bytes]:
    # dist/ and the run state (.briefkit/) are the export's own
    return {p: p.read_bytes() for p in newsroom.rglob("*")
            if p.is_file() and not p.is_symlink()
            and not {"dist", ".briefkit"} & set(p.relative_to(newsroom).parts)}


def _newsroom_with_every_case(newsroom: Path) -> list[Path]:
    source = newsroom / "source"
    written = [case.write(source) for case in CASES]
    big = source / "fifty-megabytes.json"
    with big.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    outside = newsroom / "private.json"
    outside.write_text(json.dumps(briefing(id="private", title="SECRET")))
    link = source / "link-outside.json"
    link.symlink_to(outside)
    # found after the sample whose id it takes, so the sample keeps it
    duplicate = source / "zz-duplicate-id.json"
    duplicate.write_text(json.dumps(briefing(id=ENGLISH)), "utf-8")
    # nothing ever writes to the FIFO, and the devices never end: read, they would hang
    fifo = source / "fifo.json"
    os.mkfifo(fifo)
    devices = [source / "dev-zero.json", source / "dev-urandom.json"]
    devices[0].symlink_to("/dev/zero")
    devices[1].symlink_to("/dev/urandom")
    return [*written, big, link, duplicate, fifo, *devices]


@pytest.mark.timeout(600)
def test_export_goes_on_past_every_bad_briefing(newsroom: Path) -> None:
    bad = _newsroom_with_every_case(newsroom)
    before = _files_outside_dist(newsroom)
    result = run_briefkit("export", "--all", "-f", "html", cwd=newsroom)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # the good briefings are exported, nothing of the bad ones is
    dist = newsroom / "dist"
    assert sorted(p.name for p in dist.glob("*.html")) == sorted([f"{ENGLISH}.html", f"{FRENCH}.html"])
    lines = result.stderr.splitlines()
    for path in bad:
        shown = f"source/{path.name}"
        mine = [line for line in lines if line.startswith(f"{shown}:")]
        assert mine, f"nothing said about {shown}"
    # every line of stderr is about one bad file, on one printable line
    names = tuple(f"source/{p.name}:" for p in bad)
    for line in lines:
        assert line.startswith(names), line
        assert line.isprintable(), line
    # nothing was written, or changed, outside dist/, and nothing outside source/ was read
    assert _files_outside_dist(newsroom) == before
    assert not any(b"SECRET" in p.read_bytes() for p in dist.rglob("*") if p.is_file())


@pytest.mark.timeout(300)
def test_validate_names_every_bad_file(newsroom: Path) -> None:
    bad = _newsroom_with_every_case(newsroom)
    result = run_briefkit("validate", cwd=newsroom)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == f"2 valid, {len(bad)} invalid"
    for path in bad:
        assert f"source/{path.name}:" in result.stderr


def test_every_format_is_exported_for_the_good_briefing(newsroom: Path) -> None:
    """One bad and one good briefing, every installed format: the good one gets them all."""
    (newsroom / "source" / f"{FRENCH}.json").unlink()
    shutil.rmtree(newsroom / "source" / "images", ignore_errors=True)
    english = json.loads((newsroom / "source" / f"{ENGLISH}.json").read_text("utf-8"))
    for section in english["sections"]:  # its images went with the folder
        section["blocks"] = [b for b in section["blocks"] if b["type"] != "image"]
    (newsroom / "source" / f"{ENGLISH}.json").write_text(json.dumps(english), "utf-8")
    bad = Case("broken", '{"id": "broken", "title": "x",}', "").write(newsroom / "source")
    result = run_briefkit("export", "--all", cwd=newsroom)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"source/{bad.name}:1:31: /: malformed JSON: trailing comma before '}}'"
    ]
    from briefkit import registry

    for name in registry.names():
        exporter = registry.get(name)
        assert (newsroom / "dist" / exporter.filename(ENGLISH)).is_file(), name


def test_truncated_image_refused_even_after_a_pdf_was_made(tmp_path: Path) -> None:
    """WeasyPrint makes Pillow accept truncated images, process-wide, once imported."""
    import weasyprint  # noqa: F401  (its import is the point)

    case = next(c for c in CASES if c.name == "image-truncated-gif")
    source = tmp_path / "source"
    source.mkdir()
    path = case.write(source)
    assert any("is damaged or truncated" in line for line in problem_lines(path, source))


def test_fractions_of_a_second_are_dropped(tmp_path: Path) -> None:
    """Six digits of microseconds made the EPUB invalid (HTML allows three)."""
    path = tmp_path / "b.json"
    path.write_text(json.dumps(briefing(published="2000-01-01T12:31:23.000059+00:00",
                                        updated="2000-01-01T12:31:24.5Z")))
    loaded = load(path, tmp_path).briefing
    assert loaded.published.isoformat() == "2000-01-01T12:31:23+00:00"
    assert loaded.updated is not None and loaded.updated.isoformat() == "2000-01-01T12:31:24+00:00"
