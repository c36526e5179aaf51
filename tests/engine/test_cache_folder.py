"""The exporters' cache in a folder the operator names (``BRIEFKIT_CACHE``), shared by
several projects: each web font is made once, and no output changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from support.commands import export
from support.newsrooms import make_newsroom

#: The format whose exports keep the theme's web fonts in the cache.
CACHED = ("-f", "html")


def checksums(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def entries(folder: Path) -> dict[str, int]:
    """Each entry of a cache folder, with the time it was last written."""
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.is_dir() else {}


def test_projects_share_the_cache_the_operator_names_and_their_outputs_do_not_change(
        tmp_path: Path) -> None:
    shared = tmp_path / "shared-cache"
    (tmp_path / "link").symlink_to(shared.parent)  # the operator's path may pass a link
    first = make_newsroom(tmp_path / "first", copies=0)
    done = export(first, *CACHED, env={"BRIEFKIT_CACHE": str(tmp_path / "link" / shared.name)})
    assert done.returncode == 0, done.stderr
    kept = entries(shared)
    assert len(kept) >= 4  # the web fonts of the default theme
    assert entries(first / ".briefkit" / "cache") == {}

    # another project, the same cache: nothing is made again, the same bytes published
    second = make_newsroom(tmp_path / "second", copies=0)
    done = export(second, *CACHED, env={"BRIEFKIT_CACHE": str(shared)})
    assert done.returncode == 0, done.stderr
    assert entries(shared) == kept
    assert entries(second / ".briefkit" / "cache") == {}
    assert checksums(first / "dist") == checksums(second / "dist")
