"""Imports that must never lose work, leak an editor's note, crash or hang."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, run_briefkit

from briefkit.errors import BriefingError
from briefkit.importers import import_file
from briefkit.importers.article import Article
from briefkit.importers.cms import read_cms
from briefkit.importers.html import read_html
from briefkit.importers.markdown import read_markdown
from briefkit.load import MAX_BRIEFING_BYTES, load

PUBLISHED = ("--published", "2024-03-01T06:00:00Z", "--language", "en")
FIRST = "# Night buses: what changes\n\nThe first article, by the transport desk.\n"
SECOND = "# Night buses — what changes?\n\nA second article, by the city desk.\n"


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "briefkit.toml", tmp_path / "briefkit.toml")
    (tmp_path / "source").mkdir()
    (tmp_path / "first.md").write_text(FIRST, "utf-8")
    (tmp_path / "second.md").write_text(SECOND, "utf-8")
    return tmp_path


def test_a_second_article_with_the_same_slug_gets_a_free_id(desk: Path) -> None:
    first = run_briefkit("import", "first.md", "-o", "source", *PUBLISHED, cwd=desk)
    assert first.returncode == 0, first.stderr
    second = run_briefkit("import", "second.md", "-o", "source", *PUBLISHED, cwd=desk)
    assert second.returncode == 0, second.stderr
    assert ("note: source/night-buses-what-changes.json exists: id 'night-buses-what-changes-2' "
            "used instead (pass --replace to replace it)") in second.stderr
    kept = json.loads((desk / "source" / "night-buses-what-changes.json").read_text("utf-8"))
    assert "transport desk" in json.dumps(kept)
    added = load(desk / "source" / "night-buses-what-changes-2.json", desk / "source")
    assert added.id == "night-buses-what-changes-2"
    assert "city desk" in added.briefing.model_dump_json()
    third = run_briefkit("import", "second.md", "-o", "source", *PUBLISHED, cwd=desk)
    assert "night-buses-what-changes-3.json" in third.stderr
    checked = run_briefkit("validate", cwd=desk)
    assert checked.stdout.strip() == "3 valid, 0 invalid", checked.stderr


def test_a_free_id_stays_within_the_id_limit(desk: Path) -> None:
    title = "word " * 30
    (desk / "long.md").write_text(f"# {title}\n\nText of the article.\n", "utf-8")
    for _ in range(2):
        result = run_briefkit("import", "long.md", "-o", "source", *PUBLISHED, cwd=desk)
        assert result.returncode == 0, result.stderr
    names = sorted(p.stem for p in (desk / "source").iterdir())
    assert len(names) == 2 and names[0].endswith("-2") and all(len(n) <= 80 for n in names)


@pytest.mark.parametrize("target", ["source", "source/night-buses-what-changes.json"])
def test_an_id_or_file_named_by_the_user_is_never_replaced_unasked(desk: Path, target: str) -> None:
    run_briefkit("import", "first.md", "-o", "source", *PUBLISHED, cwd=desk)
    before = (desk / "source" / "night-buses-what-changes.json").read_bytes()
    result = run_briefkit("import", "second.md", "-o", target, "--id", "night-buses-what-changes",
                          *PUBLISHED, cwd=desk)
    assert result.returncode == 1
    other = "--id to give the briefing another id" if target == "source" \
        else "name another file with -o"
    assert result.stderr.splitlines() == [
        f"briefkit: source/night-buses-what-changes.json exists: pass --replace to replace it, "
        f"or {other}"]
    assert (desk / "source" / "night-buses-what-changes.json").read_bytes() == before
    assert sorted(p.name for p in (desk / "source").iterdir()) == ["night-buses-what-changes.json"]


def test_replace_replaces(desk: Path) -> None:
    run_briefkit("import", "first.md", "-o", "source", *PUBLISHED, cwd=desk)
    result = run_briefkit("import", "second.md", "-o", "source", "--replace",
                          "--id", "night-buses-what-changes", *PUBLISHED, cwd=desk)
    assert result.returncode == 0, result.stderr
    assert "replaced source/night-buses-what-changes.json" in result.stderr
    written = (desk / "source" / "night-buses-what-changes.json").read_text("utf-8")
    assert "city desk" in written
    assert sorted(p.name for p in (desk / "source").iterdir()) == ["night-buses-what-changes.json"]


# --- an editor's note left open -------------------------------------------------------

SECRET = "source: J. at the ministry"


@pytest.mark.parametrize("read, text, where", [
    (read_html, f"<p>Public text.</p>\n<p>More <!-- {SECRET}\n<p>Rest.</p>", "a.html:2:9"),
    (read_html, f"<p>Public.</p><!--{SECRET}", "a.html:1:15"),
    (read_cms, f"Chapeau.<br /><br />Texte.\n<!-- {SECRET}<br /><br />Suite.", "a.html:2:1"),
    (read_markdown, f"# Title\n\nPublic text.\n\n<!-- {SECRET}\n\nRest.\n", "a.html:5:1"),
    (read_markdown, f"# Title\n\nPublic text <!-- {SECRET}\n\nRest.\n", "a.html:3:13"),
])
def test_an_unclosed_comment_never_becomes_text(read: Callable[[str, str], Article], text: str,
                                                where: str) -> None:
    with pytest.raises(BriefingError) as caught:
        read(text, "a.html")
    message = str(caught.value)
    assert message == (f"{where}: an HTML comment opened here is never closed: an editor's note "
                       "never reaches a briefing (close it with --> or remove it)")
    assert "ministry" not in message


def test_closed_comments_are_left_out() -> None:
    article = read_html(f"<p>Public <!-- {SECRET} --> text.</p><p>Two.</p>", "a.html")
    assert article.pieces[0] == {"type": "paragraph", "text": "Public text."}


def test_markdown_code_may_show_a_comment_opener() -> None:
    article = read_markdown("# T\n\nWrite `<!--` to open a comment.\n\n    <!-- in code\n", "a.md")
    assert next(p["text"] if isinstance(p, dict) and "text" in p else p
                for p in article.pieces) == "Write <!-- to open a comment."


# --- nesting, whitespace, size --------------------------------------------------------


@pytest.mark.parametrize("open_tags", ["<em>", "<b>", "<a href='https://x.org/'>", "<i><b>",
                                       "<em><a href='https://x.org/'><strong>"])
def test_html_nested_thousands_deep_is_read(open_tags: str) -> None:
    article = read_html(f"<p>{open_tags * 1500}deep words</p><p>After.</p>", "a.html")
    texts = [p["text"] for p in article.pieces if isinstance(p, dict)]
    assert "deep words" in texts[0] and texts[1] == "After."
    assert any("nested more than" in n for n in article.notes)


@pytest.mark.parametrize("run", [" " * 80_000, "\t \n" * 27_000, " \u00a0" * 40_000])
def test_cms_text_is_read_in_time_linear_in_whitespace(run: str) -> None:
    text = f"Chapeau.<br /><br />Un{run}deux.<br />{run}<br /> Trois ?<br />{run}Oui."
    started = time.perf_counter()
    article = read_cms(text, "a.txt")
    assert time.perf_counter() - started < 0.5
    assert article.pieces[0] == {"type": "paragraph", "text": "Chapeau."}


def test_a_megabyte_of_whitespace_is_read_fast(tmp_path: Path) -> None:
    path = tmp_path / "spaces.txt"
    path.write_text("Chapeau.<br /><br />Un" + " " * 1_000_000 + "deux.<br /><br />Fin.",
                    "utf-8")
    started = time.perf_counter()
    briefing = import_file(path, title="T", language="fr", published="2024-01-01T00:00:00Z")
    assert time.perf_counter() - started < 5
    assert briefing["sections"][0]["blocks"][0]["text"] == "Un deux."


def test_an_import_larger_than_validate_accepts_is_refused(tmp_path: Path) -> None:
    # a backslash is escaped in the markup, then again in JSON: 1.5 MB in, 5.5 MB out
    words = ("\\" * 8 + " ") * (MAX_BRIEFING_BYTES * 3 // 10 // 9)
    (tmp_path / "big.html").write_text(f"<h1>Big</h1><p>{words}</p>", "utf-8")
    assert (tmp_path / "big.html").stat().st_size < MAX_BRIEFING_BYTES
    (tmp_path / "source").mkdir()
    result = run_briefkit("import", "big.html", "-o", "source", *PUBLISHED, cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert len(errors) == 1 and errors[0].startswith("big.html: the briefing would be "), errors
    assert errors[0].endswith("MB: briefkit validate accepts at most 5 MB "
                              "(split the article in two)")
    assert list((tmp_path / "source").iterdir()) == []


def test_the_comment_left_open_is_the_one_named() -> None:
    text = f"# Title\n\n<!-- a closed note -->\n\nPublic text.\n\n<!-- {SECRET}\n\nRest.\n"
    with pytest.raises(BriefingError) as caught:
        read_markdown(text, "a.md")
    assert str(caught.value).startswith("a.md:7:1: an HTML comment opened here is never closed")
