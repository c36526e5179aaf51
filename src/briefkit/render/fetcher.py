"""What WeasyPrint may read while it renders a briefing: nothing but our own files.

WeasyPrint fetches whatever a document points to: images, stylesheets, fonts,
attachments, over ``file:``, ``http:`` or ``ftp:``.  A briefing or a theme
must not be able to make an export read ``/etc/passwd`` into a PDF or call a
server, so the fetcher only serves files inside the briefing's source folder
and the theme folders (read bounded), and small ``data:`` URLs.  The briefing's
images and the theme's logo are served from the bytes checked before the export,
as every other format publishes them, never read again from their paths: a file
swapped after its check is refused, not printed.  Everything else is refused
and recorded; WeasyPrint only logs a failed fetch, so the exporter calls
:meth:`ConfinedFetcher.check` after rendering and a refusal becomes an error.

This module imports WeasyPrint: import it only where a PDF is made.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from briefkit.errors import BriefingError, BriefkitError, Problem, UnsafeReferenceError
from briefkit.files import read_regular

#: Largest ``data:`` URL served, in characters (a small icon in a stylesheet, not a photo).
DATA_URL_LIMIT = 256 * 1024
#: Largest file served from the folders (a font or a stylesheet), in bytes.
FILE_LIMIT = 20 * 1024 * 1024
#: How a document names a checked image of its briefing:
#: ``briefing-image:<digest>/<src>``.  WeasyPrint names images in the PDF after their
#: URL, so a URL without the folder keeps the PDF the same wherever the newsroom folder
#: lives; the digest of the bytes makes it name those bytes alone, so a worker's image
#: cache, shared by the PDFs it makes, never takes one briefing's chart for another's.
IMAGE_SCHEME = "briefing-image"
#: How a document names the theme's checked logo.
LOGO_REFERENCE = "theme-logo:logo"


def image_reference(src: str, sha256: str) -> str:
    """The URL a document uses for the briefing's image ``src``, whose bytes have the
    digest ``sha256``."""
    return f"{IMAGE_SCHEME}:{sha256[:32]}/{quote(src)}"


def image_source(url: str) -> tuple[str, str] | None:
    """The digest (as the URL carries it) and the ``src`` of a briefing image's URL
    (:func:`image_reference`), or None for any other URL."""
    scheme, _, rest = url.partition(":")
    digest, slash, src = rest.partition("/")
    if scheme.lower() != IMAGE_SCHEME or not slash:
        return None
    return digest, unquote(src)


class CheckedImage(Protocol):
    """An image checked before the export (:class:`briefkit.load.Asset`, the theme's logo)."""

    @property
    def media_type(self) -> str:
        """The format its bytes decoded as."""
        ...

    @property
    def sha256(self) -> str:
        """The digest of its bytes, as checked."""
        ...

    def read(self) -> bytes:
        """The bytes as checked; a :class:`BriefkitError` if they can no longer be had."""
        ...


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

    def __init__(self, folders: Iterable[Path], *,
                 images: Mapping[str, CheckedImage] | None = None,
                 logo: CheckedImage | None = None, data_limit: int = DATA_URL_LIMIT) -> None:
        # allowed_protocols is a second fence: even our parent refuses anything else
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.folders = tuple(f.resolve() for f in folders)
        self.images = dict(images or {})  # by src, as the briefing names them
        self.logo = logo
        self.data_limit = data_limit
        self.refused: list[Refusal] = []
        #: checked files that could not be served as checked (changed since): said as is
        self.failed: list[BriefkitError] = []

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
            named = image_source(url)
            image = self.images.get(named[1]) if named else None
            if named and image is not None and not image.sha256.startswith(named[0]):
                image = None  # a URL of other bytes than those checked
            return self._checked(url, image, "not a checked image of the briefing")
        if url == LOGO_REFERENCE:
            return self._checked(url, self.logo, "the theme has no logo")
        if scheme == "data":
            if len(url) > self.data_limit:
                return self._refuse(url, f"data: URL larger than {self.data_limit // 1024} KB")
            return super().fetch(url, headers)
        if scheme in ("http", "https", "ftp"):
            return self._refuse(url, f"{scheme}: is not fetched (no network access during export)")
        return self._refuse(url, f"'{scheme or url}' references are not fetched")

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, "file on another host")
        path = Path(url2pathname(parts.path))
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return self._refuse(url, "cannot be resolved")
        if not any(resolved.is_relative_to(folder) for folder in self.folders):
            return self._refuse(url, "outside the briefing's source folder and the theme")
        if not resolved.is_file():
            return self._refuse(url, "no such file")
        try:
            # bounded, and never a FIFO or a device put in the file's place since
            data = read_regular(resolved, FILE_LIMIT, str(resolved))
        except BriefingError as error:
            reason = error.problems[0].message if error.problems else error.message
            return self._refuse(url, reason)
        media_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": media_type})

    def _checked(self, url: str, image: CheckedImage | None, missing: str) -> URLFetcherResponse:
        """A checked image, served from its checked bytes as the format they decoded as."""
        if image is None:
            return self._refuse(url, missing)
        try:
            data = image.read()
        except BriefkitError as error:
            if all(error.message != e.message for e in self.failed):
                self.failed.append(error)
            # WeasyPrint leaves the image out; check() raises the error as it was said
            raise PermissionError(error.message) from None
        return URLFetcherResponse(url, data, {"Content-Type": image.media_type})

    def _refuse(self, url: str, reason: str) -> URLFetcherResponse:
        self.refuse(url, reason)
        # WeasyPrint catches this and leaves the resource out; check() reports it
        raise PermissionError(f"refused {_shown(url)}: {reason}")

    def check(self, briefing: str, file: str | None = None) -> None:
        """Raise the error of a checked image that changed since its check, or
        :class:`UnsafeReferenceError` naming ``briefing`` if anything was refused."""
        if self.failed:
            raise self.failed[0]
        if not self.refused:
            return
        where = file or briefing
        problems = [Problem(where, f"refused reference {r}") for r in self.refused]
        first = self.refused[0]
        more = f" (and {len(self.refused) - 1} more)" if len(self.refused) > 1 else ""
        raise UnsafeReferenceError(
            f"briefing '{briefing}': refused reference {first}{more}", problems
        )
