"""What each target takes: by format, language, tag and id, with the files outputs link;
read from ``briefkit publish --dry-run --json``, which reaches no remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from publish.servers import room_from, tree
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FRENCH


def would_send(room: Path, target: str) -> set[str]:
    result = run_briefkit("publish", target, "--dry-run", "--json", cwd=room)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    return {item["path"] for item in report["targets"][0]["sent"]}


@pytest.fixture(scope="module")
def room(exported_all: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("selection") / "room"
    return room_from(exported_all, folder, "".join(
        f'[publish.{name}]\nto = "{folder.parent / name}"\n{choice}\n' for name, choice in [
            ("web", ""),
            ("afp", 'formats = ["pdf", "docx"]\nlanguages = ["fr"]'),
            ("english", 'languages = ["en"]\nformats = ["html"]'),
            ("transport", 'tags = ["transport"]'),
            ("arabic", 'ids = ["rtl-*"]\nformats = ["pdf", "epub"]'),
        ]))


def test_the_web_target_takes_everything(room: Path) -> None:
    assert would_send(room, "web") == set(tree(room / "dist"))


def test_a_partner_takes_formats_of_a_language(room: Path) -> None:
    assert would_send(room, "afp") == {f"{FRENCH}.pdf", f"{FRENCH}.docx"}


def test_a_language_takes_its_regional_variants_and_the_files_pages_link(room: Path) -> None:
    sent = would_send(room, "english")  # en-GB briefings' pages, with their images and fonts
    pages = {name for name in sent if name.endswith(".html")}
    assert pages == {f"{ENGLISH}.html", "every-block.html"}
    assert any(name.startswith(f"images/{ENGLISH}/") for name in sent)
    assert any(name.startswith("theme/fonts/") for name in sent)
    assert not any(name.startswith("images/rtl-arabic/") for name in sent)


def test_a_tag_takes_its_briefings_and_no_collection(room: Path) -> None:
    sent = would_send(room, "transport")
    assert {name for name in sent if not name.startswith(("images/", "theme/"))} == {
        f"{ENGLISH}.{ext}" for ext in ("pdf", "docx", "epub", "html", "ninjs.json", "eml")}
    assert "feed.xml" not in sent and "index.html" not in sent and "digest.eml" not in sent


def test_an_id_pattern(room: Path) -> None:
    assert would_send(room, "arabic") == {"rtl-arabic.pdf", "rtl-arabic.epub"}


def test_an_older_manifest_learns_languages_and_tags_from_the_next_export(
        exported_all: Path, tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room",
                     f'[publish.afp]\nto = "{tmp_path / "afp"}"\nlanguages = ["fr"]\n')
    manifest = room / ".briefkit" / "manifests" / "dist.json"
    state = json.loads(manifest.read_text())
    for memory in state["sources"].values():  # as a version that kept neither wrote it
        del memory["language"], memory["tags"]
    manifest.write_text(json.dumps(state))
    before = run_briefkit("publish", "--dry-run", cwd=room)
    assert before.returncode == 0
    assert "afp: 4 briefings left out: the manifest does not know their language and tags " \
           "yet; run briefkit export --all once" in before.stderr
    assert "afp: nothing to send" in before.stdout
    exported = run_briefkit("export", "--all", "--json", cwd=room)
    assert exported.returncode == 0
    assert json.loads(exported.stdout)["written"] == []  # nothing made again for it
    sent = would_send(room, "afp")
    assert {name for name in sent if not name.startswith(("images/", "theme/"))} == {
        name for name in tree(room / "dist") if name.startswith(FRENCH)}
