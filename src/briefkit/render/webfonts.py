"""The theme's fonts as web fonts: WOFF2 made from its files at export time (fontTools).

A web page and the front page set their text in the faces the PDF embeds.  Each
face is published once, under ``theme/fonts/<name>.woff2``
(:func:`briefkit.links.theme_file`), from the same bytes whichever page asks.
"""

from __future__ import annotations

import io
import posixpath
import struct
import threading
from collections.abc import Callable, Collection, Sequence
from functools import lru_cache, partial
from pathlib import Path

from briefkit import links
from briefkit.errors import ThemeError
from briefkit.render import html
from briefkit.theme import Theme, digest_of

#: Brotli quality for the WOFF2 stream.  fontTools uses 11, the slowest setting:
#: seconds per face, a minute for a theme.  9 makes files a few per cent larger
#: in a fraction of the time (measured on the default theme: 2.66 MB against
#: 2.44 MB, in a quarter of the time).
BROTLI_QUALITY = 9
#: The libraries whose versions shape the web fonts' bytes.
MADE_WITH = ("fonttools", "brotli")
_lock = threading.Lock()


def web_font_path(relative: str) -> str:
    """Where the web font made from theme file ``relative`` is published."""
    stem = posixpath.splitext(posixpath.basename(relative))[0]
    return links.theme_file(f"fonts/{stem}.woff2")


class _Brotli:
    """fontTools' view of the brotli module, at our quality."""

    def __init__(self, module: object) -> None:
        self._module = module

    def __getattr__(self, name: str) -> object:
        return getattr(self._module, name)

    def compress(self, data: bytes, **options: object) -> bytes:
        options.setdefault("quality", BROTLI_QUALITY)
        compressed: bytes = self._module.compress(data, **options)  # type: ignore[attr-defined]
        return compressed


#: A WOFF2 file's header (W3C WOFF2 5.1): signature, flavor, length, numTables, reserved,
#: totalSfntSize, totalCompressedSize, then versions and the metadata and private blocks.
_HEADER = struct.Struct(">4sIIHHII")
_FLAVORS = (0x00010000, 0x4F54544F, 0x74727565)  # TrueType, 'OTTO' (CFF), 'true'


def is_woff2(data: bytes) -> bool:
    """Whether ``data`` is a WOFF2 font, as its header says (cheap: nothing decompressed).

    Bytes kept between runs are checked with it before they are published as a web font:
    a page, a script or another format named ``theme/fonts/*.woff2`` never is."""
    if len(data) < 48:
        return False
    signature, flavor, length, tables, reserved, _, compressed = _HEADER.unpack_from(data)
    return (signature == b"wOF2" and flavor in _FLAVORS and length == len(data)
            and 0 < tables < 4096 and reserved == 0 and 48 + compressed <= length)


@lru_cache(maxsize=64)
def _woff2(digest: str, path: Path) -> bytes:
    """The WOFF2 of a font file (cached by the digest of its bytes, for one process)."""
    from fontTools.ttLib import TTFont, woff2

    font = TTFont(path, recalcTimestamp=False)  # the same bytes every run
    font.flavor = "woff2"
    out = io.BytesIO()
    with _lock:
        library = woff2.brotli
        woff2.brotli = _Brotli(library)
        try:
            font.save(out)
        finally:
            woff2.brotli = library
    return out.getvalue()


#: ``keep_all([(key, make, check), ...])``: the export context's cache (Cache.get_all).
KeepAll = Callable[[Sequence[tuple[str, Callable[[], bytes], Callable[[bytes], bool]]]],
                   list[bytes]]


def web_fonts(theme: Theme, keep_all: KeepAll | None = None,
              families: Collection[str] | None = None) -> dict[str, bytes]:
    """Every font file of the theme (of ``families`` only, when given) as WOFF2, by
    published path.

    Making a WOFF2 costs about a quarter of a second of CPU per face: ``keep_all`` (the
    export context's cache) keeps them between exports and runs, by the digest of the
    face, and hands back only what :func:`is_woff2`; the workers of a run share the
    faces out between them.
    """
    faces = theme.settings.fonts.files_of(families)
    wanted = []
    for face in faces:
        path = theme.find(face.path)
        if path is None:
            raise ThemeError(f"theme '{theme.name}': {face.path} (named in theme.toml) not found")
        digest = digest_of(path)
        wanted.append((f"woff2-q{BROTLI_QUALITY}-{digest}", partial(_woff2, digest, path),
                       is_woff2))
    made = keep_all(wanted) if keep_all else [make() for _, make, _ in wanted]
    return {web_font_path(face.path): data for face, data in zip(faces, made, strict=True)}


#: Where a page's stylesheet takes its ``@font-face`` rules, once the page says which
#: families it needs (:func:`with_faces`).  Raw in the stylesheet only: every text a page
#: shows, and its metadata, has its "<" escaped.
FACES = "<briefkit-faces>"


def stylesheet(theme: Theme) -> str:
    """The theme's stylesheet for a page published beside the web fonts, with
    :data:`FACES` where :func:`with_faces` writes its faces' rules."""
    return theme.derived("web-stylesheet", lambda: f"{FACES}\n{html.stylesheet(theme)}")


def with_faces(page: str, theme: Theme, here: str) -> tuple[str, list[str]]:
    """A page published at ``here``, written with :data:`FACES` in its stylesheet, with
    the rules of the families its text needs in its place (a page declares and links no
    face it never shows, and the faces of no family it needs are missing), and those
    families (:meth:`~briefkit.theme.Theme.families_for`)."""
    families = theme.families_for(page)
    return page.replace(FACES, html.font_faces(theme, font_url(here), families), 1), families


def font_url(from_path: str) -> Callable[[str], str]:
    """For :func:`briefkit.render.html.stylesheet`: a theme font's web font, linked from
    the published file ``from_path``."""
    return lambda relative: links.relative(from_path, web_font_path(relative))
