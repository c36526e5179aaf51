"""Installed exporters, found through the ``briefkit.exporters`` entry-point group."""

from __future__ import annotations

import difflib
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points

from briefkit.errors import ExporterError
from briefkit.exporters.base import Exporter

GROUP = "briefkit.exporters"


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return dict(sorted(found.items()))


def names() -> list[str]:
    """Names of every installed exporter, sorted."""
    return list(_entry_points())


def get(name: str) -> Exporter:
    """The exporter called ``name``; an unknown name says which exist."""
    eps = _entry_points()
    if name not in eps:
        close = difflib.get_close_matches(name, eps, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ExporterError(
            f"unknown format '{name}': {hint}installed formats are {', '.join(eps) or 'none'}"
        )
    ep = eps[name]
    try:
        cls = ep.load()
    except Exception as error:  # noqa: BLE001 (a broken plugin must not take the run down)
        raise ExporterError(
            f"exporter '{name}' ({ep.value}) cannot be loaded: {type(error).__name__}: {error}"
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Exporter)):
        raise ExporterError(f"exporter '{name}' ({ep.value}) is not a briefkit Exporter class")
    return cls()


def describe() -> list[tuple[str, str, str, str]]:
    """(name, kind, file, description) of every installed exporter, for `briefkit exporters`."""
    rows = []
    for name, ep in _entry_points().items():
        try:
            exporter = get(name)
        except ExporterError as error:
            rows.append((name, "broken", ep.value, error.message))
            continue
        kind = "collection" if exporter.collection else "briefing"
        shown = exporter.filename("<id>")
        rows.append((name, kind, shown, exporter.description))
    return rows
