"""What an exporter is given: a briefing as loaded from source/, with its checked
images (:class:`BriefingFile`, :class:`Asset`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.errors import BriefingError
from briefkit.files import display_path, read_capped
from briefkit.images import MAX_IMAGE_BYTES
from briefkit.model import Briefing


@dataclass(frozen=True)
class Asset:
    """An image of a briefing, checked and confined to the source folder."""

    path: Path
    media_type: str
    width: int
    height: int
    sha256: str  # of the file's bytes, as checked
    src: str = ""  # as the briefing names it
    briefing: str = ""  # the briefing file, as shown to the user

    def read(self) -> bytes:
        """The image's bytes, exactly as checked at load; a file changed since is refused."""
        shown = self.briefing or display_path(self.path)
        data = read_capped(self.path, MAX_IMAGE_BYTES)
        if isinstance(data, str) or hashlib.sha256(data).hexdigest() != self.sha256:
            raise BriefingError.single(
                shown, f"image {self.src or self.path.name!r} changed since it was checked")
        return data


@dataclass(frozen=True)
class BriefingFile:
    """A briefing as loaded from source/: the model plus where it came from."""

    briefing: Briefing
    path: Path
    digest: str  # sha256 of the file's bytes
    assets: dict[str, Asset] = field(default_factory=dict)  # image src -> checked file

    @property
    def id(self) -> str:
        return self.briefing.id
