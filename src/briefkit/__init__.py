"""briefkit: one canonical JSON briefing, exported to PDF, Word, EPUB and feeds."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
