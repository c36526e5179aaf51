"""briefkit: one canonical JSON briefing, exported to PDF, Word, EPUB and feeds."""

from __future__ import annotations

from functools import cache


@cache
def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("briefkit")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    # read from the package's metadata on first use only: importing importlib.metadata
    # costs more than the rest of `briefkit validate`'s start (PEP 562)
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'briefkit' has no attribute {name!r}")
