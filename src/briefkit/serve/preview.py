"""What the preview adds to a browser: the reload snippet and the preview pages.

The scripts, the stylesheet and the page templates are files of this package
(``static/`` and ``templates/``), read once.  The snippet is added to web pages as
they are served, never to the files in dist/.  Every value shown on a preview page
comes from a briefing file or a problem report and is escaped (Jinja's autoescape);
the scripts, served from /_preview/ like the stylesheet, put text in the page with
``textContent`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, Template

#: The path of the event channel, which every page's snippet listens to.
EVENTS = "/_preview/events"

#: Added before ``</body>`` of every served web page: ``reload.js``, from the preview's
#: own address (a page's Content-Security-Policy may allow "self" only).  A page
#: reloads when its own file was written again; when its briefing does not load, it
#: keeps what it shows and says why in a bar at the top.
SNIPPET = '<script src="/_preview/reload.js" data-briefkit-preview></script>\n'

#: The preview's own files, by name under /_preview/, with their media types.
ASSETS = {
    "reload.js": "text/javascript",
    "preview.js": "text/javascript",
    "list.js": "text/javascript",
    "preview.css": "text/css",
}

_environment = Environment(autoescape=True, keep_trailing_newline=True)


def _text(folder: str, name: str) -> str:
    return files("briefkit.serve").joinpath(folder, name).read_text("utf-8")


@cache
def asset(name: str) -> str:
    """The text of one of :data:`ASSETS`."""
    return _text("static", name)


@cache
def _template(name: str) -> Template:
    return _environment.from_string(_text("templates", name))


def preview_page(*, id: str, title: str | None, outputs: Mapping[str, Mapping[str, Any]],
                 problems: Sequence[str], edit: int, busy: bool) -> str:
    """The preview of one briefing: its web page and PDF side by side, its problems."""
    return _template("preview.html").render(
        id=id, title=title, outputs=outputs, problems=problems, edit=edit, busy=busy)


def list_page(briefings: Sequence[tuple[str, str | None, bool]], project: Sequence[str]) -> str:
    """Every briefing, each linking to its preview."""
    return _template("list.html").render(briefings=briefings, project=project)


def with_snippet(page: bytes) -> bytes:
    """A served web page with the reload snippet before its ``</body>``."""
    snippet = SNIPPET.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]
