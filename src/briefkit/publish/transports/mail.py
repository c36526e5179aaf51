"""Messages handed to the mail server named in ``[smtp]``, through smtplib.

STARTTLS (port 587) by default, or TLS from the first byte (``security =
"tls"``, port 465); clear text only to a server on this machine, which the
settings enforce.  The server's certificate is checked against the system's
authorities, or the ``ca_file`` named for a private one.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from briefkit.config import SmtpSettings
from briefkit.publish.transports import context_for

PORTS = {"starttls": 587, "tls": 465, "none": 25}


class Mailer:
    """One connection to the mail server."""

    def __init__(self, smtp: SmtpSettings, password: str | None) -> None:
        self.settings, self.password = smtp, password
        self.server: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, secure the connection, log in."""
        smtp = self.settings
        assert smtp.host is not None
        port = smtp.port or PORTS[smtp.security]
        context = context_for(smtp.ca_file)
        server: smtplib.SMTP
        if smtp.security == "tls":
            server = smtplib.SMTP_SSL(smtp.host, port, timeout=smtp.timeout, context=context)
        else:
            server = smtplib.SMTP(smtp.host, port, timeout=smtp.timeout)
        try:
            server.ehlo()
            if smtp.security == "starttls":
                server.starttls(context=context)
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, self.password or "")
        except BaseException:
            server.close()
            raise
        self.server = server

    def send(self, message: EmailMessage | bytes, sender: str,
             recipients: Sequence[str]) -> dict[str, str]:
        """Hand one message over (bytes as they are, CRLF line ends); it is the server's
        once this returns.  Returns the recipients the server refused while taking it for
        the others, each with the server's reply (when it refuses them all, it raises)."""
        if self.server is None:
            self.open()
        assert self.server is not None
        if isinstance(message, bytes):
            refused = self.server.sendmail(sender, list(recipients), message)
        else:
            refused = self.server.send_message(message, from_addr=sender,
                                               to_addrs=list(recipients))
        return {address: f"{code} {reply.decode('utf-8', 'replace')}"  # smtplib: (int, bytes)
                for address, (code, reply) in refused.items()}

    def close(self) -> None:
        """Say goodbye; never raises."""
        if self.server is not None:
            try:
                self.server.quit()
            except (smtplib.SMTPException, OSError):
                self.server.close()
            self.server = None
