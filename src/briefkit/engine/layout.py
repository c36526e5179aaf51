"""A briefing's images laid out on a cluster worker, which may not see source/.

Each job sent to a cluster carries the checked bytes of its briefing's images; the
worker puts them where the exporters look for them, in a folder of its own laid out
as source/ is.  A briefing's formats are separate jobs, so a folder is kept for the
next job of the same briefing (its other formats), by what it holds: the briefing's
place in source/ and each image's place and digest.  The folders kept are bounded by
their bytes, the longest unused removed first.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings

#: Bytes of images kept laid out for the next jobs of the same briefings.
KEPT_BYTES = 64 * 1024 * 1024


class Layouts:
    """The briefings laid out in one worker's temporary folder, for its jobs."""

    def __init__(self) -> None:
        # folder name -> (folder, the settings of its jobs, bytes of its images)
        self.kept: OrderedDict[str, tuple[Path, Settings, int]] = OrderedDict()
        self.bytes = 0

    def lay_out(self, root: Path, item: BriefingFile, images: Mapping[str, bytes],
                settings: Settings) -> tuple[BriefingFile, Settings]:
        """``item`` as it reads in a folder under ``root`` holding its images, and the
        settings whose source/ that folder is."""
        source_dir = settings.source_dir
        places = {src: asset.path.relative_to(source_dir) for src, asset in item.assets.items()}
        name = _name(item.path.relative_to(source_dir),
                     {src: (place, item.assets[src].sha256) for src, place in places.items()})
        found = self.kept.get(name)
        if found is None or not found[0].is_dir():
            folder = root / name
            shutil.rmtree(folder, ignore_errors=True)  # never follows a link
            size = 0
            for src, place in places.items():
                target = folder / "source" / place
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(images[src])
                size += len(images[src])
            folder.mkdir(parents=True, exist_ok=True)
            here = settings.model_copy(update={"root": folder, "source": "source"})
            found = self._keep(name, (folder, here, size))
        else:
            self.kept.move_to_end(name)
        folder, here, _ = found
        source = folder / "source"
        assets = {src: replace(asset, path=source / places[src])
                  for src, asset in item.assets.items()}
        moved = replace(item, path=source / item.path.relative_to(source_dir), assets=assets)
        return moved, here

    def _keep(self, name: str, entry: tuple[Path, Settings, int]) -> tuple[Path, Settings, int]:
        if name in self.kept:
            self.bytes -= self.kept.pop(name)[2]
        self.kept[name] = entry
        self.bytes += entry[2]
        while self.bytes > KEPT_BYTES and len(self.kept) > 1:
            _, (folder, _, size) = self.kept.popitem(last=False)
            shutil.rmtree(folder, ignore_errors=True)
            self.bytes -= size
        return entry

    def clear(self) -> None:
        """Forget every folder (the temporary folder they are in is removed with them)."""
        self.kept.clear()
        self.bytes = 0


def _name(briefing: Path, images: Mapping[str, tuple[Path, str]]) -> str:
    """The folder of a briefing at ``briefing`` (inside source/) with these images."""
    named = hashlib.sha256(briefing.as_posix().encode("utf-8", "surrogatepass"))
    for src in sorted(images):
        place, sha = images[src]
        for part in (src, place.as_posix(), sha):
            named.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return f"briefing-{named.hexdigest()[:32]}"
