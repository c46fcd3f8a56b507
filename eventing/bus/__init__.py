"""The event bus: one port (``EventBus``), a Redis Streams adapter and an in-process adapter."""

from eventing.bus.base import DeadLetter, Delivery, EventBus
from eventing.bus.memory import MemoryBus
from eventing.bus.redis import RedisBus

__all__ = ["DeadLetter", "Delivery", "EventBus", "MemoryBus", "RedisBus"]
