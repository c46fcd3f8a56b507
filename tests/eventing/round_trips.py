"""Counting the round trips a piece of code makes to Redis."""

from __future__ import annotations

from redis import asyncio as aioredis


def count_round_trips(monkeypatch, *clients: aioredis.Redis) -> list[int]:
    """Every connection checkout of ``clients``: one per command, or per pipeline sent."""
    checkouts: list[int] = []
    for client in clients:
        pool = client.connection_pool
        checkout = pool.get_connection

        def counted(*args, _checkout=checkout, **kwargs):
            checkouts.append(1)
            return _checkout(*args, **kwargs)

        monkeypatch.setattr(pool, "get_connection", counted)
    return checkouts
