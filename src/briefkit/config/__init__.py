"""Project settings: ``briefkit.toml``, else ``[tool.briefkit]`` in pyproject.toml.

Every setting and its default is declared once: ``settings`` (the :class:`Settings`
model and its tables), ``publishing`` (publish targets and the mail server), ``values``
(the kinds of value they share); ``loading`` reads the file and locates every problem.
"""

from briefkit.config.loading import load_settings, locate_setting
from briefkit.config.publishing import PublishTarget, SmtpSettings
from briefkit.config.settings import (
    PDF_VARIANTS,
    CacheSettings,
    DatelineSettings,
    EmailSettings,
    EngineSettings,
    FeedSettings,
    FrontPageSettings,
    PdfSettings,
    Settings,
    scheduler_address,
)
from briefkit.config.values import MAX_BASE_URL, period, period_length

__all__ = ["MAX_BASE_URL", "PDF_VARIANTS", "CacheSettings", "DatelineSettings", "EmailSettings",
           "EngineSettings", "FeedSettings", "FrontPageSettings", "PdfSettings", "PublishTarget",
           "Settings", "SmtpSettings", "load_settings", "locate_setting", "period",
           "period_length", "scheduler_address"]
