"""Project settings: ``briefkit.toml``, else ``[tool.briefkit]`` in pyproject.toml.

Every setting and its default is declared once: ``settings`` (the :class:`Settings`
model and its tables), ``publishing`` (publish targets and the mail server), ``values``
(the kinds of value they share); ``loading`` reads the file and locates every problem.
``publishing`` is imported when first asked for: only ``briefkit publish`` and a
settings file that has ``[publish.<name>]`` or ``[smtp]`` need its models.
"""

from typing import TYPE_CHECKING, Any

from briefkit.config.loading import load_settings, locate_setting
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

if TYPE_CHECKING:
    from briefkit.config.publishing import (
        PublishSettings,
        PublishTarget,
        SmtpSettings,
        publish_settings,
    )

__all__ = ["MAX_BASE_URL", "PDF_VARIANTS", "CacheSettings", "DatelineSettings", "EmailSettings",
           "EngineSettings", "FeedSettings", "FrontPageSettings", "PdfSettings",
           "PublishSettings", "PublishTarget", "Settings", "SmtpSettings", "load_settings",
           "locate_setting", "period", "period_length", "publish_settings", "scheduler_address"]

_PUBLISHING = ("PublishSettings", "PublishTarget", "SmtpSettings", "publish_settings")


def __getattr__(name: str) -> Any:
    if name in _PUBLISHING:
        from briefkit.config import publishing

        return getattr(publishing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
