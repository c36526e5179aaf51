"""briefkit serve as a writer uses it: a real server in its own process, on a free port
of 127.0.0.1, read over real HTTP; every wait has a deadline and the server is always
stopped, whatever happens."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from pypdf import PdfReader
from support.commands import install_plugin, run_briefkit
from support.newsrooms import ENGLISH, ROOT, SAMPLES, warm

pytestmark = pytest.mark.timeout(180)

T = TypeVar("T")
#: The first export of a fresh folder (cold WeasyPrint) on a busy machine.
STARTUP = 120.0
#: A machine with more runnable processes than cores (the test suite on every core)
#: gives each process its share: the promises below hold for one with a core to spare,
#: and their waits grow in proportion.
BUSY = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
#: The promise: an edit reaches the served web page and PDF within 2 s.
REFRESH = 2.0 * BUSY
#: The promise: Ctrl-C or SIGTERM ends the preview within a second, whatever it is doing.
STOP = 1.0 * BUSY
#: The promises: a request's head is complete 5 s after the connection (else it is
#: closed), and a request being answered never stands still for 30 s.
HEAD, IDLE = 5.0, 30.0


def _until(check: Callable[[], T | None], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.02)


class Server:
    """``briefkit serve --port 0`` in ``folder``, its address read from what it prints."""

    def __init__(self, folder: Path, tmp: Path, env: dict[str, str] | None = None,
                 ready: bool = True) -> None:
        self.folder = folder
        env = {**os.environ, **(env or {}), "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefkit", "serve", "--port", "0"], cwd=folder, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lines.extend, args=(stream,), daemon=True).start()
        line = _until(lambda: next((x for x in self.out if "http://" in x), None), 30,
                      f"the server's address ({self.err})")
        address = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert address is not None, line
        self.url, self.port = address.group(0), int(address.group(1))
        self.http = httpx.Client(base_url=self.url, timeout=10)
        if ready:
            _until(self.ready, STARTUP, "the first export")

    def ready(self) -> bool | None:
        try:
            status = self.http.get("/_preview/_status").json()
        except httpx.HTTPError:
            return None
        return True if status["edit"] >= 1 and not status["busy"] else None

    def raw(self, path: str) -> tuple[int, bytes]:
        """GET ``path`` exactly as written (httpx would tidy away the ``..``)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


class Events:
    """A client of the reload channel, collecting (event, data) in a thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.connected = threading.Event()
        self.closed = threading.Event()
        self.client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        threading.Thread(target=self._listen, daemon=True).start()
        if not self.connected.wait(10):
            raise AssertionError("the event channel did not answer")

    def _listen(self) -> None:
        event = ""
        try:
            with self.client.stream("GET", self.url + "_preview/events") as response:
                for line in response.iter_lines():
                    if line.startswith(": connected"):
                        self.connected.set()
                    elif line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        self.received.append((event, json.loads(line[6:])))
        except httpx.HTTPError:
            pass  # closed by the test or the server
        finally:
            self.closed.set()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [data for event, data in list(self.received) if event == kind]

    def done(self) -> list[dict[str, Any]]:
        """The events that end a change's export."""
        return [data for data in self.of("outputs") if not data["busy"]]

    def close(self) -> None:
        self.client.close()


def _folder(base: Path, samples: list[str], cold: bool = False) -> Path:
    """A newsroom of ``samples`` in ``base``, its exporters' cache warmed unless ``cold``."""
    folder = base / "newsroom"
    (folder / "source").mkdir(parents=True)
    if not cold:
        warm(folder)
    shutil.copy(ROOT / "briefkit.toml", folder / "briefkit.toml")
    for name in samples:
        shutil.copy(SAMPLES / f"{name}.json", folder / "source" / f"{name}.json")
    shutil.copytree(SAMPLES / "images", folder / "source" / "images")
    (base / "tmp").mkdir()
    return folder


#: A newsroom's own collection format (a plugin), which refuses to list a withheld briefing.
CATALOG = '''
from briefkit.errors import BriefkitError
from briefkit.exporters.base import CollectionExporter


class CatalogExporter(CollectionExporter):
    name = "catalog"
    output = "catalog.json"
    extension = ".json"
    media_type = "application/json"
    description = "the ids of every briefing"

    def export_collection(self, items, context):
        if any("Withheld" in item.briefing.title for item in items):
            raise BriefkitError("a withheld briefing cannot be listed")
        return ("[" + ", ".join(f'"{item.id}"' for item in items) + "]\\n").encode()
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("serve")
    (base / "site").mkdir()
    plugin = install_plugin(base / "site", "briefkit_catalog", "CatalogExporter", "catalog",
                            CATALOG)
    started = Server(_folder(base, [ENGLISH]), base / "tmp", plugin)
    try:
        yield started
        started.stop()
    finally:
        started.kill()


def _retitle(server: Server, title: str) -> None:
    path = server.folder / "source" / f"{ENGLISH}.json"
    data = json.loads(path.read_text("utf-8"))
    data["title"] = title
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_each_edit_reaches_the_served_page_and_pdf_with_one_reload_event(server: Server) -> None:
    events = Events(server.url)
    try:
        for n in (1, 2, 3):
            word = f"Revision{n}"
            _retitle(server, f"{word} of the night bus network")
            saved = time.monotonic()

            def page(word: str = word) -> bool | None:
                reply = server.http.get(f"/{ENGLISH}.html")
                return True if reply.status_code == 200 and word in reply.text else None

            def pdf(word: str = word) -> bool | None:
                reply = server.http.get(f"/{ENGLISH}.pdf")
                return True if reply.status_code == 200 and word in _pdf_text(reply.content) \
                    else None

            _until(page, REFRESH - (time.monotonic() - saved), f"{word} in the web page")
            _until(pdf, REFRESH - (time.monotonic() - saved), f"{word} in the PDF")
            # the next edit only once this one's run is over, so edits are not merged
            _until(lambda n=n: True if len(events.done()) >= n else None, 10,
                   f"the end of edit {n}'s export")
        time.sleep(1.0)  # room for a stray event
        reloads = events.of("reload")
        assert len(reloads) == 3, reloads
        assert len({r["edit"] for r in reloads}) == 3
        assert all(f"{ENGLISH}.html" in r["written"] for r in reloads)
        # then the PDF, and the rest, as more outputs are made; the last one says so
        assert [o["edit"] for o in events.done()] == [r["edit"] for r in reloads]
        for reload in reloads:
            made = [name for o in events.of("outputs") if o["edit"] == reload["edit"]
                    for name in o["written"]]
            assert {f"{ENGLISH}.pdf", f"{ENGLISH}.docx", f"{ENGLISH}.epub"} <= set(made)
    finally:
        events.close()
    # served pages carry the reload snippet; the file in dist/ does not
    served = server.http.get(f"/{ENGLISH}.html").text
    assert '<script src="/_preview/reload.js"' in served
    assert "/_preview/" not in (server.folder / "dist" / f"{ENGLISH}.html").read_text()
    assert "/_preview/events" in server.http.get("/_preview/reload.js").text


def test_a_broken_save_keeps_the_last_good_page_and_shows_where(server: Server) -> None:
    path = server.folder / "source" / f"{ENGLISH}.json"
    _retitle(server, "Revision5 of the night bus network")
    _until(lambda: True if "Revision5" in _pdf_text(server.http.get(f"/{ENGLISH}.pdf").content)
           else None, 30, "the last good PDF")
    good = path.read_text("utf-8")
    path.write_text(good[: len(good) // 3], "utf-8")  # a half-saved file

    where = re.compile(rf"^source/{ENGLISH}\.json:\d+:\d+: ")

    def located() -> list[str] | None:
        found = server.http.get(f"/_preview/{ENGLISH}.json").json()["problems"]
        return [line for line in found if where.match(line)] or None

    _until(located, 10, "the problem, with file:line:col, on the preview page")
    preview = server.http.get(f"/_preview/{ENGLISH}")
    assert preview.status_code == 200
    assert re.search(rf"source/{ENGLISH}\.json:\d+:\d+: ", preview.text)
    page = server.http.get(f"/{ENGLISH}.html")
    assert page.status_code == 200 and "Revision5" in page.text
    assert "Revision5" in _pdf_text(server.http.get(f"/{ENGLISH}.pdf").content)
    assert server.process.poll() is None
    # fixed: the problem goes, the new title comes
    path.write_text(good.replace("Revision5", "Revision6"), "utf-8")
    _until(lambda: True if "Revision6" in server.http.get(f"/{ENGLISH}.html").text else None,
           10, "the fixed page")
    _until(lambda: True if not server.http.get(f"/_preview/{ENGLISH}.json").json()["problems"]
           else None, 10, "the problem to go")


def test_only_the_output_folder_is_served(server: Server) -> None:
    dist = server.folder / "dist"
    (dist / "settings.toml").symlink_to(server.folder / "briefkit.toml")
    (dist / "system").symlink_to("/etc")
    secrets = [b"root:", b"base_url", b'"sections"']
    try:
        for path in ["/../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                     "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/%252e%252e%252fetc%252fpasswd",
                     "/..\\..\\etc\\passwd", "//etc/passwd", "/briefkit.toml",
                     "/../briefkit.toml", f"/../source/{ENGLISH}.json", "/settings.toml",
                     "/system/passwd", "/.briefkit.lock", "/_preview/../briefkit.toml",
                     "/_preview/..%2f..%2fbriefkit.toml"]:
            status, body = server.raw(path)
            assert status in (403, 404), (path, status)
            assert not any(secret in body for secret in secrets), path
    finally:
        (dist / "settings.toml").unlink()
        (dist / "system").unlink()
    assert server.raw(f"/{ENGLISH}.pdf")[1].startswith(b"%PDF-")
    assert server.raw("/")[0] == 200  # the front page
    # a page of another site cannot read the preview through a name pointing here
    assert server.http.get("/", headers={"Host": "attacker.example"}).status_code == 400


def _status(server: Server) -> dict[str, Any]:
    status: dict[str, Any] = server.http.get("/_preview/_status").json()
    return status


def test_an_output_folder_that_export_refuses_is_refused_before_listening(
        tmp_path: Path) -> None:
    folder = _folder(tmp_path, [ENGLISH])
    settings = folder / "briefkit.toml"
    settings.write_text('output = "/"\n' + settings.read_text("utf-8"), "utf-8")
    exported = run_briefkit("export", "--all", cwd=folder)
    try:
        served = run_briefkit("serve", "--port", "0", cwd=folder, timeout=30)
    except subprocess.TimeoutExpired as running:
        raise AssertionError(f"serve started: {running.stdout!r}") from None
    assert exported.returncode == served.returncode == 1
    # the same one line as export, and nothing served
    assert served.stderr == exported.stderr and len(served.stderr.splitlines()) == 1
    assert "cannot be the output folder" in served.stderr
    assert served.stdout == ""


def test_settings_pointing_the_output_where_export_refuses_are_refused_while_serving(
        server: Server) -> None:
    settings = server.folder / "briefkit.toml"
    good = settings.read_text("utf-8")
    settings.write_text('output = "/"\n' + good, "utf-8")
    try:
        refused = run_briefkit("export", "--all", cwd=server.folder)
        line = refused.stderr.strip().removeprefix("briefkit: ")
        assert refused.returncode == 1 and "cannot be the output folder" in line
        _until(lambda: True if _status(server)["project"] == [line] else None, 10,
               "the settings' problem on the preview")
        status, body = server.raw("/etc/passwd")
        assert status == 404 and b"root:" not in body
        assert server.raw(f"/{ENGLISH}.html")[0] == 200  # the last good folder, still
        # an edit meanwhile goes to the last good folder; the problem stays shown
        _retitle(server, "Revision7 of the night bus network")
        _until(lambda: True if "Revision7" in server.http.get(f"/{ENGLISH}.html").text
               else None, 30, "the edit in the last good folder")
        _until(lambda: True if not _status(server)["busy"] else None, 30, "the edit's export")
        assert _status(server)["project"] == [line]
    finally:
        settings.write_text(good, "utf-8")
    _until(lambda: True if _status(server)["project"] == [] else None, 30, "the problem to go")


def test_connections_that_never_send_a_whole_request_are_closed(server: Server) -> None:
    """50 connections that send nothing and 50 that send half a request head: each is
    closed within the head's deadline, and a real request is answered meanwhile."""
    opened: list[tuple[socket.socket, float]] = []
    try:
        for n in range(100):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            if n % 2:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no end of head
            opened.append((sock, time.monotonic()))
        asked = time.monotonic()
        assert server.raw(f"/{ENGLISH}.html")[0] == 200
        assert time.monotonic() - asked < 5
        for n, (sock, since) in enumerate(opened):
            sock.settimeout(max(0.01, since + HEAD + 3 - time.monotonic()))
            try:
                data = sock.recv(1024)
            except TimeoutError:
                raise AssertionError(f"connection {n} still open after {HEAD + 3} s") from None
            except ConnectionError:
                data = b""
            assert data == b"", data
    finally:
        for sock, _ in opened:
            sock.close()


@pytest.mark.slow
def test_an_open_page_keeps_its_connection_and_a_client_that_reads_nothing_is_dropped(
        server: Server) -> None:
    big = server.folder / "dist" / "big.bin"
    big.write_bytes(os.urandom(32 * 1024 * 1024))
    events = Events(server.url)
    reader = socket.socket()
    try:
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.connect(("127.0.0.1", server.port))
        reader.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep(IDLE + 10)  # reads nothing
        # the page listens still, and hears the next edit
        assert not events.closed.is_set()
        _retitle(server, "Revision8 of the night bus network")
        _until(lambda: True if any(f"{ENGLISH}.html" in r["written"]
                                   for r in events.of("reload")) else None, 30, "a reload")
        received = 0
        reader.settimeout(10)
        try:
            while chunk := reader.recv(1 << 20):
                received += len(chunk)
        except TimeoutError:
            raise AssertionError(f"still open after {received:,} bytes") from None
        except ConnectionError:
            pass
        assert received < big.stat().st_size
    finally:
        reader.close()
        events.close()
        big.unlink()


def test_a_fifo_in_source_never_blocks_the_preview(server: Server) -> None:
    pipe = server.folder / "source" / "pipe.json"
    os.mkfifo(pipe)  # nobody ever writes to it
    try:
        def refused() -> bool | None:
            status = _status(server)
            return True if "source/pipe.json" in status["failures"] and not status["busy"] \
                else None

        _until(refused, 30, "the FIFO's problem, and the end of the export")
        listing = server.http.get("/_preview/", timeout=5)
        assert listing.status_code == 200 and f"/_preview/{ENGLISH}" in listing.text
        assert server.http.get(f"/_preview/{ENGLISH}.json", timeout=5).status_code == 200
    finally:
        pipe.unlink()
    _until(lambda: None if "source/pipe.json" in _status(server)["failures"] else True, 30,
           "the FIFO's problem to go")


def test_preview_pages_are_named_by_the_models_id_rule(server: Server) -> None:
    odd = server.folder / "source" / "odd\n.json"
    odd.write_text("{", "utf-8")  # never parses: known by its file name, which is no id
    try:
        _until(lambda: True if "source/odd\n.json" in _status(server)["failures"] else None,
               30, "the odd file's problem")
        for path in ("/_preview/odd%0A", "/_preview/odd%0A.json", "/_preview/odd"):
            assert server.raw(path)[0] == 404, path
        assert "/_preview/odd" not in server.http.get("/_preview/").text
        assert server.raw(f"/_preview/{ENGLISH}")[0] == 200
        assert server.raw("/_preview/index.json")[0] == 200  # the front page asks too
    finally:
        odd.unlink()
    _until(lambda: None if "source/odd\n.json" in _status(server)["failures"] else True, 30,
           "the odd file's problem to go")


def test_a_newsrooms_own_manifest_is_served_but_temporary_files_are_not(
        server: Server) -> None:
    dist = server.folder / "dist"
    manifest = b'{"name": "Briefings", "start_url": "/", "display": "standalone"}\n'
    (dist / "manifest.json").write_bytes(manifest)
    part = dist / f".{ENGLISH}.html.k2f9x1.part"
    part.write_bytes(b"<html>half a page")
    try:
        assert server.raw("/manifest.json") == (200, manifest)
        assert server.raw(f"/{part.name}")[0] == 404
    finally:
        (dist / "manifest.json").unlink()
        part.unlink(missing_ok=True)


def test_a_collections_failure_goes_once_it_is_made_again(server: Server) -> None:
    """The newsroom's catalog (a collection, ``catalog.json``) refuses a withheld briefing:
    its failure is the collection's, shown as no briefing's, and goes when it is made."""
    events = Events(server.url)
    try:
        _retitle(server, "Withheld: the night bus network")
        lines = _until(lambda: _status(server)["failures"].get("catalog.json"), 30,
                       "the catalog's failure")
        assert lines == ["catalog.json: catalog: a withheld briefing cannot be listed"]
        _until(lambda: True if events.done() else None, 30, "the end of the export")
        shown = [p for data in events.of("outputs") for p in data["problems"]
                 if p["file"] == "catalog.json"]
        assert shown and all(p["id"] is None for p in shown), shown
        _retitle(server, "Published: the night bus network")
        _until(lambda: None if "catalog.json" in _status(server)["failures"] else True, 30,
               "the catalog's failure to go")
        assert server.raw("/catalog.json") == (200, f'["{ENGLISH}"]\n'.encode())
    finally:
        events.close()


def _leaves_nothing(folder: Path, tmp: Path) -> None:
    """No temporary file anywhere, and nothing written beside source/ but dist/ (and the
    run state folder)."""
    assert list(tmp.iterdir()) == []
    assert [p for p in folder.rglob("*") if p.name.endswith(".part")] == []
    assert not any((folder / ".briefkit" / "tmp").glob("*")), [str(p) for p in (folder / ".briefkit" / "tmp").rglob("*")]
    assert sorted(p.name for p in folder.iterdir()) in (
        ["briefkit.toml", "dist", "source"], [".briefkit", "briefkit.toml", "dist", "source"])


@pytest.mark.parametrize("sig", [
    signal.SIGINT,
    # the same handler as Ctrl-C: a second cold start is left to the full suite
    pytest.param(signal.SIGTERM, marks=pytest.mark.slow),
], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_it_cleanly_leaving_no_temporary_files(tmp_path: Path,
                                                              sig: signal.Signals) -> None:
    folder = _folder(tmp_path, [ENGLISH])
    started = Server(folder, tmp_path / "tmp")
    try:
        assert started.raw(f"/{ENGLISH}.html")[0] == 200  # WeasyPrint has its fonts out
        events = Events(started.url)  # an open page must not hold the server
        stopping = time.monotonic()
        code = started.stop(sig)
        assert time.monotonic() - stopping < STOP
        events.close()
    finally:
        started.kill()
    assert code in (0, 130), started.err
    _leaves_nothing(folder, tmp_path / "tmp")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_ends_it_within_a_second_in_the_middle_of_an_export(
        tmp_path: Path, sig: signal.Signals) -> None:
    """Stopped while its first export makes a long briefing's outputs (each takes
    seconds), with a page open and a FIFO in source/: it ends within a second; the
    output being made is abandoned, and no temporary file is left."""
    # cold: its first export has the web fonts and Word subsets to make too
    folder = _folder(tmp_path, [ENGLISH], cold=True)
    long_read = json.loads((folder / "source" / f"{ENGLISH}.json").read_text("utf-8"))
    long_read.update(id="long-read", title="A long read", url=None,
                     sections=long_read["sections"] * 20)
    (folder / "source" / "long-read.json").write_text(json.dumps(
        {k: v for k, v in long_read.items() if v is not None}), "utf-8")
    os.mkfifo(folder / "source" / "pipe.json")  # nobody ever writes to it
    started = Server(folder, tmp_path / "tmp", ready=False)
    try:
        events = Events(started.url)
        assert started.http.get("/_preview/_status").json()["busy"]
        time.sleep(2.0)  # WeasyPrint imported, the first outputs under way
        stopping = time.monotonic()
        code = started.stop(sig)
        took = time.monotonic() - stopping
        events.close()
    finally:
        started.kill()
    assert took < STOP, f"{took:.2f} s {started.err}"
    assert code == 0, started.err
    assert events.closed.is_set()
    _leaves_nothing(folder, tmp_path / "tmp")


@pytest.mark.slow
def test_theme_edits_leave_no_descriptor_or_temporary_folder_behind(tmp_path: Path) -> None:
    """Each edit of the theme makes every output again with a new workshop (fonts,
    stylesheets, a temporary folder held open): the one of the theme before goes."""
    folder = _folder(tmp_path, [ENGLISH])
    theme = folder / "themes" / "house" / "theme.toml"
    theme.parent.mkdir(parents=True)
    theme.write_text('extends = "default"\n', "utf-8")
    settings = folder / "briefkit.toml"
    settings.write_text(settings.read_text("utf-8").replace('theme = "default"',
                                                            'theme = "house"'), "utf-8")
    started = Server(folder, tmp_path / "tmp")

    def held() -> tuple[int, list[Path]]:
        _status(started)  # the same connection open each time it is counted
        return (len(os.listdir(f"/proc/{started.process.pid}/fd")),
                sorted((folder / ".briefkit" / "tmp").glob("*")))

    try:
        descriptors, folders = held()
        for accent in ("#000001", "#000002", "#000003"):
            edit = _status(started)["edit"]
            theme.write_text(f'extends = "default"\n[colours]\naccent = "{accent}"\n', "utf-8")
            _until(lambda edit=edit: True if (status := _status(started))["edit"] > edit
                   and not status["busy"] else None, STARTUP, f"the export of {accent}")
            assert _status(started)["project"] == []
        time.sleep(1.0)  # a save the watcher saw twice: its second export too
        _until(lambda: None if _status(started)["busy"] else True, STARTUP, "the last export")
        now, left = held()
    finally:
        started.kill()
    assert len(folders) == len(left) == 1 and left != folders
    assert now <= descriptors


def test_what_a_change_means_for_the_export(tmp_path: Path) -> None:
    """Saved briefings are exported alone; images, removals and themes mean everything;
    editors' temporary files and probes mean nothing."""
    from watchfiles import Change as Kind

    from briefkit.serve.watch import Watcher

    source, themes = tmp_path / "source", tmp_path / "themes"
    (source / "images").mkdir(parents=True)
    (themes / "house").mkdir(parents=True)
    briefing = source / "a.json"
    briefing.write_text("{}")
    watcher = Watcher(tmp_path, source, tmp_path / "dist", lambda change: None)

    def means(*changes: tuple[Kind, Path]) -> tuple[list[str], bool] | None:
        found = watcher.classify({(kind, str(path)) for kind, path in changes})
        return None if found is None else (sorted(p.name for p in found.paths), found.everything)

    assert means((Kind.modified, briefing)) == (["a.json"], False)
    # saved by removing and writing again
    assert means((Kind.deleted, briefing), (Kind.added, briefing)) == (["a.json"], False)
    assert means((Kind.deleted, source / "gone.json")) == ([], True)
    assert means((Kind.modified, source / "images" / "chart.png")) == ([], True)
    assert means((Kind.modified, themes / "house" / "theme.toml")) == ([], True)
    assert means((Kind.added, source / ".a.json.swp")) is None
    assert means((Kind.added, source / "4913"), (Kind.deleted, source / "4913")) is None
    assert means((Kind.added, source / "images")) is None
    assert means((Kind.modified, tmp_path / "dist" / "a.html")) is None
