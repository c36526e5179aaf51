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


def email_page(message: bytes, site: str | None = None) -> str | None:
    """The HTML of an exported e-mail as a mail program shows it: the images it carries
    (related parts named by ``cid:``) put in the page as ``data:`` addresses, and those it
    links at the published site (``site``, the base_url) taken from the output folder;
    None when the message has no HTML part."""
    import base64
    import re
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    parsed = message_from_bytes(message, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(preferencelist=("html",))
    if body is None:
        return None
    images = {}
    for part in parsed.walk():
        cid = str(part.get("Content-ID", "")).strip().removeprefix("<").removesuffix(">")
        if cid and part.get_content_maintype() == "image":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                encoded = base64.b64encode(data).decode("ascii")
                images[cid] = f"data:{part.get_content_type()};base64,{encoded}"
    page = str(body.get_content())
    page = re.sub(r"cid:([^\s\"'>)]+)", lambda m: images.get(m.group(1), m.group(0)), page)
    if site:
        page = re.sub(r'(<img\b[^>]*?\ssrc=")' + re.escape(site), r"\1/", page)
    return page


def with_snippet(page: bytes) -> bytes:
    """A served web page with the reload snippet before its ``</body>``."""
    snippet = SNIPPET.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]
