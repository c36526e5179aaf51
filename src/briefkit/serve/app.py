"""The web server of the preview: dist/, the preview pages and the event channel.

Only files inside the output folder are served.  A request path is decoded
once (by the server), must not hold ``..``, ``.``, hidden names, backslashes
or NUL, and must still lead inside the output folder once every symbolic link
is resolved; anything else is "not found", so a request learns nothing of the
files around dist/.  Web pages get the reload snippet as they are served.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from briefkit import links, registry
from briefkit.files import display_path
from briefkit.load import discover
from briefkit.model import RESERVED_IDS, id_problem
from briefkit.serve.briefings import Briefings
from briefkit.serve.events import Channel
from briefkit.serve.preview import ASSETS, EVENTS, list_page, preview_page, with_snippet
from briefkit.serve.rebuild import Rebuilder

#: The formats a preview page shows or links to, and their link text.
SHOWN = {"html": "Web page", "pdf": "PDF", "docx": "Word (DOCX)", "epub": "E-book (EPUB)"}
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: The preview's own pages run only the preview's own scripts.
_OWN = {**_HEADERS, "Content-Security-Policy": (
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'")}


def locate(folder: Path, path: str) -> Path | None:
    """The file of ``folder`` that a request for ``path`` names, or None."""
    if "\0" in path or "\\" in path:
        return None
    parts = [part for part in path.split("/") if part]
    if any(part.startswith(".") for part in parts):  # "..", ".", hidden files, temporaries
        return None
    root = folder.resolve()
    try:
        target = root.joinpath(*parts).resolve(strict=True)
        if target.is_dir():
            target = (target / "index.html").resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, a link loop, a name too long
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def named_page(name: str) -> bool:
    """Whether ``name`` names a preview page: a briefing's id, by the model's own rule, or
    a reserved one (``index``: the front page asks for the project's problems too)."""
    return id_problem(name) is None or name in RESERVED_IDS


def _media_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("+xml") \
        or kind == "application/json" else kind


def _not_found() -> Response:
    return Response("not found\n", 404, media_type="text/plain", headers=_HEADERS)


class Preview:
    """The routes, over one output folder and the export thread's state."""

    def __init__(self, output: Callable[[], Path], source: Callable[[], Path],
                 rebuilder: Rebuilder, briefings: Briefings, channel: Channel) -> None:
        self.output, self.source = output, source
        self.rebuilder, self.briefings, self.channel = rebuilder, briefings, channel

    def file(self, request: Request) -> Response:
        """A file of the output folder; web pages with the reload snippet."""
        target = locate(self.output(), request.scope["path"])
        if target is None:
            return _not_found()
        try:
            data = target.read_bytes()
        except OSError:
            return _not_found()
        kind = _media_type(target)
        if kind.startswith("text/html"):
            data = with_snippet(data)
        return Response(data, media_type=kind, headers=_HEADERS)

    async def events(self, request: Request) -> Response:
        return StreamingResponse(self.channel.stream(), media_type="text/event-stream",
                                 headers={**_HEADERS, "X-Accel-Buffering": "no"})

    def outputs(self, briefing_id: str) -> dict[str, dict[str, Any]]:
        installed = set(registry.names())
        found: dict[str, dict[str, Any]] = {}
        for name, label in SHOWN.items():
            if name not in installed:
                continue
            path = links.page(briefing_id) if name == "html" else \
                registry.get(name).filename(briefing_id)
            found[name] = {"path": path, "label": label,
                           "exists": locate(self.output(), path) is not None}
        return found

    def about(self, briefing_id: str) -> dict[str, Any]:
        """What the preview of a briefing shows: its outputs, its problems, the export."""
        status = self.rebuilder.snapshot()
        files = self.briefings.files_of(briefing_id)
        problems = [line for path in files for line in status.failures.get(display_path(path), [])]
        title = next((t for p in files if (t := self.briefings.about(p).title)), None)
        return {"id": briefing_id, "title": title, "files": [display_path(p) for p in files],
                "problems": status.project + problems, "outputs": self.outputs(briefing_id),
                "edit": status.edit, "busy": status.busy, "seconds": status.seconds}

    def preview(self, request: Request) -> Response:
        name = request.path_params["name"]
        as_json = name.endswith(".json")
        briefing_id = name.removesuffix(".json")
        if not named_page(briefing_id):
            return _not_found()
        about = self.about(briefing_id)
        if not about["files"] and not about["outputs"].get("html", {}).get("exists"):
            return _not_found()
        if as_json:
            return JSONResponse(about, headers=_HEADERS)
        return HTMLResponse(preview_page(
            id=briefing_id, title=about["title"], outputs=about["outputs"],
            problems=about["problems"], edit=about["edit"], busy=about["busy"]),
            headers=_OWN)

    def index(self, request: Request) -> Response:
        status = self.rebuilder.snapshot()
        rows = []
        for path in discover(self.source()):
            known = self.briefings.about(path)
            rows.append((known.id or path.stem, known.title,
                         display_path(path) in status.failures))
        rows = [row for row in rows if named_page(row[0])]
        return HTMLResponse(list_page(sorted(rows), status.project), headers=_OWN)

    def asset(self, request: Request) -> Response:
        """A script or stylesheet of the preview itself."""
        kind, text = ASSETS[request.scope["path"].rsplit("/", 1)[1]]
        return Response(text, media_type=f"{kind}; charset=utf-8", headers=_OWN)

    def status(self, request: Request) -> Response:
        status = self.rebuilder.snapshot()
        return JSONResponse({"edit": status.edit, "busy": status.busy,
                             "seconds": status.seconds, "project": status.project,
                             "failures": status.failures}, headers=_HEADERS)


def application(preview: Preview, host: str) -> Starlette:
    """The Starlette application of the preview server bound to ``host``."""
    get = ["GET", "HEAD"]
    routes = [
        Route(EVENTS, preview.events, methods=get),
        Route("/_preview/_status", preview.status, methods=get),
        Route("/_preview", lambda request: RedirectResponse("/_preview/"), methods=get),
        Route("/_preview/", preview.index, methods=get),
        *(Route(f"/_preview/{name}", preview.asset, methods=get) for name in ASSETS),
        Route("/_preview/{name:str}", preview.preview, methods=get),
        Route("/_preview/{rest:path}", lambda request: _not_found(), methods=get),
        Route("/{path:path}", preview.file, methods=get),
    ]
    # Bound to this machine only, a page from elsewhere (DNS rebinding) cannot read it.
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK))] \
        if host in LOOPBACK else []
    return Starlette(routes=routes, middleware=middleware)
