"""Former home of the export run, now :mod:`briefkit.engine`; kept for callers of
``briefkit.build.export`` while they move."""

from briefkit.engine import Failure, Progress, Report, default_jobs, export

__all__ = ["Failure", "Progress", "Report", "default_jobs", "export"]
