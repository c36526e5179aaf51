"""What WeasyPrint may read while it renders a briefing: nothing but our own files.

WeasyPrint fetches whatever a document points to: images, stylesheets, fonts,
attachments, over ``file:``, ``http:`` or ``ftp:``.  A briefing or a theme
must not be able to make an export read ``/etc/passwd`` into a PDF or call a
server, so the fetcher only serves files inside the briefing's source folder
and the theme folders, and small ``data:`` URLs.  Everything else is refused
and recorded; WeasyPrint only logs a failed fetch, so the exporter calls
:meth:`ConfinedFetcher.check` after rendering and a refusal becomes an error.

This module imports WeasyPrint: import it only where a PDF is made.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from briefkit.errors import Problem, UnsafeReferenceError

#: Largest ``data:`` URL served, in characters (a small icon in a stylesheet, not a photo).
DATA_URL_LIMIT = 256 * 1024
#: How a document names a checked image of its briefing: ``briefing-image:<src>``.
#: WeasyPrint names images in the PDF after their URL, so a URL without the
#: folder keeps the PDF the same wherever the newsroom folder lives.
IMAGE_SCHEME = "briefing-image"


def image_reference(src: str) -> str:
    """The URL a document uses for the briefing's image ``src``."""
    return f"{IMAGE_SCHEME}:{quote(src)}"


@dataclass(frozen=True)
class Refusal:
    """A reference the fetcher would not follow, and why."""

    reference: str
    reason: str

    def __str__(self) -> str:
        return f"{self.reference}: {self.reason}"


def _shown(url: str) -> str:
    """A reference as it can be printed: data: URLs are cut short."""
    return url if len(url) <= 120 else url[:100] + "…"


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints
    """A WeasyPrint URL fetcher confined to ``folders``; it never opens a network connection."""

    def __init__(self, folders: Iterable[Path], *, images: Mapping[str, Path] | None = None,
                 data_limit: int = DATA_URL_LIMIT) -> None:
        # allowed_protocols is a second fence: even our parent refuses anything else
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.folders = tuple(f.resolve() for f in folders)
        self.images = dict(images or {})
        self.data_limit = data_limit
        self.refused: list[Refusal] = []

    def refuse(self, url: str, reason: str) -> None:
        """Record a reference that must not be followed (also used for attachments)."""
        refusal = Refusal(_shown(url), reason)
        if refusal not in self.refused:
            self.refused.append(refusal)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve ``url`` if it is one of our files or a small data: URL; refuse anything else."""
        scheme = urlsplit(url).scheme.lower() if ":" in url else ""
        if scheme == "file":
            return self._file(url)
        if scheme == IMAGE_SCHEME:
            path = self.images.get(unquote(url.split(":", 1)[1]))
            if path is None:
                return self._refuse(url, "not a checked image of the briefing")
            return self._file(path.as_uri(), shown=url)
        if scheme == "data":
            if len(url) > self.data_limit:
                return self._refuse(url, f"data: URL larger than {self.data_limit // 1024} KB")
            return super().fetch(url, headers)
        if scheme in ("http", "https", "ftp"):
            return self._refuse(url, f"{scheme}: is not fetched (no network access during export)")
        return self._refuse(url, f"'{scheme or url}' references are not fetched")

    def _file(self, url: str, shown: str | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(shown or url, "file on another host")
        path = Path(url2pathname(parts.path))
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return self._refuse(shown or url, "cannot be resolved")
        if not any(resolved.is_relative_to(folder) for folder in self.folders):
            return self._refuse(shown or url, "outside the briefing's source folder and the theme")
        if not resolved.is_file():
            return self._refuse(shown or url, "no such file")
        media_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        return URLFetcherResponse(shown or url, resolved.read_bytes(),
                                  {"Content-Type": media_type})

    def _refuse(self, url: str, reason: str) -> URLFetcherResponse:
        self.refuse(url, reason)
        # WeasyPrint catches this and leaves the resource out; check() reports it
        raise PermissionError(f"refused {_shown(url)}: {reason}")

    def check(self, briefing: str, file: str | None = None) -> None:
        """Raise :class:`UnsafeReferenceError` naming ``briefing`` if anything was refused."""
        if not self.refused:
            return
        where = file or briefing
        problems = [Problem(where, f"refused reference {r}") for r in self.refused]
        first = self.refused[0]
        more = f" (and {len(self.refused) - 1} more)" if len(self.refused) > 1 else ""
        raise UnsafeReferenceError(
            f"briefing '{briefing}': refused reference {first}{more}", problems
        )
