"""Rendering shared by several formats: typography, dates and the HTML of a briefing."""
