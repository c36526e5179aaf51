"""Exporters: one module per format, each a pure function of a briefing to bytes."""

from briefkit.exporters.base import CollectionExporter, Context, Exporter

__all__ = ["CollectionExporter", "Context", "Exporter"]
