"""Independent readers of the feeds: what feedparser and newsboat show of them, and what
the W3C Feed Validation Service says of them.

The validator is w3c/feedvalidator's ``feedvalidator`` package (Python, offline), with
html5lib.  It is not on PyPI: a checkout of https://github.com/w3c/feedvalidator named by
``FEEDVALIDATOR`` (the checkout or its ``src/`` folder) is used; without one the tests that
need it are skipped, saying so (docs/gates.md).
"""

from __future__ import annotations

import functools
import http.server
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest

VALIDATOR_MISSING = ("the W3C feed validator is not importable: set FEEDVALIDATOR to a "
                     "checkout of w3c/feedvalidator (docs/gates.md); html5lib is needed too")


def _validator_on_path() -> None:
    """The checkout ``FEEDVALIDATOR`` names, importable (its ``src/`` folder holds the
    package)."""
    checkout = os.environ.get("FEEDVALIDATOR")
    if not checkout:
        return
    for folder in (Path(checkout) / "src", Path(checkout)):
        if (folder / "feedvalidator" / "__init__.py").is_file():
            if str(folder) not in sys.path:
                sys.path.append(str(folder))
            return


def shown(value: str, detail: dict[str, str] | None) -> str:
    """A text as a reader shows what feedparser read: HTML rendered to its text, plain
    text as it is."""
    if detail is not None and detail.get("type") == "text/html":
        return str(lxml.html.fragment_fromstring(f"<div>{value}</div>").text_content())
    return value


def validator_events(data: bytes, url: str) -> list[str]:
    """Every error and warning the W3C validator reports on a feed published at ``url``
    (its "AA" level, what the online service shows), one line each."""
    _validator_on_path()
    feedvalidator = pytest.importorskip("feedvalidator", reason=VALIDATOR_MISSING)
    pytest.importorskip("html5lib", reason=VALIDATOR_MISSING)
    from feedvalidator import compatibility
    from feedvalidator.formatter.text_plain import Formatter

    events = feedvalidator.validateString(data, firstOccurrenceOnly=0, base=url)["loggedEvents"]
    return list(Formatter(compatibility.AA(events)))


def published_url(base: str, path: str) -> str:
    return base + quote(path, safe="/")


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 for as long as the block runs: its address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    server.timeout = 10
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def newsboat_items(url: str, home: Path) -> dict[str, dict[str, Any]]:
    """What newsboat keeps of each item of the feed at ``url`` once it has reloaded it
    (title, author, content as it shows them), by guid."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "urls").write_text(url + "\n", "utf-8")
    (home / "config").write_text("", "utf-8")
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home),
           "XDG_DATA_HOME": str(home), "LANG": "C.UTF-8"}
    subprocess.run(["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"],
                   cwd=home, env=env, check=True, timeout=60, capture_output=True)
    with sqlite3.connect(home / "cache.db") as db:
        rows = db.execute("SELECT guid, title, author, content FROM rss_item WHERE feedurl = ?",
                          (url,)).fetchall()
    return {guid: {"title": title, "author": author, "content": content}
            for guid, title, author, content in rows}
