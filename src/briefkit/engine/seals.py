"""Sealed files of the state folder: the exporters' cache, the last good briefings.

What a run keeps in ``.briefkit/`` is input like any other: anyone could have
put a file there.  A kept file is sealed: a mark, then the SHA-256 of what
follows (the length of the key, the key, the bytes).  It is handed back only
whole, only under the key it was stored under (copied under another name, it
is not the entry of that name), and only when a check says the bytes are what
the key holds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

#: How a sealed file starts.
MARK = b"briefkit cache 2\n"
#: A SHA-256 as briefkit writes one (a hexdigest): an entry's name (:func:`entry_name`), a
#: last good version's, a digest the manifest keeps.
SHA256 = re.compile(r"[0-9a-f]{64}")


def entry_name(key: str) -> str:
    """The file name of the entry stored under ``key``."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def seal(key: str, data: bytes) -> bytes:
    """``data`` as kept under ``key``."""
    named = key.encode("utf-8", "surrogatepass")
    body = len(named).to_bytes(4, "big") + named + data
    return MARK + hashlib.sha256(body).digest() + body


def unseal(kept: bytes, key: str, check: Callable[[bytes], bool]) -> bytes | None:
    """The bytes of a kept entry, or None unless it is one whole entry, stored under
    ``key``, holding what ``check`` says the key holds: a damaged, foreign or moved
    file in the state folder is made again, never published."""
    start = len(MARK) + 32
    body = kept[start:]
    if not kept.startswith(MARK) or hashlib.sha256(body).digest() != kept[len(MARK):start]:
        return None
    named = key.encode("utf-8", "surrogatepass")
    if body[:4 + len(named)] != len(named).to_bytes(4, "big") + named:
        return None
    data = body[4 + len(named):]
    try:
        right = check(data)
    except Exception:  # noqa: BLE001 (a check parsing hostile bytes may raise anything)
        right = False
    return data if right else None
