"""A theme's faces: which characters each font file draws, its digest (what is derived
from a face is kept under it), whether a file is a font at all, and which characters
need a glyph.  Each is cached while the file's size and time stay the same.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefkit.errors import BriefingError, ThemeError
from briefkit.files import display_path, read_capped
from briefkit.theme import coverage, sfnt
from briefkit.theme.coverage import Keep

#: Largest theme.toml, template or font file read
MAX_THEME_FILE = 20 * 1024 * 1024


def needs_a_glyph(ch: str) -> bool:
    """Whether text layout looks for a font that has ``ch`` (Pango's rule): never for a
    control or format character (joiners, direction marks, the soft hyphen), a variation
    selector or a space, which a shaper draws from any font."""
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Cs", "Zl", "Zp") or (category == "Zs" and ch != "\u1680"):
        return False
    return not ("\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef")


def characters_of(path: Path, keep: Keep | None = None) -> frozenset[int]:
    """The code points the font file at ``path`` maps to glyphs (the file was checked to
    be a font when the theme was loaded).  With ``keep`` (the exporters' cache), the
    table is kept between processes, under the digest of the file's bytes
    (:mod:`briefkit.theme.coverage`)."""
    size, modified = stamp(path)
    found = _known.get((path, size, modified))
    if found is None:
        if keep is None:
            found = _characters(path, size, modified)
        else:
            table = keep(coverage.table_key(digest_of(path)),
                         lambda: coverage.encode(_characters(path, size, modified)),
                         coverage.is_table)
            found = coverage.decode(table)
        if len(_known) >= 256:
            _known.clear()
        _known[(path, size, modified)] = found
    return found


def digest_of(path: Path) -> str:
    """The SHA-256 of a theme file's bytes, in hex: what is derived from it is kept under
    this name."""
    return _digest(path, *stamp(path))


#: The faces' code points this process knows, by file, size and time.
_known: dict[tuple[Path, int, int], frozenset[int]] = {}


# both cached while the file's size and time stay the same
@lru_cache(maxsize=256)
def _characters(path: Path, size: int, modified: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(read_theme_file(path, MAX_THEME_FILE)), lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


@lru_cache(maxsize=256)
def _digest(path: Path, size: int, modified: int) -> str:
    return hashlib.sha256(read_theme_file(path, MAX_THEME_FILE)).hexdigest()


def read_theme_file(path: Path, limit: int) -> bytes:
    read = read_capped(path, limit)
    if isinstance(read, str):  # named only then: every run reads every file of the theme
        raise ThemeError(BriefingError.single(display_path(path), read).message)
    return read


def describe(ch: str) -> str:
    """A character for a message: ``'中' (U+4E2D)``."""
    return f"{ch!r} (U+{ord(ch):04X})"


def stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _sfnt_fault(data: bytes) -> bool | None:
    """Whether a TrueType or OpenType file lacks what makes it a font (None: another
    kind of file, for fontTools to judge), as its table directory says
    (:mod:`briefkit.theme.sfnt`: importing fontTools costs more than checking a theme's
    dozen faces)."""
    found = sfnt.tables(data)
    if found is None:
        return None
    return not sfnt.is_whole(data, found, (b"cmap", b"name"))


@lru_cache(maxsize=256)
def font_fault(path: Path, size: int, modified: int) -> str | None:
    """What is wrong with a font file (cached while its size and time stay the same)."""
    data = read_theme_file(path, MAX_THEME_FILE)
    fault = _sfnt_fault(data)
    if fault is None:  # WOFF, WOFF2, a collection or no font: fontTools reads it
        fault = _fonttools_fault(data)
    return f"{path.name} is not a font (TrueType, OpenType, WOFF or WOFF2)" if fault else None


def _fonttools_fault(data: bytes) -> bool:
    from fontTools.ttLib import TTFont

    try:
        # a parser of untrusted bytes may fail in any way: each is "not a font"
        with TTFont(io.BytesIO(data), lazy=True) as font:
            # the table directory and the small 'head' table: enough to tell a font from
            # anything else, without decoding its glyphs (twelve faces load in milliseconds)
            return not all(tag in font for tag in ("cmap", "name", "head")) \
                or font["head"].magicNumber != sfnt.HEAD_MAGIC
    except Exception:  # noqa: BLE001
        return True


@lru_cache(maxsize=64)
def embedding_restricted(path: Path) -> bool:
    """Whether the font's licence bits forbid embedding it (OS/2 fsType 0x0002): what
    the e-book and Word leave out."""
    data = read_theme_file(path, MAX_THEME_FILE)
    found = sfnt.tables(data)
    if found is not None:  # read as it is, without importing fontTools
        where = found.get(b"OS/2")
        return where is not None and where[1] >= 10 and where[0] + 10 <= len(data) \
            and sfnt.number(data, where[0] + 8, 2) & 0x000F == 0x0002
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), lazy=True) as font:  # a WOFF or WOFF2 file
        return "OS/2" in font and font["OS/2"].fsType & 0x000F == 0x0002


def subset_face(path: Path, characters: str, layout_features: list[str],
                finish: Callable[[Any], None] | None = None) -> bytes:
    """The font at ``path`` cut down to ``characters``, keeping ``layout_features``, every
    name and the .notdef outline, as plain OpenType (a WOFF or WOFF2 file unwrapped), the
    same bytes every time; ``finish`` changes the subset font before it is written (its
    outlines made TrueType)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = layout_features
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    # Graphite tables (Charis SIL): fontTools cannot subset them, and what embeds a face
    # (e-book reading systems, Word) shapes with OpenType
    options.drop_tables += ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]
    data = read_theme_file(path, MAX_THEME_FILE)  # bounded: a regular file of a theme's size
    # lazy: the lookups of the features left out are never decompiled (the same bytes, in
    # half to four fifths of the time: most of a subset's time is reading GSUB and GPOS)
    with TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True) as font:
        # the name table is pruned here, not by the subsetter: it looks for the names in
        # use by walking every lookup of GSUB and GPOS (a third of a subset's time), where
        # only their features' parameters name any (the same names kept: see _named)
        names = font["name"] if "name" in font else None
        if names is not None:
            del font["name"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        if names is not None:
            named = _named(font)
            # every name under 256 (``name_IDs = ["*"]``), those the font's tables refer to,
            # Unicode records only (fontTools' ``name_legacy`` off)
            names.names = [n for n in names.names
                           if (n.nameID < 256 or n.nameID in named) and n.isUnicode()]
            font["name"] = names
        if finish is not None:
            finish(font)
        font.flavor = None
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _named(font: Any) -> set[int]:
    """The name IDs a subset font's tables refer to, as fontTools' subsetter finds them
    (``NameRecordVisitor``, over the tables it names), looking in GSUB and GPOS only at
    their features (a feature's parameters name its label), not through every lookup."""
    from fontTools.ttLib.tables._n_a_m_e import NameRecordVisitor

    visitor = NameRecordVisitor()
    for tag in NameRecordVisitor.TABLES:
        if tag not in font:
            continue
        if tag not in ("GSUB", "GPOS"):
            visitor.visit(font[tag])
            continue
        table = font[tag].table
        features = [r.Feature for r in (table.FeatureList.FeatureRecord
                                        if table.FeatureList else ())]
        variations = getattr(table, "FeatureVariations", None)
        for record in variations.FeatureVariationRecord if variations else ():
            if record.FeatureTableSubstitution is not None:
                features += [s.Feature for s in
                             record.FeatureTableSubstitution.SubstitutionRecord]
        for feature in features:
            visitor.visit(feature)
    return set(visitor.seen)
