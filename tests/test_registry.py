"""Exporters are plugins: a package installs one through the entry point, exactly as the built-ins do."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.commands import install_plugin, run_briefkit

from briefkit import registry
from briefkit.errors import ExporterError


def test_builtins_register_through_the_entry_point_group() -> None:
    assert "html" in registry.names()
    assert registry.get("html").media_type == "text/html"


def test_unknown_name_suggests_and_lists() -> None:
    with pytest.raises(ExporterError, match=r"unknown format 'htlm': did you mean 'html'\?"):
        registry.get("htlm")


def test_installed_plugin_is_listed_and_exports(newsroom: Path, tmp_path: Path) -> None:
    env = install_plugin(tmp_path)
    listed = run_briefkit("exporters", cwd=newsroom, env=env)
    assert listed.returncode == 0
    assert any(line.split()[:2] == ["shout", "briefing"] for line in listed.stdout.splitlines())

    result = run_briefkit("export", "--all", "-f", "shout", cwd=newsroom, env=env)
    assert result.returncode == 0, result.stderr
    out = (newsroom / "dist" / "night-bus-network.txt").read_text("utf-8")
    assert out == "THE NEW NIGHT BUS NETWORK: WHAT WE KNOW"


def test_broken_plugin_is_a_clear_error(newsroom: Path, tmp_path: Path) -> None:
    env = install_plugin(tmp_path, target="Missing", name="broken")
    result = run_briefkit("export", "--all", "-f", "broken", cwd=newsroom, env=env)
    assert result.returncode == 1
    assert "exporter 'broken' (briefkit_shout:Missing) cannot be loaded" in result.stderr
    assert "Traceback" not in result.stderr
    listed = run_briefkit("exporters", cwd=newsroom, env=env)
    assert "broken" in listed.stdout and listed.returncode == 0
