"""What earlier versions of briefkit left in the output folder, recognised exactly.

Before the run state moved to ``.briefkit/``, briefkit kept ``manifest.json``
and ``.briefkit.lock`` in the output folder.  A run takes such a manifest over
once and removes both; but an output folder may be shared (``--out`` into a
partner's folder), and a web app's ``manifest.json`` is not ours to remove.
So only a file that is provably what an earlier version wrote is taken over:
a regular file (never a link), with exactly the keys and record fields those
versions wrote (``git log -S OLD_MANIFEST``: the first version wrote
``{"outputs": [...]}`` with six fields per record; later ones added ``key``,
``mtime_ns``, ``seconds`` and ``"sources"``).  Anything else is left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from pathlib import Path
from typing import Any

from briefkit.engine.home import open_plain, read_plain
from briefkit.engine.seals import SHA256

OLD_MANIFEST, OLD_LOCK = "manifest.json", ".briefkit.lock"

#: The record fields of the first version, then of the versions that kept sources.
_FIRST = frozenset({"path", "format", "briefing", "bytes", "sha256", "media_type"})
_LATER = _FIRST | {"key", "mtime_ns", "seconds"}
#: What those versions remembered of a source file.
_SOURCE = frozenset({"id", "size", "mtime_ns", "sha256", "images"})
#: The largest old manifest read (a few hundred bytes per output).
_MAX_MANIFEST = 64 * 1024 * 1024
#: What an old lock held: nothing, or the process id of the run that held it.
_LOCK_TEXT = re.compile(rb"(?:[0-9]{1,20}\n)?")


def _is_record(entry: Any, fields: frozenset[str]) -> bool:
    if not isinstance(entry, dict) or set(entry) != fields:
        return False
    text = ("path", "format", "media_type", *(("key",) if "key" in fields else ()))
    return (all(isinstance(entry[f], str) for f in text)
            and (entry["briefing"] is None or isinstance(entry["briefing"], str))
            and type(entry["bytes"]) is int and entry["bytes"] >= 0
            and isinstance(entry["sha256"], str) and SHA256.fullmatch(entry["sha256"]) is not None
            and ("mtime_ns" not in fields or type(entry["mtime_ns"]) is int)
            and ("seconds" not in fields or type(entry["seconds"]) in (int, float)))


def is_old_manifest(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) has exactly the shape an earlier version wrote."""
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), list):
        return False
    if set(data) == {"outputs"}:
        fields = _FIRST
    elif set(data) == {"outputs", "sources"} and isinstance(data["sources"], dict):
        fields = _LATER
        if not all(isinstance(entry, dict) and set(entry) == _SOURCE
                   for entry in data["sources"].values()):
            return False
    else:
        return False
    return all(_is_record(entry, fields) for entry in data["outputs"])


def old_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest an earlier version left at ``path``, or None when the file there
    (if any) is not provably one."""
    raw = read_plain(path, _MAX_MANIFEST)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if is_old_manifest(data) else None


def remove_old_lock(path: Path) -> bool:
    """Remove the lock an earlier version left at ``path``, when it provably is one (a
    regular file holding nothing or a process id) and no process holds it."""
    read = open_plain(path, 32)
    if read is None:
        return False
    fd, text = read
    try:
        if _LOCK_TEXT.fullmatch(text) is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # an earlier version is running there now
        with contextlib.suppress(OSError):
            path.unlink()
            return True
        return False
    finally:
        os.close(fd)
