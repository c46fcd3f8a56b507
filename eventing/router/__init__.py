"""The event router: shard streams in, job state + replay log + Pub/Sub out (docs/sse.md)."""

from eventing.router.router import Router, default_consumer
from eventing.router.settings import RouterSettings

__all__ = ["Router", "RouterSettings", "default_consumer"]
