"""Exporters are plugins: a package installs one through the entry point, exactly as the built-ins do."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from conftest import run_briefkit

from briefkit import registry
from briefkit.errors import ExporterError

PLUGIN = '''
from briefkit.exporters.base import Exporter


class ShoutExporter(Exporter):
    """A third-party format: the title in capitals, as plain text."""

    name = "shout"
    extension = ".txt"
    media_type = "text/plain"
    description = "the title, shouted"

    def export(self, item, context):
        return item.briefing.title.upper().encode("utf-8")
'''


def install_plugin(site: Path, module: str = "briefkit_shout", target: str = "ShoutExporter",
                   name: str = "shout") -> dict[str, str]:
    """Install a plugin the way pip does: a module and a .dist-info with entry_points.txt."""
    (site / f"{module}.py").write_text(textwrap.dedent(PLUGIN), "utf-8")
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[briefkit.exporters]\n{name} = {module}:{target}\n", "utf-8"
    )
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


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
