"""The plan on its own: what is out of date is decided from the manifest and the files
as written, in milliseconds, without reading a briefing or exporting anything."""

from __future__ import annotations

import time
from pathlib import Path

from briefkit import registry
from briefkit.engine import keys
from briefkit.engine.output import OutputFolder
from briefkit.engine.plan import Planner, Staleness
from briefkit.engine.sources import Source
from briefkit.engine.state import Record, State

FORMATS = ("pdf", "docx", "html", "ninjs", "rss")


def briefing(root: Path, ident: str, sha: str = "a" * 64) -> Source:
    memory = {"id": ident, "sha256": sha, "size": 4000, "images": {}, "language": "en",
              "tags": [], "title": ident}
    return Source(root / f"{ident}.json", f"{ident}.json", memory)


class Room:
    """A manifest and an output folder as an earlier run left them."""

    def __init__(self, root: Path, force: bool = False) -> None:
        self.root = root
        self.dist = OutputFolder(root / "dist")
        self.dist.prepare()
        self.state = State(root, root / "dist")
        self.exporters = [registry.get(name) for name in FORMATS]
        self.bases = {e.name: f"base-{e.name}" for e in self.exporters}
        self.skipped: list[Record] = []
        self.staleness = Staleness(self.state, self.dist, force, self.skipped)
        self.planner = Planner(self.exporters, self.bases, {}, self.staleness)

    def made(self, source: Source) -> None:
        """Record the outputs of ``source`` as a run writes them."""
        assert source.id is not None
        for exporter in self.planner.single:
            name = exporter.filename(source.id)
            written = self.dist.write(name, b"made")
            key = keys.output_key(self.bases[exporter.name], exporter.name, source)
            self.state.add(Record(name, exporter.name, source.id, written.bytes,
                                  written.sha256, "application/octet-stream", key,
                                  written.mtime_ns))


def test_an_up_to_date_briefing_plans_nothing_and_is_reported_fresh(tmp_path: Path) -> None:
    room = Room(tmp_path)
    water, budget = briefing(tmp_path, "water"), briefing(tmp_path, "budget")
    room.made(water)
    room.made(budget)
    started = time.perf_counter()
    plan = room.planner.plan([water, budget], [water, budget])
    assert time.perf_counter() - started < 0.5  # no export, no briefing read
    assert plan.jobs == []
    assert plan.fresh == {"pdf": 2, "docx": 2}
    assert plan.listings_due  # the web pages and ninjs items were never made
    assert plan.counts == {"html": 2, "ninjs": 2, "rss": 1}


def test_a_changed_briefing_plans_its_outputs_longest_first(tmp_path: Path) -> None:
    room = Room(tmp_path)
    water = briefing(tmp_path, "water")
    room.made(water)
    changed = briefing(tmp_path, "water", sha="b" * 64)
    plan = room.planner.plan([changed], [changed])
    assert [job.format for job in plan.jobs] == ["pdf", "docx"]  # the PDF costs more
    assert plan.counts["pdf"] == plan.counts["docx"] == 1
    assert plan.collections_due and plan.counts["rss"] == 1


def test_an_output_changed_behind_the_runs_back_is_made_again(tmp_path: Path) -> None:
    room = Room(tmp_path)
    water = briefing(tmp_path, "water")
    room.made(water)
    (tmp_path / "dist" / "water.docx").write_bytes(b"edited by hand")
    plan = room.planner.plan([water], [water])
    assert [job.name for job in plan.jobs] == ["water.docx"]


def test_force_plans_everything(tmp_path: Path) -> None:
    room = Room(tmp_path, force=True)
    water = briefing(tmp_path, "water")
    room.made(water)
    plan = room.planner.plan([water], [water])
    assert sorted(job.format for job in plan.jobs) == ["docx", "pdf"]
    assert room.skipped == []


def test_the_formats_asked_for_first_lead(tmp_path: Path) -> None:
    room = Room(tmp_path)
    room.planner.first = ["docx"]
    water = briefing(tmp_path, "water")
    assert [job.format for job in room.planner.plan([water], [water]).jobs] == ["docx", "pdf"]


def test_listings_run_in_waves_after_what_they_list(tmp_path: Path) -> None:
    room = Room(tmp_path)
    waves = [[e.name for e in wave] for wave in room.planner.waves()]
    assert waves == [["html"], ["ninjs"]]  # the ninjs item links the web page


def test_a_listing_lists_the_same_outputs_whatever_formats_a_run_asks_for(
        tmp_path: Path) -> None:
    # the e-mail edition and the ninjs item list the web page (they run after it), never the
    # other way round: a run of the web page alone does not list those an earlier run made
    room = Room(tmp_path)
    water = briefing(tmp_path, "water")
    room.made(water)
    for format in ("email", "ninjs"):
        name = registry.get(format).filename("water")
        written = room.dist.write(name, b"made")
        room.state.add(Record(name, format, "water", written.bytes, written.sha256,
                              "application/octet-stream", "", written.mtime_ns))
    alone = Planner([registry.get("html")], {"html": "base-html"}, {}, room.staleness)
    listed = [set(outputs) for _, _, _, _, outputs in alone.listings(alone.listing, [water])]
    assert listed == [{"pdf", "docx"}]


def test_a_briefings_listings_follow_its_own_outputs_wave_by_wave(tmp_path: Path) -> None:
    """Follow: a briefing's web page is due once its own outputs came back, whatever the
    other briefings' are doing; its ninjs item once its web page came back."""
    from briefkit.engine.jobs import BriefingJob
    from briefkit.engine.plan import Follow

    room = Room(tmp_path)
    water, budget = briefing(tmp_path, "water"), briefing(tmp_path, "budget")
    jobs = room.planner.plan([water, budget], [water, budget]).jobs
    follow = Follow(room.planner.waves(), jobs, room.state.records)
    assert follow.followed == {water.path, budget.path}
    due = []
    for job in [j for j in jobs if j.source == water.path]:
        due.append(follow.came_back(job))
    # nothing due until the last of water's outputs came back; budget's are still out
    assert due[:-1] == [None] * (len(due) - 1)
    assert [e.name for e in due[-1] or ()] == ["html"]
    page = BriefingJob("html", "water.html", "key", water.path, 0.05)
    follow.sent(water.path, [page])
    assert [e.name for e in follow.came_back(page) or ()] == ["ninjs"]
    follow.sent(water.path, [])  # the item up to date: no wave left
    assert follow.next(water.path) is None
    budget_jobs = [j for j in jobs if j.source == budget.path]
    assert [follow.came_back(j) for j in budget_jobs[:-1]] == [None] * (len(budget_jobs) - 1)
