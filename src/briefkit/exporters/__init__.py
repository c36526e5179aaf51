"""Exporters: one module per format, each a pure function of a briefing to bytes."""

from briefkit.exporters.base import CollectionContext, CollectionExporter, Context, Exporter

__all__ = ["CollectionContext", "CollectionExporter", "Context", "Exporter"]
