"""The engine's side of the live preview, in this process: one project exported again and
again, kept warm, let go of when its theme changes; the ids it knows, from the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.commands import install_plugin, run_briefkit
from support.newsrooms import ENGLISH
from test_build import make_newsroom

from briefkit import registry
from briefkit.engine import work
from briefkit.engine.project import open_project
from briefkit.engine.warm import WarmProject
from briefkit.errors import BriefkitError

#: A format of the briefing that is quick to make: the newsroom's own item (ninjs).
QUICK = ["ninjs"]


@pytest.fixture
def room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A newsroom using its own theme (``themes/house``, the default's child)."""
    monkeypatch.chdir(tmp_path)
    make_newsroom(tmp_path, copies=0)
    (tmp_path / "themes" / "house").mkdir(parents=True)
    (tmp_path / "themes" / "house" / "theme.toml").write_text('extends = "default"\n')
    settings = tmp_path / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8").replace('theme = "default"',
                                                            'theme = "house"'), "utf-8")
    yield tmp_path
    work.forget()  # this process's workshops, kept warm by the tests: let go


def held(room: Path) -> tuple[int, list[Path]]:
    """This process's open descriptors, and the project's temporary folders."""
    return len(os.listdir("/proc/self/fd")), sorted((room / ".briefkit" / "tmp").glob("*"))


def test_theme_edits_leave_no_workshop_descriptor_or_temporary_folder_behind(
        room: Path) -> None:
    engine = WarmProject(open_project(room))
    assert engine.export(formats=QUICK).ok
    descriptors, folders = held(room)
    assert len(folders) == 1  # the workshop's, locked by one descriptor
    for accent in ("#000001", "#000002", "#000003"):
        (room / "themes" / "house" / "theme.toml").write_text(
            f'extends = "default"\n[colours]\naccent = "{accent}"\n')
        engine.reopen()
        report = engine.export(formats=QUICK)
        assert report.ok and f"{ENGLISH}.ninjs.json" in {r.path for r in report.written}
    now, left = held(room)
    assert now <= descriptors
    assert len(left) == 1 and left != folders  # the last theme's; the first one's is gone


def test_a_file_that_no_longer_loads_keeps_the_id_and_title_it_last_had(room: Path) -> None:
    source = room / "source"
    draft = source / "draft.json"  # a file name that is not its id
    (source / f"{ENGLISH}.json").rename(draft)
    (source / "odd.json").write_text("{", "utf-8")  # never loads
    engine = WarmProject(open_project(room))
    engine.export(formats=QUICK)
    title = json.loads(draft.read_text("utf-8"))["title"]
    draft.write_text(draft.read_text("utf-8")[:40], "utf-8")  # half saved
    report = engine.export(formats=QUICK, paths=[draft])
    assert {(f.source, f.format, f.collection) for f in report.failed} == {(draft, None, False)}
    files = engine.files()
    assert (files[draft].id, files[draft].title, files[draft].shown) == (
        ENGLISH, title, "source/draft.json")
    assert (files[source / "odd.json"].id, files[source / "odd.json"].title) == ("odd", None)


def test_the_warm_up_makes_each_format_the_export_did_not_and_writes_nothing(
        room: Path) -> None:
    engine = WarmProject(open_project(room))
    engine.export(formats=QUICK)
    dist = {p: p.stat().st_mtime_ns for p in (room / "dist").rglob("*")}
    settings, theme = engine.project.settings, engine.project.theme
    shop = work.workshop(work.setup_for(settings, theme, room / ".briefkit"))
    made = {name for name in registry.names() if name not in QUICK}
    done = shop.jobs
    engine.warm_up(made, ("html",), lambda: True)  # an edit waits: nothing is made
    assert shop.jobs == done
    engine.warm_up(made, ("html",), lambda: False)
    assert shop.jobs == done + len(QUICK)  # one briefing, in each format left cold
    assert {p: p.stat().st_mtime_ns for p in (room / "dist").rglob("*")} == dist


def test_settings_and_a_theme_that_export_refuses_are_refused_alike_when_read_again(
        room: Path) -> None:
    """The preview opens the project again as export opens it: with both a missing theme
    and an output folder that holds the project, it refuses what export refuses, in its
    order."""
    engine = WarmProject(open_project(room))
    settings = room / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8").replace('theme = "house"',
                                                            'theme = "gone"\noutput = "."'))
    refused = run_briefkit("export", "--all", cwd=room)
    assert refused.returncode == 1 and "theme 'gone'" in refused.stderr
    with pytest.raises(BriefkitError) as reopened:
        engine.reopen()
    assert [f"briefkit: {line}" for line in reopened.value.lines()] == \
        refused.stderr.splitlines()
    assert engine.project.settings.theme == "house"  # the last good settings stay


#: Two formats of a newsroom's own, each the briefing's title in a text file.
LOUD, SOFT = (f'''
from briefkit.exporters.base import Exporter


class {name.title()}Exporter(Exporter):
    name = "{name}"
    extension = ".{name}.txt"
    media_type = "text/plain"

    def export(self, item, context):
        return item.briefing.title.encode()
''' for name in ("loud", "soft"))

ORDER = '''
import sys
from pathlib import Path
from briefkit import engine
from briefkit.config import load_settings
from briefkit.theme import load_theme

class Order(engine.Progress):
    def written(self, record):
        print(record.format)

settings = load_settings(Path.cwd())
engine.export(settings, load_theme(settings.theme, settings.root), formats=["loud", "soft"],
              first=sys.argv[1:], progress=Order())
'''


@pytest.mark.parametrize("first", ["loud", "soft"])
def test_the_formats_asked_first_are_made_first(tmp_path: Path, first: str) -> None:
    (tmp_path / "site").mkdir()
    env = install_plugin(tmp_path / "site", "briefkit_loud", "LoudExporter", "loud", LOUD)
    env = {**env, **install_plugin(tmp_path / "site", "briefkit_soft", "SoftExporter", "soft",
                                   SOFT)}
    (tmp_path / "room").mkdir()
    room = make_newsroom(tmp_path / "room", copies=0)
    made = subprocess.run([sys.executable, "-c", ORDER, first], cwd=room, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})
    assert made.returncode == 0, made.stderr
    # every briefing's output of the format asked first, then the others
    other = "soft" if first == "loud" else "loud"
    assert made.stdout.split() == [first, first, other, other]
