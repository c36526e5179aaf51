"""``briefkit publish``: what was exported, delivered to every target, only what changed,
never half.

``targets`` (where each target is and what it takes), ``receipts`` (what each
holds of ours), ``plan`` (what to send and remove, in which order), ``transports``
(fsspec for folders, smtplib for e-mail), ``uploads`` and ``mailing`` (one
target's publish), ``verify`` (the remote against the receipt), ``websub`` (hubs
told of changed feeds), ``run`` (one publish) and ``report`` (what it says).
"""

from briefkit.publish.faults import PublishError
from briefkit.publish.report import Bars, Display, Log, PublishReport, summary
from briefkit.publish.run import publish

__all__ = ["Bars", "Display", "Log", "PublishError", "PublishReport", "publish", "summary"]
