"""Fixtures of the event bus layer tests (defined in tests/eventing/gateway/support.py)."""

from tests.eventing.gateway.support import publisher, settings_bus

__all__ = ["publisher", "settings_bus"]
