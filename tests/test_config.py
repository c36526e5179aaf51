"""Project settings: defaults declared once, every wrong key reported."""

from __future__ import annotations

from pathlib import Path

import pytest

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
