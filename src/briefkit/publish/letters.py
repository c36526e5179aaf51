"""What an e-mail partner receives: one message per briefing version.

The subject is the title; the plain-text body carries the dateline, the
standfirst and the address of the web page; the formats the target takes are
attached with their media types.  The ``Message-ID`` is derived from the
target, the briefing id and the checksums of the attached files, and the
``Date`` from the briefing's own last change, so the same version always
makes the same message: sent again after a publish was killed, it is the
same message, which mail systems recognise.

A newsroom whose export makes a newsletter (an ``.eml`` output, media type
``message/rfc822``) has it sent as it is: :func:`compose` takes it in place
of the message made here, and only sets who it goes to and its Message-ID.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr

from briefkit import links
from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.engine.state import Record
from briefkit.inline import parse, plain

#: The media type of an export that is a whole message already (a newsletter).
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
    """The message for one briefing version (or the newsletter exported for it)."""
    newsletter = next((a for a in attachments if a.record.media_type == MESSAGE), None)
    if newsletter is not None:
        return as_sent(newsletter.data, sender=sender, recipients=recipients,
                       message_id=message_id)
    briefing = item.briefing
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = briefing.title
    message["From"] = formataddr((settings.publisher, sender))
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(briefing.updated or briefing.published)
    message["Message-ID"] = message_id
    message["Content-Language"] = briefing.language
    message.set_content(body(item, settings, page_link(item, settings, exported)))
    for attachment in attachments:
        maintype, _, subtype = attachment.record.media_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype,
                               subtype=subtype or "octet-stream",
                               filename=posixpath.basename(attachment.record.path))
    return message


def as_sent(data: bytes, *, sender: str, recipients: Sequence[str],
            message_id: str) -> EmailMessage:
    """A message exported whole (a newsletter), addressed to this target."""
    message = BytesParser(policy=policy.SMTP).parsebytes(data)
    assert isinstance(message, EmailMessage)
    for header in ("To", "Cc", "Bcc", "Message-ID"):
        del message[header]
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = message_id
    if message["From"] is None:
        message["From"] = sender
    return message
