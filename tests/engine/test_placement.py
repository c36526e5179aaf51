"""Where a run's jobs go: the briefings' outputs to the workers, the collections (which
hold every briefing) to the run's own process, so that no worker holds them again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.commands import install_plugin

PIDS = '''
import os

from briefkit.exporters.base import CollectionExporter, Exporter


class MadeBy(Exporter):
    """Which process made a briefing's output."""

    name = "made-by"
    extension = ".made-by"
    media_type = "text/plain"

    def export(self, item, context):
        return str(os.getpid()).encode()


class AllMadeBy(CollectionExporter):
    """Which process made the collection's output."""

    name = "all-made-by"
    extension = ".txt"
    output = "all-made-by.txt"
    media_type = "text/plain"

    def export_collection(self, items, context):
        return str(os.getpid()).encode()
'''


def test_on_a_pool_the_collections_are_made_in_the_runs_own_process(newsroom: Path,
                                                                   tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "made_by", "MadeBy", "made-by", PIDS)
    env = install_plugin(site, "all_made_by", "AllMadeBy", "all-made-by", PIDS)
    run = subprocess.Popen([sys.executable, "-m", "briefkit", "export", "--all", "--jobs", "2",
                            "-f", "made-by", "-f", "all-made-by", "--json"], cwd=newsroom,
                           env={**os.environ, **env}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert '"executor": "2 processes"' in out
    briefings = {int(p.read_text()) for p in (newsroom / "dist").glob("*.made-by")}
    assert briefings and run.pid not in briefings  # the workers made them
    assert int((newsroom / "dist" / "all-made-by.txt").read_text()) == run.pid
