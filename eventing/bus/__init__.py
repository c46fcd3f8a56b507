"""The event bus: one port (``EventBus``), a Redis Streams adapter and an in-process adapter."""

from __future__ import annotations

from eco2.settings import Settings
from eventing.bus.base import DeadLetter, Delivery, EventBus
from eventing.bus.memory import MemoryBus
from eventing.bus.redis import RedisBus

__all__ = ["DeadLetter", "Delivery", "EventBus", "MemoryBus", "RedisBus", "create_bus"]


def create_bus(settings: Settings, *, prefix: str = "") -> EventBus:
    """The adapter the settings choose: ``redis`` (default) or ``memory`` (embedded)."""
    if settings.bus == "memory":
        return MemoryBus(settings.shards)
    return RedisBus(settings.redis_url, settings.shards, prefix=prefix)
