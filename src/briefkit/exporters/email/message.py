"""A message as it travels: MIME parts, headers, and the same bytes every time.

``multipart/alternative``: the plain text first, then the HTML (clients show
the last part they can), which becomes ``multipart/related`` with the images
when they travel inside the message.  Lines end in CRLF, as on the wire, so
the file in ``dist/`` is what the mail server receives; text is sent in
quoted-printable or base64, whichever is shorter, images in base64, headers
in ASCII (RFC 2047 words for the rest): nothing needs a server that takes
8-bit mail.  Nothing comes from the clock or chance: the ``Date`` is the
briefing's, and the boundaries and the ``Message-ID`` are digests of what
the message holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.policy import EmailPolicy


@cache
def _mail() -> EmailPolicy[EmailMessage]:
    """How a message is written: CRLF line ends, and 7-bit safe (quoted-printable or base64
    bodies, RFC 2047 headers), so no server needs to take 8-bit mail."""
    # imported when a message is first written: email.policy brings the header parsers,
    # which a run with no e-mail to write does not need
    from email import policy

    return policy.SMTP.clone(cte_type="7bit")

#: Where the ``Message-ID`` and the images' ``Content-ID`` are said to come from when the
#: settings give no site (``.invalid`` is reserved: it names no real host).
NO_HOST = "briefkit.invalid"


@dataclass(frozen=True)
class Attached:
    """An image carried inside the message, shown by the HTML as ``cid:<content_id>``."""

    content_id: str  # without its angle brackets
    data: bytes
    media_type: str
    filename: str


def content_id(data: bytes, host: str) -> str:
    """The Content-ID of an image: its digest, so the same image is attached once."""
    return f"{hashlib.sha256(data).hexdigest()[:32]}@{host}"


def html_size(page: str) -> int:
    """How many bytes the HTML part takes as it travels (transfer-encoded), as
    :func:`message` writes it."""
    part = MIMEPart(policy=_mail())
    part.set_content(page, subtype="html")
    payload = part.get_payload()
    return len(payload) if isinstance(payload, str) else 0


def _boundaries(part: MIMEPart) -> None:
    """Give every multipart a boundary made from the digest of what it holds, innermost
    first.  ``=_`` never occurs in quoted-printable or base64 text, so no part can hold
    its boundary."""
    if not part.is_multipart():
        return
    digest = hashlib.sha256()
    for child in part.iter_parts():
        assert isinstance(child, MIMEPart)
        _boundaries(child)
        digest.update(child.as_bytes(policy=_mail()))
    part.set_boundary(f"=_briefkit_{digest.hexdigest()[:40]}")


def message(*, subject: str, date: datetime, language: str, host: str, text: str,
            page: str, attached: Sequence[Attached] = ()) -> bytes:
    """The whole message: its headers, the plain text and the HTML (with the images it
    carries), as bytes with CRLF line ends.  No ``From`` or ``To``: the publish of an
    e-mail target sets them, from ``[smtp]`` and the target."""
    whole = EmailMessage(policy=_mail())
    whole["Subject"] = subject
    whole["Date"] = format_datetime(date)
    whole.set_content(text, subtype="plain", params={"format": "flowed", "delsp": "no"})
    whole.add_alternative(page, subtype="html")
    # after the parts are made: making them moves every Content- header into the first
    whole["Content-Language"] = language
    if attached:
        html = list(whole.iter_parts())[1]
        assert isinstance(html, MIMEPart)
        for image in attached:
            maintype, _, subtype = image.media_type.partition("/")
            html.add_related(image.data, maintype=maintype, subtype=subtype,
                             disposition="inline", filename=image.filename,
                             cid=f"<{image.content_id}>")
    _boundaries(whole)
    body = b"".join(part.as_bytes(policy=_mail()) for part in whole.iter_parts())
    token = hashlib.sha256(f"{subject}\0{date.isoformat()}\0{language}\0".encode()
                           + body).hexdigest()[:40]
    whole["Message-ID"] = f"<{token}@{host}>"
    return whole.as_bytes(policy=_mail())
