"""Themes: the design every format shares.

``chain`` (a theme's folders and the ``extends`` chain up to the packaged ``default``,
loading and checking it), ``settings`` (theme.toml's values, validated), ``fonts``
(the faces' characters and digests) and ``sandbox`` (templates rendered confined and
bounded).  The packaged themes live in ``packaged/``.
"""

from briefkit.theme.chain import PACKAGED, Theme, installed, load_theme
from briefkit.theme.fonts import characters_of, describe, digest_of, needs_a_glyph
from briefkit.theme.settings import Brand, Colours, FontFile, Fonts, Page, ThemeSettings

__all__ = ["PACKAGED", "Brand", "Colours", "FontFile", "Fonts", "Page", "Theme",
           "ThemeSettings", "characters_of", "describe", "digest_of", "installed",
           "load_theme", "needs_a_glyph"]
