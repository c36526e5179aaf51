"""The preview's decisions, in this process, with an engine that exports nothing.

As a development server is tested with a stand-in for the build it is handed: the
stand-in says what a real export would have written and failed, and the tests read
what the preview asked of it, what it told the open pages and what its pages show.
The real server, over real exports, is tests/test_serve.py.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import tomllib
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import lxml.html
import pytest
from support.newsrooms import ROOT

from briefkit.engine.report import Failure, Progress, Report
from briefkit.engine.state import Record
from briefkit.engine.warm import SourceFile
from briefkit.errors import BriefkitError
from briefkit.serve.app import Preview, application
from briefkit.serve.events import Channel
from briefkit.serve.preview import ASSETS
from briefkit.serve.rebuild import OUTPUTS, RELOAD, Change, Rebuilder

#: The formats the stand-in has "installed": a briefing's own, and two collections.
SINGLE = ("pdf", "docx", "epub")
COLLECTIONS = {"rss": "feed.xml", "catalog": "catalog.json"}


class StandIn:
    """An engine that writes nothing: each export "writes" every asked format of each
    briefing file asked for (its PDFs first when asked, its web page after the others,
    the collections last when every format is asked), and fails what it is told to."""

    def __init__(self, room: Path) -> None:
        self.project = SimpleNamespace(
            root=room, source=room / "source", output=room / "dist",
            settings=SimpleNamespace(base_url="https://briefings.example.org/"))
        self.briefings: dict[Path, tuple[str, str]] = {}  # loads: id, title
        self.broken: set[Path] = set()  # does not load now
        self.refused: str | None = None  # what a collection refuses
        self.unusable: BriefkitError | None = None  # what reopen() finds wrong
        self.calls: list[tuple[list[str] | None, list[Path] | None, tuple[str, ...]]] = []
        self.warmed: list[tuple[set[str], tuple[str, ...]]] = []

    def add(self, name: str, briefing_id: str, title: str) -> Path:
        path = self.project.source / name
        self.briefings[path] = (briefing_id, title)
        return path

    # --- what the preview asks ----------------------------------------------------

    def reopen(self) -> None:
        if self.unusable is not None:
            raise self.unusable

    def formats(self) -> list[str]:
        return sorted(["html", *SINGLE, *COLLECTIONS])

    def outputs_of(self, briefing_id: str, formats: Iterable[str]) -> dict[str, str]:
        return {name: f"{briefing_id}.{name}" for name in formats}

    def files(self) -> dict[Path, SourceFile]:
        found = {}
        for path in sorted({*self.briefings, *self.broken}):
            known = self.briefings.get(path)
            found[path] = SourceFile(path, f"source/{path.name}",
                                     known[0] if known else path.stem,
                                     known[1] if known else None)
        return found

    def export(self, formats: Sequence[str] | None = None, paths: Sequence[Path] | None = None,
               first: Sequence[str] = (), progress: Progress | None = None) -> Report:
        self.calls.append((None if formats is None else list(formats),
                           None if paths is None else list(paths), tuple(first)))
        tell = progress or Progress()
        names = list(formats or self.formats())
        single = sorted((n for n in names if n in SINGLE),
                        key=lambda n: first.index(n) if n in first else len(first))
        report = Report()
        for path in paths if paths is not None else sorted({*self.briefings, *self.broken}):
            if path in self.broken:
                for n in (1, 2):
                    report.failed.append(Failure(f"source/{path.name}", None,
                                                 f"source/{path.name}:{n}:1: malformed JSON",
                                                 source=path))
                continue
            briefing_id = self.briefings[path][0]
            for name in [*single, *(["html"] if "html" in names else [])]:
                record = Record(f"{briefing_id}.{name}", name, briefing_id, 1, "0" * 64, "x")
                report.written.append(record)
                tell.written(record)
        for name, output in COLLECTIONS.items() if formats is None else ():
            if name == "catalog" and self.refused:
                report.failed.append(Failure(output, name, self.refused, collection=True))
                continue
            record = Record(output, name, None, 1, "0" * 64, "x")
            report.written.append(record)
            tell.written(record)
        return report

    def warm_up(self, made: Collection[str], first: Sequence[str],
                waiting: Callable[[], bool]) -> None:
        self.warmed.append((set(made), tuple(first)))


class Told:
    """The events the preview announced, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, json.loads(json.dumps(data))))  # as a page receives it

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [data for event, data in self.events if event == kind]


@pytest.fixture
def engine(tmp_path: Path) -> StandIn:
    (tmp_path / "source").mkdir()
    (tmp_path / "dist").mkdir()
    return StandIn(tmp_path)


def preview(engine: StandIn) -> tuple[Rebuilder, Told, list[str]]:
    told, said = Told(), []
    return Rebuilder(engine, told, said.append), told, said


def pages(routes: Preview, *paths: str) -> dict[str, httpx.Response]:
    """What the preview's web server answers to GET ``paths``, in this process."""
    async def get() -> dict[str, httpx.Response]:
        transport = httpx.ASGITransport(app=application(routes, "127.0.0.1"))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return {path: await client.get(path) for path in paths}

    return asyncio.run(get())


def saved(engine: StandIn, *paths: Path) -> Change:
    for path in paths:
        path.write_text("{}", "utf-8")  # an edit: only its being a file matters here
    return Change(frozenset(paths))


def test_an_edit_makes_its_web_page_alone_then_everything_else_in_one_export_pdf_first(
        engine: StandIn) -> None:
    night = engine.add("night.json", "night-bus", "Night buses")
    rebuilder, told, said = preview(engine)
    rebuilder.handle(Change(everything=True))
    engine.calls.clear()
    told.events.clear()
    rebuilder.handle(saved(engine, night))
    assert engine.calls == [(["html"], [night], ()), (None, [night], ("pdf",))]
    # the page reloads, then the PDF as soon as it is written, then the rest, once each
    assert [(event, data["written"], data["busy"]) for event, data in told.events] == [
        (RELOAD, ["night-bus.html"], True),
        (OUTPUTS, ["night-bus.pdf"], True),
        (OUTPUTS, ["night-bus.docx", "night-bus.epub", "night-bus.html", "feed.xml",
                   "catalog.json"], False),
    ]
    assert said[-1].endswith("source/night.json: 7 written, 0 removed, 0 problems, "
                             f"{rebuilder.status.seconds:.2f} s")


def test_a_file_that_does_not_load_is_left_out_of_the_second_export_and_named_by_its_id(
        engine: StandIn) -> None:
    """Its outputs, and the collections that list it, stay the last good ones; its
    problems are shown under the id the engine last knew, not its file name's."""
    draft = engine.add("draft.json", "night-bus", "Night buses")
    other = engine.add("other.json", "other", "Other")
    rebuilder, told, _ = preview(engine)
    rebuilder.handle(Change(everything=True))
    engine.broken.add(draft)
    engine.calls.clear()
    told.events.clear()
    rebuilder.handle(saved(engine, draft, other))
    assert engine.calls == [(["html"], [draft, other], ()), (None, [other], ("pdf",))]
    lines = ["source/draft.json:1:1: malformed JSON", "source/draft.json:2:1: malformed JSON"]
    assert told.of(OUTPUTS)[-1]["problems"] == [
        {"file": "source/draft.json", "id": "night-bus", "lines": lines}]
    status = rebuilder.snapshot()
    assert status.as_json()["failures"] == {"source/draft.json": lines}
    assert status.failures["source/draft.json"].source == draft
    # fixed: its problems go with the first export that reads it again
    engine.broken.clear()
    rebuilder.handle(saved(engine, draft))
    assert rebuilder.snapshot().failures == {}
    assert engine.calls[-1] == (None, [draft], ("pdf",))


def test_a_collections_failure_is_no_briefings_and_goes_when_the_collections_run_again(
        engine: StandIn) -> None:
    """The catalog's output is named like a briefing file (``catalog.json``): what it
    is comes from the engine's report, not from its name."""
    engine.add("catalog.json", "catalog", "The catalogue")
    night = engine.add("night.json", "night-bus", "Night buses")
    engine.refused = "a withheld briefing cannot be listed"
    rebuilder, told, _ = preview(engine)
    rebuilder.handle(Change(everything=True))
    assert told.of(OUTPUTS)[-1]["problems"] == [
        {"file": "catalog.json", "id": None,
         "lines": ["catalog.json: catalog: a withheld briefing cannot be listed"]}]
    # the web page alone does not make the collections: their failure stays until they do
    told.events.clear()
    engine.refused = None
    rebuilder.handle(saved(engine, night))
    assert told.of(RELOAD)[0]["problems"] != []
    assert told.of(OUTPUTS)[-1]["problems"] == []
    assert rebuilder.snapshot().failures == {}


def test_settings_that_cannot_be_used_leave_the_last_good_ones_and_are_shown_until_fixed(
        engine: StandIn) -> None:
    night = engine.add("night.json", "night-bus", "Night buses")
    rebuilder, told, _ = preview(engine)
    rebuilder.handle(Change(everything=True))
    engine.unusable = BriefkitError("briefkit.toml:1:1: output: cannot be the output folder")
    calls = len(engine.calls)
    rebuilder.handle(Change(everything=True))
    assert len(engine.calls) == calls  # nothing exported with settings it cannot use
    assert rebuilder.snapshot().project == ["briefkit.toml:1:1: output: cannot be the output "
                                            "folder"]
    # an edit meanwhile is exported with the last good ones; the problem stays shown
    rebuilder.handle(saved(engine, night))
    assert engine.calls[-1] == (None, [night], ("pdf",))
    assert told.of(OUTPUTS)[-1]["project"] == rebuilder.snapshot().project != []
    engine.unusable = None
    rebuilder.handle(Change(everything=True))
    assert rebuilder.snapshot().project == []
    assert engine.calls[-1] == (None, None, ())


def test_the_first_export_warms_up_what_it_did_not_make_once(engine: StandIn) -> None:
    engine.add("night.json", "night-bus", "Night buses")
    rebuilder, _, _ = preview(engine)
    rebuilder.handle(Change(everything=True))
    rebuilder.handle(Change(everything=True))
    assert engine.warmed == [({"html", *SINGLE, *COLLECTIONS}, ("html", "pdf"))]


def test_the_preview_pages_show_the_engines_titles_and_each_files_own_problems(
        engine: StandIn) -> None:
    draft = engine.add("draft.json", "night-bus", "Night buses")
    engine.add("other.json", "other", "Other <news>")
    (engine.project.output / "night-bus.html").write_text("<html><body>page</body></html>")
    rebuilder, _, _ = preview(engine)
    rebuilder.handle(Change(everything=True))
    engine.broken.add(draft)
    rebuilder.handle(saved(engine, draft))
    got = pages(Preview(engine, rebuilder, Channel()), "/_preview/night-bus.json",
                "/_preview/other.json", "/_preview/", "/night-bus.html", "/_preview/draft")
    about = got["/_preview/night-bus.json"].json()
    assert about["title"] == "Night buses" and about["files"] == ["source/draft.json"]
    assert about["problems"] == ["source/draft.json:1:1: malformed JSON",
                                 "source/draft.json:2:1: malformed JSON"]
    assert {name: (o["path"], o["exists"]) for name, o in about["outputs"].items()} == {
        "html": ("night-bus.html", True), "pdf": ("night-bus.pdf", False),
        "docx": ("night-bus.docx", False), "epub": ("night-bus.epub", False),
        "email": ("night-bus.email", False)}
    assert got["/_preview/other.json"].json()["problems"] == []
    listing = got["/_preview/"].text
    assert "Other &lt;news&gt;" in listing and "Other <news>" not in listing
    assert listing.count("(problems)") == 1
    assert got["/night-bus.html"].text == ('<html><body>page<script src="/_preview/reload.js" '
                                           'data-briefkit-preview></script>\n</body></html>')
    assert got["/_preview/draft"].status_code == 404  # a file name, not an id


def test_the_preview_scripts_stylesheet_and_page_templates_are_package_data(
        engine: StandIn) -> None:
    import briefkit.serve

    package = Path(briefkit.serve.__file__).parent
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))[
        "tool"]["setuptools"]["package-data"]["briefkit.serve"]
    files = {p.relative_to(package).as_posix() for p in package.rglob("*")
             if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts}
    assert {f"static/{name}" for name in ASSETS} | {
        "templates/preview.html", "templates/list.html"} == files
    assert all(any(fnmatch.fnmatch(name, glob) for glob in declared) for name in files)
    # served as the files are, from the preview's own address
    rebuilder, _, _ = preview(engine)
    got = pages(Preview(engine, rebuilder, Channel()), *(f"/_preview/{n}" for n in ASSETS))
    for name, kind in ASSETS.items():
        reply = got[f"/_preview/{name}"]
        assert reply.headers["content-type"] == f"{kind}; charset=utf-8"
        assert reply.text == (package / "static" / name).read_text("utf-8")


def test_the_email_is_shown_as_a_mail_program_shows_it_with_its_images(
        engine: StandIn, settings: Any, theme: Any) -> None:
    """Its HTML part, the images it carries and those it links at the site taken from
    the output folder, nothing run or fetched from elsewhere."""
    from email import message_from_bytes, policy

    from support.newsrooms import fixture

    from briefkit.exporters.base import Context
    from briefkit.exporters.email import EmailExporter

    item = fixture("every-block")
    site = "https://briefings.example.org/"
    exported = {}
    for images in ("attached", "linked"):
        chosen = settings.model_copy(update={
            "base_url": site, "email": settings.email.model_copy(update={"images": images})})
        exported[images] = EmailExporter().export(item, Context(chosen, theme)).data
    engine.add("every.json", "every-block", "Every block")
    rebuilder, _, _ = preview(engine)
    routes = Preview(engine, rebuilder, Channel())
    shown = {}
    for images, message in exported.items():
        (engine.project.output / "every-block.email").write_bytes(message)
        shown[images] = pages(routes, "/_preview/every-block/email")["/_preview/every-block/email"]
    attached, linked = shown["attached"], shown["linked"]
    assert attached.status_code == 200 and "default-src 'none'" in attached.headers[
        "content-security-policy"]
    page = lxml.html.document_fromstring(attached.text)
    sources = [img.get("src") for img in page.iter("img")]
    assert sources and all(src.startswith("data:image/") for src in sources), sources
    parsed = message_from_bytes(exported["attached"], policy=policy.default)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "cid:" in html and "cid:" not in attached.text
    linked_sources = [img.get("src") for img in lxml.html.document_fromstring(
        linked.text).iter("img")]
    assert linked_sources and all(src.startswith("/images/") for src in linked_sources), \
        linked_sources
    # not a briefing's id, or no e-mail exported: not found
    (engine.project.output / "every-block.email").unlink()
    gone = pages(routes, "/_preview/every-block/email", "/_preview/..%2Fx/email")
    assert [r.status_code for r in gone.values()] == [404, 404]
