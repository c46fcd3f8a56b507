"""Errors of the application wiring (settings, CLI)."""


class Eco2Error(Exception):
    """Base of errors raised by the ``eco2`` package."""
