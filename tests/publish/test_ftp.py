"""Publishing over FTP to pyftpdlib, started by the test on 127.0.0.1: a partner's
selection, the order files land in, and the faults an FTP drop can give."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from publish.servers import (
    Ftp,
    certificate,
    room_from,
    synthetic_dist,
    synthetic_room,
    temporaries,
    tree,
)
from pyftpdlib.handlers import FTPHandler
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FRENCH

PASSWORD = {"DESK_FTP_PASSWORD": Ftp.password}


@contextmanager
def ftp_server(home: Path, handler: Any = None, perm: str = "elradfmwMT") -> Iterator[Ftp]:
    server = Ftp(home, handler=handler, perm=perm)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_partner_gets_its_selection_byte_for_byte(ftp: Ftp, exported_all: Path,
                                                     tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", ftp.settings(
        "afp", "afp/incoming/", 'formats = ["pdf", "docx"]\nlanguages = ["fr"]'))
    result = run_briefkit("publish", "afp", "--json", cwd=room, env=PASSWORD)
    assert result.returncode == 0, result.stderr
    dist = room / "dist"
    wanted = {name: (dist / name).read_bytes() for name in (f"{FRENCH}.pdf", f"{FRENCH}.docx")}
    assert tree(ftp.home / "afp" / "incoming") == wanted
    report = json.loads(result.stdout)
    assert sorted(item["path"] for item in report["targets"][0]["sent"]) == sorted(wanted)
    assert Ftp.password not in result.stdout + result.stderr


def test_a_wrong_password_is_one_line_and_never_printed(ftp: Ftp, tmp_path: Path) -> None:
    room, _ = synthetic_room(tmp_path / "room", ftp.settings("afp", "wrong/"), 2, 100)
    wrong = "s3cret-but-wrong-42"
    for extra in ((), ("--json",)):
        result = run_briefkit("publish", *extra, cwd=room, env={"DESK_FTP_PASSWORD": wrong})
        assert result.returncode == 1
        assert wrong not in result.stdout + result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"afp: ftp://desk@127.0.0.1:{ftp.port}/wrong/: login refused "
                                   "(530 ")
    assert not (ftp.home / "wrong").exists()


def test_a_password_variable_not_set_is_one_line(ftp: Ftp, tmp_path: Path) -> None:
    room, _ = synthetic_room(tmp_path / "room", ftp.settings("afp", "unset/"), 1, 100)
    env = {k: v for k, v in os.environ.items() if k != "DESK_FTP_PASSWORD"}
    unset = subprocess.run([sys.executable, "-m", "briefkit", "publish"], cwd=room, env=env,
                           capture_output=True, text=True)
    assert unset.returncode == 1
    assert unset.stderr.splitlines() == [
        f"afp: ftp://desk@127.0.0.1:{ftp.port}/unset/: the environment variable "
        "DESK_FTP_PASSWORD (password_env) is not set"]


class Recording(FTPHandler):  # type: ignore[misc]
    """Notes where each file is renamed to: the moment it appears to readers."""

    landed: ClassVar[list[str]] = []

    def ftp_RNTO(self, path: str) -> Any:
        found = super().ftp_RNTO(path)
        if found:
            Recording.landed.append(Path(found[1]).relative_to(self.fs.root).as_posix())
        return found


def test_files_land_in_an_order_that_never_leaves_a_dead_link(
        exported_all: Path, tmp_path: Path) -> None:
    Recording.landed = []
    with ftp_server(tmp_path / "home", Recording) as server:
        room = room_from(exported_all, tmp_path / "room",
                         server.settings("web", "", "parallel = 1"))
        result = run_briefkit("publish", cwd=room, env=PASSWORD)
    assert result.returncode == 0, result.stderr
    order = {name: n for n, name in enumerate(Recording.landed)}
    assert set(order) == set(tree(room / "dist"))
    linked = [n for name, n in order.items() if name.startswith(("images/", "theme/"))]
    pages = [n for name, n in order.items() if name.endswith(".html") and name != "index.html"]
    collections = [order[n] for n in ("feed.xml", "atom.xml", "feed.json", "index.html",
                                      "sitemap.xml", "digest.eml")]
    # the feeds and pages of topics and languages list briefings too: after them, with
    # the collections
    listings = [n for name, n in order.items() if "/" in name and name.rsplit("/", 1)[1] in
                ("feed.xml", "atom.xml", "feed.json", "index.html")]
    assert listings and min(listings) > max(order[f"{b}.html"] for b in (FRENCH, ENGLISH))
    collections += listings
    assert max(linked) < min(pages)  # images and fonts before the pages that show them
    for briefing in (FRENCH, ENGLISH, "every-block", "rtl-arabic"):
        own = [order[f"{briefing}.{ext}"] for ext in ("pdf", "docx", "epub")
               if f"{briefing}.{ext}" in order]
        assert max(own) < order[f"{briefing}.html"] < order[f"{briefing}.ninjs.json"]
    everything_else = [n for name, n in order.items()
                       if n not in collections and name != "robots.txt"]
    assert max(everything_else) < min(collections)  # the lists of briefings last
    assert order["robots.txt"] > order["sitemap.xml"]  # it names the sitemap


class NoOverwrite(FTPHandler):  # type: ignore[misc]
    """A server that refuses to rename over an existing file, as many do."""

    def ftp_RNTO(self, path: str) -> Any:
        if self.fs.lexists(path):
            self.respond("550 File exists.")
            self._rnfr = None
            return None
        return super().ftp_RNTO(path)


def test_a_server_that_will_not_rename_over_a_file_gets_the_new_one(tmp_path: Path) -> None:
    with ftp_server(tmp_path / "home", NoOverwrite) as server:
        room, _ = synthetic_room(tmp_path / "room", server.settings("afp"), 3, 1000)
        assert run_briefkit("publish", cwd=room, env=PASSWORD).returncode == 0
        newer = synthetic_dist(room, 3, 2000)  # the same names, other bytes
        result = run_briefkit("publish", cwd=room, env=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert tree(server.home) == newer and temporaries(server.home) == []


def test_permission_denied_is_one_line(tmp_path: Path) -> None:
    with ftp_server(tmp_path / "home", perm="elr") as server:  # read only
        room, _ = synthetic_room(tmp_path / "room", server.settings("afp"), 5, 100)
        result = run_briefkit("publish", cwd=room, env=PASSWORD)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("afp: b000") and "550" in lines[0]
    assert "afp: nothing to send" in result.stdout and "not sent" in result.stdout


class Full(FTPHandler):  # type: ignore[misc]
    def ftp_STOR(self, file: str, mode: str = "w") -> None:
        self.respond("452 Insufficient storage space.")


def test_a_full_remote_is_one_line(tmp_path: Path) -> None:
    with ftp_server(tmp_path / "home", Full) as server:
        room, _ = synthetic_room(tmp_path / "room", server.settings("afp"), 5, 100)
        result = run_briefkit("publish", cwd=room, env=PASSWORD)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "the remote is full (452 " in lines[0], result.stderr
    receipt = json.loads((room / ".briefkit" / "receipts" / "afp.json").read_text())
    assert receipt["files"] == {}  # nothing landed, nothing recorded


class Flaky(FTPHandler):  # type: ignore[misc]
    """Breaks off the first transfer of each file, as a dropped data connection does."""

    tried: ClassVar[set[str]] = set()
    lock = threading.Lock()

    def ftp_STOR(self, file: str, mode: str = "w") -> Any:
        name = Path(file).name.split(".")[1]
        with Flaky.lock:
            first = name not in Flaky.tried
            Flaky.tried.add(name)
        if first:
            self.respond("426 Connection closed; transfer aborted.")
            return None
        return super().ftp_STOR(file, mode)


def test_a_transfer_broken_off_is_tried_again(tmp_path: Path) -> None:
    Flaky.tried = set()
    with ftp_server(tmp_path / "home", Flaky) as server:
        room, made = synthetic_room(tmp_path / "room", server.settings("afp"), 4, 100)
        result = run_briefkit("publish", cwd=room, env=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert tree(server.home) == made and len(Flaky.tried) == 4


@contextmanager
def ftps_server(home: Path, folder: Path) -> Iterator[tuple[Ftp, Path]]:
    """pyftpdlib requiring TLS on the control and data connections (explicit FTPS), with
    a certificate for localhost that no system authority signed."""
    from pyftpdlib.handlers import TLS_FTPHandler

    key, cert = certificate(folder)
    handler = type("Secure", (TLS_FTPHandler,), {
        "certfile": str(cert), "keyfile": str(key),
        "tls_control_required": True, "tls_data_required": True})
    with ftp_server(home, handler) as server:
        yield server, cert


def test_ftps_checks_the_servers_certificate_before_the_password(tmp_path: Path) -> None:
    with ftps_server(tmp_path / "home", tmp_path) as (ftp, cert):
        settings = ftp.settings("afp", "afp/").replace("ftp://", "ftps://")
        room, _ = synthetic_room(tmp_path / "room", settings, 2, 100)
        # a certificate no authority of this machine signed: refused, nothing sent
        refused = run_briefkit("publish", cwd=room, env=PASSWORD)
        assert refused.returncode == 1
        assert refused.stderr.splitlines() == [
            f"afp: ftps://desk@127.0.0.1:{ftp.port}/afp/: the server's certificate is not "
            "trusted (self-signed certificate)"], refused.stderr
        assert not (ftp.home / "afp").exists()
        # the partner's authority (here: its certificate) named with ca_file: sent
        with open(room / "briefkit.toml", "a", encoding="utf-8") as toml:
            toml.write(f'ca_file = "{cert}"\n')
        sent = run_briefkit("publish", "--json", cwd=room, env=PASSWORD)
        assert sent.returncode == 0, sent.stderr
        dist = room / "dist"
        assert tree(ftp.home / "afp") == {p.relative_to(dist).as_posix(): p.read_bytes()
                                          for p in dist.rglob("*") if p.is_file()}
