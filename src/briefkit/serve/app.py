"""The web server of the preview: dist/, the preview pages and the event channel.

Only files inside the output folder are served.  A request path is decoded
once (by the server), must not hold ``..``, ``.``, hidden names, backslashes
or NUL, and must still lead inside the output folder once every symbolic link
is resolved; anything else is "not found", so a request learns nothing of the
files around dist/.  Web pages get the reload snippet as they are served.
"""

from __future__ import annotations

import mimetypes
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

from briefkit.engine.keys import label_of
from briefkit.engine.warm import names_a_page
from briefkit.serve.events import Channel
from briefkit.serve.preview import (
    ASSETS,
    EVENTS,
    asset,
    email_page,
    list_page,
    preview_page,
    with_snippet,
)
from briefkit.serve.rebuild import Engine, Rebuilder

#: The formats a preview page shows or links to (their link text is the exporter's label);
#: the e-mail is shown as a mail program shows it (``/_preview/<id>/email``).
SHOWN = ("html", "pdf", "docx", "epub", "email")
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: The preview's own pages run only the preview's own scripts.
_OWN = {**_HEADERS, "Content-Security-Policy": (
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'")}
#: An exported e-mail runs nothing and fetches nothing but its images, from the message or
#: the output folder.
_MAIL = {**_HEADERS, "Content-Security-Policy": (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'")}


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


def _media_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("+xml") \
        or kind == "application/json" else kind


def _not_found() -> Response:
    return Response("not found\n", 404, media_type="text/plain", headers=_HEADERS)


class Preview:
    """The routes, over the engine's project and the export thread's state."""

    def __init__(self, engine: Engine, rebuilder: Rebuilder, channel: Channel) -> None:
        self.engine, self.rebuilder, self.channel = engine, rebuilder, channel

    def output(self) -> Path:
        """The output folder served: the last good settings'."""
        return self.engine.project.output

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
        made = self.engine.outputs_of(briefing_id, SHOWN)
        return {name: {"path": path, "label": label_of(name),
                       "exists": locate(self.output(), path) is not None}
                for name, path in made.items()}

    def about(self, briefing_id: str) -> dict[str, Any]:
        """What the preview of a briefing shows: its outputs, its problems, the export."""
        status = self.rebuilder.snapshot()
        files = [f for f in self.engine.files().values() if f.id == briefing_id]
        problems = [line for f in files for known in status.failures.values()
                    if known.source == f.path for line in known.lines]
        title = next((f.title for f in files if f.title), None)
        return {"id": briefing_id, "title": title, "files": [f.shown for f in files],
                "problems": status.project + problems, "outputs": self.outputs(briefing_id),
                "edit": status.edit, "busy": status.busy, "seconds": status.seconds}

    def preview(self, request: Request) -> Response:
        name = request.path_params["name"]
        as_json = name.endswith(".json")
        briefing_id = name.removesuffix(".json")
        if not names_a_page(briefing_id):
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

    def email(self, request: Request) -> Response:
        """A briefing's exported e-mail, as a mail program shows it."""
        briefing_id = request.path_params["name"]
        if not names_a_page(briefing_id):
            return _not_found()
        path = self.engine.outputs_of(briefing_id, ("email",)).get("email")
        target = locate(self.output(), path) if path else None
        try:
            site = self.engine.project.settings.base_url
            page = email_page(target.read_bytes(), site) if target is not None else None
        except OSError:
            page = None
        if page is None:
            return _not_found()
        return HTMLResponse(page, headers=_MAIL)

    def index(self, request: Request) -> Response:
        status = self.rebuilder.snapshot()
        bad = {known.source for known in status.failures.values()}
        rows = [(f.id, f.title, f.path in bad) for f in self.engine.files().values()
                if names_a_page(f.id)]
        return HTMLResponse(list_page(sorted(rows), status.project), headers=_OWN)

    def asset(self, request: Request) -> Response:
        """A script or stylesheet of the preview itself."""
        name = request.scope["path"].rsplit("/", 1)[1]
        return Response(asset(name), media_type=f"{ASSETS[name]}; charset=utf-8",
                        headers=_OWN)

    def status(self, request: Request) -> Response:
        return JSONResponse(self.rebuilder.snapshot().as_json(), headers=_HEADERS)


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
        Route("/_preview/{name:str}/email", preview.email, methods=get),
        Route("/_preview/{rest:path}", lambda request: _not_found(), methods=get),
        Route("/{path:path}", preview.file, methods=get),
    ]
    # Bound to this machine only, a page from elsewhere (DNS rebinding) cannot read it.
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK))] \
        if host in LOOPBACK else []
    return Starlette(routes=routes, middleware=middleware)
