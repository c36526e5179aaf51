"""Project settings: defaults declared once, every wrong key reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import run_briefkit

from briefkit.config import Settings, load_settings
from briefkit.errors import ConfigError


def test_defaults_without_any_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.theme == "default" and settings.feed.max_entries == 50
    assert settings.output_dir == (tmp_path / "dist").resolve()
    assert settings.base_url is None


def test_pyproject_fallback(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.briefkit]\ntitle = "Desk"\n[tool.briefkit.feed]\n'
                                            "max_entries = 5\n")
    settings = load_settings(tmp_path)
    assert settings.title == "Desk" and settings.feed.max_entries == 5


def test_briefkit_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.briefkit]\ntitle = "P"\n')
    (tmp_path / "briefkit.toml").write_text('title = "B"\n')
    assert load_settings(tmp_path).title == "B"


def test_every_problem_at_once(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(
        'base_url = "example.org"\nlanguage = "French"\nthem = "x"\n[feed]\nmax_entries = 0\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    text = "\n".join(caught.value.lines())
    assert "base_url: 'example.org' is not an absolute http(s) URL" in text
    assert "language:" in text and "BCP 47" in text
    assert "them: unknown setting (did you mean 'theme'?)" in text
    assert "feed.max_entries:" in text
    assert len(caught.value.problems) == 4


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('base_url = "https://example.org/briefings"\n')
    assert load_settings(tmp_path).base_url == "https://example.org/briefings/"


def test_malformed_toml(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text("title = \n")
    with pytest.raises(ConfigError, match="briefkit.toml"):
        load_settings(tmp_path)


def test_fingerprint_changes_with_settings(tmp_path: Path) -> None:
    assert Settings(title="a").fingerprint() != Settings(title="b").fingerprint()


@pytest.mark.parametrize(("toml", "expected"), [
    ('title = "Desk\\u0007"\n', "briefkit.toml:1:1: title: control character U+0007 at position 5: "
     "a setting is one line of plain text"),
    ('\npublisher = "The\\nDesk"\n', "briefkit.toml:2:1: publisher: control character U+000A at "
     "position 4: a setting is one line of plain text"),
    ('base_url = "https://example.org/\\u0000"\n', "briefkit.toml:1:1: base_url: control character "
     "U+0000 at position 21: a setting is one line of plain text"),
    ('base_url = "https://example.org/a b"\n', "briefkit.toml:1:1: base_url: "
     "'https://example.org/a b' is not an absolute http(s) URL"),
    ('language = "en\\n"\n', "briefkit.toml:1:1: language: control character U+000A"),
    ('theme = "wire\\u001b[2J"\n', "briefkit.toml:1:1: theme: control character U+001B"),
    ('output = "dist\\r"\n', "briefkit.toml:1:1: output: control character U+000D"),
    ('title = "  "\n', "briefkit.toml:1:1: title: must not be empty"),
], ids=["title", "publisher", "base_url", "url-space", "language", "theme", "output", "empty"])
def test_control_characters_in_settings_are_one_line(toml: str, expected: str,
                                                      tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    lines = caught.value.lines()
    assert len(lines) == 1 and lines[0].startswith(expected), lines
    assert lines[0].isprintable()


def test_a_publisher_is_always_named(tmp_path: Path) -> None:
    """EPUB needs a publisher: without one, the title stands in."""
    assert load_settings(tmp_path).publisher == "Briefings"
    (tmp_path / "briefkit.toml").write_text('title = "Night Desk"\npublisher = " "\n')
    assert load_settings(tmp_path).publisher == "Night Desk"
    (tmp_path / "briefkit.toml").write_text('title = "Night Desk"\npublisher = "Wire"\n')
    assert load_settings(tmp_path).publisher == "Wire"


def test_a_newsroom_sets_its_own_dateline(tmp_path: Path) -> None:
    from briefkit.model import Briefing
    from briefkit.render.dates import conventions_of, dateline

    (tmp_path / "briefkit.toml").write_text(
        '[dateline.fr]\ndate = "EEEE d MMMM y"\n[dateline.en-GB]\nat = "{time}, {date}"\n',
        "utf-8")
    settings = load_settings(tmp_path)
    french = Briefing.model_validate({
        "id": "a", "title": "T", "language": "fr", "published": "2020-01-08T11:45:00+01:00",
        "sections": [{"blocks": [{"type": "paragraph", "text": "x"}]}]})
    assert dateline(french, conventions_of(settings)) == \
        "mercredi 8 janvier 2020 à 11\u00a0h\u00a045"
    english = french.model_copy(update={"language": "en-GB"})
    assert dateline(english, conventions_of(settings)) == "11:45, 8 January 2020"
    assert dateline(english) == "8 January 2020, 11:45"


def test_a_dateline_naming_what_it_cannot_fill_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('[dateline.en]\nat = "{when}"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "briefkit.toml:2:1: dateline.en.at: '{when}' names when: only {date}, {time}, {at} "
        "and {label} can be used"]


# --- where a key is written, and how deep a file may nest ---------------------------------

def _one_refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_key_is_found_in_its_own_table_with_its_column(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.other]\nmax_entries = 1\n[tool.briefkit.feed]\n  max_entries = 0\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.lines() == [
        "pyproject.toml:4:3: feed.max_entries: Input should be greater than or equal to 1"]


@pytest.mark.parametrize(("toml", "expected"), [
    ('title = "T"\nx = ' + "{a = " * 900 + "1" + "}" * 900 + "\n",
     "briefkit.toml:2:85: nested more than 16 deep (arrays and inline tables)"),
    ('title = "T"\nx = ' + "[" * 900 + "]" * 900 + "\n",
     "briefkit.toml:2:21: nested more than 16 deep (arrays and inline tables)"),
    ('title = "T"\n' + "a." * 3000 + "a = 1\n",
     "briefkit.toml:2:1: " + "a." * 16 + "…: nested more than 16 deep (tables, arrays and "
     "dotted keys)"),
    # brackets in strings and comments are no nesting: the line is the real one's
    ('title = "[[[[[[[[[[[[[[[[[[[[" # {{{{{{{{{{{{{{{{{{{{{{{{\n'
     "publisher = '''\n[[[[[[[[[[[[[[[[[[[[[[[[[]'''\n[feed]\nx = " + "[" * 20 + "]" * 20 + "\n",
     "briefkit.toml:5:21: nested more than 16 deep (arrays and inline tables)"),
], ids=["inline-tables", "arrays", "dotted-key", "brackets-in-strings"])
def test_settings_nested_too_deep_are_one_line(toml: str, expected: str,
                                               newsroom: Path) -> None:
    (newsroom / "briefkit.toml").write_text(toml, "utf-8")
    assert _one_refusal(run_briefkit("validate", cwd=newsroom)) == expected
