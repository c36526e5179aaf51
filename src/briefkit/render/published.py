"""The files a web page, a feed or the front page publishes beside itself.

An exporter that links an image, the theme's logo or a web font returns the
file's bytes as an extra file (:class:`briefkit.exporters.base.Exported`);
names come from :mod:`briefkit.links`, so every output that links one file
names it, and fills it, the same way.
"""

from __future__ import annotations

from briefkit import links
from briefkit.errors import ThemeError
from briefkit.load import BriefingFile
from briefkit.themes import Theme


def image_path(item: BriefingFile, src: str) -> str:
    """Where a checked image of the briefing is published, in the output folder."""
    asset = item.assets[src]
    return links.image(item.id, src, asset.media_type, asset.sha256)


def images(item: BriefingFile) -> dict[str, bytes]:
    """Every checked image of the briefing, by published path."""
    return {image_path(item, src): asset.read() for src, asset in item.assets.items()}


def logo_path(theme: Theme) -> str | None:
    """Where the theme's logo is published, if it has one."""
    logo = theme.settings.brand.logo
    return links.theme_file(logo) if logo else None


def logo(theme: Theme) -> dict[str, bytes]:
    """The theme's logo, by published path (nothing when the theme has none)."""
    relative = theme.settings.brand.logo
    if not relative:
        return {}
    path = theme.find(relative)
    if path is None:
        raise ThemeError(f"theme '{theme.name}': {relative} (named in theme.toml) not found")
    return {links.theme_file(relative): path.read_bytes()}

