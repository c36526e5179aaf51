"""Image checks: what an image must be before any exporter sees it (a PNG, JPEG or GIF
that decodes, within bounds), from its bytes, never its name."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection

#: Largest image accepted, in pixels (decompression bombs stop here).
MAX_IMAGE_PIXELS = 40_000_000


#: Largest image file accepted, in bytes.
MAX_IMAGE_BYTES = 20 * 1024 * 1024


IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}

#: The SHA-256 of every image this process decoded whole and found sound: a picture many
#: briefings show (a map, a logo, a portrait) is decoded once a run, whichever reads it.
#: What a check finds depends on the bytes alone.  Started again past MAX_SOUND digests.
_sound: set[str] = set()
MAX_SOUND = 100_000


def check_image(data: bytes, decoded: Collection[str] = ()) -> tuple[str, int, int, str] | str:
    """(media type, width, height, sha256) of a real image, or what is wrong with it.

    The file is read once: its bytes are hashed and decoded from memory.  Bytes whose
    SHA-256 is in ``decoded`` were decoded whole by an earlier check (the manifest
    remembers the images of the briefings it read), as were those this process already
    found sound: their pixels are not decoded again, which is most of what reading a
    briefing with a picture costs.  Their header is still read, its format and size
    checked.
    """
    from PIL import Image, ImageFile, UnidentifiedImageError

    sha256 = hashlib.sha256(data).hexdigest()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            if kind not in IMAGE_FORMATS:
                return f"is a {kind or 'file'} image: use PNG, JPEG or GIF"
            if width * height > MAX_IMAGE_PIXELS:
                return f"is {width}x{height} pixels: at most {MAX_IMAGE_PIXELS // 1_000_000} million"
            if sha256 in decoded or sha256 in _sound:
                return IMAGE_FORMATS[kind], width, height, sha256
            image.verify()
        # verify() checks little (nothing at all for JPEG and GIF): decode the pixels,
        # so that a truncated or garbled image is refused here, not half-drawn in a PDF.
        # WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process
        # when imported: off again while we look.
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format == "JPEG":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    except UnidentifiedImageError:
        return "is not an image"
    except Image.DecompressionBombError:
        return f"is too large once decompressed (limit {MAX_IMAGE_PIXELS // 1_000_000} million pixels)"
    except (OSError, SyntaxError, ValueError) as error:
        return f"is damaged or truncated ({error})"
    if len(_sound) >= MAX_SOUND:
        _sound.clear()
    _sound.add(sha256)
    return IMAGE_FORMATS[kind], width, height, sha256
