"""Eco² application wiring: settings and the ``eco2`` command."""

__version__ = "0.1.0"
