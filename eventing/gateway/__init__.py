"""The SSE gateway: one Pub/Sub feed for all shards, fanned out in process (docs/sse.md)."""

from eventing.gateway.app import Gateway, create_app

__all__ = ["Gateway", "create_app"]
