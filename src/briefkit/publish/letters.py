"""What an e-mail partner receives: one message per briefing version.

The subject is the title; the plain-text body carries the dateline, the
standfirst and the address of the web page; the formats the target takes are
attached with their media types.  The ``Message-ID`` is derived from the
target, the briefing id and the checksums of the attached files, and the
``Date`` from the briefing's own last change, so the same version always
makes the same message: sent again after a publish was killed, it is the
same message, which mail systems recognise.

An output that is a whole message already (media type ``message/rfc822``: the
e-mail edition, the digest, a plugin's newsletter) travels as it is, in a
message of its own: :func:`as_sent` only sets who it goes to and its
Message-ID (and who it is from, when it does not say), after its own
headers, and leaves every other byte as exported.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.engine.state import Record
from briefkit.inline import parse, plain

#: The media type of an export that is a whole message already (the e-mail edition).
MESSAGE = "message/rfc822"


@dataclass(frozen=True)
class Attachment:
    """A file of the output folder attached to a message."""

    record: Record
    data: bytes


def files_digest(records: Sequence[Record]) -> str:
    """One digest of the files a message carries: their names and checksums."""
    lines = "".join(f"{r.path}\0{r.sha256}\n" for r in sorted(records, key=lambda r: r.path))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def message_id(target: str, briefing: str, digest: str, sender: str) -> str:
    """The Message-ID of one briefing version sent to one target: the same every time."""
    token = hashlib.sha256(f"{target}\0{briefing}\0{digest}".encode()).hexdigest()[:40]
    # short enough for one header line: a folded Message-ID is one some systems misread
    return f"<{token}@{sender.rsplit('@', 1)[1]}>"


def page_link(item: BriefingFile, settings: Settings, exported: set[str]) -> str | None:
    """The web page's address when it is published, else the briefing's own ``url``."""
    page = links.page(item.id)
    if settings.base_url and page in exported:
        return links.url(settings.base_url, page)
    return item.briefing.url


def body(item: BriefingFile, settings: Settings, link: str | None) -> str:
    """The plain-text body: title, dateline, standfirst, the link."""
    from briefkit.render.dates import conventions_of, dateline

    briefing = item.briefing
    lines = [briefing.title]
    if briefing.subtitle:
        lines.append(briefing.subtitle)
    lines += ["", dateline(briefing, conventions_of(settings))]
    if briefing.standfirst:
        lines += ["", plain(parse(briefing.standfirst))]
    if link:
        lines += ["", link]
    return "\n".join(lines) + "\n"


def compose(item: BriefingFile, settings: Settings, *, sender: str,
            recipients: Sequence[str], message_id: str, attachments: Sequence[Attachment],
            exported: set[str]) -> EmailMessage:
    """The message for one briefing version, its files attached."""
    briefing = item.briefing
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = briefing.title
    message["From"] = formataddr((settings.publisher, sender))
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(briefing.updated or briefing.published)
    message["Message-ID"] = message_id
    message.set_content(body(item, settings, page_link(item, settings, exported)))
    for attachment in attachments:
        maintype, _, subtype = attachment.record.media_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype,
                               subtype=subtype or "octet-stream",
                               filename=posixpath.basename(attachment.record.path))
    # after the parts are made: making them clears the Content- headers, or moves them into
    # the first part
    message["Content-Language"] = briefing.language
    return message


#: The headers a target sets on a message exported whole: those it had are left out.
ADDRESSED = ("to", "cc", "bcc", "message-id")


def as_sent(data: bytes, *, sender: str, recipients: Sequence[str], message_id: str,
            publisher: str = "") -> bytes:
    """A message exported whole, addressed to this target: its header fields but ``To``,
    ``Cc``, ``Bcc`` and ``Message-ID`` as they are, then this target's ``To`` and
    ``Message-ID`` (and a ``From``, the publisher with ``[smtp] from``, when it has none),
    then its body as it is.  Lines end in CRLF, as SMTP carries them."""
    if b"\n" in data.replace(b"\r\n", b""):  # a bare line end: made CRLF for the wire
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head, _, rest = (b"", b"", data[2:]) if data.startswith(b"\r\n") \
        else data.partition(b"\r\n\r\n")
    fields: list[bytes] = []
    for line in head.split(b"\r\n") if head else []:
        if line[:1] in (b" ", b"\t") and fields:  # a folded field goes on
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    kept = [f for f in fields
            if f.split(b":", 1)[0].strip().lower().decode("ascii", "replace") not in ADDRESSED]
    added = EmailMessage(policy=policy.SMTP)
    if not any(f.split(b":", 1)[0].strip().lower() == b"from" for f in kept):
        added["From"] = formataddr((publisher, sender)) if publisher else sender
    added["To"] = ", ".join(recipients)
    added["Message-ID"] = message_id
    new = added.as_bytes().split(b"\r\n\r\n", 1)[0]
    return b"\r\n".join([*kept, new]) + b"\r\n\r\n" + rest
