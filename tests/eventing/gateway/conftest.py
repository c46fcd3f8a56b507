"""Fixtures of the event bus layer tests (defined in tests/eventing/gateway/support.py)."""

from tests.eventing.gateway.support import prefix, publisher, redis, settings_bus

__all__ = ["prefix", "publisher", "redis", "settings_bus"]
