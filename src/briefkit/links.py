"""Where each published file lives in the output folder, and its address on the web.

One owner for every name an output links to: a web page, a briefing's image, a
theme file (logo, web fonts).  Exporters ask here; nothing else builds these
paths, so a page, a feed and the front page can never disagree on a URL.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote

#: Extension of a published image, from the format its bytes decoded as (never the
#: name it had in source/: a PNG called ``chart.html`` must not become a web page).
IMAGE_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
#: Longest stem of a published image's name, and how much of its digest the name shows
IMAGE_STEM_MAX, IMAGE_DIGEST_SHOWN = 60, 10
#: Longest path of a theme file (logo, font) as written in an address, percent-encoded
THEME_PATH_MAX = 240
#: Longest extension a briefing's own files take (".ninjs.json" is 11), with room to spare
EXTENSION_MAX = 16


def longest_path(id_max: int) -> int:
    """The longest path briefkit appends to ``base_url`` in an address it writes, for
    briefing ids of at most ``id_max`` characters (ids, image stems and digests need no
    percent-encoding; theme paths are bounded encoded):

    - a briefing's page and files: ``<id>`` and an extension;
    - an image: ``images/<id>/<stem>-<digest>.<ext>``;
    - a theme file: ``theme/<path>``, and a web font ``theme/fonts/<stem>.woff2``, whose
      stem is part of a path, and the logo ``theme/<path>-<digest>.<ext>``;
    - the feeds, the sitemap and the front page, whose names are shorter than any of these.
    """
    page = id_max + EXTENSION_MAX
    image = (len("images//-") + id_max + IMAGE_STEM_MAX + IMAGE_DIGEST_SHOWN
             + max(map(len, IMAGE_EXTENSIONS.values())))
    theme = len("theme/fonts/") + THEME_PATH_MAX + len(".woff2")
    logo = (len("theme/-") + THEME_PATH_MAX + IMAGE_DIGEST_SHOWN
            + max(map(len, IMAGE_EXTENSIONS.values())))
    return max(page, image, theme, logo)



@dataclass(frozen=True)
class OutputInfo:
    """A file already exported for a briefing, as the exporters that list outputs see it."""

    name: str  # file name inside the output folder, e.g. "iran-missiles.pdf"
    format: str
    media_type: str
    size: int
    #: the format's name for readers (the exporter's ``label``: "Word"); empty: its name
    #: in capitals
    label: str = ""

    @property
    def shown_as(self) -> str:
        return self.label or self.format.upper()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def page(briefing_id: str) -> str:
    """The web page of a briefing, relative to the output folder."""
    return f"{briefing_id}.html"


def image(briefing_id: str, src: str, media_type: str, sha256: str) -> str:
    """Where image ``src`` of a briefing is published: ``images/<id>/<stem>-<digest>.<ext>``.

    The digest of the checked bytes makes two different images of one briefing
    always publish to two names (``images/a.png`` and ``images-a.png`` do not
    collide) and lets a web server cache an image for ever; the extension comes
    from the decoded format.
    """
    return f"images/{briefing_id}/{_image_name(src, media_type, sha256)}"


def theme_file(relative: str) -> str:
    """Where a theme file shown on the web (a web font) is published."""
    parts = [p for p in relative.split("/") if p not in ("", ".", "..")]
    return "theme/" + "/".join(parts)


def theme_image(relative: str, media_type: str, sha256: str) -> str:
    """Where a checked image of the theme (its logo) is published:
    ``theme/<folders>/<stem>-<digest>.<ext>``, named as briefing images are (a PNG
    called ``logo.html`` is published as ``theme/logo-<digest>.png``)."""
    folder = posixpath.dirname(theme_file(relative))
    return f"{folder}/{_image_name(relative, media_type, sha256)}"


def _image_name(src: str, media_type: str, sha256: str) -> str:
    """An image's file name: its own stem, made safe, the start of its digest, and the
    extension of the format its bytes decoded as."""
    stem = posixpath.splitext(posixpath.basename(src))[0]
    stem = _UNSAFE.sub("-", stem).strip(".-")[:IMAGE_STEM_MAX] or "image"
    return f"{stem}-{sha256[:IMAGE_DIGEST_SHOWN]}{IMAGE_EXTENSIONS[media_type]}"


def url(base_url: str, path: str) -> str:
    """The absolute address of a published file, percent-encoded."""
    return base_url + quote(path, safe="/")


def relative(from_path: str, to_path: str) -> str:
    """A link from one published file to another (both relative to the output folder)."""
    start = posixpath.normpath(posixpath.dirname(from_path) or ".")
    target = posixpath.normpath(to_path)
    if start.startswith("..") or target.startswith("..") or target.startswith("/"):
        return quote(posixpath.relpath(target, start), safe="/")
    # what posixpath.relpath works out, from the two paths' parts alone: relpath makes both
    # absolute (asking the system for the working folder) before it compares them, three
    # times as long, for each of the dozens of files a page links (fonts, images, formats)
    here = [] if start == "." else start.split("/")
    there = [] if target == "." else target.split("/")
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(here) - common) + there[common:]
    return quote("/".join(parts) or ".", safe="/")
