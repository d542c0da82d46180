"""Figures of a run's tables, as PNG and SVG."""
