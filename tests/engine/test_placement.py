"""Where a run's jobs go: the briefings' outputs to the workers, the collections (which
hold every briefing) to the run's own process, so that no worker holds them again."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from support.commands import install_plugin
from support.newsrooms import make_newsroom

PLUGINS = '''
import os
import time

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


class Busy(MadeBy):
    """Half a second of CPU for each briefing, and which process spent it."""

    name = "busy"
    extension = ".busy"

    def export(self, item, context):
        started = time.process_time()
        while time.process_time() - started < 0.5:
            pass
        return super().export(item, context)


class Loading(MadeBy):
    """What the PDF does: loads its library and fonts once a process (before the first
    export, else in it), and makes a cache entry the outputs after it read; both slow."""

    name = "loading"
    extension = ".loading"
    loaded = False

    def prepare(self, context):
        if not Loading.loaded:
            time.sleep(float(os.environ["LOADING_SECONDS"]))
            Loading.loaded = True

    def export(self, item, context):
        self.prepare(context)
        seconds = float(os.environ["LOADING_SECONDS"])
        context.cache.get("loading", lambda: time.sleep(seconds) or b"made", bytes.isascii)
        return super().export(item, context)
'''


def export_on_a_pool(room: Path, env: dict[str, str], *formats: str) -> tuple[int, str, float]:
    """``briefkit export --all --jobs 2 --json`` of ``formats``: see :func:`export`."""
    return export(room, env, "--jobs", "2", *[x for f in formats for x in ("-f", f)])


def export(room: Path, env: dict[str, str], *args: str) -> tuple[int, str, float]:
    """``briefkit export --all --json`` with ``args`` in a new process, with the plug-ins
    ``env`` installs: its process id, its report, and the CPU seconds it and every
    process it waited for spent (``wait4``); a run that fails fails the test."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        run = subprocess.Popen([sys.executable, "-m", "briefkit", "export", "--all", *args,
                                "--json"], cwd=room, env={**os.environ, **env},
                               stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(run.pid, 0)
        err.seek(0)
        assert os.waitstatus_to_exitcode(status) == 0, err.read()
        out.seek(0)
        return run.pid, out.read(), usage.ru_utime + usage.ru_stime


def test_on_a_pool_the_collections_are_made_in_the_runs_own_process(newsroom: Path,
                                                                   tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "made_by", "MadeBy", "made-by", PLUGINS)
    env = install_plugin(site, "all_made_by", "AllMadeBy", "all-made-by", PLUGINS)
    pid, out, _ = export_on_a_pool(newsroom, env, "made-by", "all-made-by")
    assert '"executor": "2 processes"' in out
    briefings = {int(p.read_text()) for p in (newsroom / "dist").glob("*.made-by")}
    assert briefings and pid not in briefings  # the workers made them
    assert int((newsroom / "dist" / "all-made-by.txt").read_text()) == pid


def test_a_pools_workers_are_started_anew_after_the_jobs_the_settings_say(
        tmp_path: Path) -> None:
    # each PDF leaves memory in WeasyPrint's C libraries: new workers give it back
    (tmp_path / "room").mkdir()
    newsroom = make_newsroom(tmp_path / "room", copies=6)
    (tmp_path / "site").mkdir()
    env = install_plugin(tmp_path / "site", "made_by", "MadeBy", "made-by", PLUGINS)
    settings = newsroom / "briefkit.toml"
    settings.write_text(settings.read_text() + "\n[engine]\nrenew_workers_after = 2\n")
    pid, out, _ = export_on_a_pool(newsroom, env, "made-by", "html")
    assert '"executor": "2 processes"' in out
    made = sorted((newsroom / "dist").glob("*.made-by"))
    briefings = {int(p.read_text()) for p in made}
    assert len(made) >= 8 and pid not in briefings
    # 2 jobs to each pool's workers, then new ones: 8 of these outputs take 4 pools or more
    assert len(briefings) >= 4, briefings
    assert all((newsroom / "dist" / f"{p.stem}.html").is_file() for p in made)


def test_the_workers_cpu_counts_as_the_runs(tmp_path: Path) -> None:
    # what `time briefkit export` and a system's accounting show: the run waits for the
    # fork server, which waited for the workers it started
    (tmp_path / "room").mkdir()
    newsroom = make_newsroom(tmp_path / "room", copies=4)
    (tmp_path / "site").mkdir()
    env = install_plugin(tmp_path / "site", "busy", "Busy", "busy", PLUGINS)
    pid, _, cpu = export_on_a_pool(newsroom, env, "busy")
    made = list((newsroom / "dist").glob("*.busy"))
    assert len(made) == 6 and pid not in {int(p.read_text()) for p in made}
    assert cpu >= 6 * 0.5


def test_a_web_page_is_made_once_its_briefings_outputs_are_not_once_every_briefings(
        tmp_path: Path) -> None:
    """In one process, longest first (every PDF, then every e-book ...), the first web
    page comes before the last briefing's own outputs are all made."""
    import json

    from support.commands import run_briefkit

    room = make_newsroom(tmp_path / "room", copies=2)
    done = run_briefkit("export", "--all", "--jobs", "1", "--json", "-f", "pdf", "-f", "epub",
                        "-f", "html", cwd=room)
    assert done.returncode == 0, done.stderr
    written = [(w["format"], w["briefing"]) for w in json.loads(done.stdout)["written"]]
    first_page = next(n for n, (format, _) in enumerate(written) if format == "html")
    last_single = max(n for n, (format, _) in enumerate(written) if format != "html")
    assert first_page < last_single, written


def test_a_run_is_judged_by_what_its_outputs_cost_not_what_the_first_loaded_or_made(
        tmp_path: Path) -> None:
    """The seconds the manifest keeps for an output leave out what its process loaded
    once for its format and the cache entries it made for the outputs after it; so an
    everyday run after a first one stays in its own process.  The report counts the
    entries it made: they took that run's time."""
    import json

    from briefkit.engine.placement import SMALL_RUN

    newsroom = make_newsroom(tmp_path / "room", copies=0)  # two briefings
    (tmp_path / "site").mkdir()
    env = install_plugin(tmp_path / "site", "loading", "Loading", "loading", PLUGINS)
    # the first output pays both: more than a small run, as earlier runs measured it
    slow = SMALL_RUN / 2 + 0.2
    env["LOADING_SECONDS"] = str(slow)
    _, out, _ = export(newsroom, env, "--jobs", "1", "-f", "loading")
    reported = sorted(w["seconds"] for w in json.loads(out)["written"])
    assert reported[0] < 1.0 and slow <= reported[1] < slow + 1.0, reported  # not the load
    kept = json.loads((newsroom / ".briefkit" / "manifests" / "dist.json").read_text("utf-8"))
    assert [r["seconds"] < 1.0 for r in kept["outputs"] if r["format"] == "loading"] == [
        True, True], kept["outputs"]
    for briefing in (newsroom / "source").glob("*.json"):
        briefing.write_text(briefing.read_text("utf-8") + " ", "utf-8")
    _, out, _ = export(newsroom, env, "-f", "loading")
    assert json.loads(out)["executor"] == "this process"
