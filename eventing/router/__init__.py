"""The event router: shard streams in, job state + replay log + Pub/Sub out (docs/sse.md)."""

from eventing.router.router import Router, RouterOptions, default_consumer

__all__ = ["Router", "RouterOptions", "default_consumer"]
