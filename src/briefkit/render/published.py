"""The files a web page, a feed or the front page publishes beside itself.

An exporter that links an image, the theme's logo or a web font returns the
file's bytes as an extra file (:class:`briefkit.exporters.base.Exported`);
names come from :mod:`briefkit.links`, so every output that links one file
names it, and fills it, the same way.  What is published is what was checked:
a briefing's images as the loader checked them, the logo as read and checked
here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.errors import BriefingError, ThemeError
from briefkit.files import display_path, read_regular
from briefkit.images import MAX_IMAGE_BYTES, check_image
from briefkit.theme import Theme


def image_path(item: BriefingFile, src: str) -> str:
    """Where a checked image of the briefing is published, in the output folder."""
    asset = item.assets[src]
    return links.image(item.id, src, asset.media_type, asset.sha256)


def images(item: BriefingFile) -> dict[str, bytes]:
    """Every checked image of the briefing, by published path."""
    return {image_path(item, src): asset.read() for src, asset in item.assets.items()}


@dataclass(frozen=True)
class Logo:
    """The theme's logo as published: bytes checked to be an image, and where they go."""

    path: str  # in the output folder, named after the format the bytes decoded as
    data: bytes
    media_type: str

    def read(self) -> bytes:
        """The checked bytes (what a PDF embeds, as it does a briefing's checked images)."""
        return self.data

    @property
    def sha256(self) -> str:
        """The digest of the checked bytes."""
        return hashlib.sha256(self.data).hexdigest()


def theme_logo(theme: Theme) -> Logo | None:
    """The theme's logo, read bounded and checked as an image (PNG, JPEG or GIF) when
    it is published; None when the theme has none.  The one place that reads it, so
    the front page, the feeds, the web page and the PDF name and carry the same bytes.
    """
    relative = theme.settings.brand.logo
    if not relative:
        return None
    path = theme.find(relative)
    if path is None:
        raise ThemeError(f"theme '{theme.name}': {relative} (named in theme.toml) not found")
    try:
        status = path.stat()
    except OSError as error:
        raise ThemeError(f"theme '{theme.name}': logo {display_path(path)} cannot be read "
                         f"({error.strerror})") from None
    return _checked_logo(path, relative, theme.name, status.st_size, status.st_mtime_ns)


# kept while the file's size and time stay the same: every web page of a run names the logo
@lru_cache(maxsize=4)
def _checked_logo(path: Path, relative: str, theme: str, size: int, modified: int) -> Logo:
    shown = display_path(path)
    try:
        # never more than an image may be, and never a FIFO or a device swapped in
        data = read_regular(path, MAX_IMAGE_BYTES, shown)
    except BriefingError as error:
        raise ThemeError(f"theme '{theme}': logo {error.message}") from None
    checked = check_image(data)
    if isinstance(checked, str):
        raise ThemeError(f"theme '{theme}': logo {shown} {checked}")
    media_type, _, _, sha256 = checked
    return Logo(links.theme_image(relative, media_type, sha256), data, media_type)


def logo_path(theme: Theme) -> str | None:
    """Where the theme's logo is published, if it has one."""
    logo = theme_logo(theme)
    return logo.path if logo else None


def logo(theme: Theme) -> dict[str, bytes]:
    """The theme's logo, by published path (nothing when the theme has none)."""
    found = theme_logo(theme)
    return {found.path: found.data} if found else {}
