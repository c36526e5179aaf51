"""The e-mail edition: a briefing as a message every mail client shows well
(``dist/<id>.eml``), and the digest of a period's briefings (``dist/digest.eml``).

``edition`` and ``digest`` are the two exporters; ``page`` writes the HTML part
from the theme's e-mail templates and inlines its CSS (``style``), ``text`` the
plain-text part, ``message`` puts them together as the bytes that travel.
"""

from briefkit.exporters.email.digest import DigestExporter
from briefkit.exporters.email.edition import EmailExporter

__all__ = ["DigestExporter", "EmailExporter"]
