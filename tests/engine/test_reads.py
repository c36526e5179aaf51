"""Reading briefings again: an edit of one briefing reads every other for the feeds,
but does not decode again the images the manifest remembers."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from pathlib import Path

import pytest
from PIL import Image
from support.commands import run_briefkit
from support.newsrooms import make_newsroom

from briefkit import load
from briefkit.images import check_image

FAST = ["-f", "html", "-f", "rss"]


def test_an_edit_decodes_again_only_the_images_changed_since(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    room = make_newsroom(tmp_path, copies=2)
    first = run_briefkit("export", "--all", *FAST, cwd=room)
    assert first.returncode == 0, first.stderr
    reads: list[tuple[str, bool]] = []  # each image read: its digest, decoded again or not

    def counted(data: bytes, decoded: Collection[str] = ()) -> tuple[str, int, int, str] | str:
        sha = hashlib.sha256(data).hexdigest()
        reads.append((sha, sha not in decoded))
        return check_image(data, decoded)

    monkeypatch.setattr(load, "check_image", counted)
    copy = room / "source" / "copy-0.json"
    copy.write_text(copy.read_text("utf-8").replace("Copy 0", "Copy 0, edited"), "utf-8")
    edited = run_briefkit("export", "--all", *FAST, cwd=room)
    assert edited.returncode == 0, edited.stderr
    # the edited briefing and the others, read for the feed: no picture decoded again
    assert len(reads) >= 3 and not any(again for _, again in reads), reads

    picture = room / "source" / "images" / "night-bus-journeys.png"
    with Image.open(picture) as image:  # the same picture, other bytes
        image.save(picture, compress_level=1)
    changed = hashlib.sha256(picture.read_bytes()).hexdigest()
    reads.clear()
    again = run_briefkit("export", "--all", *FAST, cwd=room)
    assert again.returncode == 0, again.stderr
    assert {again for sha, again in reads if sha == changed} == {True}, reads


@pytest.mark.parametrize("entry", [None, [], {"images": []}, {"images": {"a.png": "x"}},
                                   {"images": {"a.png": {"sha256": 5}}},
                                   {"images": {"a.png": {"sha256": "../../etc/passwd"}}}])
def test_a_memory_of_another_shape_names_no_image_decoded(entry: object) -> None:
    from briefkit.engine.sources import decoded_images

    assert decoded_images(entry) == frozenset()
    sha = "ab" * 32
    assert decoded_images({"images": {"a.png": {"sha256": sha}, "b.png": entry}}) == {sha}
