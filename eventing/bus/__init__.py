"""The event bus: one port (``EventBus``), a Redis Streams adapter and an in-process adapter.

The adapters are imported when first read: the port is imported by every trigger and stage,
the Redis adapter (redis) only by the processes that use it (eventing.lazy)."""

from typing import TYPE_CHECKING

from eventing.bus.base import DeadLetter, Delivery, EventBus
from eventing.lazy import exports

if TYPE_CHECKING:
    from eventing.bus.memory import MemoryBus
    from eventing.bus.redis import RedisBus

__all__ = ["DeadLetter", "Delivery", "EventBus", "MemoryBus", "RedisBus"]
__getattr__, __dir__ = exports(__name__, {"MemoryBus": "memory", "RedisBus": "redis"})
