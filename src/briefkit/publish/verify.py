"""``--verify``: the remote as it is, against the receipt.

The remote is listed (the only time a publish lists it) and each file the
receipt holds is compared: there, of the same size, and of the same checksum
where the protocol gives one (S3's ETag of a single-part upload; a local
folder is read).  A file changed or removed on the remote by someone else is
reported, and forgotten by the receipt so that the publish sends it again.
Files briefkit did not publish there are counted and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefkit.engine.output import PART
from briefkit.publish.receipts import Receipt
from briefkit.publish.transports import RemoteFile


@dataclass
class Findings:
    """What the remote holds that the receipt does not say."""

    changed: list[tuple[str, str]] = field(default_factory=list)  # path, how
    missing: list[str] = field(default_factory=list)
    foreign: int = 0  # files briefkit did not publish there (left alone)

    @property
    def paths(self) -> list[str]:
        return sorted([path for path, _ in self.changed] + self.missing)


def compare(listing: dict[str, RemoteFile], receipt: Receipt) -> Findings:
    """Each file of the receipt, as the remote holds it."""
    found = Findings()
    for path, sent in sorted(receipt.files.items()):
        remote = listing.get(path)
        if remote is None:
            found.missing.append(path)
        elif remote.size != sent.size:
            found.changed.append((path, f"{remote.size:,} bytes, {sent.size:,} were sent"))
        elif remote.md5 and sent.md5 and remote.md5 != sent.md5:
            found.changed.append((path, "its MD5 checksum is not that of the file sent"))
        elif remote.sha256 and remote.sha256 != sent.sha256:
            found.changed.append((path, "its SHA-256 checksum is not that of the file sent"))
    found.foreign = sum(1 for path in listing
                        if path not in receipt.files and not path.endswith(PART))
    return found
